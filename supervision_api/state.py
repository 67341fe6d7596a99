"""What the API process holds: settings, the inventory, the InfluxDB client.

Built once by ``create_app`` and reached in routes through ``deps``; tests
build their own and pass it in (nothing is read from globals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inventory.models import Inventory
from pdcs.settings import Settings
from pdcs.storage import InfluxDB


@dataclass
class AppState:
    settings: Settings
    inventory: Inventory
    influx: InfluxDB
    extras: dict[str, Any] = field(default_factory=dict)  # per-part state (e.g. the SQL engine)
