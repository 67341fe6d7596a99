"""The agent's push spool and the ingest's ledger: ordering, bounds, restarts."""

from __future__ import annotations

import json
from pathlib import Path

from agents.push import Spool
from collectors.ingest import SeqLedger, device_token


def test_spool_numbers_batches_and_survives_restart(tmp_path: Path) -> None:
    s = Spool(tmp_path, max_batches=100)
    for i in range(3):
        s.add("k1", f"m {i}\n".encode(), 1000 + i)
    (tmp_path / "000000000004.json.tmp").write_bytes(b"partial")  # a crash mid-write
    again = Spool(tmp_path, max_batches=100)
    assert again.instance == s.instance and again.seq == 3
    assert not list(tmp_path.glob("*.tmp"))
    body = json.loads(again.add("k1", b"m 3\n", 1003).read_text())
    assert body == {"device": "k1", "instance": s.instance, "seq": 4, "time_ms": 1003, "exposition": "m 3\n"}
    assert [p.name for p in again.batches()] == [f"{i:012d}.json" for i in range(1, 5)]


def test_spool_bound_drops_oldest_and_counts(tmp_path: Path) -> None:
    s = Spool(tmp_path, max_batches=3)
    for i in range(5):
        s.add("k1", b"m 1\n", i)
    assert [int(p.stem) for p in s.batches()] == [3, 4, 5]
    assert s.dropped == 2
    # Sent batches are deleted; the sequence never goes back.
    for p in s.batches():
        p.unlink()
    assert Spool(tmp_path, max_batches=3).seq == 5


def test_ledger_persists_and_tokens_are_per_device(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    ledger = SeqLedger(path)
    assert not ledger.is_duplicate("k1", "i1", 1)
    ledger.record("k1", "i1", 5)
    reloaded = SeqLedger(path)
    assert reloaded.is_duplicate("k1", "i1", 5) and reloaded.is_duplicate("k1", "i1", 2)
    assert not reloaded.is_duplicate("k1", "i1", 6)
    assert not reloaded.is_duplicate("k1", "i2", 1)  # a reinstalled agent starts a new instance
    assert device_token("s", "k1") != device_token("s", "k2") != device_token("t", "k1")
    assert len(device_token("s", "k1")) == 40
