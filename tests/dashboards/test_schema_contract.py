"""Dashboards and the week generator use exactly the schema table of docs/architecture.md."""

from __future__ import annotations

import re
from pathlib import Path

from dashboards.build import build_all
from devstack.history import week_of_points
from inventory.models import Inventory

REPO = Path(__file__).resolve().parents[2]
COMMON_TAGS = {"province", "city", "county", "facility", "device", "kind"}


def schema() -> dict[str, tuple[set[str], set[str]]]:
    """measurement → (extra tags, fields), read from the "Storage schema" table."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(r"^\| `(\w+)` \| (.*?) \| (.*?) \|$", text, re.M):
        # Names are the backticked words outside parentheses; inside are types and example values.
        tags, fields = (set(re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", col))) for col in m.group(2, 3))
        out[m.group(1)] = (tags, fields)
    return out


def test_schema_table_is_read() -> None:
    s = schema()
    assert {"device_up", "interface", "wireless", "host", "security_check", "collector", "snmp_trap"} <= set(s)
    assert "in_bps" in s["interface"][1] and "ifname" in s["interface"][0]


def test_every_identifier_in_a_dashboard_query_is_in_the_schema() -> None:
    s = schema()
    for b in build_all():
        for panel, target in b.targets():
            # A retention policy named in FROM ("summary"."province_summary") is not an identifier of the schema.
            q = re.sub(r'FROM "(?:summary|summary_long|rollup|raw)"\.', "FROM ", target.query)
            measurements = set(re.findall(r'FROM "(\w+)"', q))
            assert measurements and measurements <= set(s), f"{b.uid}/{panel.title}: {measurements}"
            aliases = set(re.findall(r'AS "(\w+)"', q))
            allowed = COMMON_TAGS | aliases | measurements
            for meas in measurements:
                allowed |= s[meas][0] | s[meas][1]
            unknown = set(re.findall(r'"(\w+)"', q)) - allowed
            assert unknown == set(), f"{b.uid} / {panel.title}: {unknown} not in the schema table\n{q}"


def test_generator_writes_only_schema_fields_and_tags(example_inventory: Inventory) -> None:
    s = schema()
    points = list(week_of_points(example_inventory, 1_790_000_000, days=1))
    seen: dict[str, set[str]] = {}
    for p in points:
        tags, fields = s[p.measurement]
        extra_tags = set(p.tags) - COMMON_TAGS
        assert extra_tags <= tags, (p.measurement, extra_tags - tags)
        assert set(p.fields) <= fields, (p.measurement, set(p.fields) - fields)
        seen.setdefault(p.measurement, set()).update(p.fields)
    assert set(seen) == {
        "device_up", "interface", "wireless", "host", "security_check", "collector", "snmp_trap", "syslog",
        "terminal_session", "inventory_device",
    }  # fmt: skip
    assert seen["interface"] == s["interface"][1]
    assert seen["host"] == s["host"][1]


def test_generator_is_deterministic_and_follows_opening_hours(example_inventory: Inventory) -> None:
    end = 1_790_000_000
    a = list(week_of_points(example_inventory, end, days=2))
    assert a == list(week_of_points(example_inventory, end, days=2))
    assert a != list(week_of_points(example_inventory, end, days=2, seed=7))
    lib = example_inventory.facilities["jt-lib"]
    from devstack.history import is_open

    uplink = [
        (is_open(lib, p.time_ns // 10**9), float(p.fields["in_bps"]))
        for p in a
        if p.measurement == "interface" and p.tags["facility"] == "jt-lib" and p.tags["uplink"] == "1"
    ]
    open_bps = [bps for is_o, bps in uplink if is_o]
    closed_bps = [bps for is_o, bps in uplink if not is_o]
    assert open_bps and closed_bps
    assert min(open_bps) > max(closed_bps)
