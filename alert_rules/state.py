"""Where the evaluator keeps what it knows across restarts: SQLite, one file.

``states`` holds one row per (rule, resource, event) that is pending or
firing (an inactive resource has no row), with whether Alerta has heard of it
and when it was last told.  ``outbox`` holds the messages for Alerta that are
not delivered yet, in order.  A cycle's state changes and the messages they
cause are written in ONE transaction, so a crash or a restart can neither
lose a message nor send one for a change that was not recorded.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PENDING = "pending"
FIRING = "firing"

_SCHEMA = """
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

Key = tuple[str, str, str]  # (rule, resource, event)


@dataclass
class AlertState:
    rule: str
    resource: str
    event: str
    status: str  # pending | firing (inactive and resolved have no row)
    since: float  # when it became pending (unix seconds)
    clear_since: float | None = None  # firing, condition false since then
    announced: bool = False  # Alerta has been told it is firing
    last_sent: float | None = None
    # tags and columns of the last observation, for the alert's text and attributes
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return (self.rule, self.resource, self.event)


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    kind: str  # "alert" (for Alerta) or "notice" (for the notifier, notify/)
    body: dict[str, Any]
    attempts: int


class StateStore:
    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(str(path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def load(self) -> dict[Key, AlertState]:
        rows = self.db.execute(
            "SELECT rule, resource, event, status, since, clear_since, announced, last_sent, info FROM states"
        )
        out = {}
        for r in rows:
            st = AlertState(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], json.loads(r[8]))
            out[st.key] = st
        return out

    def commit(
        self,
        upserts: Iterable[AlertState],
        deletes: Iterable[Key],
        messages: Iterable[tuple[str, dict[str, Any]]],
        now: float,
    ) -> None:
        """Apply a cycle's changes and queue its messages atomically."""
        with _transaction(self.db):
            self.db.executemany(
                "INSERT OR REPLACE INTO states VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        s.rule,
                        s.resource,
                        s.event,
                        s.status,
                        s.since,
                        s.clear_since,
                        int(s.announced),
                        s.last_sent,
                        json.dumps(s.info, ensure_ascii=False, default=str),
                    )
                    for s in upserts
                ],
            )
            self.db.executemany("DELETE FROM states WHERE rule=? AND resource=? AND event=?", list(deletes))
            self.db.executemany(
                "INSERT INTO outbox (kind, body, created) VALUES (?, ?, ?)",
                [(kind, json.dumps(body, ensure_ascii=False, default=str), now) for kind, body in messages],
            )

    def outbox(self, limit: int = 500, kind: str = "alert") -> list[OutboxItem]:
        """The oldest waiting messages of one kind: ``alert`` (for Alerta) or ``notice`` (for the notifier)."""
        rows = self.db.execute(
            "SELECT seq, kind, body, attempts FROM outbox WHERE kind=? ORDER BY seq LIMIT ?", (kind, limit)
        )
        return [OutboxItem(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]

    def outbox_size(self, kind: str = "alert") -> int:
        return int(self.db.execute("SELECT count(*) FROM outbox WHERE kind=?", (kind,)).fetchone()[0])

    def delivered(self, seq: int) -> None:
        self.db.execute("DELETE FROM outbox WHERE seq=?", (seq,))

    def attempted(self, seq: int) -> None:
        self.db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE seq=?", (seq,))


class _transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
