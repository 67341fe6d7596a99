"""The local stack's simulated reader day (devstack/usage_sim.py) read by the agent as kiosk sessions."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from agents.usage.kiosk import kiosk_sessions
from agents.usage.sessions import UsageCollector
from devstack.usage_sim import CN, day_sessions, write_schedule


def test_a_reading_room_day_within_opening_hours() -> None:
    day = date(2026, 11, 30)
    sessions = day_sessions(day)
    assert 8 <= len(sessions) <= 30
    opens = datetime(2026, 11, 30, 9, tzinfo=CN).timestamp()
    closes = datetime(2026, 11, 30, 21, tzinfo=CN).timestamp()
    assert all(opens <= s["start"] < s["end"] <= closes for s in sessions)
    assert day_sessions(day) == sessions  # the same day, the same schedule


def test_the_agent_shows_the_day_so_far_with_the_running_session_open(tmp_path: Path) -> None:
    today = date(2026, 11, 30)
    path = write_schedule(tmp_path / "sessions.jsonl", today)
    sessions = day_sessions(today)
    mid = sessions[3]
    now = (mid["start"] + mid["end"]) / 2
    shown = UsageCollector([kiosk_sessions(file=path)], clock=lambda: now).sessions()
    todays = [s for s in shown if s.start >= sessions[0]["start"]]
    assert [s.start for s in todays] == [s["start"] for s in sessions if s["start"] <= now]
    assert any(s.start == mid["start"] and s.end is None for s in todays)  # running now: open
