"""Prometheus exposition → pdcs points (shared by scraping and push ingest).

Known families become the schema's measurements (docs/architecture.md):
pdcs-agent, node_exporter and windows_exporter host figures → ``host``;
agent security checks → ``security_check``; agent service probes →
``service_probe``.  Anything else is kept only when its sample name matches
the allow-list, as ``exporter_metric`` (tag ``metric`` plus the sample's
labels; a label that clashes with a device tag is renamed ``label_<name>``).

CPU percent for node_exporter and windows_exporter is a rate between two
scrapes of the same device: :class:`CpuState` keeps the previous counters.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

from agents.probes import mask_url
from pdcs.points import DEVICE_UP, HOST, SECURITY_CHECK, SERVICE_PROBE, TERMINAL_SESSION, FieldValue, Point

EXPORTER_METRIC = "exporter_metric"
DEVICE_TAGS = frozenset({"province", "city", "county", "facility", "device", "kind", "source", "metric"})
DEFAULT_ALLOW: tuple[str, ...] = ("node_load1", "node_load5", "node_load15", "node_hwmon_temp_celsius")
_VIRTUAL_FS = {"tmpfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs", "ramfs", "nsfs", "autofs"}
_CHECK_STATUS = {1.0: "pass", 0.0: "fail", -1.0: "unknown"}

Samples = dict[str, list[tuple[dict[str, str], float]]]


class MalformedExposition(ValueError):
    """The text is not valid Prometheus exposition format."""


class TooManySamples(Exception):
    """An exposition with more samples than the caller allows (``parse_samples(max_samples=…)``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} samples")
        self.limit = limit


def parse_samples(text: str, max_samples: int | None = None) -> Samples:
    """Sample name → [(labels, value)]; raises MalformedExposition, or TooManySamples past ``max_samples``.

    Parsing stops at the first sample over the limit, so a huge batch is not held as samples.
    """
    out: Samples = defaultdict(list)
    count = 0
    try:
        for fam in text_string_to_metric_families(text):
            for s in fam.samples:
                count += 1
                if max_samples is not None and count > max_samples:
                    raise TooManySamples(max_samples)
                out[s.name].append((s.labels, float(s.value)))
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise MalformedExposition(str(exc)[:200] or type(exc).__name__) from None
    return out


@dataclass
class CpuState:
    """Previous (total, idle) CPU seconds per device, for exporters that give counters."""

    last: dict[str, tuple[float, float]] = field(default_factory=dict)

    def percent(self, device: str, total: float, idle: float) -> float | None:
        prev = self.last.get(device)
        self.last[device] = (total, idle)
        if prev is None or total <= prev[0] or idle < prev[1]:
            return None  # first scrape, or counters reset (reboot)
        return max(0.0, min(100.0, 100.0 * (1 - (idle - prev[1]) / (total - prev[0]))))


def _one(samples: Samples, name: str, **match: str) -> float | None:
    for labels, value in samples.get(name, ()):
        if all(labels.get(k) == v for k, v in match.items()):
            return value
    return None


def _sum(samples: Samples, name: str, skip_label: str = "", skip: Iterable[str] = ()) -> float | None:
    rows = [v for lab, v in samples.get(name, ()) if lab.get(skip_label) not in set(skip)]
    return sum(rows) if rows else None


def _pct_used(free: float | None, total: float | None) -> float | None:
    return 100.0 * (1 - free / total) if free is not None and total else None


def _host_pdcs(s: Samples) -> dict[str, FieldValue | None]:
    disks = [v for _, v in s.get("pdcs_host_disk_used_percent", ())]
    kiosk = s.get("pdcs_kiosk_app_up")
    rx, tx = _one(s, "pdcs_host_network_receive_bytes_total"), _one(s, "pdcs_host_network_transmit_bytes_total")
    sessions = _one(s, "pdcs_host_sessions")
    return {
        "cpu_pct": _one(s, "pdcs_host_cpu_percent"),
        "mem_used_pct": _one(s, "pdcs_host_memory_used_percent"),
        "disk_used_pct": max(disks) if disks else None,
        "uptime_s": _one(s, "pdcs_host_uptime_seconds"),
        "sessions": int(sessions) if sessions is not None else None,
        "net_rx_bytes": int(rx) if rx is not None else None,
        "net_tx_bytes": int(tx) if tx is not None else None,
        "kiosk_app_up": int(kiosk[0][1]) if kiosk else None,
    }


