"""Drain the spool into InfluxDB: in order, in batches, with back-off.

A batch leaves the spool only after InfluxDB acknowledged it.  While InfluxDB
is unreachable (or answers 5xx) the writer backs off exponentially (up to
``max_backoff_s``) and tries the same batch again; points keep accumulating on
disk meanwhile.  A batch InfluxDB refuses as malformed (4xx) is split in
halves until the bad line is isolated; that one line is dropped, counted in
``rejected`` and logged, so one bad point cannot block the spool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from collectors.spool import Spool
from pdcs.settings import RAW_RP
from pdcs.storage.influx import InfluxDB, InfluxError, InfluxUnavailable

log = logging.getLogger(__name__)


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
    ) -> None:
        self.spool = spool
        self.influx = influx
        self.batch_size = batch_size
        self.min_backoff_s = min_backoff_s
        self.max_backoff_s = max_backoff_s
        self.retention_policy = retention_policy
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
            self.influx.write_lines(lines, retention_policy=self.retention_policy)
            return len(lines), 0
        except InfluxUnavailable:
            raise
        except InfluxError as exc:
            if len(lines) == 1:
                log.error("InfluxDB refused a point, dropped it: %s; line: %.300s", exc, lines[0])
                return 0, 1
            mid = len(lines) // 2
            a = self._send(lines[:mid])
            b = self._send(lines[mid:])
            return a[0] + b[0], a[1] + b[1]

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
            except InfluxUnavailable as exc:
                self.failures += 1
                if self.available:
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
