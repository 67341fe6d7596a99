"""Terminal sessions: real Linux log-ins, utmp records written by the system's tools, Windows event logs, kiosks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prometheus_client.exposition import generate_latest

from agents.checks.base import CommandResult, decode_console
from agents.config import ConfigError, parse_config
from agents.exposition import build_registry
from agents.usage import idle, kiosk, utmp, windows
from agents.usage.sessions import Session, UsageCollector
from collectors.exposition_map import CpuState, map_samples, parse_samples
from pdcs.points import TERMINAL_SESSION, Point
from tests.agents.usage.real_login import can_run, run_session, start_session

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "tests" / "agents" / "data" / "windows" / "usage"
SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SH).timestamp()


def points_of(collector: UsageCollector) -> tuple[str, list[Point]]:
    text = generate_latest(build_registry(collector)).decode()
    samples = parse_samples(text)
    tags = {"device": "t1", "facility": "f1"}
    return text, [
        p for p in map_samples(samples, tags, 0, source="agent", cpu=CpuState()) if p.measurement == TERMINAL_SESSION
    ]


# -- Linux: a real session through login ------------------------------------------------------------------

PROBE = """import json, sys
sys.path.insert(0, {repo!r})
from pathlib import Path
from agents.usage.utmp import linux_sessions
print("SESSIONS " + json.dumps([list(s) for s in linux_sessions(Path("/var/log/wtmp"), Path("/run/utmp"))(0)]))
"""


def test_real_login_session_is_open_while_it_runs_and_closed_after(tmp_path: Path) -> None:
    assert not can_run(), can_run()  # a machine that cannot run it fails here, with the reason, rather than skip
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE.format(repo=str(REPO)), encoding="utf-8")
    t0 = time.time()
    wtmp, _, out = run_session(tmp_path, [f"{sys.executable} {probe}", "sleep 1"])
    t1 = time.time()
    line = next(ln for ln in out.splitlines() if ln.startswith("SESSIONS "))
    during = json.loads(line.split(" ", 1)[1])
    assert len(during) == 1
    seat, start, end, _ = during[0]
    assert seat == "console" and end is None and t0 <= start <= t1  # open while the reader is logged in

    after = utmp.sessions_from(list(utmp.read_records(wtmp)))
    assert len(after) == 1
    s = after[0]
    assert s.seat == "console" and s.start == pytest.approx(start) and s.end is not None
    assert 1.0 <= s.end - s.start <= t1 - t0  # the session lasted the sleep, ended by logout

    end = s.end
    collector = UsageCollector([utmp.linux_sessions(wtmp, tmp_path / "no-utmp")], clock=lambda: end + 60)
    text, points = points_of(collector)
    assert "root" not in text  # the user name never leaves the terminal
    assert len(points) == 1
    p = points[0]
    assert p.tags["seat"] == "console" and p.fields["open"] == 0
    assert p.fields["duration_s"] == pytest.approx(s.end - s.start)
    assert p.time_ns == round(s.start * 1000) * 1_000_000


IDLE_AFTER_S = 4.0


def test_real_login_session_idle_then_active(tmp_path: Path) -> None:
    """A real session whose tty reads nothing for 10 s (idle), then reads the next command (active) for 2 s.

    The agent's source watches it from outside the session's mount namespace, as
    the agent does: wtmp for the session, the tty's access time for its input."""
    assert not can_run(), can_run()
    proc, wtmp, _, _ = start_session(tmp_path, ["sleep 10", "sleep 2"])
    tracker = idle.IdleTracker(IDLE_AFTER_S)
    source = utmp.linux_sessions(wtmp, tmp_path / "no-utmp", idle=tracker)
    sights: list[list[Session]] = []
    try:
        while proc.poll() is None:
            sights.append(source(time.time()))
            time.sleep(0.25)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.wait() == 0
    seen_idle = [s for sight in sights for s in sight if s.idle]
    assert seen_idle and seen_idle[0].end is None  # idle was seen while the session was open
    final = source(time.time())
    assert len(final) == 1
    s = final[0]
    assert s.seat == "console" and s.end is not None and s.idle is not None and len(s.idle) == 1
    (a, b) = s.idle[0]
    assert b is not None
    # idle from the log-on until the tty read the second command, 10 s after the shell read the first.  The
    # kernel keeps a tty's access time to 8 s, so the first read (right after log-on and the shell's start-up)
    # may leave it at the log-on: the stretch then also holds the start-up, seconds on a loaded machine.  Its
    # end is the last sight still idle (0.25 s polls, spaced further under load)
    assert a == pytest.approx(s.start, abs=1.0)
    assert 8.0 <= b - a <= 13.0
    # then active: the 2 s of `sleep 2` (shorter than IDLE_AFTER_S, so never idle) up to the log-out
    active = s.duration(s.end) - s.idle_within(s.start, s.end)
    assert 1.5 <= active <= 4.5

    end = s.end
    collector = UsageCollector([lambda _: final], clock=lambda: end + 60)
    text, points = points_of(collector)
    assert "root" not in text
    by_seat = {p.tags["seat"]: p for p in points}
    assert by_seat["console"].fields["idle_s"] == pytest.approx(b - a)
    assert by_seat["idle"].time_ns == round(a * 1000) * 1_000_000
    assert by_seat["idle"].fields == {"duration_s": pytest.approx(b - a), "open": 0}


