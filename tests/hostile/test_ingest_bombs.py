"""Item 2 of issue 15: the push ingest authenticates before it reads a body, and bounds it before and after gzip.

The attack: 398 KB of gzip (a few hundred MB of zeros) posted to the ingest that listens on
0.0.0.0 for 4G terminals, without a token; the ingest decompressed first and grew to 893 MB.
Now: refused from the headers alone (401/403), or — with a stolen key — 413 after at most
16 MB of output; /ingest/v1/health answers within 2 s meanwhile and the process's peak memory
(VmHWM) stays bounded; nothing reaches InfluxDB.
"""

from __future__ import annotations

import gzip
import json
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agents.push_signature import sign
from collectors.ingest import MAX_BODY, MAX_DECOMPRESSED, TooLarge, device_token, gunzip_limited
from devstack.influxdb import InfluxServer
from devstack.ingest import IngestServer
from pdcs.storage import InfluxDB
from tests.agents.test_push import DEVICE, SECRET

from .conftest import ingest_for_tests
from .probe import HealthWatch, peak_kb, rss_kb


def gzip_bomb(size: int = 400 * 1024 * 1024) -> bytes:
    """``size`` zero bytes as gzip (about 400 KB for 400 MB), made without holding them in memory."""
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    return b"".join([*(c.compress(block) for _ in range(size // len(block))), c.flush()])


@pytest.fixture
def ingest(tmp_path: Path, influx_server: InfluxServer, influx: InfluxDB) -> Iterator[IngestServer]:
    server = ingest_for_tests(tmp_path, influx_server.url, influx.database)
    yield server
    server.stop()


def _post(ingest: IngestServer, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(ingest.push_url, content=body, headers={"Content-Encoding": "gzip", **headers}, timeout=30)


def test_limited_gunzip() -> None:
    assert gunzip_limited(gzip.compress(b"x" * 1000), 1000) == b"x" * 1000
    with pytest.raises(TooLarge):
        gunzip_limited(gzip.compress(b"x" * 1001), 1000)
    with pytest.raises(ValueError):
        gunzip_limited(gzip.compress(b"x" * 1000)[:-12], 1000)


def test_bombs_are_refused_and_the_ingest_stays_small(ingest: IngestServer, influx: InfluxDB) -> None:
    bomb = gzip_bomb()
    assert len(bomb) < MAX_BODY  # under the wire limit: only the decompressed limit stops it
    pid = ingest.process.pid
    before = rss_kb(pid)
    key = device_token(SECRET, DEVICE)
    with HealthWatch(f"{ingest.url}/ingest/v1/health") as watch:
        for _ in range(3):
            assert _post(ingest, bomb, {}).status_code == 401  # unsigned: the body is never read
            bearer = {"Authorization": f"Bearer {key}", "X-PDCS-Device": DEVICE}
            assert _post(ingest, bomb, bearer).status_code == 401  # the old bearer scheme is gone
            assert _post(ingest, bomb, sign("0" * 40, DEVICE, bomb, int(time.time()))).status_code == 403
            unknown = sign(device_token(SECRET, "nope"), "nope", bomb, int(time.time()))
            assert _post(ingest, bomb, unknown).status_code == 403  # same answer: ids are not revealed
            r = _post(ingest, bomb, sign(key, DEVICE, bomb, int(time.time())))  # a stolen key: inflated no further
            assert r.status_code == 413 and str(MAX_DECOMPRESSED) in r.json()["detail"]
            big_body = b"\0" * (MAX_BODY + 1)
            big = _post(ingest, big_body, sign(key, DEVICE, big_body, int(time.time())))
            assert big.status_code == 413 and str(MAX_BODY) in big.json()["detail"]
    assert watch.all_answered(), watch.answers
    # the limit is 16 MB of output; allow the interpreter its slack, far below the 400 MB the bomb holds
    assert peak_kb(pid) < before + 80 * 1024, (before, peak_kb(pid))
    assert "rejected=12" in ingest.health() and "malformed=6" in ingest.health()
    assert not influx.query("SELECT count(*) FROM device_up")


def test_a_batch_for_another_device_is_refused(ingest: IngestServer, influx: InfluxDB) -> None:
    body = json.dumps({"device": "jt-wufeng-ert01", "instance": "i", "seq": 1, "time_ms": 1, "exposition": ""}).encode()
    data = gzip.compress(body)
    assert _post(ingest, data, sign(device_token(SECRET, DEVICE), DEVICE, data, int(time.time()))).status_code == 403
    assert not influx.query("SELECT count(*) FROM device_up")
