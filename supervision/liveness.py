"""When a region's collectors were alive, from their ``collector`` points (rule 2 of "Supervision API").

A collector writes one ``collector`` point per cycle, tagged with the regions it
polls (``regions``: comma-separated GB/T 2260 codes, or ``all``).  A device
that stops answering while a collector covering its county is alive is *down*
(an SNMP poller writes ``up=0`` itself; a pushing agent simply stops); when no
covering collector wrote anything, nobody knows: the time is *no data*.

A collector counts as alive in each minute it wrote a point and for
``hold_ms`` after it (the timeline's gap rule: 3 poll intervals).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pdcs import intervals as iv
from pdcs.points import COLLECTOR
from pdcs.storage import InfluxDB

BUCKET_MS = 60_000


@dataclass
class Liveness:
    """Alive intervals per collector series, answered per county; read on first use (``load``), so a
    question whose devices all answered costs no query."""

    series: list[tuple[tuple[str, ...], list[iv.Interval]]] = field(default_factory=list)
    load: Callable[[], list[tuple[tuple[str, ...], list[iv.Interval]]]] | None = None
    _by_county: dict[str, list[iv.Interval]] = field(default_factory=dict)

    def for_county(self, county: str) -> list[iv.Interval]:
        if self.load is not None:
            self.series, self.load = self.load(), None
        if county not in self._by_county:
            covering = [
                ivs for codes, ivs in self.series if "all" in codes or any(county.startswith(c) for c in codes if c)
            ]
            self._by_county[county] = iv.merge(i for ivs in covering for i in ivs)
        return self._by_county[county]


def read_series(
    influx: InfluxDB, start_ms: int, end_ms: int, hold_ms: int
) -> list[tuple[tuple[str, ...], list[iv.Interval]]]:
    q = (
        f'SELECT count("cycle_s") FROM {COLLECTOR} WHERE time >= {start_ms - hold_ms - BUCKET_MS}ms '
        f'AND time < {end_ms}ms GROUP BY time(1m), "regions" fill(none)'
    )
    out = []
    for s in influx.query(q):
        codes = tuple(c.strip() for c in (s.tags.get("regions") or "all").split(","))
        out.append((codes, iv.merge((int(t), int(t) + BUCKET_MS + hold_ms) for t, n in s.values if n)))
    return out


def fetch_liveness(influx: InfluxDB, start_ms: int, end_ms: int, hold_ms: int) -> Liveness:
    """The collectors' liveness over ``[start_ms, end_ms)``, read when first asked for."""
    return Liveness(load=lambda: read_series(influx, start_ms, end_ms, hold_ms))