def _host_node(s: Samples, device: str, cpu: CpuState) -> dict[str, FieldValue | None]:
    boot, now = _one(s, "node_boot_time_seconds"), _one(s, "node_time_seconds")
    cpu_rows = s.get("node_cpu_seconds_total", ())
    cpu_pct = None
    if cpu_rows:
        total = sum(v for _, v in cpu_rows)
        idle = sum(v for lab, v in cpu_rows if lab.get("mode") in ("idle", "iowait"))
        cpu_pct = cpu.percent(device, total, idle)
    root_free = _one(s, "node_filesystem_avail_bytes", mountpoint="/")
    root_size = _one(s, "node_filesystem_size_bytes", mountpoint="/")
    if root_size is None:  # no "/" reported: the fullest real filesystem
        sizes = {
            lab.get("mountpoint"): v
            for lab, v in s.get("node_filesystem_size_bytes", ())
            if lab.get("fstype") not in _VIRTUAL_FS
        }
        frees = {lab.get("mountpoint"): v for lab, v in s.get("node_filesystem_avail_bytes", ())}
        pcts = [_pct_used(frees.get(m), t) for m, t in sizes.items()]
        disk = max((p for p in pcts if p is not None), default=None)
    else:
        disk = _pct_used(root_free, root_size)
    rx = _sum(s, "node_network_receive_bytes_total", "device", ("lo",))
    tx = _sum(s, "node_network_transmit_bytes_total", "device", ("lo",))
    return {
        "cpu_pct": cpu_pct,
        "mem_used_pct": _pct_used(_one(s, "node_memory_MemAvailable_bytes"), _one(s, "node_memory_MemTotal_bytes")),
        "disk_used_pct": disk,
        "uptime_s": now - boot if boot is not None and now is not None else None,
        "net_rx_bytes": int(rx) if rx is not None else None,
        "net_tx_bytes": int(tx) if tx is not None else None,
    }


def _host_windows(s: Samples, device: str, cpu: CpuState, now_s: float) -> dict[str, FieldValue | None]:
    boot = _one(s, "windows_system_boot_time_timestamp_seconds") or _one(s, "windows_system_system_up_time")
    cpu_rows = s.get("windows_cpu_time_total", ())
    cpu_pct = None
    if cpu_rows:
        total = sum(v for _, v in cpu_rows)
        idle = sum(v for lab, v in cpu_rows if lab.get("mode") == "idle")
        cpu_pct = cpu.percent(device, total, idle)
    free = _one(s, "windows_memory_physical_free_bytes") or _one(s, "windows_os_physical_memory_free_bytes")
    total_mem = _one(s, "windows_memory_physical_total_bytes") or _one(s, "windows_cs_physical_memory_bytes")
    disk = _pct_used(
        _one(s, "windows_logical_disk_free_bytes", volume="C:"), _one(s, "windows_logical_disk_size_bytes", volume="C:")
    )
    rx = _sum(s, "windows_net_bytes_received_total", "nic", ("isatap", "Loopback"))
    tx = _sum(s, "windows_net_bytes_sent_total", "nic", ("isatap", "Loopback"))
    sessions = [v for lab, v in s.get("windows_terminal_services_session_info", ()) if lab.get("state") == "active"]
    return {
        "cpu_pct": cpu_pct,
        "mem_used_pct": _pct_used(free, total_mem),
        "disk_used_pct": disk,
        "uptime_s": now_s - boot if boot else None,
        "sessions": int(sum(sessions)) if "windows_terminal_services_session_info" in s else None,
        "net_rx_bytes": int(rx) if rx is not None else None,
        "net_tx_bytes": int(tx) if tx is not None else None,
    }


def _checks(s: Samples, tags: Mapping[str, str], time_ns: int) -> list[Point]:
    details = {lab.get("check", ""): lab for lab, _ in s.get("pdcs_security_check_detail_info", ())}
    out = []
    for lab, value in s.get("pdcs_security_check_status", ()):
        check = lab.get("check", "")
        status = _CHECK_STATUS.get(value, "unknown")
        fields: dict[str, FieldValue] = {"status": status, "detail": details.get(check, {}).get("detail", "")[:480]}
        if status != "unknown":
            fields["passed"] = 1 if status == "pass" else 0
        ptags = {
            **tags,
            "check": check,
            "mlps_item": lab.get("mlps_item", ""),
            "mlps_level": lab.get("mlps_level", ""),
            "severity": lab.get("severity", ""),
            "source": "agent",
        }
        out.append(Point(SECURITY_CHECK, ptags, fields, time_ns))
    return out


