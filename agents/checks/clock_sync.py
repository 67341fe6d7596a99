"""Clock synchronised (audit records need a trustworthy time).

Linux: ``timedatectl show`` (NTPSynchronized), else the systemd-timesyncd flag
file, else ``chronyc tracking``, else ``ntpq -pn``.  Windows: ``w32tm /query
/status``, read by line position (labels are localised): leap indicator 3 or
stratum 0 or a local clock source is unsynchronised.
"""

from __future__ import annotations

import re

from agents.checks.base import Check, CommandMissing, Context, Outcome, failed, passed, unknown


def linux(ctx: Context) -> Outcome:
    tried: list[str] = []
    try:
        res = ctx.cmd("timedatectl", "show", "-p", "NTPSynchronized", "--value", timeout_s=10)
        value = res.stdout.strip()
        if res.rc == 0 and value in ("yes", "no"):
            return (
                passed("timedatectl: NTPSynchronized=yes")
                if value == "yes"
                else failed("timedatectl: NTPSynchronized=no")
            )
        tried.append(f"timedatectl rc={res.rc} {(res.stderr or res.stdout).strip()[:80]}")
    except CommandMissing:
        tried.append("timedatectl missing")
    if ctx.path("/run/systemd/timesync/synchronized").exists():
        return passed("systemd-timesyncd: /run/systemd/timesync/synchronized present")
    try:
        res = ctx.cmd("chronyc", "tracking", timeout_s=10)
        m = re.search(r"^Leap status\s*:\s*(.+)$", res.stdout, re.M)
        if m:
            status = m.group(1).strip()
            return passed(f"chrony: leap status {status}") if status == "Normal" else failed(f"chrony: {status}")
        tried.append(f"chronyc rc={res.rc}")
    except CommandMissing:
        tried.append("chronyc missing")
    try:
        res = ctx.cmd("ntpq", "-pn", timeout_s=10)
        peers = [ln for ln in res.stdout.splitlines() if ln.startswith("*")]
        if res.rc == 0:
            return passed(f"ntpd: system peer {peers[0].split()[0][1:]}") if peers else failed("ntpd: no system peer")
        tried.append(f"ntpq rc={res.rc}")
    except CommandMissing:
        tried.append("ntpq missing")
    return unknown("no time synchronisation service answered: " + "; ".join(tried))


_ERR = re.compile(r"0x[0-9A-Fa-f]{8}")


def parse_w32tm_status(text: str) -> tuple[int, int, str] | None:
    """(leap indicator, stratum, source) from ``w32tm /query /status`` in any locale."""
    lines = [ln for ln in text.splitlines() if re.search(r"[:：]", ln)]
    if len(lines) < 8:
        return None

    def val(ln: str) -> str:
        return re.split(r"[:：]", ln, maxsplit=1)[1].strip()

    leap = re.match(r"(\d+)", val(lines[0]))
    stratum = re.match(r"(\d+)", val(lines[1]))
    if not leap or not stratum:
        return None
    labels = {re.split(r"[:：]", ln, maxsplit=1)[0].strip(): ln for ln in lines}
    src_line = next((labels[k] for k in ("Source", "源", "來源") if k in labels), lines[7])
    source = val(src_line)
    return int(leap.group(1)), int(stratum.group(1)), source


def windows(ctx: Context) -> Outcome:
    res = ctx.cmd("w32tm", "/query", "/status")
    parsed = parse_w32tm_status(res.stdout)
    if parsed is None:
        code = _ERR.search(res.stdout + res.stderr)
        if code and code.group(0).lower() == "0x80070426":
            return failed("Windows Time service is not running (0x80070426)")
        return unknown(f"w32tm /query /status not understood (rc={res.rc}): {res.stdout.strip()[:200]}")
    leap, stratum, source = parsed
    text = f"leap indicator {leap}, stratum {stratum}, source {source}"
    if leap == 3 or stratum == 0 or "Local CMOS Clock" in source or "Free-running" in source:
        return failed(f"not synchronised: {text}")
    return passed(text)


CHECK = Check(
    id="clock_sync",
    title="Clock synchronised",
    title_zh="系统时钟同步",
    mlps={"2": "7.1.4.3", "3": "8.1.4.3"},
    severity="low",
    linux=linux,
    windows=windows,
)
