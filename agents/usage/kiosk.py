"""Kiosk application sessions, from a file or an HTTP endpoint the kiosk application offers.

Many kiosk applications reset to their start screen after a reader leaves (an
idle reset) and can log that.  The agent reads what the configuration names:

* ``usage.kiosk_sessions: {file: PATH}`` — JSON lines, one session a line:
  ``{"start": 1764550800, "end": 1764551700}`` (epoch seconds or ISO 8601
  with a time zone; ``end`` null or absent while the session runs);
* ``usage.kiosk_sessions: {url: http://127.0.0.1:8088/sessions}`` — a JSON
  array of the same objects (or ``{"sessions": [...]}``).

Anything else in the objects (a card number, a name) is ignored and never
exposed.  A line that cannot be read is skipped and logged with its line number.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from agents.usage.sessions import Session

log = logging.getLogger(__name__)


def _epoch(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if dt.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return dt.timestamp()


def session_of(obj: Any) -> Session:
    if not isinstance(obj, dict) or "start" not in obj:
        raise ValueError("needs an object with start (and end)")
    start = _epoch(obj["start"])
    end = None if obj.get("end") is None else _epoch(obj["end"])
    if end is not None and end < start:
        raise ValueError("end before start")
    return Session("kiosk", start, end)


def _collect(items: Iterable[tuple[str, Any]]) -> list[Session]:
    out = []
    for where, obj in items:
        try:
            out.append(session_of(obj))
        except (ValueError, TypeError) as exc:
            log.warning("kiosk sessions: %s: %s", where, exc)
    return out


def read_file(path: Path) -> list[Session]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    items = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            items.append((f"{path}:{n}", json.loads(line)))
        except json.JSONDecodeError as exc:
            log.warning("kiosk sessions: %s:%d: not JSON: %s", path, n, exc.msg)
    return _collect(items)


def read_url(url: str, timeout_s: float = 5.0) -> list[Session]:
    req = urllib.request.Request(url, headers={"User-Agent": "pdcs-agent", "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout_s) as resp:
        data = json.loads(resp.read(4_000_000))
    rows = data.get("sessions", []) if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise ValueError(f"{url}: expected a JSON array of sessions")
    return _collect((f"{url}[{i}]", obj) for i, obj in enumerate(rows))


def kiosk_sessions(file: Path | None = None, url: str | None = None) -> Callable[[float], list[Session]]:
    def source(now: float) -> list[Session]:
        return read_file(file) if file is not None else read_url(url or "")

    source.__name__ = f"kiosk sessions {file or url}"
    return source