def test_idle_tracker_counts_to_the_last_sight_and_knows_only_what_it_watched() -> None:
    t = idle.IdleTracker(300.0)
    t.observe("a", 0.0, 10.0, 5.0)  # active
    t.observe("a", 0.0, 400.0, 20.0)  # no input since 20: idle
    t.observe("a", 0.0, 460.0, 20.0)
    assert t.stretches("a") == ((20.0, None),)
    t.observe("a", 0.0, 520.0, 500.0)  # input at 500: the stretch ends at the last sight still idle
    t.observe("a", 0.0, 900.0, 510.0)  # idle again
    assert t.stretches("a", end=950.0) == ((20.0, 460.0), (510.0, 900.0))
    t.observe("late", 0.0, 1000.0, 990.0)  # first seen 1000 s after its log-on: what came before is unknown
    assert t.stretches("late") is None
    t.observe("gui", 0.0, 100.0, 30.0, idle=True)  # logind: idle since 30 (its own delay, not ours)
    assert t.stretches("gui") == ((30.0, None),)
    # logind's "IdleHint=no, IdleSinceHint=0": not idle yet, or a desktop that never reports — unknown until
    # a non-zero IdleSinceHint shows the session is tracked (then the earlier sights were right)
    t.observe("wayland", 0.0, 60.0, None, idle=False, confirmed=False)
    assert t.stretches("wayland") is None
    t.observe("wayland", 0.0, 900.0, 500.0, idle=True, confirmed=True)
    assert t.stretches("wayland") == ((500.0, None),)


LOGINCTL = """Id=2
TTY=tty1
Display=
IdleHint=no
IdleSinceHint=0

Id=c3
TTY=
Display=:0
IdleHint=yes
IdleSinceHint=1764554400000000
"""


def test_loginctl_show_session_hints() -> None:
    got = idle.parse_show_session(LOGINCTL)
    assert got == {"tty1": idle.LogindIdle(False, None), ":0": idle.LogindIdle(True, 1764554400.0)}


# -- Linux: records written by utmpdump -r -----------------------------------------------------------------

