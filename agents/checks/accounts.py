"""Default and guest accounts disabled.

Linux: accounts in ``/etc/shadow`` whose names look like guest/demo/test
accounts must have no usable password (``!``/``*`` prefix); no account may have
an empty password; only ``root`` may have UID 0.  Windows: ``net user Guest``
and ``net user Administrator`` must show the account inactive (the "Account
active"/"帐户启用" line ends in Yes/No in every locale).
"""

from __future__ import annotations

import re

from agents.checks.base import Check, Context, Outcome, failed, passed, unknown

GUEST_LIKE = ("guest", "test", "demo", "temp", "user", "public", "kiosk_guest", "visitor")


def linux(ctx: Context) -> Outcome:
    shadow = ctx.read("/etc/shadow")
    passwd = ctx.read("/etc/passwd") or ""
    if shadow is None:
        return unknown("/etc/shadow cannot be read (the agent needs root to run this check)")
    names = set(ctx.param("guest_accounts", GUEST_LIKE))
    problems: list[str] = []
    for line in shadow.splitlines():
        fields = line.split(":")
        if len(fields) < 2:
            continue
        name, pw = fields[0], fields[1]
        if pw == "":
            problems.append(f"{name} has an empty password")
        elif name in names and not pw.startswith(("!", "*")):
            problems.append(f"guest-like account {name} can log in with a password")
    for line in passwd.splitlines():
        f = line.split(":")
        if len(f) > 3 and f[2] == "0" and f[0] != "root":
            problems.append(f"{f[0]} has UID 0")
    if problems:
        return failed("; ".join(problems))
    return passed(f"no empty passwords, guest-like accounts ({', '.join(sorted(names))}) locked or absent")


_ACTIVE = re.compile(r"^(Account active|帐户启用|账户启用|帳戶使用中)\s+(\S+)", re.M)


def account_active(net_user_output: str) -> bool | None:
    """Whether ``net user NAME`` shows the account active; None when the line is missing."""
    m = _ACTIVE.search(net_user_output)
    if m:
        return m.group(2).lower() in ("yes", "是")
    return None


def windows(ctx: Context) -> Outcome:
    facts: list[str] = []
    problems: list[str] = []
    for user in ctx.param("windows_default_accounts", ("Guest", "Administrator")):
        res = ctx.cmd("net", "user", user)
        active = account_active(res.stdout)
        if active is None:
            # rc 2 with "The user name could not be found" / "找不到用户名": renamed or removed.
            facts.append(f"{user}: absent or renamed (rc={res.rc})")
        elif active:
            problems.append(f"{user} is enabled")
        else:
            facts.append(f"{user}: disabled")
    text = "; ".join(problems + facts)
    return failed(text) if problems else passed(text)


CHECK = Check(
    id="default_accounts",
    title="Default and guest accounts disabled",
    title_zh="默认账户和来宾账户已禁用",
    mlps={"2": "7.1.4.2", "3": "8.1.4.2"},
    severity="high",
    linux=linux,
    windows=windows,
)
