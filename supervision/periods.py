"""Periods of time asked for by users: ISO 8601 with a time zone, half-open ``[start, end)``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from supervision import FigureError

MAX_PERIOD_DAYS = 366 * 5  # the roll-up retention
BEIJING = ZoneInfo("Asia/Shanghai")


class Period(NamedTuple):
    start: datetime  # aware
    end: datetime  # aware, > start

    @property
    def start_ns(self) -> int:
        return int(self.start.timestamp()) * 1_000_000_000 + self.start.microsecond * 1000

    @property
    def end_ns(self) -> int:
        return int(self.end.timestamp()) * 1_000_000_000 + self.end.microsecond * 1000

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def from_ms(ms: int) -> datetime:
    """An aware (UTC) datetime from epoch milliseconds, the unit of points' and roll-ups' times."""
    return datetime.fromtimestamp(ms / 1000, UTC)


def parse_time(value: str, field: str) -> datetime:
    """An aware datetime from ISO 8601 text.

    A ``+`` in a URL query decodes to a space, so ``...T00:00:00 08:00`` is read
    as ``+08:00`` rather than rejected.
    """
    raw = value.strip()
    if len(raw) > 19 and raw[-6] == " " and raw[-5:-3].isdigit():
        raw = raw[:-6] + "+" + raw[-5:]
    try:
        dt = datetime.fromisoformat(raw)
    except ValueError:
        raise FigureError("error.bad_time", field=field, value=value) from None
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise FigureError("error.naive_time", field=field, value=value)
    return dt


def period(
    start: str | None,
    end: str | None,
    *,
    default: timedelta = timedelta(hours=24),
    now: datetime | None = None,
    max_days: int = MAX_PERIOD_DAYS,
) -> Period:
    """The period ``[start, end)``; a missing end is now (Beijing time), a missing start is ``default`` before end."""
    end_dt = parse_time(end, "end") if end else (now or datetime.now(BEIJING))  # answers in Beijing time
    start_dt = parse_time(start, "start") if start else end_dt - default
    if end_dt <= start_dt:
        raise FigureError("error.empty_period", start=start_dt.isoformat(), end=end_dt.isoformat())
    days = (end_dt - start_dt).total_seconds() / 86400
    if days > max_days:
        raise FigureError("error.period_too_long", days=round(days, 1), max_days=max_days)
    return Period(start_dt, end_dt)


def year_period(year: int) -> Period:
    """A calendar year, Beijing time (the assessment year)."""
    return Period(datetime(year, 1, 1, tzinfo=BEIJING), datetime(year + 1, 1, 1, tzinfo=BEIJING))


def calendar_year(period: Period) -> int | None:
    """The year when ``period`` is exactly one calendar year in Beijing time, else None."""
    year = period.start.astimezone(BEIJING).year
    whole = year_period(year)
    return year if (period.start_ns, period.end_ns) == (whole.start_ns, whole.end_ns) else None
