"""Things for probes to find, run inside a test's network namespace (``python -m devstack.probe_targets``).

- ``slow-icmp DELAY_S``: answer ICMP echo requests after DELAY_S (the kernel's own replies
  switched off in that namespace), as a device on a congested 4G uplink would;
- ``http HOST PORT KEYWORD [--delay S] [--tls CERT KEY]``: an HTTP(S) server whose page holds
  KEYWORD, answering after S seconds;
- ``dns HOST PORT NAME ADDRESS``: a DNS server answering NAME A ADDRESS (and NXDOMAIN otherwise).
"""

from __future__ import annotations

import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def slow_icmp(delay_s: float) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)

    def reply(src: str, icmp: bytes) -> None:
        time.sleep(delay_s)
        body = b"\0\0\0\0" + icmp[4:]  # type 0 (echo reply), code 0, checksum later; same id/seq/payload
        body = body[:2] + struct.pack("!H", _checksum(body)) + body[4:]
        sock.sendto(body, (src, 0))

    while True:
        packet, (src, _) = sock.recvfrom(65535)
        ihl = (packet[0] & 0x0F) * 4
        icmp = packet[ihl:]
        if icmp and icmp[0] == 8:  # echo request
            threading.Thread(target=reply, args=(src, icmp), daemon=True).start()


def http(host: str, port: int, keyword: str, delay_s: float, tls: tuple[str, str] | None) -> None:
    page = f"<html><body><h1>{keyword}</h1></body></html>".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(delay_s)
            status = 200 if self.path in ("/", "/index.html") else 404
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*tls)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


def dns_server(host: str, port: int, name: str, address: str) -> None:
    import dns.message
    import dns.rcode
    import dns.rrset

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    while True:
        wire, peer = sock.recvfrom(4096)
        q = dns.message.from_wire(wire)
        r = dns.message.make_response(q)
        question = q.question[0]
        if question.name.to_text().rstrip(".") == name.rstrip(".") and question.rdtype == 1:
            r.answer.append(dns.rrset.from_text(question.name, 60, "IN", "A", address))
        else:
            r.set_rcode(dns.rcode.NXDOMAIN)
        sock.sendto(r.to_wire(), peer)


def main(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "slow-icmp":
        slow_icmp(float(argv[1]))
    elif kind == "http":
        delay = float(argv[argv.index("--delay") + 1]) if "--delay" in argv else 0.0
        tls = (argv[argv.index("--tls") + 1], argv[argv.index("--tls") + 2]) if "--tls" in argv else None
        http(argv[1], int(argv[2]), argv[3], delay, tls)
    elif kind == "dns":
        dns_server(argv[1], int(argv[2]), argv[3], argv[4])
    else:
        raise SystemExit(f"unknown target kind {kind!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
