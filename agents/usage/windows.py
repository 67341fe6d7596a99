"""Windows sessions from the event logs: ``wevtutil qe … /f:xml`` (what the agent runs) or ``/f:text``.

The agent reads the events as XML: element and ``Data Name`` names are the
same on every display language, so a Chinese Windows needs no label table
(``parse_xml_events``).  ``parse_events`` reads the ``/f:text`` rendering
(English or Chinese labels) that an engineer may save from a terminal.

Security log (auditing of logon/logoff is on by default; 4800/4801 need
"Audit Other Logon/Logoff Events"):

* 4624 an account logged on — interactive types only: 2 (console),
  11 (cached console), 10 and 12 (Remote Desktop).  The new logon's ``Logon
  ID`` (the second in the text; the first is the subject's) names the
  session.  Logons by the Window Manager and Font Driver Host virtual
  accounts (``DWM-1``, ``UMFD-0``), made for every desktop, are not users; the
  second token of a split (UAC) logon names its twin in ``Linked Logon ID``
  and is not a second session.
* 4634 logged off / 4647 user initiated logoff — the first one ends it.
* 4800 workstation locked / 4801 unlocked — locked time is idle time (known
  only when the log holds lock events at all: the subcategory is off by default).
* 4608 Windows is starting up — ends every session still open.

Microsoft-Windows-TerminalServices-LocalSessionManager/Operational, used when
the Security log has no interactive log-on (auditing off): 21 session logon
and 25 reconnection start a use of a session ID; 23 logoff and 24 disconnection
end it; source address ``LOCAL``/``本地`` is the console.

Event ids and fields: Microsoft Learn, "4624(S): An account was successfully
logged on", "4634(S)", "4800(S)", "4801(S)" (Windows security auditing
reference) and the Remote Desktop Services LocalSessionManager events.  The
labels are parsed in English and Chinese; account names are read only to
drop virtual accounts and never kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, tzinfo
from typing import NamedTuple
from xml.etree import ElementTree

from agents.checks.base import CommandMissing, Runner, run_command
from agents.usage.idle import Stretch
from agents.usage.sessions import Session

_HEAD = re.compile(r"^(?:Event|事件)\s*\[\d+\]\s*[:：]\s*$")
_LABELS = {
    "date": "date",
    "日期": "date",
    "event id": "event",
    "事件 id": "event",
    "事件id": "event",
    "logon id": "logon_id",
    "登录 id": "logon_id",
    "登录id": "logon_id",
    "linked logon id": "linked",
    "链接的登录 id": "linked",
    "logon type": "logon_type",
    "登录类型": "logon_type",
    "account domain": "domain",
    "帐户域": "domain",
    "账户域": "domain",
    "session id": "session",
    "会话 id": "session",
    "source network address": "address",
    "源网络地址": "address",
}
INTERACTIVE = {"2": "graphical", "11": "graphical", "10": "remote", "12": "remote"}
VIRTUAL_DOMAINS = {"window manager", "font driver host"}
LOCAL_ADDRESSES = {"local", "本地"}
SECURITY_QUERY = (
    "*[System[(EventID=4608 or EventID=4624 or EventID=4634 or EventID=4647 or EventID=4800 or EventID=4801)]]"
)
LSM_LOG = "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"
LSM_QUERY = "*[System[(EventID=21 or EventID=23 or EventID=24 or EventID=25)]]"
# the event schema's names (EventData Data/@Name, UserData EventXML children) → the fields read below
_XML_FIELDS = {
    "TargetLogonId": "logon_id",
    "TargetLinkedLogonId": "linked",
    "LogonType": "logon_type",
    "TargetDomainName": "domain",
    "SessionId": "session",
    "SessionID": "session",
    "Address": "address",
}
_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"


class Event(NamedTuple):
    id: int
    time: float
    fields: dict[str, list[str]]

    def first(self, key: str) -> str:
        return (self.fields.get(key) or [""])[0]

    def last(self, key: str) -> str:
        return (self.fields.get(key) or [""])[-1]


def _when(value: str, tz: tzinfo) -> float:
    value = value.strip()
    if value.endswith("Z"):
        return datetime.fromisoformat(value[:-1][:26]).replace(tzinfo=UTC).timestamp()
    head, _, frac = value.partition(".")
    dt = datetime.fromisoformat(head)
    seconds = float(f"0.{frac}") if frac.isdigit() else 0.0
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.timestamp() + seconds


def parse_events(text: str, tz: tzinfo) -> Iterator[Event]:
    """Events of ``wevtutil qe /f:text`` output; blocks without a date or event id are skipped."""
    block: dict[str, list[str]] = {}

    def done() -> Event | None:
        if not block.get("date") or not block.get("event", [""])[0].isdigit():
            return None
        return Event(int(block["event"][0]), _when(block["date"][0], tz), dict(block))

    for raw in text.splitlines():
        if _HEAD.match(raw.strip()):
            ev = done()
            if ev is not None:
                yield ev
            block = {}
            continue
        label, sep, value = re.split(r"([:：])", raw, maxsplit=1) if re.search(r"[:：]", raw) else (raw, "", "")
        key = _LABELS.get(" ".join(label.split()).lower())
        if sep and key:
            block.setdefault(key, []).append(value.strip())
    ev = done()
    if ev is not None:
        yield ev


def parse_xml_events(text: str) -> Iterator[Event]:
    """Events of ``wevtutil qe /f:xml`` output (``<Event>`` elements one after another, no root element).

    Times are the events' ``SystemTime`` (UTC).  An event without an id or a
    time is skipped; output that is not XML raises ``ValueError``.
    """
    body = re.sub(r"<\?xml[^>]*\?>", "", text)
    try:
        root = ElementTree.fromstring(f"<Events>{body}</Events>")
    except ElementTree.ParseError as exc:
        raise ValueError(f"wevtutil XML: {exc}") from exc
    for el in root:
        eid = (el.findtext(f"{_NS}System/{_NS}EventID") or "").strip()
        created = el.find(f"{_NS}System/{_NS}TimeCreated")
        when = created.get("SystemTime", "") if created is not None else ""
        if not eid.isdigit() or not when:
            continue
        fields: dict[str, list[str]] = {}
        for data in el.iterfind(f"{_NS}EventData/{_NS}Data"):
            key = _XML_FIELDS.get(data.get("Name", ""))
            if key:
                fields[key] = [(data.text or "").strip()]
        for item in el.iterfind(f"{_NS}UserData/*/*"):  # LocalSessionManager: <EventXML xmlns="Event_NS">
            key = _XML_FIELDS.get(item.tag.rsplit("}", 1)[-1])
            if key:
                fields[key] = [(item.text or "").strip()]
        yield Event(int(eid), _when(when, UTC), fields)


def security_sessions(events: Sequence[Event]) -> list[Session]:
    """Sessions of the Security log; their locked stretches are their idle time when the log has lock events.

    With "Audit Other Logon/Logoff Events" off, Windows writes no 4800/4801 and
    nothing is known about locks: the sessions' idle time is then None, not 0.
    """
    locks_audited = any(ev.id in (4800, 4801) for ev in events)
    out: list[Session] = []
    open_: dict[str, tuple[str, float, list[Stretch]]] = {}  # logon id → seat, start, locked stretches

    def ended(seat: str, start: float, locked: list[Stretch], end: float) -> Session:
        done = tuple((a, b if b is not None else end) for a, b in locked)
        return Session(seat, start, end, done if locks_audited else None)

    for ev in sorted(events, key=lambda e: e.time):
        if ev.id == 4624:
            seat = INTERACTIVE.get(ev.first("logon_type"))
            if seat is None or ev.last("domain").strip().lower() in VIRTUAL_DOMAINS:
                continue
            lid, linked = ev.last("logon_id").lower(), ev.first("linked").lower()
            if linked and linked not in ("0x0", "-") and linked in open_:
                continue
            open_[lid] = (seat, ev.time, [])
        elif ev.id in (4634, 4647):
            lid = ev.first("logon_id").lower()
            if lid in open_:
                out.append(ended(*open_.pop(lid), ev.time))
        elif ev.id in (4800, 4801):
            lid = ev.first("logon_id").lower()
            if lid in open_:
                locked = open_[lid][2]
                if ev.id == 4800 and (not locked or locked[-1][1] is not None):
                    locked.append((ev.time, None))
                elif ev.id == 4801 and locked and locked[-1][1] is None:
                    locked[-1] = (locked[-1][0], ev.time)
        elif ev.id == 4608:
            out += [ended(*v, ev.time) for v in open_.values()]
            open_.clear()
    out += [
        Session(seat, start, None, tuple(locked) if locks_audited else None) for seat, start, locked in open_.values()
    ]
    return sorted(out, key=lambda s: s.start)


def rdp_sessions(events: Sequence[Event]) -> list[Session]:
    out: list[Session] = []
    open_: dict[str, tuple[str, float]] = {}
    for ev in sorted(events, key=lambda e: e.time):
        sid = ev.first("session")
        if ev.id in (21, 25):
            if sid in open_:
                seat, start = open_.pop(sid)
                out.append(Session(seat, start, ev.time))
            local = ev.first("address").strip().lower() in LOCAL_ADDRESSES
            open_[sid] = ("graphical" if local else "remote", ev.time)
        elif ev.id in (23, 24) and sid in open_:
            seat, start = open_.pop(sid)
            out.append(Session(seat, start, ev.time))
    out += [Session(seat, start, None) for seat, start in open_.values()]
    return sorted(out, key=lambda s: s.start)


def windows_sessions(run: Runner = run_command, max_events: int = 5000) -> Callable[[float], list[Session]]:
    """A session source running ``wevtutil`` on the Security log (else the RDP session log)."""

    def query(log: str, q: str) -> list[Event]:
        argv = ["wevtutil", "qe", log, f"/q:{q}", "/f:xml", "/rd:true", f"/c:{max_events}"]
        try:
            res = run(argv, 60.0)
        except CommandMissing:
            return []
        if res.rc != 0:
            raise RuntimeError(f"wevtutil {log}: {(res.stderr or res.stdout).strip()[:200]}")
        return list(parse_xml_events(res.stdout))

    def source(now: float) -> list[Session]:
        found = security_sessions(query("Security", SECURITY_QUERY))
        return found or rdp_sessions(query(LSM_LOG, LSM_QUERY))

    source.__name__ = "windows event log"
    return source
