"""Which InfluxDB holds a province's raw points, and which the national summaries.

The shard map (``pdcs.storage.shards``, NATIONAL.md §1) names both when it is configured;
without it a province's store is ``Settings.influx()`` and the national store is the one the
``PDCS_NATIONAL_INFLUX_*`` settings name.
"""

from __future__ import annotations

import importlib
from typing import Any

from pdcs.settings import Settings
from pdcs.storage import InfluxDB


def _shard_map(settings: Settings) -> Any | None:
    try:
        shards = importlib.import_module("pdcs.storage.shards")
    except ModuleNotFoundError:
        return None
    return shards.ShardMap.from_settings(settings)


def province_store(settings: Settings, province: str) -> InfluxDB:
    """The store holding ``province``'s raw points and roll-ups."""
    shards = _shard_map(settings)
    store: InfluxDB = shards.for_region(province) if shards is not None else settings.influx()
    return store


def national_store(settings: Settings) -> InfluxDB | None:
    """The national summaries store; None when neither the shard map nor the settings name one."""
    shards = _shard_map(settings)
    found: InfluxDB | None = shards.national() if shards is not None else None
    if found is not None:
        return found
    if not settings.national_influx_url:
        return None
    password = settings.national_influx_password
    return InfluxDB(
        url=settings.national_influx_url,
        database=settings.national_influx_db,
        username=settings.national_influx_username,
        password=password.get_secret_value() if password else None,
    )
