"""Which InfluxDB holds a province's raw points, and which the national summaries.

The shard map (``pdcs.storage.shards``, NATIONAL.md §1) names both; without a map file a
province's store is ``Settings.influx()``, and the national store is the map's ``national``
or, when it has none, the one the ``PDCS_NATIONAL_INFLUX_*`` settings name.
"""

from __future__ import annotations

from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from pdcs.storage.shards import ShardMap


def national_store(settings: Settings, shards: ShardMap | None = None) -> InfluxDB | None:
    """The national summaries store; None when neither the shard map nor the settings name one.

    Raises ``ShardMapError`` when the shard map file does not load."""
    shards = shards if shards is not None else settings.shards()
    found = shards.national()
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
