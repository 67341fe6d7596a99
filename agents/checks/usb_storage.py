"""USB mass storage blocked.

Linux: ``install usb-storage /bin/true|/bin/false`` (or ``blacklist usb-storage``)
in ``/etc/modprobe.d``; fails when the module is loaded anyway.  Windows: the
USBSTOR driver's ``Start`` is 4 (disabled), read with ``reg query``.
"""

from __future__ import annotations

import re

from agents.checks.base import Check, Context, Outcome, failed, passed, unknown


def linux(ctx: Context) -> Outcome:
    rules: list[str] = []
    d = ctx.path("/etc/modprobe.d")
    for f in sorted(d.glob("*.conf")) if d.is_dir() else []:
        for line in f.read_text(errors="replace").splitlines():
            s = line.split("#", 1)[0].split()
            if len(s) >= 2 and s[1].replace("_", "-") == "usb-storage":
                if s[0] == "install" and len(s) > 2 and s[2] in ("/bin/true", "/bin/false", "/usr/bin/true"):
                    rules.append(f"{f.name}: install usb-storage {s[2]}")
                elif s[0] == "blacklist":
                    rules.append(f"{f.name}: blacklist usb-storage")
    loaded = ctx.path("/sys/module/usb_storage").exists()
    if loaded:
        return failed("usb_storage module is loaded" + (f" despite {'; '.join(rules)}" if rules else ""))
    if rules:
        return passed("; ".join(rules))
    return failed("usb-storage neither blacklisted nor disabled in /etc/modprobe.d")


_START = re.compile(r"^\s*Start\s+REG_DWORD\s+0x([0-9a-fA-F]+)", re.M)


def windows(ctx: Context) -> Outcome:
    res = ctx.cmd("reg", "query", r"HKLM\SYSTEM\CurrentControlSet\Services\USBSTOR", "/v", "Start")
    m = _START.search(res.stdout)
    if not m:
        return unknown(f"USBSTOR Start not found (rc={res.rc}): {(res.stderr or res.stdout).strip()[:200]}")
    start = int(m.group(1), 16)
    if start == 4:
        return passed("USBSTOR Start=4 (driver disabled)")
    return failed(f"USBSTOR Start={start} (4 disables USB mass storage)")


CHECK = Check(
    id="usb_storage",
    title="USB mass storage blocked",
    title_zh="禁用USB移动存储介质",
    mlps={"2": "7.1.4.5", "3": "8.1.4.5"},
    severity="medium",
    linux=linux,
    windows=windows,
)
