"""Turn raw records into pydantic models, each problem placed at its field's line.

Besides what the models check themselves, this step catches secrets written
inline (``community: public``) — reported without ever repeating the value —
and accepts the Chinese names of facility and device kinds.
"""

from __future__ import annotations

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
from inventory.texts import Invalid, choices_zh

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
_KIND_NAMES = {"facilities": ", ".join(FACILITY_KIND_ZH.values()), "devices": ", ".join(DEVICE_KIND_ZH.values())}


def _problem(record: Record, err: Any, model: type[BaseModel]) -> Problem:
    """One pydantic error as a problem keyed by its type (ours: the ``Invalid`` a validator raised)."""
    loc: Path_ = tuple(err["loc"])
    kind, ctx = err["type"], dict(err.get("ctx") or {})
    section = record.section
    error = ctx.get("error")
    if kind == "value_error" and isinstance(error, Invalid):
        at = error.params.get("at")
        # A model-level check names the field it blames ("address", a weekday): point at it.
        if isinstance(at, str) and ((not loc and at in model.model_fields) or loc == ("opening_hours",)):
            return record.problem((*loc, at), error.code, **error.params)
        return record.problem_from(loc, error)
    if kind == "extra_forbidden":
        owner: type[BaseModel] = SecretRef if len(loc) == 2 and loc[0] in SECRET_FIELDS.get(section, ()) else model
        if len(loc) == 1 or owner is SecretRef:
            return record.problem(loc, "inventory.unknown_field_allowed", allowed=", ".join(owner.model_fields))
        return record.problem(loc, "inventory.unknown_field")
    message = str(err["msg"]).removeprefix("Value error, ")
    params: dict[str, object] = {k: v for k, v in ctx.items() if isinstance(v, str | int | float)}
    code = f"pydantic.{kind}"
    if kind in ("enum", "literal_error") and isinstance(ctx.get("expected"), str):
        params["choices"] = choices_zh(ctx["expected"])
        if kind == "enum" and loc == ("kind",) and section in _KIND_NAMES:
            code, params["names"] = "pydantic.enum.kind", _KIND_NAMES[section]
            message += f" (or the Chinese names: {_KIND_NAMES[section]})"
    problem = record.problem(loc, code, **params)
    return problem._replace(message=message)  # pydantic's own English, as it wrote it


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
            problems.append(record.problem((name,), "inventory.inline_secret"))
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
                    raise Invalid("inventory.weekday_twice")
                seen.add(key)
                parse_day_spans(spans)
            except Invalid as exc:
                problems.append(record.problem_from(path, exc))
                bad = True
        if bad:
            data = {**data, "opening_hours": {}}

    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False, include_input=False, include_context=True):
            problems.append(_problem(record, err, model))
        return None, problems
    return (None if problems else obj), problems
