"""Inventory problems in Chinese: every message the broken inventories produce is translated, placed as before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inventory.problems import Problem
from inventory.texts import TEXTS, choices_zh
from tests.inventory.helpers import DATA, problems

CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff00-\uffef]")
BROKEN = sorted(p for p in DATA.iterdir() if p.name not in {"chinese_kinds.yaml", "csv_chinese_bom.csv"})


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_every_problem_of_every_broken_file_reads_in_chinese(path: Path) -> None:
    found = problems(path)
    assert found, f"{path.name} should be broken"
    for p in found:
        zh = p.text("zh")
        # Same place (file:line[:column]: field:) as the English, and the message itself reworded.
        assert zh.startswith(f"{p.where}: {p.field}: ")
        message = zh.removeprefix(f"{p.where}: {p.field}: ")
        assert CJK.search(message) and message != p.message, f"untranslated: {p}"
        assert p.text("en") == str(p)


def _zh(code: str, **params: object) -> str:
    return Problem.of("f", 1, "x", code, **params).text("zh").removeprefix("f:1: x: ")


def test_renderings_keep_names_and_values() -> None:
    assert (
        _zh("inventory.unknown.facility.close", name="jt-libb", close="jt-lib")
        == "未定义的场馆 'jt-libb'；是否应为 'jt-lib'？"
    )
    assert _zh("inventory.unknown.snmp_profile.none", name="x") == "未定义的SNMP 凭据 'x'；尚未定义任何SNMP 凭据"
    assert _zh("inventory.duplicate.devices", id="sw1", where="a.yaml:3") == "设备编号 'sw1' 重复；首次定义于 a.yaml:3"
    expected = "'snmp' or 'agent'"
    assert _zh("pydantic.literal_error", expected=expected, choices=choices_zh(expected)) == "应为 'snmp'、'agent' 之一"
    assert _zh("inventory.row_cells", cells=9, columns=7) == "这一行有 9 个单元格，表头只有 7 列"
    assert _zh("inventory.outside_scope.nation") == "超出您的权限范围（全国）"
    new = Problem("f", 1, "x", "something new", code="inventory.not_in_the_catalogue")
    assert new.text("zh") == "f:1: x: something new"  # not in the catalogue: shown as it is
    missing = Problem("f", 1, "x", "Field required", code="pydantic.missing")
    assert missing.text("en") == "f:1: x: Field required"


def test_every_key_has_both_languages_with_the_same_parameters() -> None:
    fields = re.compile(r"(?<!\{)\{(\w+)")
    for key, (zh, en) in TEXTS.items():
        assert zh and en, key
        assert CJK.search(zh) or CJK_PUNCTUATION.search(zh), f"{key}: the Chinese text has no Chinese"
        assert set(fields.findall(zh)) <= set(fields.findall(en)) | {"choices"}, key
