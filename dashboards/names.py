"""Display names for the boards: region codes, facility and device ids and kinds → Chinese names.

Names are Grafana value mappings written into the board JSON when it is built
(``pdcs grafana build``; in compose, a one-shot ``dashboards`` service builds from
the deployment's inventory before Grafana starts). Why mappings and not name tags
on the points: a name is one-to-one with its id, so a tag would add no series, but
every point would carry it, a renamed facility would split its history into two
series, and each query would group by one more tag. A mapping costs nothing at
query time and a rename is a rebuild; its price is the JSON's size, about 70 bytes
per device and facility per board — a few MB for a province of 50 000 devices, so
a national deployment builds one set of boards per province (as it keeps one
InfluxDB per province).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from dashboards.common import Names
from inventory.labels import device_kind_label, facility_kind_label
from inventory.models import DeviceKind, FacilityKind, Inventory

# The inventory the committed boards (dashboards/json) are built from.
EXAMPLES = Path(__file__).resolve().parents[1] / "inventory" / "examples"


def kind_names() -> dict[str, str]:
    """Device and facility kinds in Chinese (``e_reading_terminal`` → 电子阅览终端), with no inventory."""
    out = {k.value: device_kind_label(k, "zh") for k in DeviceKind}
    out |= {k.value: facility_kind_label(k, "zh") for k in FacilityKind}
    return out


def names_from_inventory(inventory: Inventory) -> Names:
    by_value: dict[str, str] = kind_names()
    by_value.update({code: r.name for code, r in inventory.regions.items()})
    by_value.update({f.id: f.name for f in inventory.facilities.values()})
    by_value.update({d.id: d.name for d in inventory.devices.values() if d.name})
    return Names(by_value)


@cache
def example_names() -> Names:
    """Names of ``inventory/examples``: what the committed boards show (kinds only where the examples are
    not installed, as in the wheel)."""
    from inventory.load import load_inventory

    if not EXAMPLES.is_dir():
        return Names(kind_names())
    return names_from_inventory(load_inventory(EXAMPLES))
