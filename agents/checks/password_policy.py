"""Password policy: length, complexity, maximum age and lockout after failed logons.

Linux: ``/etc/login.defs`` (PASS_MAX_DAYS), ``/etc/security/pwquality.conf`` or
pam_pwquality/pam_cracklib options (minlen, minclass or credits), and
pam_faillock / pam_tally2 ``deny=`` (or ``/etc/security/faillock.conf``).
Windows: ``net accounts`` (English or Chinese), read by line order because the
labels are localised.
"""

from __future__ import annotations

import re

from agents.checks.base import Check, Context, Outcome, failed, parse_kv, passed, unknown


def _pam_lines(ctx: Context) -> list[str]:
    lines: list[str] = []
    for name in ("common-password", "common-auth", "system-auth", "password-auth", "login"):
        text = ctx.read(f"/etc/pam.d/{name}")
        if text:
            lines += [ln.split("#", 1)[0] for ln in text.splitlines()]
    return lines


def _opts(line: str) -> dict[str, str]:
    return dict(tok.split("=", 1) for tok in line.split() if "=" in tok)


def linux(ctx: Context) -> Outcome:
    min_len = int(ctx.param("password_min_length", 8))
    max_age = int(ctx.param("password_max_days", 90))
    max_deny = int(ctx.param("lockout_max_attempts", 5))
    problems: list[str] = []
    facts: list[str] = []

    defs = parse_kv(ctx.read("/etc/login.defs") or "")
    age = int(defs.get("PASS_MAX_DAYS", "99999") or 99999)
    facts.append(f"PASS_MAX_DAYS={age}")
    if age > max_age:
        problems.append(f"password never expires within {max_age} days")

    pam = _pam_lines(ctx)
    quality = dict(parse_kv(ctx.read("/etc/security/pwquality.conf") or "", "="))
    qline = next((ln for ln in pam if "pam_pwquality" in ln or "pam_cracklib" in ln), None)
    if qline:
        quality.update(_opts(qline))
    length = int(quality.get("minlen", "0") or 0)
    classes = int(quality.get("minclass", "0") or 0)
    credits = sum(1 for k in ("dcredit", "ucredit", "lcredit", "ocredit") if quality.get(k, "0").startswith("-"))
    if qline is None:
        problems.append("no pam_pwquality/pam_cracklib: length and complexity not enforced")
    else:
        facts.append(f"minlen={length} minclass={classes} required-classes={credits}")
        if length < min_len:
            problems.append(f"minimum length {length} < {min_len}")
        if max(classes, credits) < 3:
            problems.append("fewer than 3 character classes required")

    faillock = parse_kv(ctx.read("/etc/security/faillock.conf") or "", "=")
    lock = next((ln for ln in pam if "pam_faillock" in ln or "pam_tally2" in ln or "pam_tally" in ln), None)
    # pam_faillock's own default is deny=3 when neither the PAM line nor faillock.conf sets it.
    deny = 0
    if lock:
        default = "3" if "pam_faillock" in lock else "0"
        deny = int(_opts(lock).get("deny") or faillock.get("deny") or default)
    if not lock:
        problems.append("no pam_faillock/pam_tally2: no lockout after failed logons")
    else:
        facts.append(f"deny={deny}")
        if deny == 0 or deny > max_deny:
            problems.append(f"lockout after {deny or 'unlimited'} failures (limit {max_deny})")
    text = "; ".join(problems) + (" | " if problems else "") + ", ".join(facts)
    return failed(text) if problems else passed(text)


def parse_net_accounts(text: str) -> dict[str, int | None]:
    """Values of ``net accounts`` by position (the labels are localised; the order is fixed).

    Lines: force logoff, min age, max age, min length, history, lockout threshold,
    lockout duration, observation window, role.  "Never"/"从不"/"None" → None.
    """
    keys = ("force_logoff", "min_age", "max_age", "min_length", "history", "lockout_threshold", "lockout_duration")
    values: list[int | None] = []
    for line in text.splitlines():
        parts = re.split(r"[:：]", line)
        if len(parts) < 2:
            continue
        value = parts[-1].strip()  # values never hold a colon; labels may ("?:")
        values.append(int(value) if value.isdigit() else None)
        if len(values) == len(keys):
            break
    if len(values) < len(keys):
        raise ValueError(f"net accounts: expected {len(keys)} values, found {len(values)}")
    return dict(zip(keys, values, strict=True))


def windows(ctx: Context) -> Outcome:
    min_len = int(ctx.param("password_min_length", 8))
    max_age = int(ctx.param("password_max_days", 90))
    max_deny = int(ctx.param("lockout_max_attempts", 5))
    res = ctx.cmd("net", "accounts")
    try:
        acc = parse_net_accounts(res.stdout)
    except ValueError as exc:
        return unknown(f"{exc} (rc={res.rc})")
    problems = []
    if (acc["min_length"] or 0) < min_len:
        problems.append(f"minimum length {acc['min_length'] or 0} < {min_len}")
    if acc["max_age"] is None or acc["max_age"] > max_age:
        problems.append(f"maximum age {acc['max_age'] or 'unlimited'} > {max_age} days")
    if not acc["lockout_threshold"] or acc["lockout_threshold"] > max_deny:
        problems.append(f"lockout threshold {acc['lockout_threshold'] or 'never'} (limit {max_deny})")
    facts = ", ".join(f"{k}={'never' if v is None else v}" for k, v in acc.items())
    facts += "; complexity is a security-policy setting (secpol) not shown by net accounts"
    return failed("; ".join(problems) + " | " + facts) if problems else passed(facts)


CHECK = Check(
    id="password_policy",
    title="Password length, complexity, age and lockout",
    title_zh="口令复杂度、定期更换与登录失败处理",
    mlps={"2": "7.1.4.1", "3": "8.1.4.1"},
    severity="high",
    linux=linux,
    windows=windows,
)
