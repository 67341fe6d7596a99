"""The committed JSON is what the code builds, and it is a sound Grafana dashboard."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as dm

from dashboards.build import FOLDERS, JSON_DIR, build_all, check
from dashboards.influxql import DATASOURCE_UID, register
from dashboards.names import names_from_inventory
from inventory.models import Inventory

REPO = Path(__file__).resolve().parents[2]


def test_committed_json_is_exactly_what_the_code_builds() -> None:
    built = build_all()
    assert {b.path for b in built} == {p.relative_to(JSON_DIR) for p in JSON_DIR.rglob("*.json")}
    for b in built:
        assert (JSON_DIR / b.path).read_text(encoding="utf-8") == b.render(), f"{b.path}: run pdcs grafana build"


def test_every_dashboard_passes_the_structural_checks() -> None:
    for b in build_all():
        data = json.loads((JSON_DIR / b.path).read_text(encoding="utf-8"))
        assert check(data) == [], b.uid
        assert data["schemaVersion"] >= 36
        assert data["title"] and data["description"]
        assert all(p.get("description") for p in data["panels"]), f"{b.uid}: every panel explains itself"


def test_json_round_trips_through_the_sdk_model() -> None:
    """Decoding with the SDK's schema-generated model and encoding again loses nothing."""
    register()
    for b in build_all():
        data = json.loads((JSON_DIR / b.path).read_text(encoding="utf-8"))
        again = json.loads(json.dumps(dm.Dashboard.from_json(data), cls=JSONEncoder))
        assert again == data, b.uid


def test_check_finds_broken_dashboards() -> None:
    data = build_all()[2].to_dict()  # the county board
    assert check(data) == []

    dup = copy.deepcopy(data)
    dup["panels"][1]["id"] = dup["panels"][0]["id"]
    assert any("used twice" in p for p in check(dup))

    typo = copy.deepcopy(data)
    typo["panels"][0]["targets"][0]["query"] += " AND /^$cuonty$/"
    assert any("$cuonty" in p for p in check(typo))

    overlap = copy.deepcopy(data)
    overlap["panels"][1]["gridPos"] = dict(overlap["panels"][0]["gridPos"])
    assert any("overlaps" in p for p in check(overlap))

    wide = copy.deepcopy(data)
    wide["panels"][0]["gridPos"]["x"] = 20
    assert any("outside the 24-column grid" in p for p in check(wide))

    other_ds = copy.deepcopy(data)
    other_ds["panels"][0]["datasource"] = {"type": "prometheus", "uid": "prom"}
    assert any("data source" in p for p in check(other_ds))

    no_schema = {k: v for k, v in data.items() if k != "schemaVersion"}
    assert "missing schemaVersion" in check(no_schema)


def test_variables_chain_province_to_device() -> None:
    device = next(b for b in build_all() if b.uid == "pdcs-device").to_dict()
    variables = {v["name"]: v for v in device["templating"]["list"]}
    assert list(variables) == ["province", "city", "county", "facility", "device"]
    assert variables["province"]["query"] == 'SHOW TAG VALUES FROM "device_up" WITH KEY = "province"'
    assert variables["device"]["query"] == (
        'SHOW TAG VALUES FROM "device_up" WITH KEY = "device" WHERE "province" =~ /^$province$/ AND '
        '"city" =~ /^$city$/ AND "county" =~ /^$county$/ AND "facility" =~ /^$facility$/'
    )
    assert all(v["datasource"]["uid"] == DATASOURCE_UID for v in variables.values())


def test_titles_are_chinese() -> None:
    for b in build_all():
        data = b.to_dict()
        for text in [data["title"], *(p["title"] for p in data["panels"])]:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text) or text == "SNMP Trap", text


def test_names_from_the_inventory_become_mappings(example_inventory: Inventory) -> None:
    names = names_from_inventory(example_inventory)
    county = next(b for b in build_all(names) if b.uid == "pdcs-county").render()
    assert "金堂县图书馆" in county and "图书馆核心交换机" in county
    assert "金堂县图书馆" in next(b for b in build_all() if b.uid == "pdcs-county").render()  # the examples'


def _mappings(board: dict[str, object], panel_title: str, column: str) -> dict[str, str]:
    """value → text of the value mappings a table panel applies to ``column``."""
    panel = next(p for p in board["panels"] if p.get("title") == panel_title)  # type: ignore[attr-defined]
    out: dict[str, str] = {}
    for o in panel["fieldConfig"]["overrides"]:
        if o["matcher"] == {"id": "byName", "options": column}:
            for prop in o["properties"]:
                if prop["id"] == "mappings":
                    for m in prop["value"]:
                        out |= {v: r["text"] for v, r in m["options"].items()}
    return out


def test_every_kind_and_facility_of_the_examples_appears_by_name(example_inventory: Inventory) -> None:
    """The committed boards (what compose mounts without a build) name every facility and kind."""
    from inventory.labels import device_kind_label

    county = json.loads((JSON_DIR / "regions" / "pdcs-county.json").read_text(encoding="utf-8"))
    facilities = _mappings(county, "设备列表", "facility")
    kinds = _mappings(county, "设备列表", "kind")
    for f in example_inventory.facilities.values():
        assert facilities.get(f.id) == f.name, f.id
    for kind in {d.kind for d in example_inventory.devices.values()}:
        assert kinds.get(kind.value) == device_kind_label(kind, "zh"), kind
    devices = _mappings(county, "设备列表", "device")
    assert all(devices.get(d.id) == d.name for d in example_inventory.devices.values() if d.name)
    facility = json.loads((JSON_DIR / "regions" / "pdcs-facility.json").read_text(encoding="utf-8"))
    assert _mappings(facility, "终端资源", "kind")["e_reading_terminal"] == "电子阅览终端"


def test_provisioning_points_at_the_built_folders() -> None:
    prov = yaml.safe_load((REPO / "dashboards/provisioning/dashboards/pdcs.yaml").read_text(encoding="utf-8"))
    providers = {p["options"]["path"].rsplit("/", 1)[1]: p for p in prov["providers"]}
    assert set(providers) == set(FOLDERS) == {b.folder for b in build_all()}
    for folder, p in providers.items():
        assert p["folder"] == FOLDERS[folder] and p["type"] == "file"
    ds = yaml.safe_load((REPO / "dashboards/provisioning/datasources/influxdb.yaml").read_text(encoding="utf-8"))
    sources = {s["uid"]: s for s in ds["datasources"]}
    # every data source a provisioned board reads is provisioned (the summary boards read pdcs-national)
    assert set(sources) == {uid for b in build_all() for uid in b.datasources()} == {DATASOURCE_UID, "pdcs-national"}
    for source in sources.values():
        assert source["type"] == "influxdb" and source["jsonData"]["httpMode"] == "POST" and "password" not in source
    assert sources["pdcs-national"]["jsonData"]["dbName"] == "pdcs_national"
    # the ${...} it reads are in Grafana's environment in docker-compose.yml
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    text = (REPO / "dashboards/provisioning/datasources/influxdb.yaml").read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{(\w+)\}", text)) <= set(compose["services"]["grafana"]["environment"])
