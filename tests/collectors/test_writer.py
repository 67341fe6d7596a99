"""The writer against the real InfluxDB: order, acknowledgement, refused points."""

from __future__ import annotations

import time
from pathlib import Path

from collectors.spool import Spool
from collectors.writer import Writer
from pdcs.storage import InfluxDB


async def test_partial_write_counts_refused_points_and_keeps_going(influx: InfluxDB, tmp_path: Path) -> None:
    sp = Spool(tmp_path / "s.sqlite")
    t = time.time_ns()
    sp.append(
        [f"m v={i}i {t + i}" for i in range(5)] + [f"m v=1.5 {t + 10}"] + [f"m v={i}i {t + 20 + i}" for i in range(3)]
    )
    w = Writer(sp, influx, batch_size=4)
    await w.drain()
    assert sp.depth == 0
    assert (w.written, w.rejected) == (8, 1)
    assert influx.query("SELECT count(v) FROM m")[0].rows()[0]["count"] == 8
    sp.close()


async def test_wrong_database_keeps_points(influx: InfluxDB, tmp_path: Path) -> None:
    sp = Spool(tmp_path / "s.sqlite")
    sp.append([f"m v=1i {time.time_ns()}"])
    missing = InfluxDB(url=influx.url, database="no_such_db_pdcs", retries=0)
    w = Writer(sp, missing)
    try:
        await w.drain()
    except Exception as exc:
        assert "database not found" in str(exc)
    else:
        raise AssertionError("a write to a missing database must not succeed")
    assert sp.depth == 1 and w.written == 0
    sp.close()
    missing.close()