UTMPDUMP = """\
[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-28-amd64      ] [0.0.0.0        ] [2026-11-30T00:40:00,000000+00:00]
[7] [01201] [tty1] [reader  ] [tty1        ] [                    ] [0.0.0.0        ] [2026-11-30T01:00:00,000000+00:00]
[7] [01300] [:0  ] [reader  ] [:0          ] [:0                  ] [0.0.0.0        ] [2026-11-30T01:05:00,000000+00:00]
[7] [01310] [ts/1] [reader  ] [pts/1       ] [:0                  ] [0.0.0.0        ] [2026-11-30T01:06:00,000000+00:00]
[7] [01400] [ts/2] [audit   ] [pts/2       ] [10.0.0.9            ] [10.0.0.9       ] [2026-11-30T02:00:00,000000+00:00]
[8] [01400] [ts/2] [        ] [pts/2       ] [                    ] [0.0.0.0        ] [2026-11-30T02:00:04,000000+00:00]
[8] [01201] [tty1] [        ] [tty1        ] [                    ] [0.0.0.0        ] [2026-11-30T02:30:00,000000+00:00]
[8] [01310] [ts/1] [        ] [pts/1       ] [                    ] [0.0.0.0        ] [2026-11-30T02:10:00,000000+00:00]
[7] [01500] [:10 ] [reader  ] [:10         ] [192.168.10.31       ] [192.168.10.31  ] [2026-11-30T03:00:00,000000+00:00]
[1] [00000] [~~  ] [shutdown] [~~          ] [6.1.0-28-amd64      ] [0.0.0.0        ] [2026-11-30T13:00:00,000000+00:00]
[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-28-amd64      ] [0.0.0.0        ] [2026-12-01T00:40:00,000000+00:00]
[7] [01601] [tty1] [reader  ] [tty1        ] [                    ] [0.0.0.0        ] [2026-12-01T01:00:00,000000+00:00]
[7] [01602] [tty2] [reader  ] [tty2        ] [                    ] [0.0.0.0        ] [2026-12-01T01:01:00,000000+00:00]
"""


def test_wtmp_written_by_utmpdump_pairs_logons_per_line(tmp_path: Path) -> None:
    assert shutil.which("utmpdump"), "utmpdump (util-linux) not installed"
    wtmp = tmp_path / "wtmp"
    with wtmp.open("wb") as fh:
        subprocess.run(["utmpdump", "-r"], input=UTMPDUMP.encode(), stdout=fh, check=True)
    assert wtmp.stat().st_size == 13 * utmp.RECORD_SIZE
    got = utmp.sessions_from(list(utmp.read_records(wtmp)), alive=lambda pid: pid == 1601)

    def utc(text: str) -> float:
        return datetime.fromisoformat(text + "+00:00").timestamp()

    assert got == [
        Session("console", utc("2026-11-30T01:00:00"), utc("2026-11-30T02:30:00")),
        Session("graphical", utc("2026-11-30T01:05:00"), utc("2026-11-30T13:00:00")),  # ended by the shutdown
        Session("graphical", utc("2026-11-30T01:06:00"), utc("2026-11-30T02:10:00")),  # a terminal window in :0
        Session("ssh", utc("2026-11-30T02:00:00"), utc("2026-11-30T02:00:04")),  # the SSH audit: maintenance
        Session("remote", utc("2026-11-30T03:00:00"), utc("2026-11-30T13:00:00")),  # xrdp
        Session("console", utc("2026-12-01T01:00:00"), None),  # open: its process lives
        # tty2's process is gone without a log-out record: its end is unknown, so it is left out
    ]


def test_recent_keeps_open_sessions_and_those_ended_within_the_window() -> None:
    now = 100_000.0
    c = UsageCollector(
        [
            lambda _: [
                Session("console", 1.0, 2.0),
                Session("console", now - 50, now - 10),
                Session("kiosk", now - 5, None),
            ]
        ],
        keep_s=3600,
        clock=lambda: now,
    )
    assert [s.start for s in c.sessions()] == [now - 50, now - 5]


def test_a_failing_source_does_not_hide_the_others() -> None:
    def broken(_: float) -> list[Session]:
        raise OSError("permission denied")

    c = UsageCollector([broken, lambda _: [Session("kiosk", 10.0, 20.0)]], clock=lambda: 30.0)
    assert c.sessions() == [Session("kiosk", 10.0, 20.0)]


