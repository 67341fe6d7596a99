"""Turn raw records into pydantic models, each problem placed at its field's line.

Besides what the models check themselves, this step catches secrets written
inline (``community: public``) — reported without ever repeating the value —
and accepts the Chinese names of facility and device kinds.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from inventory.loaders.records import Path_, Record
from inventory.models import (
    DEVICE_KIND_ZH,
    FACILITY_KIND_ZH,
    Device,
    DeviceKind,
    Facility,
    FacilityKind,
    Region,
    SecretRef,
    SnmpProfile,
    SshProfile,
    parse_day_spans,
    weekday_key,
)
from inventory.problems import Problem

MODELS: dict[str, type[BaseModel]] = {
    "regions": Region,
    "facilities": Facility,
    "devices": Device,
    "snmp_profiles": SnmpProfile,
    "ssh_profiles": SshProfile,
}
SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "snmp_profiles": ("community", "auth_key", "priv_key"),
    "ssh_profiles": ("password", "secret"),
}
INLINE_SECRET = "secrets must not be written in the inventory: give {env: VARIABLE} or {file: secrets.yaml, key: NAME}"
_PLACEHOLDER = {"env": "PDCS_INLINE_SECRET_REMOVED"}

# Chinese names (and the common short forms staff write) -> kind values.
FACILITY_KIND_ALIASES: dict[str, str] = {
    **{zh: k.value for k, zh in FACILITY_KIND_ZH.items()},
    "图书馆": FacilityKind.PUBLIC_LIBRARY.value,
    "综合文化服务中心": FacilityKind.TOWNSHIP_CENTRE.value,
    "乡镇（街道）综合文化服务中心": FacilityKind.TOWNSHIP_CENTRE.value,
    "乡镇(街道)综合文化服务中心": FacilityKind.TOWNSHIP_CENTRE.value,
    "电子阅览室": FacilityKind.E_READING_ROOM.value,
    "数字文化驿站": FacilityKind.BORDER_STATION.value,
    "国家中心": FacilityKind.NATIONAL_CENTRE.value,
    "省级中心": FacilityKind.NATIONAL_CENTRE.value,
}
DEVICE_KIND_ALIASES: dict[str, str] = {
    **{zh: k.value for k, zh in DEVICE_KIND_ZH.items()},
    "电子阅览室终端": DeviceKind.E_READING_TERMINAL.value,
    "自助一体机": DeviceKind.KIOSK.value,
    "无线AP": DeviceKind.WIRELESS_AP.value,
    "AP": DeviceKind.WIRELESS_AP.value,
    "AC": DeviceKind.WIRELESS_CONTROLLER.value,
    "交换机": DeviceKind.SWITCH.value,
    "路由器": DeviceKind.SWITCH.value,
}
KIND_ALIASES = {"facilities": FACILITY_KIND_ALIASES, "devices": DEVICE_KIND_ALIASES}
_KIND_HINT = {
    "facilities": " (or the Chinese names: " + ", ".join(FACILITY_KIND_ZH.values()) + ")",
    "devices": " (or the Chinese names: " + ", ".join(DEVICE_KIND_ZH.values()) + ")",
}
_NAMED_FIELD = re.compile(r"^([A-Za-z_]\w*): (.+)$", re.S)


def _message(err: Any, model: type[BaseModel], section: str, loc: Path_) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        owner: type[BaseModel] = SecretRef if len(loc) == 2 and loc[0] in SECRET_FIELDS.get(section, ()) else model
        if len(loc) == 1 or owner is SecretRef:
            return f"unknown field; allowed: {', '.join(owner.model_fields)}"
        return "unknown field"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind == "enum" and loc == ("kind",):
        msg += _KIND_HINT.get(section, "")
    return msg


def validate(record: Record) -> tuple[BaseModel | None, list[Problem]]:
    """The model for ``record``, or None and the problems that stop it (every one of them)."""
    model = MODELS[record.section]
    data = record.data
    problems: list[Problem] = []

    aliases = KIND_ALIASES.get(record.section)
    kind = data.get("kind")
    if aliases and isinstance(kind, str) and kind.strip() in aliases:
        data = {**data, "kind": aliases[kind.strip()]}

    for name in SECRET_FIELDS.get(record.section, ()):
        value = data.get(name)
        if value is not None and not isinstance(value, dict):
            problems.append(record.problem((name,), INLINE_SECRET))
            data = {**data, name: _PLACEHOLDER}  # keep checking the other fields

    hours = data.get("opening_hours")
    if record.section == "facilities" and isinstance(hours, dict):
        # Checked day by day here so that every bad weekday is reported, not just the first.
        seen: set[str] = set()
        bad = False
        for day, spans in hours.items():
            path = ("opening_hours", str(day))
            try:
                key = weekday_key(day)
                if key in seen:
                    raise ValueError("weekday given twice")
                seen.add(key)
                parse_day_spans(spans)
            except ValueError as exc:
                problems.append(record.problem(path, str(exc)))
                bad = True
        if bad:
            data = {**data, "opening_hours": {}}

    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False, include_input=False, include_context=False):
            loc: Path_ = tuple(err["loc"])
            msg = _message(err, model, record.section, loc)
            # Validators name the field they blame first ("address: …", "mon: …"): point at it.
            m = _NAMED_FIELD.match(msg)
            if m and ((not loc and m[1] in model.model_fields) or loc == ("opening_hours",)):
                loc, msg = (*loc, m[1]), m[2]
            problems.append(record.problem(loc, msg))
        return None, problems
    return (None if problems else obj), problems
