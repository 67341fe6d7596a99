"""Syslog messages per second: sent to Debian's rsyslogd, stored, and indexed by pdcs.

One TCP connection sends N RFC 3164 messages (a realistic mix: login
failures, link up/down, ordinary messages; one in ten GBK-encoded) from
127.0.0.1 to a devstack rsyslogd; the clock stops when rsyslog has written
all N lines to the store (``rsyslog_received_per_s``, the receiver alone) and
again when pdcs's indexer has read and counted them
(``syslog_messages_per_s``: received, stored and indexed, end to end; the
indexer alone is ``index_messages_per_s``).

Last output line: one JSON object.  ``--quick``: 50,000 messages.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from collectors.syslog.indexer import SyslogIndexer  # noqa: E402
from devstack.rsyslog import start_rsyslog  # noqa: E402
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory  # noqa: E402

MESSAGES = (
    "sshd[812]: Failed password for root from 10.0.0.5 port 50022 ssh2",
    "%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
    "%SYS-6-LOGGINGHOST_STARTSTOP: Logging to host 10.20.0.15 port 514 started",
    "CRON[2211]: (root) CMD (run-parts /etc/cron.hourly)",
)
GBK = "IFNET/4/IF_STATE: 接口 GigabitEthernet0/0/1 状态变为 DOWN".encode("gbk")


def lines_in(store: Path) -> int:
    return sum(f.read_bytes().count(b"\n") for f in store.rglob("*.jsonl"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="50,000 messages")
    ap.add_argument("--messages", type=int, default=500_000)
    args = ap.parse_args()
    n = 50_000 if args.quick else args.messages
    with tempfile.TemporaryDirectory() as tmp:
        rs = start_rsyslog(Path(tmp) / "rsyslog")
        try:
            base = lines_in(rs.store)
            payload = bytearray()
            for i in range(n):
                body = GBK if i % 10 == 9 else MESSAGES[i % len(MESSAGES)].encode()
                payload += b"<190>Dec  1 10:00:00 sw1 " + body + b"\n"
            t0 = time.monotonic()
            with socket.create_connection((rs.host, rs.tcp_port)) as s:
                s.sendall(payload)
            while lines_in(rs.store) < base + n:
                if time.monotonic() - t0 > 300:
                    raise SystemExit(f"rsyslog stored {lines_in(rs.store) - base} of {n} in 300 s")
                time.sleep(0.05)
            received_s = time.monotonic() - t0
            fac = Facility(id="f", name="馆", kind=FacilityKind.PUBLIC_LIBRARY, county="510121")
            inv = Inventory(
                facilities={"f": fac},
                devices={"sw1": Device(id="sw1", kind=DeviceKind.SWITCH, facility="f", address="127.0.0.1")},
            )
            t1 = time.monotonic()
            ix = SyslogIndexer(rs.store, inv, Path(tmp) / "state.json")
            points = ix.index()
            index_s = time.monotonic() - t1
            total_s = time.monotonic() - t0
        finally:
            rs.stop()
    counted = sum(int(p.fields["messages"]) for p in points)
    print(f"rsyslog stored {n} messages in {received_s:.2f} s; indexed in {index_s:.2f} s ({counted} counted)",
          file=sys.stderr)  # fmt: skip
    print(
        json.dumps(
            {
                "messages": n,
                "syslog_messages_per_s": round(n / total_s, 1),
                "rsyslog_received_per_s": round(n / received_s, 1),
                "index_messages_per_s": round(ix.state.messages / index_s, 1),
                "indexed": ix.state.messages,
                "counted": counted,
                "points": len(points),
            }
        )
    )


if __name__ == "__main__":
    main()
