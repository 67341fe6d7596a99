"""Alert state written by pdcs 0.1 (``var/alerts.sqlite``) is read whole by this release.

The file is made with that release's DDL and rows, through plain sqlite3 (nothing of today's
code): a firing alert Alerta knows, a pending one, and two messages not yet delivered.  Today's
``StateStore`` opens it (adding whatever tables it now keeps), loads every state as it was,
hands out the waiting messages in order, and keeps working on it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alert_rules.state import FIRING, PENDING, AlertState, StateStore

RELEASE_0_1_DDL = """
CREATE TABLE IF NOT EXISTS states (
    rule TEXT NOT NULL, resource TEXT NOT NULL, event TEXT NOT NULL,
    status TEXT NOT NULL, since REAL NOT NULL, clear_since REAL,
    announced INTEGER NOT NULL DEFAULT 0, last_sent REAL, info TEXT NOT NULL,
    PRIMARY KEY (rule, resource, event)
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, body TEXT NOT NULL,
    created REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0
);
"""
INFO = {"facility": "jt-lib", "county": "510121", "name": "图书馆核心交换机"}
ALERT = {"resource": "jt-lib-sw01", "event": "device_down", "severity": "major", "text": "设备离线"}


def _release_0_1_file(path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript(RELEASE_0_1_DDL)
    db.executemany(
        "INSERT INTO states VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("device_down", "jt-lib-sw01", "device_down", "firing", 1_764_000_000.0, None, 1, 1_764_000_300.0,
             json.dumps(INFO, ensure_ascii=False)),
            ("uplink_saturated", "jt-cc-sw01", "uplink_saturated", "pending", 1_764_000_600.0, None, 0, None, "{}"),
        ],
    )  # fmt: skip
    db.executemany(
        "INSERT INTO outbox (kind, body, created, attempts) VALUES (?, ?, ?, ?)",
        [
            ("alert", json.dumps(ALERT, ensure_ascii=False), 1_764_000_300.0, 3),
            ("alert", json.dumps({**ALERT, "status": "closed"}, ensure_ascii=False), 1_764_000_900.0, 0),
        ],
    )
    db.commit()
    db.close()


def test_alert_state_of_release_0_1_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "alerts.sqlite"
    _release_0_1_file(path)

    store = StateStore(path)
    states = store.load()
    firing = states[("device_down", "jt-lib-sw01", "device_down")]
    assert (firing.status, firing.announced, firing.last_sent, firing.info) == (FIRING, True, 1_764_000_300.0, INFO)
    pending = states[("uplink_saturated", "jt-cc-sw01", "uplink_saturated")]
    assert (pending.status, pending.announced, pending.info) == (PENDING, False, {})
    waiting = store.outbox()
    assert [(m.kind, m.body.get("status"), m.attempts) for m in waiting] == [("alert", None, 3), ("alert", "closed", 0)]
    assert waiting[0].body == ALERT

    # and it keeps working: the firing alert clears, its message is delivered, a new one queued
    store.delivered(waiting[0].seq)
    cleared = AlertState("device_down", "jt-lib-sw01", "device_down", FIRING, firing.since, 1_764_001_000.0, True)
    store.commit([cleared], [pending.key], [("alert", {**ALERT, "status": "closed"})], now=1_764_001_000.0)
    store.close()
    again = StateStore(path)
    assert set(again.load()) == {firing.key}
    assert [m.attempts for m in again.outbox()] == [0, 0]
    again.close()
