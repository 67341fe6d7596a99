"""SNMP notification receiver (pysnmp): linkDown/linkUp/coldStart/warmStart → points at once.

pysnmp is the tool here (gufo-snmp is a client only).  The receiver accepts
v1/v2c traps for every community of the inventory's v1/v2c profiles, and v3
traps for every v3 profile's user; a v3 *trap* is authenticated with the
sender's engine ID, so those are configured with ``engine_ids`` (v3 *informs*
use the receiver's own engine ID and need none).

A notification is matched to a device by its source address and the profile
its community or user belongs to; one from an unknown sender is counted and
logged, never written under a guessed device.

Written at once (the sink commits them to the spool and wakes the writer):

* ``snmp_trap`` — tags ``trap`` and ``ifindex``; fields ``value=1`` and
  ``detail`` (the interface's name and the trap's status varbinds);
* ``device_up`` with ``source=trap`` ``up=0`` when a linkDown names the
  device's uplink interface (known from the last poll): the facility is cut off
  from the network, and that is seen before the next poll.  A linkUp writes
  only the ``snmp_trap`` point; the next poll confirms the recovery.
"""

from __future__ import annotations

import logging
import socket
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any

from collectors.base import Target
from collectors.snmp import oids
from inventory.models import Inventory, SnmpProfile
from pdcs.points import DEVICE_UP, SNMP_TRAP, Point

log = logging.getLogger(__name__)

TRAP_NAMES = {
    oids.COLD_START: "coldStart",
    oids.WARM_START: "warmStart",
    oids.LINK_DOWN: "linkDown",
    oids.LINK_UP: "linkUp",
}
IF_ADMIN_STATUS = "1.3.6.1.2.1.2.2.1.7"
IF_OPER_STATUS = "1.3.6.1.2.1.2.2.1.8"

Sink = Callable[[list[Point]], Coroutine[Any, Any, None]]
# (device id) -> (uplink ifindex or None, {ifindex: name}) from the poller's last view of the device.
InterfaceView = Callable[[str], tuple[str | None, dict[str, str]]]


def _no_view(device_id: str) -> tuple[str | None, dict[str, str]]:
    return None, {}


