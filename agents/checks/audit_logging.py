"""Security audit logging on: auditd on Linux, the Windows audit policy.

Windows uses ``auditpol /get /category:* /r`` (CSV): subcategories are
identified by GUID, which is the same in every locale, and a setting is off
when it reads "No Auditing" / "无审核".
"""

from __future__ import annotations

import csv
import io
import re

from agents.checks.base import Check, CommandMissing, Context, Outcome, failed, passed, process_names, unknown


def linux(ctx: Context) -> Outcome:
    running = "auditd" in process_names(ctx)
    rules_dir = ctx.path("/etc/audit/rules.d")
    rules = sum(
        1
        for f in (rules_dir.glob("*.rules") if rules_dir.is_dir() else [])
        for ln in f.read_text(errors="replace").splitlines()
        if ln.strip().startswith("-w") or ln.strip().startswith("-a")
    )
    enabled = None
    try:
        res = ctx.cmd("auditctl", "-s", timeout_s=10)
        m = re.search(r"^enabled (\d)", res.stdout, re.M)
        enabled = int(m.group(1)) if m else None
    except CommandMissing:
        pass
    facts = f"auditd {'running' if running else 'not running'}; {rules} watch/syscall rules in /etc/audit/rules.d"
    if enabled is not None:
        facts += f"; auditctl enabled={enabled}"
    if running and enabled != 0:
        return passed(facts)
    return failed(facts)


# Subcategories MLPS evidence needs: logon events, account changes, audit-policy changes.
REQUIRED = {
    "{0CCE9215-69AE-11D9-BED3-505054503030}": "Logon",
    "{0CCE9235-69AE-11D9-BED3-505054503030}": "User Account Management",
    "{0CCE922F-69AE-11D9-BED3-505054503030}": "Audit Policy Change",
}
_OFF = {"No Auditing", "无审核", "不稽核"}


def parse_auditpol_csv(text: str) -> dict[str, str]:
    """Subcategory GUID → inclusion setting from ``auditpol /get /category:* /r``."""
    rows = csv.reader(io.StringIO(text.strip().lstrip("\ufeff")))
    out: dict[str, str] = {}
    for row in rows:
        if len(row) >= 5 and row[3].startswith("{"):
            out[row[3].upper()] = row[4].strip()
    return out


def windows(ctx: Context) -> Outcome:
    res = ctx.cmd("auditpol", "/get", "/category:*", "/r")
    settings = parse_auditpol_csv(res.stdout)
    if not settings:
        return unknown(f"auditpol gave no policy (rc={res.rc}; needs administrator): {res.stdout.strip()[:200]}")
    on = sum(1 for v in settings.values() if v not in _OFF)
    missing = [name for guid, name in REQUIRED.items() if settings.get(guid, "No Auditing") in _OFF]
    facts = f"{on} of {len(settings)} subcategories audited"
    if missing:
        return failed(f"not audited: {', '.join(missing)}; {facts}")
    return passed(f"{', '.join(REQUIRED.values())} audited; {facts}")


CHECK = Check(
    id="audit_logging",
    title="Security audit logging on",
    title_zh="启用安全审计功能",
    mlps={"2": "7.1.4.3", "3": "8.1.4.3"},
    severity="medium",
    linux=linux,
    windows=windows,
)
