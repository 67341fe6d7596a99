"""What the API process holds: settings, the inventory, the InfluxDB client, and what follows them.

Built once by ``create_app`` and reached in routes through ``deps``; tests
build their own and pass it in (nothing is read from globals).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from inventory.models import Inventory
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from pdcs.storage.shards import ShardMap
from supervision.maintenance import MaintenanceSchedule
from supervision.recent_polls import RecentPolls
from supervision_api.access.scope import ScopedViews
from supervision_api.db import Database
from supervision_api.db.users import Principal


@dataclass
class AppState:
    settings: Settings
    inventory: Inventory
    # What routes about the nation (or nothing in particular) read: the one store, or every province store
    # through ``ShardMap.reader()`` (exact or refused: pdcs/storage/federated.py).
    influx: InfluxDB
    # Which store holds which province (PDCS_INFLUX_SHARDS); None: ``influx`` holds every region.
    shards: ShardMap | None = None
    # The API's SQL database (users, tokens, audit log, stored inventory): ``access.store.attach_database``.
    database: Database | None = None
    # Held while an inventory change is stored and swapped in (``access.store.change_inventory``).
    inventory_lock: threading.Lock = field(default_factory=threading.Lock)
    # The inventory as each region scope sees it, rebuilt when ``inventory`` is replaced.
    views: ScopedViews = field(default_factory=ScopedViews)
    # The stored inventory's version this process holds, and when it last asked (monotonic seconds).
    inventory_version: int | None = None
    inventory_checked_at: float = 0.0
    # Token hash → (when it authenticated, who): ``access.auth.AUTH_CACHE_S``.
    auth_cache: dict[str, tuple[float, Principal]] = field(default_factory=dict)
    # The cache of recent polls the availability routes read (made on first use: ``deps.get_polls``).
    polls: RecentPolls | None = None
    # Recurring maintenance windows (PDCS_MAINTENANCE_FILE), read by ``create_app`` unless given.
    maintenance: MaintenanceSchedule | None = None

    def reader(self, code: str) -> InfluxDB:
        """The store holding region ``code`` (a province, city or county code; ``""`` the nation: ``influx``)."""
        if not code or self.shards is None or self.shards.is_single:
            return self.influx
        return self.shards.for_region(code)

    def national(self) -> InfluxDB | None:
        """The national summaries store (the shard map's ``national``), None when none is configured: the
        nation's and a province's answers and pages then read it (``supervision.national_answers``)."""
        return self.shards.national() if self.shards is not None else None

    def stores(self) -> list[InfluxDB]:
        """Every store the API reads (one per province store of the map)."""
        return [db for _, db in self.shards.stores()] if self.shards is not None else [self.influx]

    def close(self) -> None:
        """Let go of the database's connections (tests build many states)."""
        if self.database is not None:
            self.database.dispose()
