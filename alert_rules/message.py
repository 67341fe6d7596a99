"""Turn an alert state into the body Alerta receives.

Alerta de-duplicates on (environment, resource, event, severity) and keeps the
same alert id across severity changes, so a refresh is the same body again and
a resolution is the same body with severity ``normal``.  Region names go into
``attributes`` (filterable: ``attributes.county=双流区``) and region codes into
``tags`` (``county=510116``), which Alerta blackouts can match.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field
from typing import Any

from alert_rules.model import Links, Rule
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
    links: Links = field(default_factory=Links)


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat().replace("+00:00", "Z")


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


def format_duration(seconds: float, language: str = "zh") -> str:
    """``23 分钟``, ``2 小时 5 分钟``, ``3 天 4 小时`` (``23 min`` … in English)."""
    minutes = max(0, int(seconds // 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if language == "en":
        parts = [
            f"{days} d" if days else "",
            f"{hours} h" if hours else "",
            f"{mins} min" if mins or not (days or hours) else "",
        ]
        return " ".join(p for p in parts if p)
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时 {mins} 分钟" if mins else f"{hours} 小时"
    return f"{mins} 分钟"


def alert_values(rule: Rule, state: AlertState, ctx: MessageContext, now: float) -> dict[str, Any]:
    """Everything a rule's text, value and link templates may name."""
    tags: dict[str, str] = state.info.get("tags", {})
    columns: dict[str, Any] = state.info.get("columns", {})
    since = state.since
    return {
        **tags,
        **columns,
        **names(ctx.inventory, tags),
        "duration": format_duration(now - since, ctx.language),
        "duration_min": int((now - since) // 60),
    }


def alert_body(
    rule: Rule, state: AlertState, ctx: MessageContext, *, resolved: bool = False, now: float | None = None
) -> dict[str, Any]:
    tags: dict[str, str] = state.info.get("tags", {})
    now = now if now is not None else (state.last_sent or state.since)
    values = alert_values(rule, state, ctx, now)
    shown = names(ctx.inventory, tags)
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
        "runbook": rule.runbook.get(ctx.language) if rule.runbook else "",
        "since": _iso(state.since),
        "lastError": str(values.get("error") or "")[:300],
    }
    if ctx.links.grafana:
        attributes["moreInfo"] = render(ctx.links.grafana, {**values, "resource": state.resource})
    if resolved:
        attributes["duration"] = format_duration(now - state.since, ctx.language)
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
