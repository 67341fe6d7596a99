"""Drain the spool into InfluxDB: in order, in batches, with back-off.

A batch leaves the spool only after InfluxDB acknowledged it.  While InfluxDB
is unreachable (or answers 5xx) the writer backs off exponentially (up to
``max_backoff_s``) and tries the same batch again; points keep accumulating on
disk meanwhile.  InfluxDB 1.x answers a batch holding a few bad points (a
field-type conflict, a point beyond retention, an unparsable line) with
``400 partial write ... dropped=N`` after storing every other point: the batch
is then done, and the N are counted in ``rejected`` and logged, so one bad
point cannot block the spool.  "database not found" / "retention policy not
found" (InfluxDB was down when the process started, or was rebuilt): the
writer creates the database and its retention policies and sends again.  Any
other refusal (auth) is a configuration problem: the points stay and the
writer backs off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Sequence

from collectors.spool import Spool
from pdcs.settings import RAW_RP, RETENTION_POLICIES
from pdcs.storage import layout
from pdcs.storage.influx import InfluxDB, InfluxError, InfluxSchemaMissing, InfluxUnavailable, RetentionPolicy

log = logging.getLogger(__name__)

_DROPPED = re.compile(r"dropped=(\d+)")


class Writer:
    def __init__(
        self,
        spool: Spool,
        influx: InfluxDB,
        *,
        batch_size: int = 5000,
        min_backoff_s: float = 0.2,
        max_backoff_s: float = 30.0,
        retention_policy: str | None = RAW_RP,
        schema: Sequence[RetentionPolicy] = RETENTION_POLICIES,
    ) -> None:
        self.spool = spool
        self.influx = influx
        self.batch_size = batch_size
        self.min_backoff_s = min_backoff_s
        self.max_backoff_s = max_backoff_s
        self.retention_policy = retention_policy
        self.schema = schema
        self.schema_created = 0  # times the writer created the database / retention policies
        self.written = 0
        self.rejected = 0
        self.failures = 0
        self.available = True
        self.wakeup = asyncio.Event()

    async def drain_once(self) -> int:
        """Send the oldest batch; returns how many points left the spool (0 when empty).

        Raises ``InfluxUnavailable`` when InfluxDB cannot take it now.
        """
        batch = await asyncio.to_thread(self.spool.peek, self.batch_size)
        if not batch:
            return 0
        lines = [line for _, line in batch]
        sent, rejected = await asyncio.to_thread(self._send, lines)
        await asyncio.to_thread(self.spool.ack, batch[-1][0], sent=sent, rejected=rejected)
        self.written += sent
        self.rejected += rejected
        return len(batch)

    def _send(self, lines: list[str]) -> tuple[int, int]:
        try:
            try:
                self.influx.write_lines(lines, retention_policy=self.retention_policy)
            except InfluxSchemaMissing as exc:
                log.warning("InfluxDB: %s; creating database %s and its retention policies", exc, self.influx.database)
                layout.ensure(self.influx, self.schema)
                self.schema_created += 1
                self.influx.write_lines(lines, retention_policy=self.retention_policy)
            return len(lines), 0
        except (InfluxUnavailable, InfluxSchemaMissing):
            raise
        except InfluxError as exc:
            msg = str(exc)
            if "partial write" not in msg:
                raise
            m = _DROPPED.search(msg)
            dropped = int(m.group(1)) if m else 0
            if "unable to parse" in msg:
                dropped = max(dropped, 1)
            dropped = min(dropped, len(lines))
            log.error("InfluxDB stored a batch but refused %d point(s): %s", dropped, msg[:300])
            return len(lines) - dropped, dropped

    async def drain(self) -> None:
        """Send until the spool is empty (raises InfluxUnavailable if InfluxDB is down)."""
        while await self.drain_once():
            pass

    async def run(self, stop: asyncio.Event) -> None:
        """Drain for ever: wake on new points, back off while InfluxDB is away."""
        backoff = self.min_backoff_s
        while not stop.is_set():
            try:
                n = await self.drain_once()
            except InfluxError as exc:
                self.failures += 1
                if not isinstance(exc, InfluxUnavailable):
                    log.error("InfluxDB refused the write (%s); keeping points in the spool", exc)
                elif self.available:
                    log.warning("InfluxDB unavailable (%s); keeping points in the spool", exc)
                self.available = False
                await _wait(stop, backoff)
                backoff = min(self.max_backoff_s, backoff * 2)
                continue
            if not self.available:
                log.info("InfluxDB reachable again; draining %d spooled points", self.spool.depth)
            self.available = True
            backoff = self.min_backoff_s
            if n == 0:
                self.wakeup.clear()
                await _wait_any(stop, self.wakeup, 1.0)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _wait_any(stop: asyncio.Event, other: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(other.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