# -- Windows ------------------------------------------------------------------------------------------------

WINDOWS_EXPECTED = [
    Session(
        "graphical",
        at("2026-11-30T09:02:11.123"),
        at("2026-11-30T10:02:11"),
        ((at("2026-11-30T09:30:00"), at("2026-11-30T09:40:00")),),  # locked 10 minutes
    ),
    Session("remote", at("2026-11-30T14:00:00"), at("2026-11-30T15:30:00"), ()),
    # left locked overnight: locked until the next boot's 4608 ended it
    Session(
        "graphical",
        at("2026-11-30T20:30:00"),
        at("2026-12-01T08:30:05"),
        ((at("2026-11-30T20:45:00"), at("2026-12-01T08:30:05")),),
    ),
    Session("graphical", at("2026-12-01T09:00:00"), None, ()),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_security_log_sessions(lang: str) -> None:
    text = (DATA / f"security.{lang}.txt").read_text(encoding="utf-8")
    events = list(windows.parse_events(text, SH))
    assert len(events) == 16
    got = windows.security_sessions(events)
    assert [s._replace(start=round(s.start, 3)) for s in got] == [
        s._replace(start=round(s.start, 3)) for s in WINDOWS_EXPECTED
    ]


def test_without_lock_events_idle_time_is_unknown_not_zero() -> None:
    text = (DATA / "security.en.txt").read_text(encoding="utf-8")
    events = [e for e in windows.parse_events(text, SH) if e.id not in (4800, 4801)]  # lock auditing off
    got = windows.security_sessions(events)
    assert len(got) == 4 and all(s.idle is None for s in got)
    c = UsageCollector([lambda _: got], clock=lambda: at("2026-12-01T09:30:00"))
    _, points = points_of(c)
    assert all("idle_s" not in p.fields for p in points) and not [p for p in points if p.tags["seat"] == "idle"]


def test_security_log_from_gbk_console_bytes() -> None:
    raw = (DATA / "security.zh.txt").read_text(encoding="utf-8").encode("gbk")
    events = list(windows.parse_events(decode_console(raw), SH))
    assert len(windows.security_sessions(events)) == 4


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_remote_desktop_session_log(lang: str) -> None:
    events = list(windows.parse_events((DATA / f"lsm.{lang}.txt").read_text(encoding="utf-8"), SH))
    assert windows.rdp_sessions(events) == [
        Session("graphical", at("2026-11-30T09:05:00"), at("2026-11-30T09:50:00")),  # console, then disconnected
        Session("remote", at("2026-11-30T10:00:00"), at("2026-11-30T11:00:00")),  # reconnected over RDP
        Session("remote", at("2026-11-30T13:00:00"), None),
    ]


def test_windows_source_runs_wevtutil_and_falls_back_to_the_rdp_log() -> None:
    calls: list[list[str]] = []

    def run(argv: Sequence[str], timeout: float) -> CommandResult:
        calls.append(list(argv))
        if argv[2] == "Security":
            return CommandResult(0, "", "")  # auditing off: no logon events
        return CommandResult(0, (DATA / "lsm.xml").read_text(encoding="utf-8"), "")

    got = windows.windows_sessions(run)(0)
    assert got == [
        Session("graphical", at("2026-11-30T09:05:00"), at("2026-11-30T09:50:00")),  # console, then disconnected
        Session("remote", at("2026-11-30T10:00:00"), at("2026-11-30T11:00:00")),  # reconnected over RDP
        Session("remote", at("2026-11-30T13:00:00"), None),
    ]
    assert calls[0][:3] == ["wevtutil", "qe", "Security"] and "/f:xml" in calls[0]
    assert calls[1][2] == windows.LSM_LOG


RECORDED = DATA / "recorded" / "ms-learn-security.xml"


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("UTC")).timestamp()


