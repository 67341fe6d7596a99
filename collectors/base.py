"""The one small protocol every collector module implements.

A collector takes a :class:`Target` (one device, with the tags its points
carry and a way to resolve its secrets) and returns points.  It never raises
for a device-side problem: an unreachable or misbehaving device is reported
in the points it returns (``device_up.up = 0`` with an ``error`` field), so
one bad device cannot stop a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from inventory.models import Device, Inventory
from pdcs.points import Point


@dataclass(frozen=True)
class Target:
    device: Device
    tags: dict[str, str]  # Inventory.device_tags(device)
    secrets_dir: Path | None = None  # base for relative secrets-file references
    timezone: str = "Asia/Shanghai"  # the facility's: where its day begins (daily Wi-Fi client counts)

    @classmethod
    def of(cls, inventory: Inventory, device: Device) -> Target:
        tz = inventory.facilities[device.facility].timezone
        return cls(device, inventory.device_tags(device), inventory.base_dir, tz)


class Collector(Protocol):
    """Everything the scheduler and the service read of a collector (and nothing by ``getattr``)."""

    name: str  # the ``source`` of its down points, and the job key's suffix

    @property
    def malformed(self) -> int:
        """Malformed answers since start (the ``collector`` self-metrics point)."""
        ...

    async def collect(self, target: Target) -> list[Point]: ...

    async def aclose(self) -> None:
        """Close what it holds open (HTTP clients); called once when the service stops."""
        ...