def _probes(s: Samples, tags: Mapping[str, str], time_ns: int) -> list[Point]:
    latency = {(lab.get("service"), lab.get("url")): v for lab, v in s.get("pdcs_service_latency_seconds", ())}
    out = []
    for lab, up in s.get("pdcs_service_up", ()):
        key = (lab.get("service"), lab.get("url"))
        fields: dict[str, FieldValue] = {"up": int(up)}
        if key in latency and up:
            fields["latency_ms"] = latency[key] * 1000.0
        # masked again here: an older agent (or another exporter) may publish the URL with its secrets
        url = mask_url(key[1]) if key[1] else ""
        out.append(Point(SERVICE_PROBE, {**tags, "service": key[0] or "", "url": url}, fields, time_ns))
    return out


def _sessions(s: Samples, tags: Mapping[str, str]) -> list[Point]:
    """pdcs-agent terminal sessions → one ``terminal_session`` point per session at its log-on time.

    Every scrape rewrites the same point (same series, same time) until the
    session closes; the point carries no user, only seat, duration and state.
    """
    idle = {(lab.get("seat"), lab.get("start")): v for lab, v in s.get("pdcs_terminal_session_idle_seconds", ())}
    out = []
    for lab, value in s.get("pdcs_terminal_session_seconds", ()):
        try:
            start_ns = round(float(lab.get("start", "")) * 1000) * 1_000_000
        except ValueError:
            continue
        fields: dict[str, FieldValue] = {"duration_s": float(value), "open": int(lab.get("state") == "open")}
        if lab.get("cont") == "1":
            fields["continued"] = 1  # a later day's piece of a period begun before that day
        key = (lab.get("seat"), lab.get("start"))
        if key in idle:
            fields["idle_s"] = idle[key]
        out.append(Point(TERMINAL_SESSION, {**tags, "seat": lab.get("seat", "")}, fields, start_ns))
    return out


def _allowed(s: Samples, tags: Mapping[str, str], time_ns: int, allow: Sequence[str]) -> list[Point]:
    out = []
    for name, rows in s.items():
        if not any(fnmatch.fnmatchcase(name, pat) for pat in allow):
            continue
        for lab, value in rows:
            extra = {(f"label_{k}" if k in DEVICE_TAGS else k): v for k, v in lab.items()}
            out.append(Point(EXPORTER_METRIC, {**tags, **extra, "metric": name}, {"value": value}, time_ns))
    return out


def map_samples(
    s: Samples,
    tags: Mapping[str, str],
    time_ns: int,
    *,
    source: str,
    cpu: CpuState,
    allow: Sequence[str] = DEFAULT_ALLOW,
    rtt_ms: float | None = None,
) -> list[Point]:
    """Points for one successful scrape (or one pushed batch) of one device."""
    device = tags.get("device", "")
    host: dict[str, FieldValue | None] = {}
    if "pdcs_agent_info" in s or "pdcs_host_uptime_seconds" in s:
        host = _host_pdcs(s)
    elif "node_boot_time_seconds" in s or "node_cpu_seconds_total" in s:
        host = _host_node(s, device, cpu)
    elif any(k.startswith("windows_") for k in s):
        host = _host_windows(s, device, cpu, time_ns / 1e9)
    host_fields = {k: v for k, v in host.items() if v is not None}
    up_fields: dict[str, FieldValue] = {"up": 1}
    if isinstance(host_fields.get("uptime_s"), float):
        up_fields["uptime_s"] = host_fields["uptime_s"]
    if rtt_ms is not None:
        up_fields["rtt_ms"] = rtt_ms
    points = [Point(DEVICE_UP, {**tags, "source": source}, up_fields, time_ns)]
    if host_fields:
        points.append(Point(HOST, dict(tags), host_fields, time_ns))
    points += _checks(s, tags, time_ns)
    points += _probes(s, tags, time_ns)
    points += _sessions(s, tags)
    points += _allowed(s, tags, time_ns, allow)
    return points


def down_point(tags: Mapping[str, str], time_ns: int, source: str, error: str) -> Point:
    return Point(DEVICE_UP, {**tags, "source": source}, {"up": 0, "error": error[:500]}, time_ns)
