"""Messages in Simplified Chinese (the default) and English.

One catalogue for every user-facing text of the API and the reports built on
it.  Parts add their own keys with :func:`register`; ``text(key, lang, **kw)``
formats one.  The language of a request comes from ``?lang=`` first, then the
``Accept-Language`` header, then the deployment default (``Settings.language``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"

_CATALOGUE: dict[str, dict[Lang, str]] = {}


def register(messages: Mapping[str, tuple[str, str]]) -> None:
    """Add ``{key: (zh, en)}`` to the catalogue (later registrations win)."""
    for key, (zh, en) in messages.items():
        _CATALOGUE[key] = {"zh": zh, "en": en}


def text(key: str, lang: Lang = DEFAULT_LANG, /, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in; an unknown key is returned as is."""
    entry = _CATALOGUE.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry[DEFAULT_LANG]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def both(key: str, /, **params: object) -> dict[str, str]:
    """``{"zh": ..., "en": ...}`` — for labels that reports show in either language."""
    return {lang: text(key, lang, **params) for lang in LANGS}


def label(kind: str, code: str, lang: Lang = DEFAULT_LANG, /) -> str:
    """The label of a stable code (``label("outage.cause", "no_data", "zh")`` → 无数据); the code itself when
    the catalogue has no label for it, so a new code shows rather than vanishes."""
    key = f"{kind}.{code}"
    found = text(key, lang)
    return code if found == key else found


def normalise(value: str | None) -> Lang | None:
    """``zh``, ``zh-CN``, ``zh-Hans`` → zh; ``en``, ``en-US`` → en; anything else → None."""
    if not value:
        return None
    v = value.strip().lower()
    if v.startswith("zh"):
        return "zh"
    if v.startswith("en"):
        return "en"
    return None


def from_accept_language(header: str | None) -> Lang | None:
    """The supported language the client prefers most (RFC 9110 q-values)."""
    if not header:
        return None
    ranked: list[tuple[float, int, Lang]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, rest = part.strip().partition(";")
        q = 1.0
        if rest.strip().startswith("q="):
            try:
                q = float(rest.strip()[2:])
            except ValueError:
                q = 0.0
        lang = normalise(tag)
        if lang and q > 0:
            ranked.append((-q, i, lang))
    return min(ranked)[2] if ranked else None


def choose(query_lang: str | None, accept_language: str | None, default: str = DEFAULT_LANG) -> Lang:
    return normalise(query_lang) or from_accept_language(accept_language) or normalise(default) or DEFAULT_LANG


register(
    {
        "error.not_found.device": ("未找到设备 {id}", "device {id} not found"),
        "error.not_found.facility": ("未找到设施 {id}", "facility {id} not found"),
        "error.not_found.region": ("未找到行政区划 {code}", "region {code} not found"),
        "error.bad_region_code": (
            "行政区划代码 {code} 无效：应为 GB/T 2260 的 2 位（省）、4 位（市）或 6 位（县）代码，全国用 0",
            "region code {code} is invalid: give a GB/T 2260 code of 2 (province), 4 (city) or 6 (county) digits,"
            " or 0 for the nation",
        ),
        "error.bad_time": (
            "{field} 不是 ISO 8601 时间：{value}（示例：2026-10-01T00:00:00+08:00）",
            "{field} is not an ISO 8601 time: {value} (example: 2026-10-01T00:00:00+08:00)",
        ),
        "error.naive_time": (
            "{field} 缺少时区：{value}（请加 +08:00 或 Z）",
            "{field} has no time zone: {value} (add +08:00 or Z)",
        ),
        "error.empty_period": (
            "时间段无效：结束时间 {end} 不晚于开始时间 {start}",
            "invalid period: end {end} is not after start {start}",
        ),
        "error.period_too_long": (
            "时间段过长：{days} 天，最多 {max_days} 天",
            "period too long: {days} days, at most {max_days}",
        ),
        "error.influx_unavailable": (
            "时序数据库暂时无法访问，请稍后重试",
            "the time-series database is unreachable; try again later",
        ),
        "error.body_too_large": ("请求内容过大（上限 {limit_mb} MB）", "request body too large (limit {limit_mb} MB)"),
        "error.not_exact_across_stores": (
            "该全国汇总无法由各省时序库逐一拼合而得出准确结果，请按省份查询或查看全国汇总",
            "this national aggregate cannot be answered exactly from the province stores; ask per province "
            "or read the national summaries",
        ),
        "error.influx_schema_missing": (
            "时序数据库尚未初始化，正在创建数据库和保留策略，请稍后重试",
            "the time-series database is not set up yet; creating it now, try again shortly",
        ),
        "nation": ("全国", "Nation"),
        "cli.region_or_facility": ("请给出 --region 或 --facility 之一", "give exactly one of --region or --facility"),
        "cli.bad_choice": ("{name} 应为 {choices} 之一", "{name} must be one of {choices}"),
        # Outage causes (supervision/availability.py): every device down, no data at all, or both in turn.
        "outage.cause.down": ("停服", "down"),
        "outage.cause.no_data": ("无数据", "no data"),
        "outage.cause.mixed": ("停服/无数据", "down / no data"),
    }
)
