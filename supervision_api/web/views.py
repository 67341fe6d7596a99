"""The inspectors' region and facility pages (``/web/region/{code}``, ``/web/facility/{id}``), zh or en.

Signed in as on the other pages (pages.py). A region page lists its children —
province → cities → counties → facilities — with the figures of
``supervision_api/web/figures.py``, each row linking one level down (the nation and a province from the
national summaries store when one is configured, as the API answers them); a facility
page lists its devices, outages and no-data spans and draws the daily
availability with ECharts, served from this package (``/web/static/echarts.min.js``,
Apache ECharts 6.1.0 from the npm registry, Apache-2.0: static/echarts.LICENSE.txt),
never from a CDN. The default period is this month to date, Beijing time.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from inventory.labels import facility_kind_label
from inventory.models import region_level
from pdcs.i18n import Lang, normalise, text
from supervision.periods import Period
from supervision_api.access.store import record
from supervision_api.db.users import Principal
from supervision_api.deps import visible_facility
from supervision_api.web import labels as _labels  # noqa: F401  (registers the page texts)
from supervision_api.web.figures import facility_view, region_view, targets, tone
from supervision_api.web.pages import TZ, _Refused, _region, _state, _user, templates

router = APIRouter(prefix="/web", tags=["web"], include_in_schema=False)
STATIC = Path(__file__).parent / "static"
FORMATS = ("pdf", "xlsx", "csv", "json")


def _lang(value: str | None) -> Lang:
    return normalise(value) or "zh"


def _dates(start: str | None, end: str | None) -> tuple[str, str]:
    today = datetime.now(TZ).date()
    return start or today.replace(day=1).isoformat(), end or today.isoformat()


def _period(start: str, end: str, lang: Lang) -> Period:
    """Whole days in Beijing time, both included, ending now at the latest (this month *to date*)."""
    from datetime import date

    try:
        s, e = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        raise _Refused(422, text("web.error.period", lang, detail=exc)) from None
    if e < s or (e - s).days > 366 * 5 or e >= date.max - timedelta(days=1):
        raise _Refused(422, text("web.error.period", lang, detail=f"{start} – {end}"))
    end_at = min(datetime.combine(e + timedelta(days=1), time(), TZ), datetime.now(TZ).replace(microsecond=0))
    start_at = datetime.combine(s, time(), TZ)
    if end_at <= start_at:
        raise _Refused(422, text("web.error.period", lang, detail=f"{start} – {end}"))
    return Period(start_at, end_at)


def _pct(v: float | None, lang: Lang) -> str:
    return text("web.no_data", lang) if v is None else f"{v * 100:.2f}%"


def _score(v: float | None, lang: Lang) -> str:
    return text("web.no_data", lang) if v is None else f"{v:.1f}"


def _context(request: Request, user: Principal, lang: Lang, start: str, end: str, **more: Any) -> dict[str, Any]:
    state = _state(request)
    scope = text("web.nation", lang) if not user.scope else state.inventory.region_name(user.scope)
    other = "en" if lang == "zh" else "zh"
    switch = dict(request.query_params) | {"lang": other}
    return {
        "user": user,
        "user_label": f"{user.shown_name}（{text(f'web.role.{user.role.value}', lang)}，{scope}）"
        if lang == "zh"
        else f"{user.shown_name} ({text(f'web.role.{user.role.value}', lang)}, {scope})",
        "t": lambda key, **kw: text(key, lang, **kw),
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "switch_href": f"{request.url.path}?{urlencode(switch)}",
        "selected": {"start": start, "end": end},
        "query": urlencode({"start": start, "end": end, "lang": lang}),
        "pct": lambda v: _pct(v, lang),
        "score": lambda v: _score(v, lang),
        **more,
    }


def _crumbs(inv_name: Any, code: str, query: str) -> list[dict[str, str]]:
    """Nation/province/city/county above ``code``, as links."""
    return [{"href": f"/web/region/{code[:n]}?{query}", "name": inv_name(code[:n])} for n in (2, 4) if len(code) > n]


def _refusal(request: Request, exc: _Refused, ctx: dict[str, Any], page: str = "region.html") -> HTMLResponse:
    """The page with the reason only: no language link, which would repeat the address asked for."""
    shown = {k: v for k, v in ctx.items() if k != "switch_href"}
    return templates.TemplateResponse(request, page, {**shown, "error": str(exc)}, status_code=exc.status)


@router.get("/region/{code}", response_class=HTMLResponse, response_model=None)
def region_page(
    request: Request,
    code: str,
    start: Annotated[str | None, Query(max_length=10)] = None,
    end: Annotated[str | None, Query(max_length=10)] = None,
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    user = _user(request)
    if user is None:
        return RedirectResponse("/web/login", status_code=303)
    lg = _lang(lang)
    state = _state(request)
    s, e = _dates(start, end)
    ctx = _context(request, user, lg, s, e)
    try:
        region = _region(state, user, code)
        period = _period(s, e, lg)
    except _Refused as exc:
        return _refusal(request, exc, ctx)
    inv = state.views.get(state.inventory, user.scope)
    view = region_view(state.reader(region), inv, region, period, lg, ctx["query"], state.national())
    record(state, user, "report.view", region=region, target="/web/region", period=period.as_dict(), via="web")
    up = region[: len(region) - 2] if len(region) > 2 else ("0" if region and not user.scope else "")
    ctx |= {
        "view": view,
        "region": region or "0",
        "level": region_level(region) if region else "nation",
        "crumbs": _crumbs(inv.region_name, region, ctx["query"]),
        "up_href": f"/web/region/{up}?{ctx['query']}" if up and user.may_see("" if up == "0" else up) else "",
        "regions": _choices(inv, user, lg),
        "downloads": [
            (f, f"/web/report?{urlencode({'region': region or '0', 'start': s, 'end': e, 'format': f})}")
            for f in FORMATS
        ],
        "map_points": json.dumps(_map_points(inv, region, view), ensure_ascii=False),
    }
    return templates.TemplateResponse(request, "region.html", ctx)


def _choices(inv: Any, user: Principal, lang: Lang) -> list[dict[str, str]]:
    codes = set(inv.regions) | {f.county for f in inv.facilities.values()}
    codes |= {c[:4] for c in codes if len(c) >= 4} | {c[:2] for c in codes}
    codes = {c for c in codes if c.startswith(user.scope)}
    out = [] if user.scope else [{"code": "0", "label": text("web.nation", lang)}]
    for c in sorted(codes):
        indent = "　" * (len(c) // 2 - 1)
        out.append(
            {"code": c, "label": f"{indent}{inv.region_name(c)}（{text(f'web.level.{region_level(c)}', lang)}）"}
        )
    return out


def _map_points(inv: Any, code: str, view: Any) -> list[dict[str, Any]]:
    """Facilities of the region that have coordinates (WGS-84 in the inventory), with availability."""
    availability = {r.code: r.availability for r in view.rows}
    points = []
    for f in inv.facilities_in(code):
        lat, lon = getattr(f, "lat", None), getattr(f, "lon", None)
        if lat is None or lon is None:
            continue
        a = availability.get(f.id) if len(code) == 6 else None
        points.append({"name": f.name, "value": [lon, lat, a], "tone": tone(a, *targets().availability)})
    return points


@router.get("/facility/{facility_id}", response_class=HTMLResponse, response_model=None)
def facility_page(
    request: Request,
    facility_id: str,
    start: Annotated[str | None, Query(max_length=10)] = None,
    end: Annotated[str | None, Query(max_length=10)] = None,
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    user = _user(request)
    if user is None:
        return RedirectResponse("/web/login", status_code=303)
    lg = _lang(lang)
    state = _state(request)
    s, e = _dates(start, end)
    ctx = _context(request, user, lg, s, e)
    fac = visible_facility(state.inventory, user, facility_id)  # as the API: 404 also outside the scope
    try:
        if fac is None:
            raise _Refused(404, text("web.error.facility", lg, id=facility_id[:40]))
        period = _period(s, e, lg)
    except _Refused as exc:
        return _refusal(request, exc, ctx, "facility.html")
    inv = state.views.get(state.inventory, user.scope)
    view = facility_view(state.reader(fac.county), inv, fac, period, lg)
    record(state, user, "report.view", region=fac.county, target=f"/web/facility/{fac.id}", via="web")
    ctx |= {
        "view": view,
        "fac": fac,
        "kind": facility_kind_label(fac.kind, lg),
        "crumbs": [
            *_crumbs(inv.region_name, fac.county, ctx["query"]),
            {"href": f"/web/region/{fac.county}?{ctx['query']}", "name": inv.region_name(fac.county)},
        ],
        "up_href": f"/web/region/{fac.county}?{ctx['query']}",
        "tone": tone(view.figures.get("availability"), *targets().availability),
        "trend": json.dumps(
            {
                "days": [d for d, _ in view.trend],
                "values": [None if v is None else round(v * 100, 2) for _, v in view.trend],
            }
        ),
    }
    return templates.TemplateResponse(request, "facility.html", ctx)


@router.get("/static/echarts.min.js", response_model=None)
def echarts() -> Response:
    """Apache ECharts, vendored (no CDN: pages must work on government networks without Internet access)."""
    return FileResponse(
        STATIC / "echarts.min.js", media_type="text/javascript", headers={"Cache-Control": "max-age=86400"}
    )
