"""The notifier's durable state: SQLite tables beside the evaluator's (same file, same connection).

- ``notify_queue``: one row per (notice, channel) waiting to go, with the earliest
  time it may (quiet hours, digests); deleted only when the service accepted it.
- ``notify_open``: alerts told as open, for escalation and for sending their resolve
  to every channel that heard of them.
- ``notify_channel``: per channel, when it last sent, its back-off, and since when it fails.
- ``notify_sent``: send times of the last minute per channel (the rate window).

Taking notices from the evaluator's outbox and queueing them is one transaction,
so a crash between the two neither loses nor doubles a notification.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS notify_queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, notice TEXT NOT NULL,
    created REAL NOT NULL, not_before REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS notify_queue_channel ON notify_queue (channel, not_before);
CREATE TABLE IF NOT EXISTS notify_open (
    key TEXT PRIMARY KEY, notice TEXT NOT NULL, routes TEXT NOT NULL, told TEXT NOT NULL,
    escalated INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS notify_channel (
    channel TEXT PRIMARY KEY, last_sent REAL, last_batch INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0, failing_since REAL,
    last_error TEXT NOT NULL DEFAULT '', alarmed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS notify_sent (channel TEXT NOT NULL, at REAL NOT NULL);
"""


@dataclass
class Queued:
    seq: int
    channel: str
    notice: dict[str, Any]
    created: float
    not_before: float
    attempts: int


@dataclass
class OpenAlert:
    key: str
    notice: dict[str, Any]
    routes: list[str]
    told: list[str]
    escalated: int = 0  # escalation steps done


@dataclass
class ChannelState:
    channel: str
    last_sent: float | None = None
    last_batch: bool = False
    next_try: float = 0.0
    failures: int = 0
    failing_since: float | None = None
    last_error: str = ""
    alarmed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class NotifyStore:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- queue ----------------------------------------------------------------
    def enqueue(self, channel: str, notice: dict[str, Any], now: float, not_before: float) -> None:
        self.db.execute(
            "INSERT INTO notify_queue (channel, notice, created, not_before) VALUES (?, ?, ?, ?)",
            (channel, json.dumps(notice, ensure_ascii=False, default=str), now, not_before),
        )

    def due(self, channel: str, now: float, limit: int = 5000) -> list[Queued]:
        rows = self.db.execute(
            "SELECT seq, channel, notice, created, not_before, attempts FROM notify_queue "
            "WHERE channel=? AND not_before<=? ORDER BY seq LIMIT ?",
            (channel, now, limit),
        )
        return [Queued(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5]) for r in rows]

    def delivered(self, seqs: list[int]) -> None:
        self.db.executemany("DELETE FROM notify_queue WHERE seq=?", [(s,) for s in seqs])

    def attempted(self, seqs: list[int]) -> None:
        self.db.executemany("UPDATE notify_queue SET attempts = attempts + 1 WHERE seq=?", [(s,) for s in seqs])

    def queued(self, channel: str | None = None) -> int:
        if channel is None:
            return int(self.db.execute("SELECT count(*) FROM notify_queue").fetchone()[0])
        return int(self.db.execute("SELECT count(*) FROM notify_queue WHERE channel=?", (channel,)).fetchone()[0])

    # -- open alerts ----------------------------------------------------------
    def open_alerts(self) -> list[OpenAlert]:
        rows = self.db.execute("SELECT key, notice, routes, told, escalated FROM notify_open")
        return [OpenAlert(r[0], json.loads(r[1]), json.loads(r[2]), json.loads(r[3]), r[4]) for r in rows]

    def get_open(self, key: str) -> OpenAlert | None:
        r = self.db.execute(
            "SELECT key, notice, routes, told, escalated FROM notify_open WHERE key=?", (key,)
        ).fetchone()
        return OpenAlert(r[0], json.loads(r[1]), json.loads(r[2]), json.loads(r[3]), r[4]) if r else None

    def put_open(self, alert: OpenAlert) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO notify_open VALUES (?, ?, ?, ?, ?)",
            (
                alert.key,
                json.dumps(alert.notice, ensure_ascii=False, default=str),
                json.dumps(alert.routes, ensure_ascii=False),
                json.dumps(alert.told, ensure_ascii=False),
                alert.escalated,
            ),
        )

    def drop_open(self, key: str) -> None:
        self.db.execute("DELETE FROM notify_open WHERE key=?", (key,))

    # -- channels -------------------------------------------------------------
    def channel(self, name: str) -> ChannelState:
        r = self.db.execute(
            "SELECT channel, last_sent, last_batch, next_try, failures, failing_since, last_error, alarmed "
            "FROM notify_channel WHERE channel=?",
            (name,),
        ).fetchone()
        if r is None:
            return ChannelState(name)
        return ChannelState(r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6], bool(r[7]))

    def save_channel(self, st: ChannelState) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO notify_channel VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                st.channel,
                st.last_sent,
                int(st.last_batch),
                st.next_try,
                st.failures,
                st.failing_since,
                st.last_error,
                int(st.alarmed),
            ),
        )

    def sent_in_window(self, channel: str, now: float, window_s: float = 60.0) -> list[float]:
        self.db.execute("DELETE FROM notify_sent WHERE channel=? AND at<=?", (channel, now - window_s))
        return [r[0] for r in self.db.execute("SELECT at FROM notify_sent WHERE channel=? ORDER BY at", (channel,))]

    def record_sent(self, channel: str, at: float) -> None:
        self.db.execute("INSERT INTO notify_sent VALUES (?, ?)", (channel, at))
