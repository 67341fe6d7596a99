"""Risky listening services: telnet (23), SMB (139/445), RDP (3389), VNC (5900-5909).

Linux reads ``/proc/net/tcp`` and ``tcp6`` (state 0A = LISTEN); Windows parses
``netstat -ano`` (a TCP row whose foreign address is ``0.0.0.0:0``/``[::]:0`` is a
listener, whatever the locale prints as its state).  Listeners bound only to
loopback are not reachable from the network and are not counted.
"""

from __future__ import annotations

from agents.checks.base import Check, Context, Outcome, failed, passed, unknown

RISKY: dict[int, str] = {23: "telnet", 139: "NetBIOS/SMB", 445: "SMB", 3389: "RDP"}
RISKY.update({p: "VNC" for p in range(5900, 5910)})


def _risky_name(port: int, extra: dict[int, str]) -> str | None:
    return extra.get(port) or RISKY.get(port)


def proc_net_listeners(text: str, v6: bool) -> list[tuple[str, int]]:
    """(address, port) of LISTEN sockets in a /proc/net/tcp{,6} table."""
    out: list[tuple[str, int]] = []
    for line in text.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 4 or cols[3] != "0A":
            continue
        addr_hex, port_hex = cols[1].split(":")
        port = int(port_hex, 16)
        if v6:
            loopback = addr_hex == "00000000000000000000000001000000"
            anyaddr = set(addr_hex) == {"0"}
            addr = "::1" if loopback else ("::" if anyaddr else addr_hex)
        else:
            b = bytes.fromhex(addr_hex)[::-1]
            addr = ".".join(str(x) for x in b)
        out.append((addr, port))
    return out


def _is_loopback(addr: str) -> bool:
    return addr.startswith("127.") or addr in ("::1", "[::1]")


def _judge(listeners: list[tuple[str, int]], ctx: Context) -> Outcome:
    extra = {int(k): str(v) for k, v in dict(ctx.param("risky_ports", {})).items()}
    found = sorted(
        {f"{_risky_name(p, extra)} on {a}:{p}" for a, p in listeners if _risky_name(p, extra) and not _is_loopback(a)}
    )
    if found:
        return failed("risky services listening: " + "; ".join(found))
    return passed(f"{len(listeners)} listening TCP sockets, none of telnet/SMB/RDP/VNC reachable from the network")


def linux(ctx: Context) -> Outcome:
    listeners: list[tuple[str, int]] = []
    read_any = False
    for name, v6 in (("tcp", False), ("tcp6", True)):
        text = ctx.read(f"/proc/net/{name}")
        if text is not None:
            read_any = True
            listeners += proc_net_listeners(text, v6)
    if not read_any:
        return unknown("/proc/net/tcp cannot be read")
    return _judge(listeners, ctx)


def netstat_listeners(text: str) -> list[tuple[str, int]]:
    """(address, port) of TCP listeners in ``netstat -ano`` output (any locale)."""
    out: list[tuple[str, int]] = []
    for line in text.splitlines():
        cols = line.split()
        if len(cols) < 4 or cols[0] != "TCP" or cols[2] not in ("0.0.0.0:0", "[::]:0"):
            continue
        addr, _, port = cols[1].rpartition(":")
        if port.isdigit():
            out.append((addr.strip("[]") if addr.startswith("[") else addr, int(port)))
    return out


def windows(ctx: Context) -> Outcome:
    res = ctx.cmd("netstat", "-ano", "-p", "TCP")
    res6 = ctx.cmd("netstat", "-ano", "-p", "TCPv6")
    listeners = netstat_listeners(res.stdout) + netstat_listeners(res6.stdout)
    if res.rc != 0 and not listeners:
        return unknown(f"netstat failed (rc={res.rc}): {res.stderr.strip()[:200]}")
    return _judge(listeners, ctx)


CHECK = Check(
    id="risky_services",
    title="No telnet, SMB, RDP or VNC listening",
    title_zh="关闭高危端口和不必要的服务",
    mlps={"2": "7.1.4.4", "3": "8.1.4.4"},
    severity="high",
    linux=linux,
    windows=windows,
)
