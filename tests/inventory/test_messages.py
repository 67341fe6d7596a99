"""Inventory problems in Chinese: every message the broken inventories produce is translated, placed as before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inventory.messages import CATALOGUE, localise
from tests.inventory.helpers import DATA, problems

CJK = re.compile(r"[\u4e00-\u9fff]")
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


def test_renderings_keep_names_and_values() -> None:
    assert (
        localise("unknown facility 'jt-libb'; did you mean 'jt-lib'?") == "未定义的场馆 'jt-libb'；是否应为 'jt-lib'？"
    )
    assert (
        localise("unknown SNMP profile 'x'; no SNMP profile is defined")
        == "未定义的SNMP 凭据 'x'；尚未定义任何SNMP 凭据"
    )
    assert (
        localise("duplicate device id 'sw1'; first defined at a.yaml:3") == "设备编号 'sw1' 重复；首次定义于 a.yaml:3"
    )
    assert localise("Input should be 'snmp' or 'agent'") == "应为 'snmp'、'agent' 之一"
    assert localise("row has 9 cells but the header has 7 columns") == "这一行有 9 个单元格，表头只有 7 列"
    assert localise("outside your scope (nation)") == "超出您的权限范围（全国）"
    assert localise("something new") == "something new"  # not in the catalogue: shown as it is
    assert localise("Field required", "en") == "Field required"


def test_catalogue_patterns_compile_and_do_not_shadow_each_other() -> None:
    plain = [p for p, _ in CATALOGUE if not any(c in p for c in "()[]?*+\\")]
    for text in plain:  # a literal pattern must be answered by its own entry, not an earlier one
        hits = [i for i, (p, _) in enumerate(CATALOGUE) if re.fullmatch(p, text, re.S)]
        assert hits[0] == [p for p, _ in CATALOGUE].index(text)