class TrapReceiver:
    def __init__(
        self,
        inventory: Inventory,
        sink: Sink,
        *,
        host: str = "0.0.0.0",
        port: int = 162,
        engine_ids: Sequence[str] = (),
        interfaces: InterfaceView = _no_view,
        regions: Iterable[str] = (),
    ) -> None:
        self.inventory = inventory
        self.sink = sink
        self.host, self.port = host, port
        self.engine_ids = list(engine_ids)
        self.interfaces = interfaces
        self.regions = list(regions)
        self.counts: Counter[str] = Counter()  # received, written, unknown_source, ignored
        self._engine: Any = None
        self._pending: set[Any] = set()
        # (source host, security name) -> targets
        self._routes: dict[tuple[str, str], list[Target]] = {}

    # -- set-up -------------------------------------------------------------------
    def _security_name(self, profile: SnmpProfile) -> str:
        return profile.user or "" if profile.version == "3" else f"p-{profile.name}"

    def start(self) -> None:
        from pysnmp.carrier.asyncio.dgram import udp, udp6
        from pysnmp.entity import config, engine
        from pysnmp.entity.rfc3413 import ntfrcv
        from pysnmp.proto.rfc1902 import OctetString

        eng = engine.SnmpEngine()
        # Bind here, synchronously: pysnmp would bind later in a task, so a trap sent right after
        # start() could be lost, and a port in use would only show up in the event loop's log.
        v6 = ":" in self.host
        sock = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.setblocking(False)
        transport = (udp6.Udp6Transport() if v6 else udp.UdpTransport()).open_server_mode(sock=sock)
        config.add_transport(eng, udp6.DOMAIN_NAME if v6 else udp.DOMAIN_NAME, transport)
        base = self.inventory.base_dir
        for profile in self.inventory.snmp_profiles.values():
            try:
                if profile.version in ("1", "2c"):
                    assert profile.community is not None
                    community = profile.community.resolve(base).get_secret_value()
                    config.add_v1_system(eng, self._security_name(profile), community)
                    continue
                auth = _AUTH[profile.auth_protocol or ""]
                priv = _PRIV[profile.priv_protocol or ""]
                akey = profile.auth_key.resolve(base).get_secret_value() if profile.auth_key else None
                pkey = profile.priv_key.resolve(base).get_secret_value() if profile.priv_key else None
                for eid in [None, *self.engine_ids]:
                    config.add_v3_user(
                        eng, profile.user, getattr(config, auth), akey, getattr(config, priv), pkey,
                        securityEngineId=OctetString(hexValue=eid.removeprefix("0x")) if eid else None,
                    )  # fmt: skip
            except LookupError as exc:
                log.warning("trap receiver: profile %s skipped: %s", profile.name, exc)
        for dev in self.inventory.devices_in(self.regions or None):
            dev_profile = self.inventory.snmp_profiles.get(dev.snmp_profile or "")
            if dev_profile is None or not dev.address:
                continue
            host, _ = dev.host_port(dev_profile.port)
            key = (host, self._security_name(dev_profile))
            self._routes.setdefault(key, []).append(Target.of(self.inventory, dev))
        ntfrcv.NotificationReceiver(eng, self._on_notification)
        self._engine = eng
        log.info("trap receiver listening on udp %s:%d", self.host, self.port)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close_dispatcher()
            self._engine = None

    # -- receiving ----------------------------------------------------------------
    def _on_notification(self, eng: Any, state: Any, ctx_engine: Any, ctx_name: Any, varbinds: Any, cb: Any) -> None:
        import asyncio

        self.counts["received"] += 1
        exec_ctx = eng.observer.get_execution_context("rfc3412.receiveMessage:request")
        source = str(exec_ctx["transportAddress"][0])
        security = str(exec_ctx["securityName"])
        binds = [(str(o), v) for o, v in varbinds]
        points = self.points_for(source, security, binds, time.time_ns())
        if points:
            task = asyncio.ensure_future(self.sink(points))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    def points_for(self, source: str, security: str, binds: list[tuple[str, Any]], ts: int) -> list[Point]:
        """The points one notification yields (pure: used by the receiver and by tests)."""
        values = dict(binds)
        trap = TRAP_NAMES.get(str(values.get(oids.SNMP_TRAP_OID, "")))
        if trap is None:
            self.counts["ignored"] += 1
            return []
        targets = self._routes.get((source, security), [])
        if len(targets) != 1:
            self.counts["unknown_source"] += 1
            log.warning("%s from %s (%s): %s", trap, source, security, "no such device" if not targets else "ambiguous")
            return []
        target = targets[0]
        ifindex = ""
        status: list[str] = []
        for oid, value in binds:
            col, _, idx = oid.rpartition(".")
            if col == oids.IF_INDEX:
                ifindex = str(value)
            elif col == IF_ADMIN_STATUS:
                status.append(f"ifAdminStatus={value}")
            elif col == IF_OPER_STATUS:
                status.append(f"ifOperStatus={value}")
            if idx and not ifindex and col in (IF_ADMIN_STATUS, IF_OPER_STATUS):
                ifindex = idx
        uplink, names = self.interfaces(target.device.id)
        name = names.get(ifindex, "")
        detail = " ".join(filter(None, [name and f"ifName={name}", ifindex and f"ifIndex={ifindex}", *status]))
        tags = {**target.tags, "trap": trap}
        if ifindex:
            tags["ifindex"] = ifindex
        points = [Point(SNMP_TRAP, tags, {"value": 1, "detail": detail or trap}, ts)]
        if trap == "linkDown" and ifindex and ifindex == uplink:
            points.append(
                Point(
                    DEVICE_UP,
                    {**target.tags, "source": "trap"},
                    {"up": 0, "error": f"uplink {name} down (linkDown trap)"},
                    ts,
                )
            )
        self.counts["written"] += 1
        return points


_AUTH = {
    "": "USM_AUTH_NONE",
    "MD5": "USM_AUTH_HMAC96_MD5",
    "SHA": "USM_AUTH_HMAC96_SHA",
    "SHA224": "USM_AUTH_HMAC128_SHA224",
    "SHA256": "USM_AUTH_HMAC192_SHA256",
    "SHA384": "USM_AUTH_HMAC256_SHA384",
    "SHA512": "USM_AUTH_HMAC384_SHA512",
}
_PRIV = {
    "": "USM_PRIV_NONE",
    "DES": "USM_PRIV_CBC56_DES",
    "AES": "USM_PRIV_CFB128_AES",
    "AES128": "USM_PRIV_CFB128_AES",
    "AES192": "USM_PRIV_CFB192_AES_BLUMENTHAL",
    "AES256": "USM_PRIV_CFB256_AES_BLUMENTHAL",
}
