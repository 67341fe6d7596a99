"""Issue 15: a pushed batch is bounded in samples, not only in bytes.

Bytes alone (4 MB on the wire, 16 MB after gzip) still let one signed batch carry some
500,000 short samples. ``PDCS_INGEST_MAX_SAMPLES`` (default 50,000) caps them: against a real
``pdcs ingest serve`` and InfluxDB, a batch one sample over the cap is refused with 413 (reason in
English and Chinese, logged, counted ``too_many_samples``) and writes nothing; one at the cap is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.exposition_map import TooManySamples, parse_samples
from collectors.ingest import MAX_SAMPLES, device_token
from devstack.influxdb import InfluxServer
from devstack.ingest import IngestServer
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from tests.agents.test_push import DEVICE, SECRET
from tests.support.push import push

from .conftest import ingest_for_tests
from .test_push_forgery import batch, now_ms, settle, stored

CAP = 5


def exposition(samples: int, check: str) -> str:
    """``samples`` samples: the uptime, then security checks named ``check0``, ``check1``, …"""
    lines = ["pdcs_host_uptime_seconds 100"]
    lines += [f'pdcs_security_check_status{{check="{check}{i}"}} 1' for i in range(samples - 1)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def ingest(tmp_path: Path, influx_server: InfluxServer, influx: InfluxDB) -> Iterator[IngestServer]:
    server = ingest_for_tests(tmp_path, influx_server.url, influx.database, env={"PDCS_INGEST_MAX_SAMPLES": str(CAP)})
    yield server
    server.stop()


def test_the_default_cap() -> None:
    assert Settings(_env_file=None).ingest_max_samples == MAX_SAMPLES == 50_000  # type: ignore[call-arg]
    assert len(parse_samples(exposition(CAP, "c"), CAP)["pdcs_security_check_status"]) == CAP - 1
    with pytest.raises(TooManySamples):
        parse_samples(exposition(CAP + 1, "c"), CAP)


def test_a_batch_over_the_cap_is_refused_and_one_at_the_cap_stored(
    ingest: IngestServer, influx: InfluxDB, tmp_path: Path
) -> None:
    key = device_token(SECRET, DEVICE)
    over = push(ingest.push_url, batch(1, now_ms(), exposition=exposition(CAP + 1, "refused")), key, DEVICE)
    assert over.status_code == 413, over.text
    detail = over.json()["detail"]
    assert f"more than {CAP} samples" in detail and f"批次样本数超过上限 {CAP}" in detail
    assert "PDCS_INGEST_MAX_SAMPLES" in detail
    assert settle(influx, 0) == []  # nothing of the refused batch reached InfluxDB

    at_cap = push(ingest.push_url, batch(2, now_ms(), exposition=exposition(CAP, "kept")), key, DEVICE)
    assert at_cap.status_code == 200 and at_cap.json()["status"] == "ok", at_cap.text
    rows = settle(influx, CAP)  # device_up and the CAP - 1 checks
    assert len(rows) == CAP, rows
    assert not any("refused" in str(row) for row in stored(influx))

    assert "too_many_samples=1" in ingest.health() and "accepted=1" in ingest.health()
    assert f"refused: more than {CAP} samples in one batch" in (tmp_path / "ingest" / "ingest.log").read_text()