def test_recorded_security_events_from_microsoft_learn() -> None:
    """The events Microsoft recorded for its auditing reference (tests/agents/data/windows/usage/recorded)."""
    events = list(windows.parse_xml_events(RECORDED.read_text(encoding="utf-8")))
    assert [e.id for e in events] == [4634, 4647, 4800, 4801, 4608, 4624]
    by_id = {e.id: e for e in events}
    logon = by_id[4624]
    assert logon.time == pytest.approx(utc("2015-11-12T00:24:35.079785"))
    assert (logon.first("logon_type"), logon.last("logon_id"), logon.first("linked")) == ("2", "0x8dcdc", "0x0")
    assert logon.last("domain") == "WIN-GG82ULGC9GO"
    assert (by_id[4634].last("domain"), by_id[4634].first("logon_type")) == ("Window Manager", "2")  # DWM-1
    assert by_id[4647].first("logon_id") == "0x29b379"
    lock, unlock = by_id[4800], by_id[4801]
    assert (lock.first("logon_id"), lock.first("session"), unlock.first("logon_id")) == ("0x759a9", "3", "0x759a9")
    assert unlock.time - lock.time == pytest.approx(3.455, abs=0.001)
    assert by_id[4608].fields == {}
    # the sessions: only the 4624 opens one (the others belong to logons before the excerpt); lock events are
    # in the log, so its idle time is known — and none yet
    assert windows.security_sessions(events) == [Session("graphical", logon.time, None, ())]
    # a lock of a session the log shows opening: the recorded 4800/4801 pair on the recorded logon's id
    opened = logon._replace(time=lock.time - 60, fields={**logon.fields, "logon_id": ["0x759a9"]})
    assert windows.security_sessions([opened, lock, unlock]) == [
        Session("graphical", lock.time - 60, None, ((lock.time, unlock.time),))
    ]


def test_wevtutil_xml_that_is_not_xml_is_an_error() -> None:
    with pytest.raises(ValueError, match="wevtutil XML"):
        list(windows.parse_xml_events("Event[0]:\n  Log Name: Security\n<Event"))


def test_idle_time_is_exposed_and_mapped() -> None:
    c = UsageCollector([lambda _: WINDOWS_EXPECTED], clock=lambda: at("2026-12-01T09:30:00"), tz=SH)
    text, points = points_of(c)
    assert "reader" not in text and "READER-01" not in text
    by_key = {(p.tags["seat"], p.time_ns): p for p in points}

    def key(seat: str, t: float) -> tuple[str, int]:
        return seat, round(t * 1000) * 1_000_000

    first = by_key[key("graphical", WINDOWS_EXPECTED[0].start)]
    assert first.fields == {"duration_s": pytest.approx(3599.877), "open": 0, "idle_s": 600.0}
    # the overnight lock, cut at midnight like its session: 20:45–24:00 on the first piece, 00:00–08:30:05 after
    night = by_key[key("graphical", at("2026-11-30T20:30:00"))]
    assert night.fields["idle_s"] == 3 * 3600 + 15 * 60
    morning = by_key[key("graphical", at("2026-12-01T00:00:00"))]
    assert morning.fields["continued"] == 1 and morning.fields["idle_s"] == 8.5 * 3600 + 5
    last = by_key[key("graphical", WINDOWS_EXPECTED[3].start)]
    assert last.fields == {"duration_s": 1800.0, "open": 1, "idle_s": 0.0}
    # the terminal's idle periods: the lock of 09:30 and the overnight lock, in their day pieces
    idle = sorted((p.time_ns, p.fields["duration_s"]) for p in points if p.tags["seat"] == "idle")
    assert idle == [
        (key("idle", at("2026-11-30T09:30:00"))[1], 600.0),
        (key("idle", at("2026-11-30T20:45:00"))[1], 3 * 3600 + 15 * 60),
        (key("idle", at("2026-12-01T00:00:00"))[1], 8.5 * 3600 + 5),
    ]


