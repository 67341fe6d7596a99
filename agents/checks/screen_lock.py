"""Screen lock or session timeout.

Linux: ``TMOUT`` in ``/etc/profile``, ``/etc/profile.d/*.sh`` or
``/etc/bash.bashrc``, or a system dconf ``idle-delay`` with ``lock-enabled``
(``/etc/dconf/db/*.d/*``).  Windows: the machine inactivity limit
(``InactivityTimeoutSecs``) or the screen-saver policy (timeout and password),
read with ``reg query``.
"""

from __future__ import annotations

import re

from agents.checks.base import Check, Context, Outcome, failed, passed

_TMOUT = re.compile(r"^\s*(?:readonly\s+|export\s+|declare\s+-\w+\s+)*TMOUT=(\d+)", re.M)
_IDLE = re.compile(r"^\s*idle-delay\s*=\s*(?:uint32\s+)?(\d+)", re.M)
_LOCK = re.compile(r"^\s*lock-enabled\s*=\s*true", re.M)


def linux(ctx: Context) -> Outcome:
    limit = int(ctx.param("session_timeout_max_s", 900))
    files = [ctx.path("/etc/profile"), ctx.path("/etc/bash.bashrc")]
    pd = ctx.path("/etc/profile.d")
    files += sorted(pd.glob("*.sh")) if pd.is_dir() else []
    for f in files:
        try:
            m = _TMOUT.search(f.read_text(errors="replace"))
        except OSError:
            continue
        if m and 0 < int(m.group(1)) <= limit:
            return passed(f"TMOUT={m.group(1)} in {f.relative_to(ctx.root)}")
    dconf = ctx.path("/etc/dconf/db")
    idle: int | None = None
    lock = False
    for f in sorted(dconf.glob("*.d/*")) if dconf.is_dir() else []:
        if f.is_file():
            text = f.read_text(errors="replace")
            m = _IDLE.search(text)
            idle = int(m.group(1)) if m else idle
            lock = lock or bool(_LOCK.search(text))
    if idle and idle <= limit and lock:
        return passed(f"dconf idle-delay={idle}s with lock-enabled=true")
    return failed(
        f"no session timeout: no TMOUT≤{limit} in /etc/profile*, dconf idle-delay={idle or 'unset'} lock={lock}"
    )


def reg_values(text: str) -> dict[str, str]:
    """Name → value from ``reg query`` output (REG_SZ and REG_DWORD as decimal)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = re.match(r"^\s+(\S+)\s+(REG_\w+)\s*(.*)$", line)
        if m:
            name, kind, value = m.groups()
            out[name] = str(int(value, 16)) if kind == "REG_DWORD" else value.strip()
    return out


def windows(ctx: Context) -> Outcome:
    limit = int(ctx.param("session_timeout_max_s", 900))
    machine = reg_values(
        ctx.cmd("reg", "query", r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System").stdout
    )
    secs = int(machine.get("InactivityTimeoutSecs", "0") or 0)
    if 0 < secs <= limit:
        return passed(f"machine inactivity limit InactivityTimeoutSecs={secs}")
    facts = [f"InactivityTimeoutSecs={secs or 'unset'}"]
    for key in (
        r"HKCU\Software\Policies\Microsoft\Windows\Control Panel\Desktop",
        r"HKCU\Control Panel\Desktop",
    ):
        v = reg_values(ctx.cmd("reg", "query", key).stdout)
        if "ScreenSaveTimeOut" not in v and "ScreenSaveActive" not in v:
            continue
        timeout = int(v.get("ScreenSaveTimeOut", "0") or 0)
        active = v.get("ScreenSaveActive") == "1"
        secure = v.get("ScreenSaverIsSecure") == "1"
        desc = f"{key}: ScreenSaveActive={int(active)} ScreenSaverIsSecure={int(secure)} ScreenSaveTimeOut={timeout}"
        if active and secure and 0 < timeout <= limit:
            return passed(desc)
        facts.append(desc)
    return failed(f"no screen lock within {limit}s: " + "; ".join(facts))


CHECK = Check(
    id="screen_lock",
    title="Screen lock or session timeout",
    title_zh="登录连接超时自动退出或锁屏",
    mlps={"2": "7.1.4.1", "3": "8.1.4.1"},
    severity="medium",
    linux=linux,
    windows=windows,
)
