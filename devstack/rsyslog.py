"""Debian's rsyslogd as the syslog receiver, on free loopback ports, writing the pdcs store.

``start_rsyslog(base)`` writes the configuration pdcs generates
(collectors/syslog/rsyslog.py) with UDP and TCP inputs on free ports of
127.0.0.1, runs ``rsyslogd -n`` (foreground, its own pid file and work
directory, no system inputs) and waits until a probe message sent over UDP
lands in the store.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from pathlib import Path

from collectors.syslog.rsyslog import rsyslog_conf
from devstack.procs import Managed, free_port, free_udp_port, require


@dataclass
class RsyslogServer:
    host: str
    udp_port: int
    tcp_port: int
    store: Path
    process: Managed

    def stop(self) -> None:
        self.process.stop()


def start_rsyslog(base: Path, host: str = "127.0.0.1", timeout_s: float = 15.0) -> RsyslogServer:
    base.mkdir(parents=True, exist_ok=True)
    store, work = base / "store", base / "work"
    store.mkdir(exist_ok=True)
    work.mkdir(exist_ok=True)
    udp_port, tcp_port = free_udp_port(), free_port()
    conf = base / "rsyslog.conf"
    conf.write_text(
        rsyslog_conf(store, udp_port=udp_port, tcp_port=tcp_port, address=host, work_dir=work), encoding="utf-8"
    )
    proc = Managed(
        "rsyslogd",
        [require("rsyslogd"), "-n", "-f", str(conf), "-i", str(base / "rsyslogd.pid")],
        base / "rsyslogd.out",
    ).start()
    server = RsyslogServer(host, udp_port, tcp_port, store, proc)
    marker = f"pdcs-devstack-ready-{time.time_ns()}"

    def ready() -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(f"<14>{marker}".encode(), (host, udp_port))
        time.sleep(0.05)
        return any(marker in p.read_text(errors="replace") for p in store.rglob("*.jsonl"))

    proc.wait_ready(ready, timeout_s)
    return server
