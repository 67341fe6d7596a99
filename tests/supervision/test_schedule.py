"""Scheduled service time, worked out by hand on the 2026 calendar."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from inventory.models import Facility
from supervision.schedule import (
    HOLIDAYS_FILE,
    DayKind,
    load_calendar,
    official_calendar,
    service_intervals,
    total_ms,
)

CN = ZoneInfo("Asia/Shanghai")
H = 3_600_000


def ms(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: ZoneInfo = CN) -> int:
    return round(datetime(y, mo, d, h, mi, tzinfo=tz).timestamp() * 1000)


def library(**kw: object) -> Facility:
    spec: dict[str, object] = {
        "id": "lib",
        "name": "图书馆",
        "kind": "public_library",
        "county": "510121",
        "holidays": "closed",  # this library announced closure on holidays (the kind's default is open)
        "opening_hours": {
            **{d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")},
            "sat": "09:00-12:00,14:00-17:00",
        },
    }
    spec.update(kw)
    return Facility.model_validate(spec)


def test_2026_calendar_file_agrees_with_the_package() -> None:
    from_file = load_calendar(HOLIDAYS_FILE, use_package=False)
    from_package = load_calendar(None)

    def of_2026(m: object) -> set[date]:
        assert isinstance(m, dict)
        return {d for d in m if d.year == 2026}

    assert of_2026(dict(from_file.holidays)) == of_2026(dict(from_package.holidays))
    assert of_2026(dict(from_file.workdays)) == of_2026(dict(from_package.workdays))
    cal = official_calendar()
    assert cal.covers(2026) and cal.covers(2025) and not cal.covers(2040)
    assert "国办发明电" in cal.sources[2026]
    assert cal.day_kind(date(2026, 10, 1)) is DayKind.HOLIDAY
    assert cal.day_kind(date(2026, 10, 4)) is DayKind.HOLIDAY  # a Sunday inside the holiday
    assert cal.day_kind(date(2026, 10, 10)) is DayKind.ADJUSTED_WORKDAY  # Saturday 调休上班
    assert cal.day_kind(date(2026, 9, 20)) is DayKind.ADJUSTED_WORKDAY  # Sunday 调休上班
    assert cal.day_kind(date(2026, 10, 11)) is DayKind.WEEKEND
    assert cal.day_kind(date(2026, 10, 12)) is DayKind.WORKDAY


def test_national_day_fortnight() -> None:
    # Mon 28 Sep .. Sun 11 Oct 2026: 28-30 Sep 3×8 h; 1-7 Oct holiday; 8-9 Oct 2×8 h;
    # Sat 10 Oct is a working day (weekday hours 8 h, not the Saturday 6 h); Sun 11 closed.
    fac = library()
    spans = service_intervals(fac, ms(2026, 9, 28), ms(2026, 10, 12))
    assert total_ms(spans) == 48 * H
    assert spans[-1] == (ms(2026, 10, 10, 9), ms(2026, 10, 10, 17))
    assert all(not (ms(2026, 10, 1) <= s < ms(2026, 10, 8)) for s, _ in spans)
    # An ordinary Saturday keeps its split hours: 3 h + 3 h.
    assert service_intervals(fac, ms(2026, 10, 17), ms(2026, 10, 18)) == [
        (ms(2026, 10, 17, 9), ms(2026, 10, 17, 12)),
        (ms(2026, 10, 17, 14), ms(2026, 10, 17, 17)),
    ]
    # The adjusted working Sunday 20 Sep opens 09-17.
    assert total_ms(service_intervals(fac, ms(2026, 9, 20), ms(2026, 9, 21))) == 8 * H


def test_facility_not_following_the_calendar() -> None:
    fac = library(holiday_calendar=False)
    # Thu 1 Oct is an ordinary Thursday (8 h); Sat 10 Oct an ordinary Saturday (6 h).
    assert total_ms(service_intervals(fac, ms(2026, 10, 1), ms(2026, 10, 2))) == 8 * H
    assert total_ms(service_intervals(fac, ms(2026, 10, 10), ms(2026, 10, 11))) == 6 * H


def test_period_clipping_and_time_zone() -> None:
    fac = library()
    # Starting 10:30 on Monday 28 Sep and ending 12:15 on Tuesday: 6.5 h + 3.25 h.
    assert total_ms(service_intervals(fac, ms(2026, 9, 28, 10, 30), ms(2026, 9, 29, 12, 15))) == int(9.75 * H)
    urumqi = ZoneInfo("Asia/Urumqi")  # UTC+6: opens 09:00 local = 11:00 in Beijing
    west = library(timezone="Asia/Urumqi")
    spans = service_intervals(west, ms(2026, 9, 28), ms(2026, 9, 29))
    assert spans == [(ms(2026, 9, 28, 9, tz=urumqi), ms(2026, 9, 28, 17, tz=urumqi))]
    assert spans[0][0] == ms(2026, 9, 28, 11)


def test_overnight_hours_merge_across_midnight() -> None:
    fac = library(
        opening_hours={d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        holiday_calendar=False,
    )
    spans = service_intervals(fac, ms(2026, 9, 28, 12), ms(2026, 10, 1, 12))
    assert spans == [(ms(2026, 9, 28, 12), ms(2026, 10, 1, 12))]


def test_library_open_on_national_day_by_default() -> None:
    # 《公共图书馆法》第三十三条: open on public rest days, opening hours on statutory holidays.
    # Thu 1 Oct 2026 (National Day): a library keeps its Thursday hours (8 h), or its declared
    # holiday hours; Sat 3 Oct its Saturday hours (6 h); the adjusted working Sat 10 Oct stays a
    # Saturday for readers (6 h).  A township centre follows the official calendar: closed on
    # 1 Oct, working-day hours on 10 Oct.
    lib = library(holidays=None)
    cal = official_calendar()
    day = lambda d: total_ms(service_intervals(lib, ms(2026, 10, d), ms(2026, 10, d + 1), cal))  # noqa: E731
    assert (day(1), day(3), day(10)) == (8 * H, 6 * H, 6 * H)
    with_hours = library(holidays=None, holiday_hours="10:00-16:00")
    assert total_ms(service_intervals(with_hours, ms(2026, 10, 1), ms(2026, 10, 2), cal)) == 6 * H
    centre = library(holidays=None, kind="township_centre")
    assert total_ms(service_intervals(centre, ms(2026, 10, 1), ms(2026, 10, 2), cal)) == 0
    assert total_ms(service_intervals(centre, ms(2026, 10, 10), ms(2026, 10, 11), cal)) == 8 * H


def test_dated_closure_and_special_hours_with_a_reason() -> None:
    lib = library(
        holidays=None,
        special_days=[
            {"date": "2026-10-08", "hours": "closed", "reason": "闭馆公告：设备检修"},
            {"date": "2026-10-09", "hours": "09:00-21:00", "reason": "延时开放：读书月"},
        ],
    )
    cal = official_calendar()
    assert total_ms(service_intervals(lib, ms(2026, 10, 8), ms(2026, 10, 9), cal)) == 0
    assert total_ms(service_intervals(lib, ms(2026, 10, 9), ms(2026, 10, 10), cal)) == 12 * H
    try:
        library(special_days=[{"date": "2026-10-08", "hours": "closed"}])
    except ValueError as exc:
        assert "reason" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a closure without a reason was accepted")


def test_xinjiang_facility_on_a_regional_holiday() -> None:
    # Mon 9 Jun 2025 is inside 古尔邦节 (6–10 Jun) in Xinjiang (自治区人民政府令第174号 and the
    # region's 2025 notice) — a working Monday elsewhere.  A township centre in Ürümqi closes;
    # one in Sichuan opens; a Xinjiang library stays open.
    cal = official_calendar()
    urumqi = library(kind="township_centre", county="650102", holidays=None)
    sichuan = library(kind="township_centre", holidays=None)
    xj_lib = library(county="650102", holidays=None)
    monday = (ms(2025, 6, 9), ms(2025, 6, 10))
    assert cal.day_kind(date(2025, 6, 9), "65") is DayKind.HOLIDAY
    assert total_ms(service_intervals(urumqi, *monday, cal)) == 0
    assert total_ms(service_intervals(sichuan, *monday, cal)) == 8 * H
    assert total_ms(service_intervals(xj_lib, *monday, cal)) == 8 * H
    # Guangxi's 三月三 2025 (31 Mar – 1 Apr, 广西壮族自治区人民政府令第98号) and Tibet's Spring
    # Festival and Losar 2026 running to 26 Feb (拉萨市 notice; nationally back to work on 24 Feb).
    assert cal.day_kind(date(2025, 3, 31), "45") is DayKind.HOLIDAY
    assert cal.day_kind(date(2025, 3, 31), "51") is DayKind.WORKDAY
    assert cal.day_kind(date(2026, 2, 24), "54") is DayKind.HOLIDAY
    assert cal.day_kind(date(2026, 2, 24), "51") is DayKind.WORKDAY
