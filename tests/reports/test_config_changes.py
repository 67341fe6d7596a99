"""The security section lists the configuration changes of the period (the configuration history's points)."""

from __future__ import annotations

from datetime import timedelta

from inventory.models import Inventory
from pdcs.points import CONFIG_CHANGE, Point, to_lines
from pdcs.storage import InfluxDB
from reports.gather import build_report

from .conftest import END, PERIOD, START
from .test_reports import headline, table


def test_config_changes_in_the_period_and_region(scenario: InfluxDB, inventory: Inventory) -> None:
    def change(dev: str, at: int, added: int, commit: str) -> Point:
        tags = {**inventory.device_tags(inventory.devices[dev]), "source": "ssh_audit"}
        return Point(CONFIG_CHANGE, tags, {"added": added, "removed": 1, "commit": commit}, at)

    inside = START + timedelta(hours=30)
    scenario.write_lines(
        to_lines(
            [
                change("jt-lib-sw1", int(inside.timestamp() * 1e9), 2, "aaaaaaaaaaaa"),
                change("dy-lib-sw1", int(inside.timestamp() * 1e9), 5, "bbbbbbbbbbbb"),  # another county
                change("jt-lib-sw1", int((END + timedelta(days=1)).timestamp() * 1e9), 9, "cccccccccccc"),  # after
            ]
        )
    )
    rep = build_report(scenario, inventory, "510121", PERIOD, "zh")
    assert headline(rep, "security")["配置变更（次）"] == 1
    assert table(rep, "config_changes") == [[inside.isoformat(timespec="minutes"), "jt-lib-sw1", 2, 1, "aaaaaaaaaaaa"]]
