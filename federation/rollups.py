"""The province's daily and yearly roll-ups, read back as points to copy unchanged to the national store.

Rows keep their measurement, tags, fields and time; each field keeps the type InfluxDB holds
for it (``SHOW FIELD KEYS``: JSON answers ``5`` for the float 5.0, which written back as an
integer would conflict with the national store's float field).
"""

from __future__ import annotations

from pdcs.points import Point
from pdcs.settings import ROLLUP_RP
from pdcs.storage import InfluxDB

_CAST = {"float": float, "integer": int}


def field_types(influx: InfluxDB, measurement: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in influx.query(f'SHOW FIELD KEYS FROM "{ROLLUP_RP}"."{measurement}"'):
        for key, kind in s.values:
            out[str(key)] = str(kind)
    return out


def rollup_points(influx: InfluxDB, measurement: str, province: str, start_ms: int, end_ms: int) -> list[Point]:
    """``measurement``'s rows of ``province`` with ``start_ms <= time < end_ms`` as points (times in ns)."""
    types = field_types(influx, measurement)
    if not types:
        return []
    q = (
        f'SELECT * FROM "{ROLLUP_RP}"."{measurement}" WHERE "province" = $p '
        f"AND time >= {start_ms}ms AND time < {end_ms}ms GROUP BY *"
    )
    out: list[Point] = []
    for s in influx.query(q, params={"p": province}, epoch="ns"):
        for row in s.rows():
            fields = {}
            for k, v in row.items():
                if k == "time" or v is None or k not in types:
                    continue
                cast = _CAST.get(types[k])
                fields[k] = cast(v) if cast else v
            if fields:
                out.append(Point(measurement, dict(s.tags), fields, int(row["time"])))
    return out
