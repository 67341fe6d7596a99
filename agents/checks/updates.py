"""Days since the last OS update and pending security updates.

Linux (Debian family): the last ``End-Date`` of an upgrade in
``/var/log/apt/history.log`` (or the last upgrade line of ``/var/log/dpkg.log``),
and ``apt list --upgradable`` entries from a ``-security`` suite (read from the
local package lists, no network).  Windows: the newest ``Get-HotFix``
``InstalledOn``, and the count of missing updates from the Windows Update agent
when it answers.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from agents.checks.antimalware import ps_datetime
from agents.checks.base import Check, CommandMissing, Context, Outcome, failed, passed, unknown

_END = re.compile(r"^End-Date: (\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2})", re.M)
_DPKG = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:upgrade|install) ", re.M)


def last_apt_update(history: str | None, dpkg_log: str | None) -> float | None:
    """Unix seconds (local time) of the newest package change in apt/dpkg logs."""
    stamps: list[datetime] = []
    for text, rx, fmt in ((history, _END, "%Y-%m-%d %H:%M:%S"), (dpkg_log, _DPKG, "%Y-%m-%d %H:%M:%S")):
        if text:
            stamps += [datetime.strptime(" ".join(m.split()), fmt) for m in rx.findall(text)]
    return max(stamps).timestamp() if stamps else None


def pending_security(apt_list: str) -> list[str]:
    """Packages of ``apt list --upgradable`` that come from a security suite."""
    return [ln.split("/", 1)[0] for ln in apt_list.splitlines() if "/" in ln and "-security" in ln.split(" ", 1)[0]]


def linux(ctx: Context) -> Outcome:
    max_days = float(ctx.param("update_max_days", 30))
    last = last_apt_update(ctx.read("/var/log/apt/history.log"), ctx.read("/var/log/dpkg.log"))
    try:
        res = ctx.cmd("apt", "list", "--upgradable")
        pending: list[str] | None = pending_security(res.stdout) if res.rc == 0 else None
    except CommandMissing:
        pending = None
    if last is None:
        return unknown("no package history in /var/log/apt/history.log or /var/log/dpkg.log")
    days = (ctx.now() - last) / 86400
    parts = [f"last package update {days:.0f} days ago (limit {max_days:g})"]
    parts.append(
        "pending security updates: unknown" if pending is None else f"pending security updates: {len(pending)}"
    )
    if pending:
        parts.append("(" + ", ".join(pending[:10]) + ("…" if len(pending) > 10 else "") + ")")
    text = "; ".join(parts)
    return failed(text) if days > max_days or pending else passed(text)


HOTFIX_PS = "Get-HotFix | Select-Object HotFixID,InstalledOn | ConvertTo-Json"
PENDING_PS = (
    "(New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher()"
    ".Search(\"IsInstalled=0 and IsHidden=0 and Type='Software'\").Updates.Count"
)
_QFE_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def newest_hotfix(ps_json: str) -> tuple[str, float] | None:
    """(KB id, unix seconds) of the newest hot fix in ``Get-HotFix | ConvertTo-Json``."""
    data = json.loads(ps_json)
    items = data if isinstance(data, list) else [data]
    best: tuple[str, float] | None = None
    for it in items:
        when = ps_datetime(it.get("InstalledOn"))
        if when is not None and (best is None or when > best[1]):
            best = (str(it.get("HotFixID")), when)
    return best


def newest_qfe(csv_text: str) -> tuple[str, float] | None:
    """Same from ``wmic qfe get HotFixID,InstalledOn /format:csv`` (InstalledOn is M/D/YYYY)."""
    best: tuple[str, float] | None = None
    for line in csv_text.splitlines():
        cols = [c.strip() for c in line.split(",")]
        if len(cols) < 3 or cols[1] == "HotFixID":
            continue
        m = _QFE_DATE.match(cols[2])
        if not m:
            continue
        when = datetime(int(m.group(3)), int(m.group(1)), int(m.group(2))).timestamp()
        if best is None or when > best[1]:
            best = (cols[1], when)
    return best


def windows(ctx: Context) -> Outcome:
    max_days = float(ctx.param("update_max_days", 30))
    res = ctx.cmd("powershell", "-NoProfile", "-NonInteractive", "-Command", HOTFIX_PS)
    try:
        newest = newest_hotfix(res.stdout)
    except ValueError:
        newest = newest_qfe(ctx.cmd("wmic", "qfe", "get", "HotFixID,InstalledOn", "/format:csv").stdout)
    if newest is None:
        return unknown(f"no hot fix with an install date (rc={res.rc})")
    days = (ctx.now() - newest[1]) / 86400
    parts = [f"newest hot fix {newest[0]} installed {days:.0f} days ago (limit {max_days:g})"]
    pending: int | None = None
    if ctx.param("windows_update_search", True):
        out = ctx.cmd("powershell", "-NoProfile", "-NonInteractive", "-Command", PENDING_PS, timeout_s=600)
        pending = int(out.stdout.strip()) if out.rc == 0 and out.stdout.strip().isdigit() else None
    parts.append("missing updates: unknown" if pending is None else f"missing updates: {pending}")
    text = "; ".join(parts)
    return failed(text) if days > max_days or pending else passed(text)


CHECK = Check(
    id="os_updates",
    title="OS updated recently, no pending security updates",
    title_zh="操作系统补丁及时更新",
    mlps={"2": "7.1.4.4", "3": "8.1.4.4"},
    severity="high",
    linux=linux,
    windows=windows,
)
