"""Recurring maintenance windows: weekly slots, monthly patterns, dated ranges.

A window covers a device, a facility or a region (GB/T 2260 code: everything
below it).  While a window is active, an alert it covers is still recorded in
Alerta — with status ``blackout`` and the window's name and reason in its text,
so the history says why nobody was told — but no notification goes out; if the
fault outlasts the window, the alert reopens and the notification goes then.

Times are local (``timezone``, default Asia/Shanghai).  ``holidays: skip`` leaves
out the days China's official calendar makes public holidays (a weekly slot on
the Monday of the National Day week does not apply), using the same calendar as
opening hours (``supervision.schedule``).

Planned maintenance inside opening hours still counts against availability:
availability measures whether the public was served during scheduled service
time (docs/architecture.md, "Maintenance windows and availability"); the
figures only mark the outages inside a window (``supervision.planned``).
Alerting (``alert_rules``) imports these models from here.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from inventory.models import WEEKDAYS
from pdcs.yaml_lines import YamlFileError, read_document
from supervision.schedule import DayKind, official_calendar

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


def _minute(text: str) -> int:
    m = _HHMM.match(text.strip())
    if not m or int(m.group(1)) > 24 or int(m.group(2)) > 59 or (int(m.group(1)) == 24 and int(m.group(2))):
        raise ValueError(f"{text!r} is not a time of day such as 08:00")
    return int(m.group(1)) * 60 + int(m.group(2))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Slot(_Model):
    """A daily time span; ``end`` before ``start`` runs past midnight into the next day."""

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _t(cls, v: str) -> str:
        _minute(v)
        return v

    def span(self, day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        s, e = _minute(self.start), _minute(self.end)
        t0 = dt.datetime.combine(day, dt.time(), tz) + dt.timedelta(minutes=s)
        t1 = dt.datetime.combine(day, dt.time(), tz) + dt.timedelta(minutes=e if e > s else e + 1440)
        return t0, t1


class Weekly(Slot):
    days: tuple[str, ...] = Field(min_length=1)  # mon … sun

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, v: object) -> object:
        days = (v,) if isinstance(v, str) else v
        for d in days if isinstance(days, list | tuple) else ():
            if d not in WEEKDAYS:
                raise ValueError(f"{d!r} is not one of {', '.join(WEEKDAYS)}")
        return days

    def applies(self, day: dt.date) -> bool:
        return WEEKDAYS[day.weekday()] in self.days


class Monthly(Slot):
    """``days: [1, 15]`` (days of the month; -1 the last) or ``week: 1`` + ``day: sat`` (the first Saturday)."""

    days: tuple[int, ...] = ()
    week: Literal[1, 2, 3, 4, -1] | None = None
    day: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Monthly:
        if bool(self.days) == bool(self.week and self.day):
            raise ValueError("give days: [1, 15] or week: N with day: mon…sun")
        if self.day is not None and self.day not in WEEKDAYS:
            raise ValueError(f"day: {self.day!r} is not one of {', '.join(WEEKDAYS)}")
        for d in self.days:
            if not (1 <= d <= 31 or d == -1):
                raise ValueError(f"days: {d} is not a day of the month (1..31, or -1 for the last)")
        return self

    def applies(self, day: dt.date) -> bool:
        if self.days:
            last = ((day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)).day
            return day.day in self.days or (-1 in self.days and day.day == last)
        assert self.day is not None and self.week is not None
        if WEEKDAYS[day.weekday()] != self.day:
            return False
        if self.week == -1:
            return (day + dt.timedelta(days=7)).month != day.month
        return (day.day - 1) // 7 + 1 == self.week


class Dated(_Model):
    start: dt.datetime
    end: dt.datetime

    @model_validator(mode="after")
    def _order(self) -> Dated:
        if self._aware(self.end, dt.UTC) <= self._aware(self.start, dt.UTC):
            raise ValueError("end: must come after start")
        return self

    @staticmethod
    def _aware(t: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
        return t if t.tzinfo is not None else t.replace(tzinfo=tz)


class Window(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    reason: str = ""
    device: str | None = None
    facility: str | None = None
    region: str | None = None
    weekly: Weekly | None = None
    monthly: Monthly | None = None
    dates: Dated | None = None
    timezone: str = "Asia/Shanghai"
    holidays: Literal["keep", "skip"] = "keep"

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, v: object) -> object:
        if v is not None and not re.fullmatch(r"\d{2}|\d{4}|\d{6}", str(v)):
            raise ValueError(f"{v!r} is not a GB/T 2260 code of 2, 4 or 6 digits")
        return None if v is None else str(v)

    @model_validator(mode="after")
    def _shape(self) -> Window:
        if sum(x is not None for x in (self.device, self.facility, self.region)) != 1:
            raise ValueError("scope: give exactly one of device, facility or region")
        if sum(x is not None for x in (self.weekly, self.monthly, self.dates)) != 1:
            raise ValueError("when: give exactly one of weekly, monthly or dates")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def covers(self, tags: dict[str, str], resource: str = "") -> bool:
        if self.device is not None:
            return tags.get("device", resource) == self.device
        if self.facility is not None:
            return tags.get("facility") == self.facility
        code = self.region or ""
        return any(tags.get(level, "").startswith(code) for level in ("county", "city", "province"))

    def occurrence(self, when: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
        """The occurrence active at ``when`` (aware), or None."""
        if self.dates is not None:
            t0 = Dated._aware(self.dates.start, self.tz)
            t1 = Dated._aware(self.dates.end, self.tz)
            return (t0, t1) if t0 <= when < t1 else None
        slot = self.weekly or self.monthly
        assert slot is not None
        local = when.astimezone(self.tz)
        for back in (0, 1):  # a slot past midnight started the day before
            day = local.date() - dt.timedelta(days=back)
            if not slot.applies(day) or (self.holidays == "skip" and _holiday(day)):
                continue
            t0, t1 = slot.span(day, self.tz)
            if t0 <= when < t1:
                return t0, t1
        return None

    def occurrences(self, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        """Every occurrence overlapping [start, end) (aware), in order."""
        if self.dates is not None:
            t0, t1 = Dated._aware(self.dates.start, self.tz), Dated._aware(self.dates.end, self.tz)
            return [(t0, t1)] if t0 < end and start < t1 else []
        slot = self.weekly or self.monthly
        assert slot is not None
        out = []
        day = start.astimezone(self.tz).date() - dt.timedelta(days=1)
        last = end.astimezone(self.tz).date()
        while day <= last:
            if slot.applies(day) and not (self.holidays == "skip" and _holiday(day)):
                t0, t1 = slot.span(day, self.tz)
                if t0 < end and start < t1:
                    out.append((t0, t1))
            day += dt.timedelta(days=1)
        return out

    def next_start(self, after: dt.datetime, horizon_days: int = 400) -> dt.datetime | None:
        """When the next occurrence begins after ``after`` (aware), within ``horizon_days``; None if none."""
        if self.dates is not None:
            t0 = Dated._aware(self.dates.start, self.tz)
            return t0 if t0 > after else None
        slot = self.weekly or self.monthly
        assert slot is not None
        day = after.astimezone(self.tz).date()
        for i in range(horizon_days):
            d = day + dt.timedelta(days=i)
            if not slot.applies(d) or (self.holidays == "skip" and _holiday(d)):
                continue
            t0, _ = slot.span(d, self.tz)
            if t0 > after:
                return t0
        return None


def _holiday(day: dt.date) -> bool:
    return official_calendar().day_kind(day) is DayKind.HOLIDAY


class MaintenanceSchedule(_Model):
    windows: tuple[Window, ...] = ()

    def active(self, tags: dict[str, str], now: float, resource: str = "") -> Window | None:
        when = dt.datetime.fromtimestamp(now, dt.UTC)
        for w in self.windows:
            if w.covers(tags, resource) and w.occurrence(when) is not None:
                return w
        return None


class MaintenanceError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_maintenance(path: Path) -> MaintenanceSchedule:
    """``windows:`` from a YAML file; every problem as ``file:line: field: message``."""
    try:
        doc = read_document(path)
    except YamlFileError as exc:
        raise MaintenanceError([exc.problem]) from None
    data = doc.data if doc.data is not None else {"windows": []}
    try:
        return MaintenanceSchedule.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{path}:{doc.line_of(loc)}: {'.'.join(map(str, loc)) or 'windows'}: {msg}")
        raise MaintenanceError(problems) from None
