"""Every kind of mistake in YAML inventories is reported at its file, line and field — all of them at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from inventory.load import load_inventory, read_inventory
from inventory.models import DeviceKind, FacilityKind
from inventory.problems import InventoryError, Problem
from tests.inventory.helpers import DATA, line_of, problems, where


def test_problem_renders_as_file_line_field_message() -> None:
    p = Problem("inv/devices.yaml", 12, "devices[sw1].facility", "unknown facility 'x'")
    assert str(p) == "inv/devices.yaml:12: devices[sw1].facility: unknown facility 'x'"


def test_load_inventory_raises_with_every_problem() -> None:
    with pytest.raises(InventoryError) as err:
        load_inventory(DATA / "bad_hours.yaml")
    assert len(err.value.problems) == 5
    assert str(err.value.problems[0]) in str(err.value)


def test_missing_path_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_inventory(tmp_path / "nowhere")


def test_yaml_syntax_error_names_its_line() -> None:
    f = DATA / "yaml_syntax.yaml"
    [p] = problems(f)
    assert (p.file, p.line, p.field) == (str(f), line_of(f, "kind: public_library"), "yaml")
    assert "not valid YAML" in p.message


def test_unknown_section_lists_the_allowed_ones() -> None:
    f = DATA / "unknown_section.yaml"
    [p] = problems(f)
    assert (p.file, p.line, p.field) == (str(f), line_of(f, "switches:"), "switches")
    assert "regions, facilities, devices, snmp_profiles, ssh_profiles" in p.message


def test_section_that_is_not_a_list() -> None:
    f = DATA / "not_a_list.yaml"
    assert where(f) == [(str(f), 1, "devices")]


def test_unknown_field_lists_the_allowed_ones() -> None:
    f = DATA / "unknown_field.yaml"
    [p] = problems(f)
    assert (p.line, p.field) == (line_of(f, "colour: red"), "facilities[f1].colour")
    assert p.message.startswith("unknown field; allowed: id, name, kind, county")


def test_bad_enum_value_lists_allowed_values_and_chinese_names() -> None:
    f = DATA / "bad_kind.yaml"
    [p] = problems(f)
    assert (p.line, p.field) == (line_of(f, "kind: library"), "facilities[f1].kind")
    assert "'public_library'" in p.message and "'township_centre'" in p.message
    assert "公共图书馆" in p.message


def test_chinese_kind_names_are_accepted() -> None:
    inv = load_inventory(DATA / "chinese_kinds.yaml")
    assert inv.facilities["f1"].kind is FacilityKind.PUBLIC_LIBRARY
    assert inv.devices["k1"].kind is DeviceKind.KIOSK
    assert inv.devices["t1"].kind is DeviceKind.E_READING_TERMINAL


def test_duplicate_id_names_both_places() -> None:
    f = DATA / "duplicate_id.yaml"
    [p] = problems(f)
    second, first = line_of(f, "{id: sw1", 2), line_of(f, "{id: sw1")
    assert (p.line, p.field) == (second, "devices[sw1]")
    assert p.message == f"duplicate device id 'sw1'; first defined at {f}:{first}"


def test_duplicate_id_across_files_names_both_files() -> None:
    folder = DATA / "duplicate_across_files"
    a, b = folder / "a.yaml", folder / "b.yaml"
    [p] = problems(folder)
    assert (p.file, p.line, p.field) == (str(b), line_of(b, "{id: f1"), "facilities[f1]")
    assert p.message.endswith(f"first defined at {a}:{line_of(a, '{id: f1')}")


def test_unknown_facility_and_profiles_each_reported_with_a_hint() -> None:
    f = DATA / "unknown_references.yaml"
    got = problems(f)
    assert [(p.line, p.field) for p in got] == [
        (line_of(f, "facility: jt-libb"), "devices[sw1].facility"),
        (line_of(f, "snmp_profile: county-v3"), "devices[sw1].snmp_profile"),
        (line_of(f, "ssh_profile: audit"), "devices[sw1].ssh_profile"),
    ]
    assert got[0].message == "unknown facility 'jt-libb'; did you mean 'jt-lib'?"
    assert got[2].message == "unknown SSH profile 'audit'; no SSH profile is defined"


def test_inline_secrets_are_refused_without_repeating_them() -> None:
    f = DATA / "inline_secret.yaml"
    got = problems(f)
    assert [(p.line, p.field) for p in got] == [
        (line_of(f, "community:"), "snmp_profiles[county-v2c].community"),
        (line_of(f, "password:"), "ssh_profiles[audit].password"),
    ]
    for p in got:
        assert "{env: VARIABLE} or {file: secrets.yaml, key: NAME}" in p.message
    text = "\n".join(map(str, got))
    assert "s3cr3t-Community-4711" not in text and "hunter2-Pa55word" not in text


def test_region_parent_mismatch() -> None:
    f = DATA / "region_parent.yaml"
    [p] = problems(f)
    assert (p.line, p.field) == (line_of(f, 'parent: "5102"'), "regions[510121].parent")
    assert "sits under '5101'" in p.message


def test_region_code_ending_in_00() -> None:
    f = DATA / "region_code_00.yaml"
    assert where(f) == [(str(f), line_of(f, "code:"), "regions[510000].code")]


def test_facility_county_not_declared_under_its_declared_city() -> None:
    f = DATA / "county_not_declared.yaml"
    [p] = problems(f)
    assert (p.line, p.field) == (line_of(f, 'county: "510112"'), "facilities[f1].county")
    assert "510121 金堂县" in p.message


def test_every_bad_opening_day_is_reported_on_its_own_line() -> None:
    f = DATA / "bad_hours.yaml"
    got = problems(f)
    assert [(p.line, p.field) for p in got] == [
        (line_of(f, "tue:"), "facilities[f1].opening_hours.tue"),
        (line_of(f, "wed:"), "facilities[f1].opening_hours.wed"),
        (line_of(f, "thu:"), "facilities[f1].opening_hours.thu"),
        (line_of(f, "fri:"), "facilities[f1].opening_hours.fri"),
        (line_of(f, "someday:"), "facilities[f1].opening_hours.someday"),
    ]
    assert "overlap" in got[0].message
    assert "HH:MM-HH:MM" in got[1].message
    assert "impossible" in got[2].message
    assert "ends before it starts" in got[3].message
    assert "unknown weekday" in got[4].message


def test_bad_values_all_reported_at_their_fields() -> None:
    f = DATA / "bad_values.yaml"
    assert where(f) == [
        (str(f), line_of(f, "timezone:"), "facilities[f1].timezone"),
        (str(f), line_of(f, "uplink_mbps:"), "facilities[f1].uplink_mbps"),
        # a model-level rule names its field first; with no address key, the device's line
        (str(f), line_of(f, "- id: sw1"), "devices[sw1].address"),
        (str(f), line_of(f, "bad id!"), "devices[bad id!].id"),
        (str(f), line_of(f, "agent_url:"), "devices[bad id!].agent_url"),
        (str(f), line_of(f, "- name: v3"), "snmp_profiles[v3].auth_protocol"),
    ]


def test_field_given_twice_in_one_object(tmp_path: Path) -> None:
    f = tmp_path / "inv.yaml"
    f.write_text("devices:\n  - id: a\n    kind: switch\n    kind: server\n    facility: x\n", encoding="utf-8")
    got = [p for p in problems(f) if p.field == "devices[0].kind"]
    assert [(p.line, p.message) for p in got] == [(4, "field given twice (first at line 3)")]


def test_file_not_utf8(tmp_path: Path) -> None:
    f = tmp_path / "inv.yaml"
    f.write_bytes("facilities:\n  - id: f1\n    name: 金堂县图书馆\n".encode("gbk"))
    [p] = problems(f)
    assert (p.line, p.field) == (3, "encoding")


def test_empty_files_and_empty_sections_are_fine(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    (tmp_path / "sections.yml").write_text("devices:\nfacilities: []\n", encoding="utf-8")
    inv, found = read_inventory(tmp_path)
    assert found == [] and inv.devices == {}


def test_folder_is_searched_recursively_and_secrets_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "county" / "jintang").mkdir(parents=True)
    (tmp_path / "county" / "jintang" / "facilities.yaml").write_text(
        'facilities:\n  - {id: f1, name: 图书馆, kind: public_library, county: "510121"}\n', encoding="utf-8"
    )
    (tmp_path / "profiles.yaml").write_text(
        "snmp_profiles:\n  - {name: p, community: {file: creds/snmp.yaml, key: county}}\n", encoding="utf-8"
    )
    # Not inventory files: a referenced secrets file, a conventional one, a hidden folder.
    (tmp_path / "creds").mkdir()
    (tmp_path / "creds" / "snmp.yaml").write_text("county: topsecret\n", encoding="utf-8")
    (tmp_path / "secrets.yaml").write_text("other: topsecret2\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.yaml").write_text("nonsense: 1\n", encoding="utf-8")
    inv = load_inventory(tmp_path)
    assert list(inv.facilities) == ["f1"]
    assert inv.base_dir == tmp_path.resolve()
    assert inv.snmp_profiles["p"].community is not None
    assert inv.snmp_profiles["p"].community.resolve(inv.base_dir).get_secret_value() == "topsecret"


def test_numbers_in_yaml_are_read_as_codes(tmp_path: Path) -> None:
    f = tmp_path / "inv.yaml"
    f.write_text(
        "regions:\n  - {code: 51, name: 四川省}\n"
        "facilities:\n  - {id: f1, name: 图书馆, kind: public_library, county: 510121}\n"
        "snmp_profiles:\n  - {name: v3, version: 3, user: u}\n",
        encoding="utf-8",
    )
    inv = load_inventory(f)
    assert inv.regions["51"].code == "51"
    assert inv.facilities["f1"].county == "510121"
    assert inv.snmp_profiles["v3"].version == "3"


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("- id: a\n", 1, "yaml", "the file must be a mapping of sections"),
        ("devices: []\nregions: []\ndevices: []\n", 3, "devices", "section given twice in this file (first at line 1)"),
        ("devices:\n  - sw1\n", 2, "devices[0]", "must be an object of field: value"),
        ("a: 1\n---\nb: 2\n", 2, "yaml", "not valid YAML"),
    ],
)
def test_file_shape_mistakes(tmp_path: Path, text: str, line: int, field: str, message: str) -> None:
    f = tmp_path / "inv.yaml"
    f.write_text(text, encoding="utf-8")
    [p] = problems(f)
    assert (p.file, p.line, p.field) == (str(f), line, field)
    assert p.message.startswith(message)


def test_duplicate_region_code(tmp_path: Path) -> None:
    f = tmp_path / "regions.yaml"
    f.write_text('regions:\n  - {code: "51", name: 四川省}\n  - {code: 51, name: 四川}\n', encoding="utf-8")
    assert where(f) == [(str(f), 3, "regions[51]")]
    assert problems(f)[0].message == f"duplicate region code '51'; first defined at {f}:2"


def test_single_file_base_dir_is_its_folder(tmp_path: Path) -> None:
    f = tmp_path / "inv.yaml"
    f.write_text("regions:\n  - {code: '51', name: 四川省}\n", encoding="utf-8")
    assert load_inventory(f).base_dir == tmp_path.resolve()
