"""Item 3 of issue 15: forged, backdated and replayed pushes leave InfluxDB unchanged.

Before: the push token was a fixed bearer value that signed neither body nor time, so a
holder of it stored a batch backdated by weeks as ``device_up=1``, a forged "firewall =
pass", and a resent batch with a new ``instance``. Now each push is signed over its body and
its send time with the device's key; against a real ``pdcs ingest serve`` and InfluxDB:

- a wrong key, a swapped body, a stale request and an unsigned request are refused;
- a batch older than the window is refused unless it continues its agent's sequence
  (a terminal offline for longer than the window still delivers its spool, in order);
- a replay (same batch, or the same request) is answered ``duplicate`` and not written;
- ``pdcs ingest rotate`` gives a new key (the old one works during the grace),
  ``pdcs ingest revoke`` refuses both.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from agents.push_signature import sign
from collectors.ingest import device_token
from devstack.influxdb import InfluxServer
from devstack.ingest import IngestServer
from pdcs.storage import InfluxDB
from tests.agents.test_push import DEVICE, SECRET
from tests.support.cli import pdcs_argv, pdcs_env
from tests.support.push import push

from .certs import self_signed
from .conftest import ingest_for_tests

WINDOW_S = 3  # short, so that "older than the window" happens within the test
FIREWALL_PASS = 'pdcs_security_check_status{check="host_firewall"} 1\npdcs_host_uptime_seconds 100\n'


@pytest.fixture
def ingest(tmp_path: Path, influx_server: InfluxServer, influx: InfluxDB) -> Iterator[IngestServer]:
    env = {"PDCS_INGEST_WINDOW_S": str(WINDOW_S), "PDCS_INGEST_KEYS": str(tmp_path / "keys.json")}
    server = ingest_for_tests(tmp_path, influx_server.url, influx.database, env=env)
    yield server
    server.stop()


def batch(seq: int, time_ms: int, instance: str = "agent-1", exposition: str = FIREWALL_PASS) -> bytes:
    body = {"device": DEVICE, "instance": instance, "seq": seq, "time_ms": time_ms, "exposition": exposition}
    return json.dumps(body).encode()


def stored(influx: InfluxDB) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for m in ("device_up", "security_check"):
        for s in influx.query(f'SELECT * FROM "{m}"'):
            rows += s.rows()
    return rows


def settle(influx: InfluxDB, expect: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 20
    while len(stored(influx)) < expect and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # anything written by mistake would show by now
    return stored(influx)


def now_ms() -> int:
    return int(time.time() * 1000)


def test_forged_backdated_and_replayed_pushes_change_nothing(ingest: IngestServer, influx: InfluxDB) -> None:
    key = device_token(SECRET, DEVICE)
    first_time = now_ms()
    ok = push(ingest.push_url, batch(1, first_time), key, DEVICE)
    assert ok.status_code == 200 and ok.json()["status"] == "ok", ok.text
    before = settle(influx, 2)
    assert len(before) == 2  # device_up + the firewall check

    weeks_ago = now_ms() - 21 * 86400 * 1000
    refused = {
        "backdated, new instance": push(ingest.push_url, batch(1, weeks_ago, instance="evil"), key, DEVICE),
        "backdated, before the instance's history": push(ingest.push_url, batch(2, weeks_ago), key, DEVICE),
        "future": push(ingest.push_url, batch(3, now_ms() + 3600_000), key, DEVICE),
        "wrong key": push(ingest.push_url, batch(4, now_ms()), "0" * 40, DEVICE),
        "another device's key": push(ingest.push_url, batch(5, now_ms()), device_token(SECRET, "jt-wufeng-ert01"),
                                     DEVICE),
        "stale request": push(ingest.push_url, batch(6, now_ms()), key, DEVICE, at=int(time.time()) - 86400),
    }  # fmt: skip
    codes = {what: r.status_code for what, r in refused.items()}
    assert codes == {
        "backdated, new instance": 422,
        "backdated, before the instance's history": 422,
        "future": 422,
        "wrong key": 403,
        "another device's key": 403,
        "stale request": 401,
    }, {w: r.text for w, r in refused.items()}

    # A captured request: the same bytes again, and its headers with another body (a new instance).
    data = gzip.compress(batch(7, now_ms()))
    headers = {**sign(key, DEVICE, data, int(time.time())), "Content-Encoding": "gzip"}
    assert httpx.post(ingest.push_url, content=data, headers=headers).json()["status"] == "ok"
    after_one = settle(influx, 4)
    assert httpx.post(ingest.push_url, content=data, headers=headers).json()["status"] == "duplicate"
    swapped = gzip.compress(batch(1, now_ms(), instance="agent-2"))
    assert httpx.post(ingest.push_url, content=swapped, headers=headers).status_code == 400
    assert push(ingest.push_url, batch(1, first_time), key, DEVICE).json()["status"] == "duplicate"

    assert settle(influx, len(after_one)) == after_one  # nothing refused or replayed reached InfluxDB
    health = ingest.health()
    assert "duplicates=2" in health and "forged=1" in health and "outside_window=4" in health, health


def test_an_agent_offline_longer_than_the_window_delivers_its_spool(ingest: IngestServer, influx: InfluxDB) -> None:
    key = device_token(SECRET, DEVICE)
    t0 = now_ms()
    assert push(ingest.push_url, batch(1, t0), key, DEVICE).json()["status"] == "ok"
    time.sleep(WINDOW_S + 1)  # the terminal was offline; its spool now holds batches older than the window
    backlog = [push(ingest.push_url, batch(seq, t0 + seq * 500), key, DEVICE) for seq in (2, 3, 4)]
    assert [r.json()["status"] for r in backlog] == ["ok", "ok", "ok"], [r.text for r in backlog]
    forged = push(ingest.push_url, batch(1, t0 + 1000, instance="new"), key, DEVICE)  # same age, no history
    assert forged.status_code == 422
    assert len(settle(influx, 8)) == 8


def test_rotate_and_revoke(ingest: IngestServer, tmp_path: Path) -> None:
    env = pdcs_env(PDCS_INGEST_SECRET=SECRET)
    keys = ["--keys", str(tmp_path / "keys.json")]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(pdcs_argv("ingest", *args, *keys), env=env, capture_output=True, text=True, timeout=60)

    old = device_token(SECRET, DEVICE)
    assert cli("token", DEVICE).stdout.strip() == old
    new = cli("rotate", DEVICE).stdout.strip()
    assert new != old and cli("token", DEVICE).stdout.strip() == new
    time.sleep(1.2)  # the ingest re-reads the key file at most once a second
    assert push(ingest.push_url, batch(1, now_ms()), new, DEVICE).json()["status"] == "ok"
    assert push(ingest.push_url, batch(2, now_ms()), old, DEVICE).json()["status"] == "ok"  # grace
    assert cli("revoke", DEVICE).returncode == 0
    time.sleep(1.2)
    assert push(ingest.push_url, batch(3, now_ms()), new, DEVICE).status_code == 403
    assert push(ingest.push_url, batch(4, now_ms()), old, DEVICE).status_code == 403
    assert cli("token", DEVICE).returncode == 1
    assert SECRET not in (tmp_path / "ingest" / "ingest.log").read_text()


def test_push_over_tls(tmp_path: Path, influx_server: InfluxServer, influx: InfluxDB) -> None:
    cert, key = self_signed(tmp_path)
    server = ingest_for_tests(tmp_path, influx_server.url, influx.database, tls=(cert, key))
    try:
        assert server.push_url.startswith("https://")
        data = gzip.compress(batch(1, now_ms()))
        headers = {**sign(device_token(SECRET, DEVICE), DEVICE, data, int(time.time())), "Content-Encoding": "gzip"}
        r = httpx.post(server.push_url, content=data, headers=headers, verify=str(cert), timeout=30)
        assert r.json()["status"] == "ok"
        with pytest.raises(httpx.HTTPError):  # plain HTTP is not served
            httpx.post(server.push_url.replace("https://", "http://"), content=data, headers=headers, timeout=5)
    finally:
        server.stop()
