"""The SNMP collector: one device poll → ``device_up``, ``interface`` (and vendor) points.

Implements the :class:`collectors.base.Collector` protocol.  It keeps, per
device, the previous counter samples (for rates) and whether the agent
refused GETBULK, so those survive from one poll to the next.  A device-side
failure never raises: it becomes ``device_up`` ``up=0`` with an ``error`` and
is counted in :attr:`SnmpCollector.failures` by kind (timeout, auth,
malformed, ...), which the service reports as self-metrics.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from collectors.base import Target
from collectors.snmp import oids
from collectors.snmp.client import CredentialCache, PollError, SnmpClient, classify, open_session, text
from collectors.snmp.ifmib import InterfaceSample, read_interfaces
from collectors.snmp.rates import CounterSample, rate_bps, utilisation_pct
from collectors.snmp.stations import StationCounter, with_distinct
from collectors.snmp.vendors import hostres, profile_for
from inventory.models import DeviceKind, SnmpProfile
from pdcs.points import DEVICE_UP, INTERFACE, FieldValue, Point

log = logging.getLogger(__name__)


@dataclass
class DeviceState:
    """What one device's previous poll left behind."""

    counters: dict[tuple[str, str], CounterSample] = field(default_factory=dict)  # (ifindex, in|out)
    bulk: bool = True
    sys_object_id: str = ""
    ifnames: dict[str, str] = field(default_factory=dict)  # ifindex -> name, for trap details
    uplink_ifindex: str | None = None
    # HOST-RESOURCES-MIB on a device no vendor profile matches: None until tried,
    # False once it answered none of it (not asked again until the collector restarts).
    hostres: bool | None = None


