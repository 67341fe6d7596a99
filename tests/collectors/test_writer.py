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


async def test_missing_database_is_created_and_the_points_delivered(influx: InfluxDB, tmp_path: Path) -> None:
    """InfluxDB answering "database not found" (it was down when the collector started): create it, then write."""
    sp = Spool(tmp_path / "s.sqlite")
    sp.append([f"m v=1i {time.time_ns()}"])
    missing = InfluxDB(url=influx.url, database=f"{influx.database}_late", retries=0)
    w = Writer(sp, missing)
    try:
        await w.drain()
        assert sp.depth == 0 and w.written == 1 and w.schema_created == 1
        assert missing.query("SELECT v FROM raw.m")[0].rows()[0]["v"] == 1
    finally:
        missing.execute(f'DROP DATABASE "{missing.database}"')
        sp.close()
        missing.close()
