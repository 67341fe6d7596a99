"""``SshAuditCollector``: the :class:`collectors.base.Collector` for SSH audits.

netmiko is blocking, so each audit runs in a worker thread; a semaphore caps
how many SSH sessions are open at once (``Settings.audit_concurrency``).  A
device that cannot be reached, refuses the credentials or whose credential
reference cannot be resolved yields ``unknown`` results with the reason —
the collector never raises for a device-side problem.  The scheduler runs it
every ``interval_s`` (``Settings.audit_interval_s``, daily by default: a
configuration changes rarely and an audit opens a privileged session).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from collectors.base import Target
from collectors.ssh_audit.audit import DeviceAudit, audit_device, unknown_results
from collectors.ssh_audit.dialects import DRIVERS, resolve_dialect
from collectors.ssh_audit.points import points_of
from collectors.ssh_audit.record import AuditStore
from collectors.ssh_audit.rules import Rule, load_rules
from collectors.ssh_audit.session import Credentials, Endpoint
from inventory.models import Device, Inventory
from pdcs.points import Point
from pdcs.settings import Settings

if TYPE_CHECKING:  # config_history imports ssh_audit's masking; imported where used, not at load
    from collectors.config_history.repo import ConfigRepo

log = logging.getLogger(__name__)


class SshAuditCollector:
    name = "ssh_audit"

    def __init__(
        self,
        inventory: Inventory,
        *,
        rules: list[Rule] | None = None,
        store: AuditStore | None = None,
        concurrency: int = 20,
        interval_s: float = 86400.0,
        history: ConfigRepo | None = None,
    ) -> None:
        self.inventory = inventory
        self.history = history
        self.rules = rules if rules is not None else load_rules()
        self.store = store
        self.interval_s = interval_s
        self._concurrency = max(1, concurrency)
        self._sem: asyncio.Semaphore | None = None
        self._sem_loop: asyncio.AbstractEventLoop | None = None

    malformed = 0  # a configuration is text: nothing is malformed (the Collector protocol asks)

    async def aclose(self) -> None:
        """Nothing to close: each audit opens and closes its own SSH session."""

    def applies_to(self, device: Device) -> bool:
        """Devices with an SSH profile and a management address are audited."""
        return bool(device.ssh_profile and device.address)

    def dialect_of(self, device: Device) -> str | None:
        profile = self.inventory.ssh_profiles.get(device.ssh_profile or "")
        return resolve_dialect(profile.device_type if profile else None, device.vendor, device.kind.value)

    async def collect(self, target: Target) -> list[Point]:
        result = await self.audit(target)
        return points_of(result, target.tags) + await self.keep_config(result, target.tags)

    async def keep_config(self, result: DeviceAudit, tags: dict[str, str], source: str = "ssh_audit") -> list[Point]:
        """Store the fetched running configuration as a version; a change gives a ``config_change`` point."""
        if self.history is None or not result.config:
            return []
        from collectors.config_history.points import change_point
        from collectors.config_history.repo import HistoryError

        when = datetime.fromtimestamp(result.time_ns / 1e9, UTC)
        try:
            saved = await asyncio.to_thread(self.history.save, result.device, result.config, source=source, when=when)
        except (HistoryError, OSError) as exc:  # the audit stands; the history is best effort, said loudly
            log.warning("configuration of %s not kept in the history: %s", result.device, exc)
            return []
        point = change_point(saved, tags) if saved else None
        return [point] if point else []

    async def audit(self, target: Target) -> DeviceAudit:
        loop = asyncio.get_running_loop()
        if self._sem is None or self._sem_loop is not loop:  # a semaphore belongs to one event loop
            self._sem, self._sem_loop = asyncio.Semaphore(self._concurrency), loop
        async with self._sem:
            result = await asyncio.to_thread(self.audit_blocking, target)
        if self.store is not None:
            try:
                await asyncio.to_thread(self.store.save, result, target.tags)
            except OSError as exc:  # the points still carry the verdicts; the record is best effort
                log.warning("audit record of %s not written: %s", target.device.id, exc)
        return result

    def audit_blocking(self, target: Target) -> DeviceAudit:
        device = target.device
        dialect = self.dialect_of(device)
        if dialect is None:
            return self._unknown(
                device, None, f"no audit dialect for vendor {device.vendor!r} (kind {device.kind.value})"
            )
        profile = self.inventory.ssh_profiles.get(device.ssh_profile or "")
        if profile is None or not device.address:
            return self._unknown(device, dialect, "no SSH profile or management address in the inventory")
        try:
            creds = Credentials(
                username=profile.username,
                password=profile.password.resolve(target.secrets_dir) if profile.password else None,
                key_file=profile.key_file,
                secret=profile.secret.resolve(target.secrets_dir) if profile.secret else None,
            )
        except LookupError as exc:  # names the reference, never a value
            return self._unknown(device, dialect, f"credential not available: {exc}")
        host, port = device.host_port(profile.port)
        driver = DRIVERS[dialect]
        endpoint = Endpoint(host, port, profile.device_type or driver.netmiko_type, profile.timeout_s)
        return audit_device(
            device.id, driver, endpoint, creds, self.rules, {"uplink_interface": device.uplink_interface}
        )

    def _unknown(self, device: Device, dialect: str | None, reason: str) -> DeviceAudit:
        return DeviceAudit(
            device.id, dialect, time.time_ns(), 0.0, tuple(unknown_results(self.rules, dialect, reason)), error=reason
        )


def collector_for(inventory: Inventory, settings: Settings) -> SshAuditCollector:
    """The audit collector configured from ``settings`` (what the collector service runs).

    Its jobs come every ``collector.interval_s`` (``PDCS_AUDIT_INTERVAL_S``) for the
    devices where ``collector.applies_to(device)``.
    """
    from collectors.config_history.repo import ConfigRepo

    return SshAuditCollector(
        inventory,
        store=AuditStore(settings.audit_dir),
        concurrency=settings.audit_concurrency,
        interval_s=settings.audit_interval_s,
        history=ConfigRepo(settings.config_history_dir),
    )
