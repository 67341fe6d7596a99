"""Messages an engineer can act on, in Chinese (English with ``language: en``).

One alert: what and where (facility, device, region path), since when and for how
long, the value, the last error, today's opening hours, what the rule means and
the first step (the rule's runbook line), links to Grafana and Alerta.  Several
alerts for one channel at once (a storm, a digest): one summary naming how many
and which, grouped by facility — split over several messages only where the
service's length limit demands it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from alert_rules.message import format_duration, render
from alert_rules.model import Links
from notify.channels.base import Outgoing
from pdcs import i18n

# Alerta's severities as engineers read them (alert severities, not the security checks' levels).
i18n.register(
    {
        "notify.severity.critical": ("严重", "CRITICAL"),
        "notify.severity.major": ("重要", "MAJOR"),
        "notify.severity.minor": ("次要", "MINOR"),
        "notify.severity.warning": ("警告", "WARNING"),
        "notify.severity.informational": ("提示", "INFO"),
        "notify.resolved": ("已恢复", "Resolved"),
        "notify.escalated": ("升级", "Escalated"),
        "notify.summary": ("告警汇总", "Alert summary"),
        "notify.new": ("新增告警", "New"),
        "notify.cleared": ("已恢复", "Resolved"),
        "notify.region": ("地区", "Region"),
        "notify.device": ("设备", "Device"),
        "notify.what": ("情况", "What"),
        "notify.value": ("当前", "Value"),
        "notify.since": ("开始", "Since"),
        "notify.lasted": ("已持续", "for"),
        "notify.outage": ("故障持续", "Outage lasted"),
        "notify.error": ("最近错误", "Last error"),
        "notify.hours": ("开放时间", "Opening hours"),
        "notify.step": ("处理建议", "First step"),
        "notify.board": ("看板", "Board"),
        "notify.alerta": ("告警台", "Alerta"),
        "notify.unacked": ("未确认，已升级通知", "not acknowledged, escalated"),
        "notify.more": ("条，见后续消息", "more in the next message"),
        "notify.rest": ("其余", ""),
        "notify.count": ("条", ""),
    }
)
_KEYS = [
    "resolved",
    "escalated",
    "summary",
    "new",
    "cleared",
    "region",
    "device",
    "what",
    "value",
    "since",
    "lasted",
    "outage",
    "error",
    "hours",
    "step",
    "board",
    "alerta",
    "unacked",
    "more",
    "rest",
    "count",
]


def _w(lang: str) -> dict[str, str]:
    code: i18n.Lang = "en" if lang == "en" else "zh"
    return {k: i18n.text(f"notify.{k}", code) for k in _KEYS}


def severity_label(severity: str, lang: str) -> str:
    return i18n.label("notify.severity", severity, "en" if lang == "en" else "zh")


def clock_time(ts: float, tz: str) -> str:
    return dt.datetime.fromtimestamp(ts, ZoneInfo(tz)).strftime("%m-%d %H:%M")


def links_of(notice: dict[str, Any], links: Links) -> list[tuple[str, str]]:
    values = {**notice.get("tags", {}), "resource": notice.get("resource", ""), "event": notice.get("event", "")}
    out = []
    if links.grafana:
        out.append(("board", render(links.grafana, values)))
    if links.alerta:
        out.append(("alerta", render(links.alerta, values)))
    return out


def _where(n: dict[str, Any]) -> str:
    """``金堂县文化馆 · 核心交换机`` (the facility, then the device when the alert is about one)."""
    parts = [n.get("facility_name") or n.get("resource", "")]
    if n.get("device_name"):
        parts.append(n["device_name"])
    return " · ".join(p for p in parts if p)


def single(
    n: dict[str, Any], links: Links, tz: str, lang: str = "zh", *, escalated_after: float | None = None
) -> Outgoing:
    w = _w(lang)
    sev = severity_label(str(n.get("severity", "")), lang)
    resolved = n.get("action") == "resolve"
    head = w["resolved"] if resolved else (f"{w['escalated']}·{sev}" if escalated_after is not None else sev)
    title = f"【{head}】{n.get('description', n.get('rule', ''))} · {_where(n)}"
    lines = [f"**{w['what']}**：{n.get('text', '')}"]
    region = n.get("region", "")
    kind = n.get("facility_kind_name", "")
    lines.append(
        f"**{w['region']}**：{region}{' · ' + n.get('facility_name', '') if n.get('facility_name') else ''}"
        f"{'（' + kind + '）' if kind else ''}"
    )
    if n.get("device_name"):
        dev = n["device_name"] + (
            f"（{n['kind_name']}，{n['resource']}）" if n.get("kind_name") else f"（{n['resource']}）"
        )
        lines.append(f"**{w['device']}**：{dev}")
    since = clock_time(float(n.get("since", 0)), tz)
    if resolved:
        lasted = format_duration(float(n.get("duration_s", 0)), lang)
        lines.append(f"**{w['outage']}**：{lasted}（{since} – {clock_time(float(n.get('at', 0)), tz)}）")
    else:
        if n.get("value"):
            lines.append(f"**{w['value']}**：{n['value']}")
        lines.append(
            f"**{w['since']}**：{since}（{w['lasted']} {format_duration(float(n.get('duration_s', 0)), lang)}）"
        )
        if escalated_after is not None:
            lines.append(f"**{w['escalated']}**：{format_duration(escalated_after, lang)} {w['unacked']}")
        if n.get("last_error"):
            lines.append(f"**{w['error']}**：{n['last_error']}")
        if n.get("opening"):
            lines.append(f"**{w['hours']}**：{n['opening']}")
        if n.get("runbook"):
            lines.append(f"**{w['step']}**：{n['runbook']}")
    lines += [f"[{w[label]}]({url})" for label, url in links_of(n, links)]
    return Outgoing(title, "\n\n".join(lines), "normal" if resolved else n.get("severity", ""), (n,))


def _scope(notices: Sequence[dict[str, Any]]) -> str:
    """The smallest region all notices share (``四川省 成都市 金堂县``), else the count of regions."""
    regions = {str(n.get("region", "")) for n in notices}
    if len(regions) == 1:
        return next(iter(regions))
    parts = [r.split() for r in regions if r]
    common = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return " ".join(common)


def batch(
    notices: Sequence[dict[str, Any]], tz: str, lang: str = "zh", *, remaining: int = 0, escalated: bool = False
) -> Outgoing:
    """One summary: how many opened and resolved, and which — grouped by rule, then facility, devices named.

    ``escalated``: the alerts open and unacknowledged past an escalation step."""
    w = _w(lang)
    opened = [n for n in notices if n.get("action") != "resolve"]
    cleared = [n for n in notices if n.get("action") == "resolve"]
    counts = []
    if opened:
        counts.append(f"{w['new']} {len(opened)} {w['count']}")
    if cleared:
        counts.append(f"{w['cleared']} {len(cleared)} {w['count']}")
    head = f"{w['escalated']}·{w['summary']}" if escalated else w["summary"]
    title = f"【{head}】{_scope(notices)} {'，'.join(counts)}".strip()
    if escalated:
        after = min(float(n.get("escalated_after", 0)) for n in notices)
        title += f"（{format_duration(after, lang)} {w['unacked']}）"
    lines = []
    for label, group in ((w["new"], opened), (w["cleared"], cleared)):
        if not group:
            continue
        if group is opened:
            first = min(float(n.get("since", 0)) for n in group)
            lines.append(f"**{label}（{len(group)}）**，{w['since']} {clock_time(first, tz)}")
        else:
            spans = [float(n.get("duration_s", 0)) for n in group]
            lo, hi = format_duration(min(spans), lang), format_duration(max(spans), lang)
            lines.append(f"**{label}（{len(group)}）**，{w['outage']} {lo if lo == hi else lo + ' – ' + hi}")
        by_rule: dict[str, dict[str, list[str]]] = {}
        for n in group:
            where = n.get("facility_name") or n.get("region") or n.get("resource", "")
            what = n.get("device_name") or n.get("value") or n.get("resource", "")
            by_rule.setdefault(n.get("description") or n.get("rule", ""), {}).setdefault(where, []).append(what)
        for description, places in by_rule.items():
            lines.append(f"{description}：")
            lines += [f"- {where}（{len(items)}）：{'、'.join(items)}" for where, items in places.items()]
    if remaining:
        lines.append(f"（{w['rest']} {remaining} {w['more']}）")
    worst = min((n.get("severity", "informational") for n in opened), key=_rank, default="normal")
    return Outgoing(title, "\n".join(lines), worst, tuple(notices))


def _rank(severity: str) -> int:
    order = ["critical", "major", "minor", "warning", "informational"]
    return order.index(severity) if severity in order else len(order)


def channel_health(
    channel: str, failing_s: float, last_error: str, queued: int, lang: str = "zh", *, up: bool = False
) -> Outgoing:
    """A channel's own alert (sent on another channel): failing for long, or back."""
    if lang == "en":
        if up:
            return Outgoing(
                f"[Resolved] channel {channel} delivers again", f"{queued} message(s) still queued.", "normal"
            )
        return Outgoing(
            f"[MAJOR] channel {channel} failing for {format_duration(failing_s, 'en')}",
            f"Last answer: {last_error}\n{queued} message(s) wait in the queue; nothing is dropped.",
            "major",
        )
    if up:
        return Outgoing(f"【已恢复】通知通道 {channel} 恢复发送", f"仍在队列中：{queued} 条，将按序补发。", "normal")
    return Outgoing(
        f"【重要】通知通道 {channel} 已连续失败 {format_duration(failing_s)}",
        f"**最近回应**：{last_error}\n\n**待发**：{queued} 条（保存在队列中，不会丢弃）\n\n"
        "**处理建议**：检查该通道的地址、密钥、关键词与网络；`pdcs notify test` 可立即验证。",
        "major",
    )