def test_terminal_idle_only_while_every_open_session_is_idle() -> None:
    from agents.usage.sessions import terminal_idle

    a = Session("graphical", 0.0, 100.0, ((10.0, 60.0),))
    b = Session("console", 30.0, 50.0, ((40.0, None),))  # idle from 40 to its end
    kiosk = Session("kiosk", 55.0, 58.0)  # idle not known: in use
    ssh = Session("ssh", 0.0, 100.0)  # maintenance: not a user
    got = terminal_idle([a, b, kiosk, ssh], now=200.0)
    assert [(s.seat, s.start, s.end) for s in got] == [("idle", 10.0, 30.0), ("idle", 40.0, 55.0), ("idle", 58.0, 60.0)]
    assert terminal_idle([Session("console", 0.0, None, ((5.0, None),))], now=20.0) == [Session("idle", 5.0, None)]
    assert terminal_idle([kiosk, ssh], now=200.0) == []  # nothing known: no idle period, not "never idle"


# -- Kiosk ----------------------------------------------------------------------------------------------------


def test_kiosk_session_file_skips_bad_lines_with_their_line_number(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    f = tmp_path / "sessions.jsonl"
    f.write_text(
        '{"start": 1764550800, "end": 1764551700, "card": "0012345"}\n'
        "not json\n"
        '{"start": "2026-11-30T10:00:00+08:00", "end": null}\n'
        '{"start": "2026-11-30T10:00:00"}\n',
        encoding="utf-8",
    )
    got = kiosk.kiosk_sessions(file=f)(0)
    assert got == [Session("kiosk", 1764550800.0, 1764551700.0), Session("kiosk", at("2026-11-30T10:00:00"), None)]
    assert f"{f}:2: not JSON" in caplog.text and f"{f}:4: " in caplog.text and "no time zone" in caplog.text


@pytest.fixture
def kiosk_endpoint() -> Iterator[str]:
    body = json.dumps({"sessions": [{"start": 1000.0, "end": 1600.0, "reader": "张三"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/sessions"
    srv.shutdown()
    srv.server_close()


def test_kiosk_session_endpoint(kiosk_endpoint: str) -> None:
    c = UsageCollector([kiosk.kiosk_sessions(url=kiosk_endpoint)], clock=lambda: 2000.0)
    text, points = points_of(c)
    assert "张三" not in text
    assert [(p.tags["seat"], p.fields["duration_s"]) for p in points] == [("kiosk", 600.0)]


# -- Configuration ---------------------------------------------------------------------------------------------


def test_usage_configuration(tmp_path: Path) -> None:
    cfg = parse_config({"usage": {"keep_h": 24, "kiosk_sessions": {"file": "k.jsonl"}}}, "agent.yaml", tmp_path)
    assert cfg.usage.keep_s == 86400 and cfg.usage.kiosk_file == tmp_path / "k.jsonl" and cfg.usage.enabled
    assert parse_config({}).usage.wtmp == Path("/var/log/wtmp")
    with pytest.raises(ConfigError, match=r"agent.yaml: usage.kiosk_sessions: give"):
        parse_config({"usage": {"kiosk_sessions": "k.jsonl"}})
    with pytest.raises(ConfigError, match=r"usage.sesions: unknown setting"):
        parse_config({"usage": {"sesions": 1}})


def test_power_on_and_kiosk_application_periods(tmp_path: Path) -> None:
    from agents.host import KioskWatch
    from agents.usage.sessions import power_source, process_source

    app = tmp_path / f"pkiosk{int(time.time() * 1000) % 100000}"
    shutil.copy("/bin/sleep", app)
    proc = subprocess.Popen([str(app), "30"])
    try:
        started = time.time()
        watch = KioskWatch(app.name, ttl_s=0)
        c = UsageCollector([power_source(lambda: 1000.0), process_source(watch.started)])
        got = {s.seat: s for s in c.sessions()}
        assert got["power"] == Session("power", 1000.0, None)
        assert got["kiosk_app"].end is None and abs(got["kiosk_app"].start - started) < 5
        assert watch.up()
    finally:
        proc.kill()
        proc.wait()
    assert process_source(watch.started)(0) == []
