"""The one value object every collector produces and the writer consumes.

A point is a measurement, a set of tags (strings), a set of fields and a
timestamp in nanoseconds.  It is a frozen NamedTuple: cheap to build on the
hot path and safe to share between tasks.  ``to_line`` renders InfluxDB line
protocol with the escaping rules of the v1 ``/write`` endpoint.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from typing import NamedTuple

FieldValue = float | int | bool | str

# Measurements of the schema (docs/architecture.md).  Collectors use these
# names rather than string literals so that a typo is a NameError.
DEVICE_UP = "device_up"
INTERFACE = "interface"
WIRELESS = "wireless"
HOST = "host"
SECURITY_CHECK = "security_check"
COLLECTOR = "collector"
SNMP_TRAP = "snmp_trap"
SERVICE_PROBE = "service_probe"
TERMINAL_SESSION = "terminal_session"
CONFIG_CHANGE = "config_change"
SYSLOG = "syslog"
INVENTORY_DEVICE = "inventory_device"  # collectors/inventory_state.py

_MEAS_ESC = str.maketrans({",": r"\,", " ": r"\ ", "\n": r"\n"})
_KEY_ESC = str.maketrans({",": r"\,", "=": r"\=", " ": r"\ ", "\n": r"\n"})


def now_ns() -> int:
    return time.time_ns()


def _field(value: FieldValue) -> str:
    # bool before int: bool is a subclass of int.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}i"
    if isinstance(value, float):
        return repr(value)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


class Point(NamedTuple):
    measurement: str
    tags: Mapping[str, str]
    fields: Mapping[str, FieldValue]
    time_ns: int

    def to_line(self) -> str:
        """Line protocol for this point; tags sorted (InfluxDB's preferred order).

        Empty tag values are dropped (InfluxDB rejects them) and non-finite
        floats are dropped (line protocol cannot carry NaN or Inf).  A point
        left with no field is invalid; callers check ``is_writable`` first.
        """
        key = self.measurement.translate(_MEAS_ESC)
        for k in sorted(self.tags):
            v = self.tags[k]
            if v:
                key += f",{k.translate(_KEY_ESC)}={v.translate(_KEY_ESC)}"
        fields = ",".join(
            f"{k.translate(_KEY_ESC)}={_field(v)}"
            for k, v in self.fields.items()
            if not (isinstance(v, float) and not math.isfinite(v))
        )
        return f"{key} {fields} {self.time_ns}"

    def is_writable(self) -> bool:
        return any(not (isinstance(v, float) and not math.isfinite(v)) for v in self.fields.values())


def to_lines(points: Iterable[Point]) -> list[str]:
    return [p.to_line() for p in points if p.is_writable()]
