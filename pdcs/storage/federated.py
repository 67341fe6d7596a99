"""Reading the nation across several province stores: one query to every store, the answers concatenated.

Concatenating is exact when no series comes from two stores: every point about a device carries its
province tag and lives in that province's store only, so a query grouped by ``device`` or ``facility``
(as the figures' queries are: availability, bandwidth, usage, roll-ups — the figures are per facility) or
one naming a single county returns each series from one store, and the union of the stores' answers is
the answer one store holding everything would give. A series returned by two stores (an aggregate over
the whole nation, ``GROUP BY time()`` without a device or facility tag) cannot be combined without
knowing the aggregate, so it is refused with :class:`NotExactAcrossStores` rather than answered from one
store — those national figures are the summaries' job (``federation/``). Three exceptions are exact:
``SHOW`` statements (their rows are merged as a set), the ``collector`` self-metrics, which a
collector writes to every store its regions touch and whose series the liveness code unions, and rows
that name their device or facility in a column (``SELECT *`` or ``SELECT …, "facility"`` without
``GROUP BY``: the year rows the annual assessment reads): each row is one facility's, from one store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pdcs.points import COLLECTOR
from pdcs.storage.influx import InfluxDB, InfluxError, RetentionPolicy, Series

# Series that several stores hold by design and whose readers take the union (supervision/liveness.py).
UNION_MEASUREMENTS = frozenset({COLLECTOR})
# Rows carrying one of these tags as a column are one device's or facility's each: never an aggregate.
KEYED_COLUMNS = frozenset({"device", "facility"})


class NotExactAcrossStores(InfluxError):
    """Two stores answered the same series: concatenating would double or split an aggregate."""


@dataclass
class FederatedInfluxDB(InfluxDB):
    """Reads every store of a shard map as one (writes go to a store, never here)."""

    parts: list[InfluxDB] = field(default_factory=list)

    @classmethod
    def over(cls, parts: Sequence[InfluxDB]) -> FederatedInfluxDB:
        return cls(url=" + ".join(p.url for p in parts), database=parts[0].database, parts=list(parts))

    def _each(self, call: Any) -> list[Any]:
        if len(self.parts) == 1:
            return [call(self.parts[0])]
        with ThreadPoolExecutor(max_workers=min(len(self.parts), 16)) as pool:
            return list(pool.map(call, self.parts))

    def query(self, q: str, *, epoch: str | None = "ms", params: dict[str, Any] | None = None) -> list[Series]:
        answers: list[list[Series]] = self._each(lambda db: db.query(q, epoch=epoch, params=params))
        return merge(answers, show=q.lstrip().upper().startswith("SHOW"))

    def execute(self, statement: str) -> None:
        self._each(lambda db: db.execute(statement))

    def ensure_database(self, retention_policies: Sequence[RetentionPolicy] = ()) -> None:
        self._each(lambda db: db.ensure_database(retention_policies))

    def _request(self, method: str, path: str, *, retry: bool = True, **kw: Any) -> Any:
        del method, retry, kw
        raise InfluxError(f"{path}: a federation of stores has no HTTP endpoint of its own: ask one of its parts")

    def write_lines(self, lines: Iterable[str], *, retention_policy: str | None = None, precision: str = "ns") -> int:
        del lines, retention_policy, precision
        raise InfluxError("a federation of stores is read-only: write to the province's store (ShardMap.for_region)")

    def ping(self) -> bool:
        return all(self._each(lambda db: db.ping()))

    def close(self) -> None:
        for db in self.parts:
            db.close()


def merge(answers: Sequence[list[Series]], *, show: bool = False) -> list[Series]:
    """The stores' answers as one; raises :class:`NotExactAcrossStores` when that would not be exact."""
    out: list[Series] = []
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
    for store, series in enumerate(answers):
        for s in series:
            key = (s.name, tuple(sorted(s.tags.items())))
            first = seen.setdefault(key, store)
            if first == store or s.name in UNION_MEASUREMENTS or KEYED_COLUMNS & set(s.columns):
                out.append(s)
            elif show:
                i = next(i for i, o in enumerate(out) if (o.name, tuple(sorted(o.tags.items()))) == key)
                rows = out[i].values + [v for v in s.values if v not in out[i].values]
                out[i] = Series(s.name, s.tags, out[i].columns, rows)
            else:
                raise NotExactAcrossStores(
                    f"series {s.name} {dict(key[1])} is in two stores: a national aggregate cannot be read by "
                    "concatenating the province stores (group by device or facility, or read the summaries)"
                )
    return out
