"""Host firewall on: nftables / iptables / ufw on Linux; all three profiles on Windows."""

from __future__ import annotations

import re

from agents.checks.base import Check, CommandMissing, Context, Outcome, failed, parse_kv, passed, unknown


def _nft(ctx: Context) -> Outcome | None:
    try:
        res = ctx.cmd("nft", "list", "ruleset")
    except CommandMissing:
        return None
    if res.rc != 0:
        return None
    chains = re.findall(r"type filter hook input priority [^;]+; policy (\w+);", res.stdout)
    rules = [ln for ln in res.stdout.splitlines() if re.search(r"\b(accept|drop|reject)\b", ln) and "policy" not in ln]
    if "drop" in chains or (chains and rules):
        return passed(f"nftables: input chain policy {','.join(chains)}, {len(rules)} filtering rules")
    if chains:
        return failed(f"nftables: input chain policy {','.join(chains)} with no filtering rules")
    return None


def _iptables(ctx: Context) -> Outcome | None:
    try:
        res = ctx.cmd("iptables", "-S", "INPUT")
    except CommandMissing:
        return None
    if res.rc != 0:
        return None
    policy = re.search(r"^-P INPUT (\w+)", res.stdout, re.M)
    rules = [ln for ln in res.stdout.splitlines() if ln.startswith("-A ")]
    pol = policy.group(1) if policy else "?"
    if pol == "DROP" or rules:
        return passed(f"iptables: INPUT policy {pol}, {len(rules)} rules")
    return failed(f"iptables: INPUT policy {pol} with no rules")


def linux(ctx: Context) -> Outcome:
    ufw = ctx.read("/etc/ufw/ufw.conf")
    if ufw is not None and parse_kv(ufw, "=").get("ENABLED", "").lower() == "yes":
        return passed("ufw enabled (/etc/ufw/ufw.conf ENABLED=yes)")
    for probe in (_nft, _iptables):
        out = probe(ctx)
        if out is not None:
            return out
    seen = "ufw installed but disabled" if ufw is not None else "no ufw"
    return failed(f"no active host firewall: {seen}; no nftables input filter; no iptables INPUT rules")


# netsh prints one "<profile> Settings:" block per profile; the first line of each
# block is "State ON|OFF" (English) or "状态 启用|关闭" (Chinese).
_STATE = re.compile(r"^\s*(State|状态)\s+(\S+)", re.M)
_ON = {"ON", "启用", "開啟"}


def parse_netsh_allprofiles(text: str) -> list[tuple[str, bool]]:
    """(profile heading, enabled) for each profile in ``netsh advfirewall show allprofiles``."""
    out: list[tuple[str, bool]] = []
    heading = ""
    for line in text.splitlines():
        s = line.strip()
        if s.endswith(":") and ("Profile" in s or "配置文件" in s):
            heading = s.rstrip(":").replace(" Settings", "").replace(" 设置", "").strip()
            continue
        m = _STATE.match(line)
        if m and heading:
            out.append((heading, m.group(2).upper() in _ON))
            heading = ""
    return out


def windows(ctx: Context) -> Outcome:
    res = ctx.cmd("netsh", "advfirewall", "show", "allprofiles")
    profiles = parse_netsh_allprofiles(res.stdout)
    if not profiles:
        return unknown(f"netsh advfirewall gave no profile states (rc={res.rc}): {res.stdout.strip()[:200]}")
    off = [name for name, on in profiles if not on]
    listing = ", ".join(f"{n}={'on' if on else 'off'}" for n, on in profiles)
    return failed(f"firewall profiles off: {listing}") if off else passed(f"all firewall profiles on: {listing}")


CHECK = Check(
    id="host_firewall",
    title="Host firewall enabled",
    title_zh="主机防火墙已启用",
    mlps={"2": "7.1.4.4", "3": "8.1.4.4"},
    severity="high",
    linux=linux,
    windows=windows,
)
