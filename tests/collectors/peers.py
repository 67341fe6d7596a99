"""Misbehaving SNMP peers for tests: a garbage responder and a proxy that refuses GETBULK.

Both are tiny UDP servers in a thread.  The proxy forwards every request to a
real agent (snmpd) except GETBULK PDUs, which it drops, like agents that do
not implement bulk.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

GETBULK_TAG = 0xA5


def _ber_len(data: bytes, pos: int) -> tuple[int, int]:
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    n = first & 0x7F
    return int.from_bytes(data[pos + 1 : pos + 1 + n], "big"), pos + 1 + n


def pdu_tag(msg: bytes) -> int | None:
    """The PDU type byte of a v1/v2c message (SEQUENCE { version, community, PDU })."""
    try:
        _, pos = _ber_len(msg, 1)  # outer SEQUENCE
        for _ in range(2):  # version INTEGER, community OCTET STRING
            length, body = _ber_len(msg, pos + 1)
            pos = body + length
        return msg[pos]
    except IndexError:
        return None


class UdpPeer:
    def __init__(self, handle: Callable[[socket.socket, bytes, tuple[str, int]], None]) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.handle = handle
        self.requests = 0
        self.bulk_dropped = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self.requests += 1
            self.handle(self.sock, data, addr)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def garbage_responder() -> UdpPeer:
    """Answers every request with bytes that are not SNMP."""

    def handle(sock: socket.socket, data: bytes, addr: tuple[str, int]) -> None:
        sock.sendto(b"\x30\x05\x02\x01\x01\xff\xff", addr)

    return UdpPeer(handle)


def bulk_refusing_proxy(agent_port: int) -> UdpPeer:
    """Forwards GET/GETNEXT to the agent at ``agent_port`` and drops GETBULK."""
    upstream = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    upstream.settimeout(2.0)
    peer: UdpPeer

    def handle(sock: socket.socket, data: bytes, addr: tuple[str, int]) -> None:
        if pdu_tag(data) == GETBULK_TAG:
            peer.bulk_dropped += 1
            return
        upstream.sendto(data, ("127.0.0.1", agent_port))
        try:
            reply, _ = upstream.recvfrom(65535)
        except TimeoutError:
            return
        sock.sendto(reply, addr)

    peer = UdpPeer(handle)
    return peer
