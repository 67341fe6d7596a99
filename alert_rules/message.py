"""Turn an alert state into the body Alerta receives.

Alerta de-duplicates on (environment, resource, event, severity) and keeps the
same alert id across severity changes, so a refresh is the same body again and
a resolution is the same body with severity ``normal``.  Region names go into
``attributes`` (filterable: ``attributes.county=双流区``) and region codes into
``tags`` (``county=510116``), which Alerta blackouts can match.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from alert_rules.model import Rule
from alert_rules.state import AlertState
from inventory.models import DEVICE_KIND_ZH, DeviceKind, Inventory

REGION_TAGS = ("province", "city", "county", "facility", "device", "kind", "collector")


class _Lenient(string.Formatter):
    """Fill what is known; a missing or unformattable field prints as-is rather than failing the alert."""

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        if isinstance(key, str):
            return kwargs.get(key, "?")
        return "?"

    def format_field(self, value: Any, format_spec: str) -> Any:
        try:
            return super().format_field(value, format_spec)
        except (ValueError, TypeError):
            return str(value)


_FMT = _Lenient()


@dataclass(frozen=True)
class MessageContext:
    inventory: Inventory
    environment: str
    origin: str
    timeout_s: int
    language: str = "zh"


def names(inventory: Inventory, tags: dict[str, str]) -> dict[str, str]:
    """Display names of what the tags point at (Chinese names from the inventory)."""
    out: dict[str, str] = {}
    device = inventory.devices.get(tags.get("device", ""))
    fac = inventory.facilities.get(tags.get("facility", ""))
    out["device_name"] = (device.name or device.id) if device else tags.get("device", "")
    out["facility_name"] = fac.name if fac else tags.get("facility", "")
    for level in ("province", "city", "county"):
        code = tags.get(level)
        if code:
            out[f"{level}_name"] = inventory.region_name(code)
    kind = tags.get("kind", "")
    if kind in DeviceKind._value2member_map_:
        out["kind_name"] = DEVICE_KIND_ZH[DeviceKind(kind)]
    return out


def render(template: str, values: dict[str, Any]) -> str:
    return _FMT.format(template, **values)


def alert_body(rule: Rule, state: AlertState, ctx: MessageContext, *, resolved: bool = False) -> dict[str, Any]:
    tags: dict[str, str] = state.info.get("tags", {})
    columns: dict[str, Any] = state.info.get("columns", {})
    shown = names(ctx.inventory, tags)
    values = {**tags, **columns, **shown}
    text_t = rule.text.get(ctx.language) if rule.text else rule.description.get(ctx.language)
    text = render(text_t, values)
    if resolved:
        text = ("Cleared: " if ctx.language == "en" else "已恢复：") + text
    region = " ".join(shown[f"{lv}_name"] for lv in ("province", "city", "county") if f"{lv}_name" in shown)
    attributes: dict[str, Any] = {
        "province": shown.get("province_name", ""),
        "city": shown.get("city_name", ""),
        "county": shown.get("county_name", ""),
        "facility": shown.get("facility_name", ""),
        "region": region,
        "regionCode": tags.get("county", tags.get("province", "")),
        "facilityId": tags.get("facility", ""),
        "deviceName": shown.get("device_name", ""),
        "deviceKind": shown.get("kind_name", tags.get("kind", "")),
        "rule": rule.name,
        "description": rule.description.get(ctx.language),
    }
    body: dict[str, Any] = {
        "resource": state.resource,
        "event": state.event,
        "environment": ctx.environment,
        "severity": "normal" if resolved else rule.severity.value,
        "service": [rule.labels.get("service", "pdcs")],
        "group": rule.labels.get("group", "pdcs"),
        "value": render(rule.value, values),
        "text": text,
        "origin": ctx.origin,
        "type": "pdcsAlert",
        "timeout": ctx.timeout_s,
        "tags": [f"{k}={tags[k]}" for k in REGION_TAGS if tags.get(k)]
        + [f"{k}={v}" for k, v in sorted(rule.labels.items()) if k not in ("service", "group")],
        "attributes": {k: v for k, v in attributes.items() if v != ""},
    }
    customer = shown.get("province_name")
    if customer:
        body["customer"] = customer
    return body
