"""A venue's Wi-Fi day for the simulated controllers: clients come and go, busy in opening hours, none at night.

snmpsim-data recordings are snapshots: served as they are, a controller has
the same clients at 03:00 as at 15:00.  ``pdcs dev up`` serves instead a
"day" copy of each Wi-Fi recording that this module rewrites every minute
(``python -m devstack.wifi_day DAY_DIR REC…``); snmpsim re-indexes a data file
whose mtime changed (``devstack.snmpsim.rewrite_recording``), so every poll
sees the venue at that moment.

The day copy keeps what the collector's vendor profile reads (its
``subtrees``) and changes two things:

- **the station table**: each recorded station row is a template for four
  visitors a day, each with its own random, locally administered MAC (drawn
  per day, so no phone recurs across days), arriving between 09:00 and 20:30
  local time (most in the afternoon), staying 15-150 minutes, gone by 21:00.
  A visitor's rows (every column of its template, the MAC in the index
  replaced) are in the table while they are there — so the distinct-client
  count grows through the day and starts again the next;
- **the client counts** (totals, per radio, per SSID): the recorded value
  × (visitors there now ÷ recorded stations), rounded — zero at night.

Deterministic for a given day and moment, so a test can ask for 03:00 and 15:00.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from collectors.snmp.vendors import aruba, ubiquiti
from devstack.snmpsim import read_recording, recordings_root, rewrite_recording, trim

DAY_PREFIX = "day"  # the day copy of recording R is served under the community "day/R"
VISITORS_PER_STATION = 4
OPENS, LAST_ARRIVAL, CLOSES = timedelta(hours=9), timedelta(hours=20, minutes=30), timedelta(hours=21)
INT_TAGS = ("2", "65", "66")  # Integer32, Counter32, Gauge32 (snmprec type tags)


@dataclass(frozen=True)
class Shape:
    """Where a vendor's recording holds its clients."""

    counts: tuple[str, ...]  # client-count scalars and columns, scaled with the visitors there
    stations: str  # the station table's entry OID (columns below it)
    mac_at: int  # sub-identifiers of a station row's index before the MAC
    subtrees: tuple[str, ...]  # what the collector reads (the day copy keeps these)


SHAPES: dict[str, Shape] = {
    "network/wifi/aruba-7210": Shape(
        counts=(aruba.TOTAL_STATIONS, aruba.RADIO_CLIENTS, aruba.ESSID_STATIONS),
        stations=aruba.STA_ESSID.rsplit(".", 1)[0],  # wlsxWlanStationEntry
        mac_at=0,
        subtrees=aruba.PROFILE.subtrees,
    ),
    "network/wifi/ubiquiti-m5": Shape(
        counts=(ubiquiti.WL_STAT_STA_COUNT,),
        stations=ubiquiti.STA_MAC.rsplit(".", 1)[0],  # ubntStaEntry
        mac_at=1,
        subtrees=ubiquiti.PROFILE.subtrees,
    ),
}


def community(recording: str) -> str:
    return f"{DAY_PREFIX}/{recording}"


@dataclass(frozen=True)
class Visitor:
    template: str  # the recorded station row's MAC index ("0.35.20.84.251.4")
    mac: str  # the visitor's MAC, as index sub-identifiers
    start: float
    end: float


def visitors(day: date, templates: list[str], tz: str = "Asia/Shanghai", seed: str = "") -> list[Visitor]:
    """The day's visitors, ``VISITORS_PER_STATION`` per recorded station (deterministic per day)."""
    rng = random.Random(f"wifi-{seed}-{day.isoformat()}")
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(tz))
    span = (LAST_ARRIVAL - OPENS).total_seconds()
    closes = (midnight + CLOSES).timestamp()
    out = []
    for i in range(VISITORS_PER_STATION * len(templates)):
        mac = [rng.randrange(256) for _ in range(6)]
        mac[0] = (mac[0] & 0xFC) | 0x02  # locally administered, unicast: as phones' randomised MACs are
        arrive = (midnight + OPENS).timestamp() + rng.triangular(0, span, 0.55 * span)
        stay = rng.uniform(15 * 60, 150 * 60)
        out.append(Visitor(templates[i % len(templates)], ".".join(map(str, mac)), arrive, min(arrive + stay, closes)))
    return out


def _key(line: str) -> tuple[int, ...]:
    return tuple(int(p) for p in line.split("|", 1)[0].split(".") if p)


def day_recording(text: str, shape: Shape, at: float, tz: str = "Asia/Shanghai", seed: str = "") -> str:
    """The recording as the venue is at ``at`` (see the module text); records in OID order."""
    prefix = shape.stations + "."
    head, rows, tail = [], [], []
    for line in text.splitlines():
        if line.startswith(prefix):
            rows.append(line)
        elif rows:
            tail.append(line)
        else:
            head.append(line)
    by_template: dict[str, list[tuple[str, str]]] = {}  # MAC index -> [(column and index head, rest)]
    for line in rows:
        oid, rest = line.split("|", 1)
        parts = oid[len(prefix) :].split(".")
        column, index = parts[0], parts[1:]
        mac = ".".join(index[shape.mac_at : shape.mac_at + 6])
        before = ".".join([column, *index[: shape.mac_at]])
        by_template.setdefault(mac, []).append((before, rest))
    templates = sorted(by_template)
    day = datetime.fromtimestamp(at, ZoneInfo(tz)).date()
    here = [v for v in visitors(day, templates, tz, seed) if v.start <= at < v.end] if templates else []
    factor = len(here) / len(templates) if templates else 0.0
    present = sorted(
        (f"{prefix}{before}.{v.mac}|{rest}" for v in here for before, rest in by_template[v.template]), key=_key
    )
    return "\n".join(_scaled(line, shape, factor) for line in [*head, *present, *tail]) + "\n"


def _scaled(line: str, shape: Shape, factor: float) -> str:
    if line.startswith("#") or "|" not in line:
        return line
    oid, tag, value = line.split("|", 2)
    if tag not in INT_TAGS or not any(oid == c or oid.startswith(c + ".") for c in shape.counts):
        return line
    return f"{oid}|{tag}|{round(int(value) * factor)}"


def source(recording: str) -> str:
    """The recording from snmpsim-data, trimmed to what the collector reads of it."""
    keep = SHAPES[recording].subtrees
    return trim(read_recording(recordings_root(), recording), keep).decode("utf-8", "replace")


def write_day(day_dir: Path, recordings: list[str] | tuple[str, ...], at: float, sources: dict[str, str]) -> None:
    """Rewrite the day copies of ``recordings`` as at ``at`` (``sources``: recording → ``source(recording)``)."""
    for rec in recordings:
        text = sources.get(rec) or sources.setdefault(rec, source(rec))
        rewrite_recording(day_dir, community(rec), day_recording(text, SHAPES[rec], at, seed=rec))


def main() -> None:
    """``python -m devstack.wifi_day DAY_DIR REC…``: rewrite the day copies every minute."""
    day_dir, recordings = Path(sys.argv[1]), sys.argv[2:]
    sources: dict[str, str] = {}
    while True:
        write_day(day_dir, recordings, time.time(), sources)
        time.sleep(60)


if __name__ == "__main__":
    main()
