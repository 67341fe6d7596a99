"""What an on-call engineer needs to act on an alert, as one JSON-able notice.

The evaluator queues a notice beside each Alerta message it queues (same
transaction, same SQLite file), so the notifier (``notify/``) can route and
deliver it later without the inventory or the rules: names, the region path,
since when and for how long, the last error, the opening-hours context, the
rule's meaning and its runbook line all travel inside.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from alert_rules.message import MessageContext, alert_values, names, render
from alert_rules.model import Rule
from alert_rules.opening import is_open
from alert_rules.state import AlertState
from inventory.models import FACILITY_KIND_ZH, Inventory
from supervision.schedule import day_spans, official_calendar

OPEN = "open"
RESOLVE = "resolve"


def opening_context(inventory: Inventory, facility_id: str, now: float, language: str = "zh") -> str:
    """Today's opening hours of the facility and whether it is open now (``今日开放 09:00-17:00，当前开放中``)."""
    fac = inventory.facilities.get(facility_id)
    if fac is None:
        return ""
    when = dt.datetime.fromtimestamp(now, dt.UTC)
    local = when.astimezone(fac.tz)
    spans = day_spans(fac, local.date(), official_calendar())
    open_now = is_open(fac, when)
    if language == "en":
        hours = ", ".join(str(s) for s in spans) or "closed all day"
        return f"today {hours}; {'open now' if open_now else 'closed now'}"
    if not spans:
        return "今日闭馆（全天不开放）"
    hours = "、".join(str(s) for s in spans)
    return f"今日开放 {hours}，{'当前开放中' if open_now else '当前闭馆'}"


def notice_body(rule: Rule, state: AlertState, ctx: MessageContext, action: str, now: float) -> dict[str, Any]:
    tags: dict[str, str] = state.info.get("tags", {})
    columns: dict[str, Any] = state.info.get("columns", {})
    values = alert_values(rule, state, ctx, now)
    shown = names(ctx.inventory, tags)
    fac = ctx.inventory.facilities.get(tags.get("facility", ""))
    lang = ctx.language
    text_t = rule.text.get(lang) if rule.text else rule.description.get(lang)
    region = " ".join(shown[f"{lv}_name"] for lv in ("province", "city", "county") if f"{lv}_name" in shown)
    error = columns.get("error")
    return {
        "action": action,
        "key": "|".join(state.key),
        "rule": rule.name,
        "resource": state.resource,
        "event": state.event,
        "severity": rule.severity.value,
        "environment": ctx.environment,
        "tags": tags,
        "region": region,
        "facility_name": shown.get("facility_name", ""),
        "facility_kind": fac.kind.value if fac else "",
        "facility_kind_name": FACILITY_KIND_ZH[fac.kind] if fac and lang == "zh" else (fac.kind.value if fac else ""),
        "device_name": shown.get("device_name", "") if tags.get("device") else "",
        "kind_name": shown.get("kind_name", ""),
        "text": render(text_t, values),
        "value": render(rule.value, values),
        "description": rule.description.get(lang),
        "runbook": rule.runbook.get(lang) if rule.runbook else "",
        "since": state.since,
        "at": now,
        "duration_s": max(0.0, now - state.since),
        "last_error": str(error)[:300] if error not in (None, "") else "",
        "opening": opening_context(ctx.inventory, tags.get("facility", ""), now, lang),
    }
