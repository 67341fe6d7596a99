"""Reading and pruning the rsyslog store: ``<store>/<sender ip>/<YYYY-MM-DD>.jsonl``.

Lines are JSON written by rsyslog (collectors/syslog/rsyslog.py).  A line that
is not valid UTF-8 came from gear logging in GB 2312/GBK (common on Chinese
switches): it is decoded as GB 18030 (a superset of both), and only bytes
neither can read become U+FFFD — a message is never dropped for its encoding.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

MIN_RETENTION_DAYS = 180  # Cybersecurity Law Art. 21 (3): network logs kept no less than six months
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.jsonl$")


@dataclass(frozen=True)
class SyslogMessage:
    time: datetime  # received (the sender's own clock is often wrong)
    reported: str  # the sender's timestamp, as sent
    ip: str
    host: str
    facility: str
    severity: str
    app: str
    message: str
    encoding: str  # utf-8 or gb18030


def decode_line(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace"), "gb18030"


def parse_line(raw: bytes) -> SyslogMessage | None:
    text, enc = decode_line(raw.rstrip(b"\n"))
    try:
        d = json.loads(text, strict=False)
        when = datetime.fromisoformat(d["t"])
    except (ValueError, KeyError, TypeError):
        return None
    return SyslogMessage(
        when, d.get("rt", ""), d.get("ip", ""), d.get("host", ""), d.get("fac", ""), d.get("sev", ""),
        d.get("app", ""), str(d.get("msg", "")).strip(), enc,
    )  # fmt: skip


def day_files(store: Path, ip: str | None = None) -> Iterator[tuple[str, date, Path]]:
    """(sender ip, day, file) of every file of the store (of one sender)."""
    senders = [store / ip] if ip else (p for p in store.iterdir() if p.is_dir()) if store.is_dir() else []
    for folder in senders:
        if not folder.is_dir():
            continue
        for f in folder.iterdir():
            m = _DAY.match(f.name)
            if m:
                yield folder.name, date(int(m[1]), int(m[2]), int(m[3])), f


def search(
    store: Path,
    ips: list[str],
    start: datetime,
    end: datetime,
    *,
    text: str | None = None,
    severities: set[str] | None = None,
    limit: int = 200,
) -> list[SyslogMessage]:
    """Messages of these senders received in [start, end), newest first, at most ``limit``."""
    out: list[SyslogMessage] = []
    first, last = (start - timedelta(days=1)).date(), (end + timedelta(days=1)).date()
    for ip in ips:
        for _, day, f in day_files(store, ip):
            if not first <= day <= last:
                continue
            with f.open("rb") as fh:
                for raw in fh:
                    m = parse_line(raw)
                    if m is None or not start <= m.time < end:
                        continue
                    if severities and m.severity not in severities:
                        continue
                    if text and text not in m.message:
                        continue
                    out.append(m)
    out.sort(key=lambda m: m.time, reverse=True)
    return out[:limit]


def oldest_day(store: Path) -> date | None:
    days = [d for _, d, _ in day_files(store)]
    return min(days) if days else None


def prune(store: Path, keep_days: int, today: date | None = None) -> list[Path]:
    """Delete day files older than ``keep_days`` (never fewer than 180); returns what was deleted."""
    if keep_days < MIN_RETENTION_DAYS:
        raise ValueError(
            f"retention of {keep_days} days is below {MIN_RETENTION_DAYS}: the Cybersecurity Law (Art. 21) asks "
            "for network logs to be kept at least six months"
        )
    cutoff = (today or datetime.now(UTC).date()) - timedelta(days=keep_days)
    gone = []
    for _, day, f in list(day_files(store)):
        if day < cutoff:
            f.unlink()
            gone.append(f)
    for folder in list(store.iterdir()) if store.is_dir() else []:
        if folder.is_dir() and not any(folder.iterdir()):
            shutil.rmtree(folder, ignore_errors=True)
    return gone
