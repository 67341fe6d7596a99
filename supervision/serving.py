"""Which devices must be up for a facility to serve: rules from ``data/serving.yaml``."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory
from pdcs import yaml_guard

SERVING_FILE = Path(__file__).parent / "data" / "serving.yaml"


class Requirement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kinds: tuple[DeviceKind, ...]
    min: int = Field(default=1, ge=0)
    ratio: float = Field(default=0.0, ge=0, le=1)

    def needed(self, present: int) -> int:
        return min(present, max(self.min, math.ceil(self.ratio * present - 1e-9)))


class TimelineRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    max_gap_polls: float = Field(default=3, gt=0)
    default_poll_interval_s: float = Field(default=60, gt=0)


class ServingRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    timeline: TimelineRules = TimelineRules()
    default: tuple[Requirement, ...]
    facility_kinds: dict[FacilityKind, tuple[Requirement, ...]] = Field(default_factory=dict)

    def requirements(self, kind: FacilityKind) -> tuple[Requirement, ...]:
        return self.facility_kinds.get(kind, self.default)

    def max_gap_ms(self, device: Device, inventory: Inventory) -> int:
        profile = inventory.snmp_profiles.get(device.snmp_profile or "")
        interval = profile.interval_s if profile else self.timeline.default_poll_interval_s
        return int(self.timeline.max_gap_polls * interval * 1000)


def load_rules(path: Path = SERVING_FILE) -> ServingRules:
    return ServingRules.model_validate(yaml_guard.safe_load(path.read_text(encoding="utf-8")))


@functools.cache
def default_rules() -> ServingRules:
    return load_rules()


@dataclass(frozen=True)
class AppliedRequirement:
    """A requirement as it applies to one facility: the devices it counts and how many must be up."""

    kinds: tuple[DeviceKind, ...]
    devices: tuple[str, ...]
    needed: int
    rule: Requirement | None = None

    def needed_of(self, present: int) -> int:
        """How many must be up when only ``present`` of the devices are supervised (installed, not retired)."""
        return self.rule.needed(present) if self.rule else min(present, self.needed)


@dataclass(frozen=True)
class FacilityPlan:
    facility: Facility
    requirements: tuple[AppliedRequirement, ...] = field(default_factory=tuple)

    @property
    def supervised(self) -> bool:
        return bool(self.requirements)

    @property
    def devices(self) -> tuple[str, ...]:
        return tuple(sorted({d for r in self.requirements for d in r.devices}))

    def describe(self) -> list[dict[str, object]]:
        return [
            {"kinds": [k.value for k in r.kinds], "devices": len(r.devices), "needed": r.needed}
            for r in self.requirements
        ]


def plan(facility: Facility, devices: list[Device], rules: ServingRules) -> FacilityPlan:
    applied = []
    for req in rules.requirements(facility.kind):
        ids = tuple(sorted(d.id for d in devices if d.enabled and d.kind in req.kinds))
        if ids:
            applied.append(AppliedRequirement(req.kinds, ids, req.needed(len(ids)), req))
    return FacilityPlan(facility, tuple(applied))
