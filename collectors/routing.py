"""Each point to its province's store: one durable spool and one writer per store of the shard map.

A point's store is the shard map's store for its ``province`` tag (``Inventory.device_tags``); a point
without one (a trap or a push from a sender the inventory does not know) goes to the default store. The
collector's own ``collector`` points go to every store its regions touch (all stores for a collector of
the whole inventory): the liveness of a county (``supervision/liveness.py``) is read from the store that
holds the county. A spool per store means a province store that is down holds up no other: its points
wait on disk, each writer backs off on its own, and nothing is lost when the store comes back.

With the single-store map (no ``influx_shards``) there is one route, the spool file keeps its name, and
everything is as before.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from collectors.spool import Spool
from collectors.writer import Writer
from pdcs.points import COLLECTOR, Point
from pdcs.storage.influx import InfluxDB, InfluxError
from pdcs.storage.shards import ShardMap

log = logging.getLogger(__name__)


@dataclass
class Route:
    provinces: frozenset[str] | None  # None: the default store (every province not listed)
    influx: InfluxDB
    spool: Spool
    writer: Writer


def spool_file(spool_path: Path, influx: InfluxDB, default: bool) -> Path:
    """The default store's spool keeps ``spool_path``; another store's is named after its URL and database."""
    if default:
        return spool_path
    slug = re.sub(r"[^A-Za-z0-9]+", "_", f"{influx.url.split('://', 1)[-1]}_{influx.database}").strip("_")
    return spool_path.with_name(f"{spool_path.stem}.{slug}{spool_path.suffix}")


class Routes:
    def __init__(
        self,
        shards: ShardMap,
        spool_path: Path,
        *,
        max_points: int = 2_000_000,
        batch_size: int = 5000,
        regions: Sequence[str] = (),
    ) -> None:
        self.shards = shards
        self.routes: list[Route] = []
        self._index: dict[int, int] = {}  # id(store client) → route
        for codes, db in shards.stores():
            spool = Spool(spool_file(spool_path, db, codes is None), max_points=max_points)
            self._index[id(db)] = len(self.routes)
            self.routes.append(Route(codes, db, spool, Writer(spool, db, batch_size=batch_size)))
        self.default = self.routes[self._index[id(shards.default)]]
        # The stores a collector of ``regions`` writes its self-metrics to: those holding its regions.
        touched = {self._index[id(shards.for_region(c))] for c in regions} if regions else set(range(len(self.routes)))
        self.self_metric_routes = sorted(touched)

    def index_of(self, point: Point) -> int:
        return self._index[id(self.shards.store_of(point.tags))]

    def split(self, points: Iterable[Point]) -> dict[int, list[str]]:
        """Line protocol per route index."""
        out: dict[int, list[str]] = {}
        for p in points:
            if not p.is_writable():
                continue
            line = p.to_line()
            for i in self.self_metric_routes if p.measurement == COLLECTOR else (self.index_of(p),):
                out.setdefault(i, []).append(line)
        return out

    def append(self, by_route: dict[int, list[str]]) -> None:
        """Commit each route's lines to its spool (the caller wakes the writers)."""
        for i, lines in by_route.items():
            self.routes[i].spool.append(lines)

    def wake(self) -> None:
        for r in self.routes:
            r.writer.wakeup.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Every writer until ``stop``; each backs off on its own store."""
        await asyncio.gather(*(r.writer.run(stop) for r in self.routes))

    async def drain(self) -> None:
        """Send every spool; a store that is down keeps its points and does not stop the others.

        Raises the first store's error after trying them all."""
        errors: list[InfluxError] = []
        for r in self.routes:
            try:
                await r.writer.drain()
            except InfluxError as exc:
                log.warning("InfluxDB %s did not take the points (%s): %d stay", r.influx.url, exc, r.spool.depth)
                errors.append(exc)
        if errors:
            raise errors[0]

    @property
    def depth(self) -> int:
        return sum(r.spool.depth for r in self.routes)

    @property
    def written(self) -> int:
        return sum(r.writer.written for r in self.routes)

    @property
    def rejected(self) -> int:
        return sum(r.writer.rejected for r in self.routes)

    @property
    def dropped(self) -> int:
        return sum(r.spool.dropped for r in self.routes)

    @property
    def available(self) -> bool:
        return all(r.writer.available for r in self.routes)

    def close(self) -> None:
        for r in self.routes:
            r.spool.close()
