"""Times in reports: the content keeps ISO 8601 with an offset; readers see Beijing time without the ``T``.

Reports are read in China, so the generation stamp is Beijing time (UTC+8, no
daylight saving since 1991) and the renderers show every ISO time of the
content as ``2026-10-01 08:30`` (PDF, CSV) or as a real date cell (XLSX).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def now_stamp() -> str:
    """The generation stamp: now in Beijing time, ISO 8601 with ``+08:00``, to the second."""
    return datetime.now(BEIJING).replace(microsecond=0).isoformat()


def as_time(value: object) -> datetime | None:
    """An ISO 8601 time with an offset (as the content holds them), in Beijing time; None for anything else."""
    if not isinstance(value, str) or not _ISO.match(value):
        return None
    return datetime.fromisoformat(value).astimezone(BEIJING)


def shown(value: object) -> str:
    """``2026-10-01 08:30`` (seconds only when not zero) for an ISO time; other values as they are."""
    t = as_time(value)
    if t is None:
        return "" if value is None else str(value)
    return t.strftime("%Y-%m-%d %H:%M:%S" if t.second else "%Y-%m-%d %H:%M")
