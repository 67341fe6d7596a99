"""A realistic week of collector output for an inventory, to seed InfluxDB.

Dashboards, the API and alert rules need history to show; this writes what the
collectors would have written over the last week, following the schema in
docs/architecture.md: ``device_up`` for every device, ``interface`` for switches
and routers (uplink traffic following opening hours), ``wireless`` for APs and
controllers, ``host`` for terminals, kiosks and servers, ``security_check``
every six hours, ``snmp_trap`` at link outages and one ``collector`` point per
cycle.  Outages are seeded-random (the same seed gives the same week); the
last device of kinds ``switch`` and ``kiosk`` is down at the end, so "what is
down now" has an answer.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime

from collectors.inventory_state import inventory_points
from inventory.models import Device, DeviceKind, Facility, Inventory
from pdcs.points import (
    COLLECTOR,
    DEVICE_UP,
    HOST,
    INTERFACE,
    SECURITY_CHECK,
    SNMP_TRAP,
    SYSLOG,
    TERMINAL_SESSION,
    WIRELESS,
    Point,
    to_lines,
)
from pdcs.storage import InfluxDB

WEEK_S = 7 * 86400
NS = 1_000_000_000

# (check id, MLPS 2.0 item, level, severity, applies to agent hosts or network gear)
CHECKS = (
    ("password_complexity", "8.1.4.1", "2", "high", "host"),
    ("login_failure_lockout", "8.1.4.1", "2", "medium", "host"),
    ("audit_enabled", "8.1.4.3", "2", "medium", "host"),
    ("antivirus_running", "8.1.4.5", "2", "high", "host"),
    ("usb_storage_disabled", "8.1.4.4", "3", "low", "host"),
    ("snmp_v1v2_disabled", "8.1.4.2", "3", "high", "network"),
    ("telnet_disabled", "8.1.4.2", "2", "critical", "network"),
    ("ntp_configured", "8.1.4.3", "2", "low", "network"),
    ("default_password_changed", "8.1.4.1", "2", "critical", "network"),
)
_HOST_KINDS = {DeviceKind.E_READING_TERMINAL, DeviceKind.KIOSK, DeviceKind.SERVER}
_SNMP_KINDS = {DeviceKind.SWITCH, DeviceKind.WIRELESS_AP, DeviceKind.WIRELESS_CONTROLLER}


@dataclass(frozen=True)
class Outage:
    start_s: int
    end_s: int  # exclusive; may be past the end of the week (still down)


def is_open(facility: Facility, ts_s: int) -> bool:
    local = datetime.fromtimestamp(ts_s, facility.tz)
    minute = local.hour * 60 + local.minute
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]
    return any(s.start_minute <= minute < s.end_minute for s in facility.opening_hours.get(day, ()))


def _load(facility: Facility, ts_s: int, rng: random.Random) -> float:
    """0..1 usage: busy in opening hours (afternoon peak), a trickle otherwise."""
    if not is_open(facility, ts_s):
        return 0.02 + 0.02 * rng.random()
    hour = datetime.fromtimestamp(ts_s, facility.tz).hour
    return min(1.0, 0.35 + 0.45 * math.sin(math.pi * (hour - 8) / 13) ** 2 + 0.15 * rng.random())


def _outages(
    devices: list[Device], start_s: int, end_s: int, step_s: int, rng: random.Random
) -> dict[str, list[Outage]]:
    """Outages on poll boundaries: 40% of devices have one, and something is down at the end."""
    out: dict[str, list[Outage]] = {d.id: [] for d in devices}
    polls = (end_s - start_s) // step_s
    for d in devices:
        if rng.random() < 0.4 or d.kind == DeviceKind.SWITCH:
            begin = start_s + rng.randrange(6, polls - 36) * step_s
            out[d.id].append(Outage(begin, begin + rng.choice((2, 4, 9, 24)) * step_s))
    # Something is down right now: the last switch and the last kiosk.
    last_poll = start_s + polls * step_s
    for kind in (DeviceKind.SWITCH, DeviceKind.KIOSK):
        for d in [d for d in devices if d.kind == kind][-1:]:
            out[d.id].append(Outage(last_poll - 3 * step_s, last_poll + 3600))
    return out


def week_of_points(
    inventory: Inventory,
    end_s: int,
    *,
    step_s: int = 600,
    days: float = 7,
    seed: int = 2026,
) -> Iterator[Point]:
    """Every point the collectors would have written in the ``days`` before ``end_s`` (a poll every ``step_s``)."""
    rng = random.Random(seed)
    start_s = end_s - int(days * 86400)
    start_s -= start_s % step_s
    devices = sorted(inventory.devices_in(None), key=lambda d: d.id)
    outages = _outages(devices, start_s, end_s, step_s, rng)
    counters: dict[tuple[str, str], int] = {}
    boot: dict[str, int] = {d.id: start_s - rng.randrange(86400, 60 * 86400) for d in devices}
    failing = {(d.id, c[0]) for d in devices for c in CHECKS if rng.random() < 0.2}
    counties = sorted({inventory.county_of(d) for d in devices})

    for ts in range(start_s, end_s + 1, step_s):
        ns = ts * NS
        per_county_ok: dict[str, int] = dict.fromkeys(counties, 0)
        per_county_failed: dict[str, int] = dict.fromkeys(counties, 0)
        written = 0
        up_now: dict[str, int] = {}
        for d in devices:
            tags = inventory.device_tags(d)
            fac = inventory.facilities[d.facility]
            down = next((o for o in outages[d.id] if o.start_s <= ts < o.end_s), None)
            source = "snmp" if d.kind in _SNMP_KINDS else "agent"
            county = tags["county"]
            up_now[d.id] = 0 if down else 1
            if down:
                per_county_failed[county] += 1
                err = "SNMP request timed out after 2.0s" if source == "snmp" else "connection refused"
                yield Point(DEVICE_UP, {**tags, "source": source}, {"up": 0, "error": err}, ns)
                if down.start_s == ts and d.kind == DeviceKind.SWITCH:
                    yield Point(SNMP_TRAP, {**tags, "trap": "linkDown", "ifindex": "1"}, {"value": 1}, ns)
                boot[d.id] = down.end_s
                written += 1
                continue
            if any(o.end_s == ts for o in outages[d.id]) and d.kind == DeviceKind.SWITCH:
                yield Point(SNMP_TRAP, {**tags, "trap": "linkUp", "ifindex": "1"}, {"value": 1}, ns)
                yield Point(SNMP_TRAP, {**tags, "trap": "coldStart", "ifindex": ""}, {"value": 1}, ns)
            per_county_ok[county] += 1
            load = _load(fac, ts, rng)
            uptime = float(ts - boot[d.id])
            yield Point(
                DEVICE_UP,
                {**tags, "source": source},
                {"up": 1, "uptime_s": uptime, "rtt_ms": round(2 + 30 * load + 5 * rng.random(), 2)},
                ns,
            )
            written += 1
            if d.kind == DeviceKind.SWITCH:
                written += yield from _interfaces(d, fac, tags, ts, ns, step_s, load, counters)
                # Syslog counts (collectors/syslog): ordinary messages every poll, login failures every 6 h.
                # Deterministic (no draw from rng), so every other figure of the week stays as it was.
                slog = {**tags, "syslog_facility": "local7", "severity": "info", "event": ""}
                yield Point(SYSLOG, slog, {"messages": 1 + (ts // step_s) % 5}, ns)
                written += 1
                if ts % (6 * 3600) < step_s:
                    auth = {**tags, "syslog_facility": "auth", "severity": "warning", "event": "login_failure"}
                    yield Point(SYSLOG, auth, {"messages": 2}, ns)
                    written += 1
            elif d.kind == DeviceKind.WIRELESS_AP:
                for radio, share in (("2.4G", 0.35), ("5G", 0.65)):
                    clients = round(40 * load * share + rng.random())
                    wtags = {**tags, "radio": radio, "ssid": "iLibrary-Free", "vendor": d.vendor or ""}
                    yield Point(WIRELESS, wtags, {"clients": clients}, ns)
                    written += 1
            elif d.kind == DeviceKind.WIRELESS_CONTROLLER:
                aps = [a for a in devices if a.facility == d.facility and a.kind == DeviceKind.WIRELESS_AP]
                up = sum(1 for a in aps if not any(o.start_s <= ts < o.end_s for o in outages[a.id]))
                # distinct clients so far in the (Beijing) day: deterministic, no draw from rng
                seen = 3 * (((ts + 8 * 3600) % 86400) // 3600)
                fields_ac = {"aps": len(aps), "aps_up": up, "distinct_clients": seen}
                yield Point(WIRELESS, {**tags, "vendor": d.vendor or ""}, fields_ac, ns)
                written += 1
            if d.kind in _HOST_KINDS:
                fields: dict[str, float | int] = {
                    "cpu_pct": round(5 + 70 * load * rng.random(), 1),
                    "mem_used_pct": round(35 + 30 * load + 5 * rng.random(), 1),
                    "disk_used_pct": round(40 + (zlib.crc32(d.id.encode()) % 40) + (ts - start_s) / WEEK_S, 1),
                    "uptime_s": uptime,
                    "sessions": int(load > 0.3 and d.kind == DeviceKind.E_READING_TERMINAL),
                    "net_rx_bytes": int((ts - boot[d.id]) * 2000 * (0.2 + load)),
                    "net_tx_bytes": int((ts - boot[d.id]) * 300 * (0.2 + load)),
                }
                if d.kind == DeviceKind.KIOSK:
                    fields["kiosk_app_up"] = 1
                yield Point(HOST, tags, fields, ns)
                written += 1
                if (
                    d.kind in (DeviceKind.E_READING_TERMINAL, DeviceKind.KIOSK)
                    and is_open(fac, ts)
                    and ts % 3600 < step_s
                ):
                    # a reader's session on the hour while open (agents/usage): deterministic, no draw from rng
                    seat = "kiosk" if d.kind == DeviceKind.KIOSK else "graphical"
                    sess: dict[str, float | int] = {"duration_s": 1800.0, "open": 0}
                    if seat == "graphical":  # the terminal reports idle time: locked for the last 5 minutes
                        sess["idle_s"] = 300.0
                        idle = {"duration_s": 300.0, "open": 0}
                        yield Point(TERMINAL_SESSION, {**tags, "seat": "idle"}, idle, ns + 1500 * 1_000_000_000)
                        written += 1
                    yield Point(TERMINAL_SESSION, {**tags, "seat": seat}, sess, ns)
                    written += 1
            if ts % (6 * 3600) < step_s:
                written += yield from _checks(d, tags, ns, failing)
        for county in counties:
            ok, failed = per_county_ok[county], per_county_failed[county]
            yield Point(
                COLLECTOR,
                {"collector": f"county-{county}", "regions": county},
                {
                    "cycle_s": round(1.5 + 0.2 * (ok + failed) + 2.0 * failed + rng.random(), 3),
                    "devices_ok": ok,
                    "devices_failed": failed,
                    "devices_skipped": 0,
                    "spool_depth": 0 if rng.random() < 0.97 else rng.randrange(100, 5000),
                    "points_written": written,
                    "points_dropped": 0,
                    "malformed": 1 if rng.random() < 0.01 else 0,
                },
                ns,
            )
        yield from inventory_points(inventory, (), ns, up=up_now)  # what the collector writes once a cycle


def _interfaces(
    d: Device,
    fac: Facility,
    tags: dict[str, str],
    ts: int,
    ns: int,
    step_s: int,
    load: float,
    counters: dict[tuple[str, str], int],
) -> Generator[Point, None, int]:
    uplink_name = d.uplink_interface or "GigabitEthernet0/0/1"
    uplink_bps = (fac.uplink_mbps or 100.0) * 1e6
    n = 0
    for index, (name, speed, is_uplink) in enumerate(
        ((uplink_name, uplink_bps, True), ("GigabitEthernet0/0/2", 1e9, False)), start=1
    ):
        share = 0.85 if is_uplink else 0.3
        in_bps = speed * share * load
        out_bps = in_bps * 0.18
        key_in, key_out = (d.id, f"{name}:in"), (d.id, f"{name}:out")
        counters[key_in] = (counters.get(key_in, 0) + int(in_bps * step_s / 8)) % 2**64
        counters[key_out] = (counters.get(key_out, 0) + int(out_bps * step_s / 8)) % 2**64
        itags = {**tags, "ifname": name, "ifindex": str(index), "uplink": "1" if is_uplink else "0"}
        yield Point(
            INTERFACE,
            itags,
            {
                "in_octets": counters[key_in],
                "out_octets": counters[key_out],
                "in_bps": round(in_bps, 1),
                "out_bps": round(out_bps, 1),
                "in_util_pct": round(100 * in_bps / speed, 2),
                "out_util_pct": round(100 * out_bps / speed, 2),
                "oper_up": 1,
                "speed_bps": int(speed),
            },
            ns,
        )
        n += 1
    return n


def _checks(d: Device, tags: dict[str, str], ns: int, failing: set[tuple[str, str]]) -> Generator[Point, None, int]:
    applies = "host" if d.kind in _HOST_KINDS else "network" if d.kind == DeviceKind.SWITCH else None
    n = 0
    for check, item, level, severity, scope in CHECKS:
        if scope != applies:
            continue
        failed = (d.id, check) in failing
        ctags = {
            **tags,
            "check": check,
            "mlps_item": item,
            "mlps_level": level,
            "severity": severity,
            "source": "agent" if scope == "host" else "ssh_audit",
        }
        detail = f"{check}: {'not compliant' if failed else 'ok'}"
        yield Point(
            SECURITY_CHECK,
            ctags,
            {"passed": 0 if failed else 1, "status": "fail" if failed else "pass", "detail": detail},
            ns,
        )
        n += 1
    return n


def write_week(influx: InfluxDB, inventory: Inventory, end_s: int, *, step_s: int = 600, days: float = 7) -> int:
    """Write ``week_of_points`` into ``influx`` (its default retention policy); returns the points written."""
    return influx.write_lines(to_lines(week_of_points(inventory, end_s, step_s=step_s, days=days)))
