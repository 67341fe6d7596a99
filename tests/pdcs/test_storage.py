"""The InfluxDB client against a real InfluxDB."""

from __future__ import annotations

import pytest

from devstack.procs import free_port
from pdcs.points import DEVICE_UP, Point, now_ns, to_lines
from pdcs.storage import InfluxDB, InfluxError, InfluxUnavailable

T0 = now_ns() - 3600 * 10**9


def test_write_and_query_roundtrip(influx: InfluxDB) -> None:
    points = [
        Point(DEVICE_UP, {"device": f"d{i}", "county": "510124", "facility": "f 1,x"}, {"up": 1, "rtt_ms": 1.5}, T0 + i)
        for i in range(12)
    ]
    influx.batch_size = 5  # three batches
    assert influx.write_lines(to_lines(points)) == 12
    series = influx.query("SELECT count(up) FROM device_up WHERE county = $c GROUP BY facility", params={"c": "510124"})
    assert [(s.tags["facility"], s.rows()[0]["count"]) for s in series] == [("f 1,x", 12)]


def test_string_fields_and_escaping(influx: InfluxDB) -> None:
    p = Point("security_check", {"check": "fw"}, {"detail": 'say "hi"\\ back', "passed": True}, T0)
    influx.write_lines(to_lines([p]))
    row = influx.query("SELECT detail, passed FROM security_check")[0].rows()[0]
    assert row["detail"] == 'say "hi"\\ back'
    assert row["passed"] is True


def test_non_finite_fields_are_dropped() -> None:
    assert to_lines([Point("m", {}, {"x": float("nan")}, 1)]) == []
    assert to_lines([Point("m", {}, {"x": float("inf"), "y": 2}, 1)]) == ["m y=2i 1"]


def test_bad_line_protocol_is_an_error_not_unavailable(influx: InfluxDB) -> None:
    with pytest.raises(InfluxError) as exc:
        influx.write_lines(["this is not line protocol"])
    assert not isinstance(exc.value, InfluxUnavailable)


def test_bad_query_is_an_error(influx: InfluxDB) -> None:
    with pytest.raises(InfluxError):
        influx.query("SELEKT nothing")


def test_unreachable_server_is_unavailable_after_retries() -> None:
    sleeps: list[float] = []
    db = InfluxDB(url=f"http://127.0.0.1:{free_port()}", retries=2, backoff_s=0.1, sleep=sleeps.append)
    with pytest.raises(InfluxUnavailable):
        db.write_lines(["m x=1i 1"])
    assert sleeps == [0.1, 0.2]  # exponential back-off between the three attempts


def test_retention_policies_created_idempotently(influx: InfluxDB) -> None:
    influx.ensure_database([("raw", "30d", True), ("rollup", "1000d", False)])
    rps = {r["name"]: r for s in influx.query("SHOW RETENTION POLICIES") for r in s.rows()}
    assert rps["raw"]["default"] is True
    assert rps["rollup"]["duration"] == "24000h0m0s"