class SnmpCollector:
    name = "snmp"

    def __init__(
        self,
        profiles: Mapping[str, SnmpProfile],
        *,
        vendors: bool = True,
        clock: Callable[[], float] = time.time,
        stations: StationCounter | None = None,
    ) -> None:
        self.profiles = profiles
        self.vendors = vendors
        self.stations = stations if stations is not None else StationCounter()
        self.clock = clock
        self.state: dict[str, DeviceState] = {}
        self.failures: Counter[str] = Counter()  # kind -> count, since start
        self.credentials = CredentialCache()
        self.polls = 0
        self.requests = 0
        self.unprofiled: set[tuple[str, str]] = set()  # (device, sysObjectID) already logged

    @property
    def malformed(self) -> int:
        """Undecodable replies since start, the vendor tables' included."""
        return self.failures.get("malformed", 0) + self.failures.get("vendor_malformed", 0)

    async def aclose(self) -> None:
        """Nothing to close: a gufo-snmp session lives for one poll."""

    def interface_view(self, device_id: str) -> tuple[str | None, dict[str, str]]:
        """(uplink ifindex, {ifindex: name}) from the last poll of a device (for the trap receiver)."""
        st = self.state.get(device_id)
        return (st.uplink_ifindex, st.ifnames) if st else (None, {})

    def poll_budget_s(self, profile: SnmpProfile) -> float:
        """Upper bound of one device poll: a dead device costs one request's retries; a slow
        one (or a controller with thousands of APs) is cut off after ten times that."""
        return profile.timeout_s * (profile.retries + 1) * 10

    async def collect(self, target: Target) -> list[Point]:
        dev = target.device
        ts = time.time_ns()
        self.polls += 1
        profile = self.profiles.get(dev.snmp_profile or "")
        if profile is None:
            return [self._down(target, ts, PollError("config", f"unknown SNMP profile {dev.snmp_profile!r}"))]
        try:
            return await asyncio.wait_for(self._poll(target, profile, ts), self.poll_budget_s(profile))
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # device-side: reported, never raised (gufo panics are BaseException)
            err = classify(exc)
            if err.kind == "snmp":
                log.debug("poll of %s failed", dev.id, exc_info=True)
            return [self._down(target, ts, err)]

    def _down(self, target: Target, ts: int, err: PollError) -> Point:
        self.failures[err.kind] += 1
        return Point(DEVICE_UP, {**target.tags, "source": "snmp"}, {"up": 0, "error": f"{err.kind}: {err}"}, ts)

    async def _poll(self, target: Target, profile: SnmpProfile, ts: int) -> list[Point]:
        dev = target.device
        host, port = dev.host_port(profile.port)
        state = self.state.setdefault(dev.id, DeviceState())
        session = open_session(host, port, profile, self.credentials.get(profile, target.secrets_dir))
        client = SnmpClient(session, retries=profile.retries, bulk=state.bulk and profile.version != "1")
        try:
            await client.start()
            t0 = time.perf_counter()
            system = await client.get([oids.SYS_UPTIME, oids.SYS_NAME, oids.SYS_OBJECT_ID])
            rtt_ms = (time.perf_counter() - t0) * 1000
            if not system:
                raise PollError("malformed", "the agent answered without sysUpTime, sysName or sysObjectID")
            uptime = system.get(oids.SYS_UPTIME)
            # Some agents (and recordings) lack sysUpTime: still up, just no uptime and no reboot check.
            uptime_s = uptime / 100.0 if isinstance(uptime, int) else None
            state.sys_object_id = text(system.get(oids.SYS_OBJECT_ID))
            now = self.clock()
            interfaces = await read_interfaces(client, need_descr=bool(dev.uplink_interface))
            up_fields: dict[str, FieldValue] = {"up": 1, "rtt_ms": round(rtt_ms, 3)}
            if uptime_s is not None:
                up_fields["uptime_s"] = uptime_s
            points = [Point(DEVICE_UP, {**target.tags, "source": "snmp"}, up_fields, ts)]
            points += self._interface_points(target, state, interfaces, now, uptime_s, ts)
            if self.vendors and state.sys_object_id:
                points += await self._vendor_points(client, target, state, ts)
            return points
        finally:
            state.bulk = client.bulk
            self.requests += client.requests

    async def _vendor_points(self, client: SnmpClient, target: Target, state: DeviceState, ts: int) -> list[Point]:
        vendor = profile_for(state.sys_object_id)
        if vendor is None:
            self._note_unprofiled(target, state.sys_object_id)
            return await self._hostres_points(client, target, state, ts)
        try:
            points = await vendor.collect(client, target, ts)
        except PollError:
            raise
        except Exception as exc:
            # A vendor table that fails does not hide the device's IF-MIB figures.
            err = classify(exc)
            self.failures[f"vendor_{err.kind}"] += 1
            log.info("vendor profile %s on %s: %s", vendor.name, target.device.id, err)
            return []
        if vendor.stations is None:
            return points
        try:
            table = await vendor.stations(client)
        except PollError:
            raise
        except Exception as exc:  # no distinct counts this poll; the other figures stay
            err = classify(exc)
            self.failures[f"vendor_{err.kind}"] += 1
            log.info("station table of %s on %s: %s", vendor.name, target.device.id, err)
            return points
        if not table:
            return points
        total, per_ssid = self.stations.observe(target.device.id, target.timezone, table)
        return with_distinct(points, total, per_ssid)

    def _note_unprofiled(self, target: Target, sys_object_id: str) -> None:
        """A wireless controller no profile reads has no AP or client figures: say so, once."""
        dev = target.device
        if dev.kind != DeviceKind.WIRELESS_CONTROLLER or (dev.id, sys_object_id) in self.unprofiled:
            return
        self.unprofiled.add((dev.id, sys_object_id))
        self.failures["vendor_unsupported"] += 1
        log.warning(
            "wireless controller %s (sysObjectID %s) matches no vendor profile: no AP or client figures; "
            "only interfaces and HOST-RESOURCES-MIB are read",
            dev.id,
            sys_object_id,
        )

    async def _hostres_points(self, client: SnmpClient, target: Target, state: DeviceState, ts: int) -> list[Point]:
        if state.hostres is False:
            return []
        try:
            points = await hostres.collect(client, target, ts)
        except PollError:
            raise
        except Exception as exc:
            err = classify(exc)
            self.failures[f"vendor_{err.kind}"] += 1
            log.info("HOST-RESOURCES-MIB on %s: %s", target.device.id, err)
            return []
        state.hostres = bool(points)
        return points

    def _interface_points(
        self,
        target: Target,
        state: DeviceState,
        interfaces: list[InterfaceSample],
        now: float,
        uptime_s: float | None,
        ts: int,
    ) -> list[Point]:
        uplink = target.device.uplink_interface
        state.ifnames = {itf.ifindex: itf.name for itf in interfaces}
        points = []
        for itf in interfaces:
            fields: dict[str, FieldValue] = {}
            if itf.oper_up is not None:
                fields["oper_up"] = itf.oper_up
            if itf.speed_bps:
                fields["speed_bps"] = itf.speed_bps
            for direction, octets in (("in", itf.in_octets), ("out", itf.out_octets)):
                if octets is None:
                    continue
                fields[f"{direction}_octets"] = octets
                cur = CounterSample(now, uptime_s, octets, itf.counter_bits)
                key = (itf.ifindex, direction)
                bps = rate_bps(state.counters.get(key), cur, itf.speed_bps)
                state.counters[key] = cur
                if bps is not None:
                    fields[f"{direction}_bps"] = round(bps, 3)
                    util = utilisation_pct(bps, itf.speed_bps)
                    if util is not None:
                        fields[f"{direction}_util_pct"] = round(util, 4)
            if not fields:
                continue
            is_uplink = bool(uplink) and uplink in (itf.name, itf.descr)
            if is_uplink:
                state.uplink_ifindex = itf.ifindex
            tags = {**target.tags, "ifname": itf.name, "ifindex": itf.ifindex, "uplink": "1" if is_uplink else "0"}
            points.append(Point(INTERFACE, tags, fields, ts))
        return points
