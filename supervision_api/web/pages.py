"""The inspectors' pages (server-rendered, Chinese).

Sign-in takes an API token and keeps it in an HttpOnly, SameSite=Strict cookie
limited to ``/web``; every page checks it exactly as the API checks a bearer
token, and the same scope rules apply (regions offered are those in scope; any
other is a 403).  Report downloads go to the audit log like API pulls.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from pdcs.i18n import text
from reports import render
from reports.content import Report
from reports.gather import build_report
from reports.times import now_stamp
from supervision import FigureError
from supervision.periods import Period
from supervision.regions import UnknownRegion, normalise_region
from supervision_api.access.auth import principal_for_token
from supervision_api.access.store import database_of, record
from supervision_api.db import users
from supervision_api.db.users import ROLE_ZH, Principal
from supervision_api.routes.reports import report_filename
from supervision_api.state import AppState

router = APIRouter(prefix="/web", tags=["web"], include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

COOKIE = "pdcs_session"
SESSION_S = 8 * 3600  # a web session token's lifetime
TZ = ZoneInfo("Asia/Shanghai")


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.pdcs
    return state


def _user(request: Request) -> Principal | None:
    token = request.cookies.get(COOKIE)
    return principal_for_token(_state(request), token) if token else None


def _page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    user = ctx.get("user")
    if isinstance(user, Principal):
        scope = "全国" if not user.scope else _state(request).inventory.region_name(user.scope)
        ctx["user_label"] = f"{user.shown_name}（{ROLE_ZH[user.role]}，{scope}）"
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def _period(start: str, end: str) -> Period:
    """Whole days in Beijing time: [start 00:00, end+1 00:00)."""
    s, e = date.fromisoformat(start), date.fromisoformat(end)
    if e >= date.max - timedelta(days=1):
        raise ValueError("结束日期超出范围")
    if e < s:
        raise ValueError("结束日期早于开始日期")
    if (e - s).days > 366 * 5:
        raise ValueError("时段过长：最多五年")
    return Period(datetime.combine(s, time(), TZ), datetime.combine(e + timedelta(days=1), time(), TZ))


class _Refused(Exception):
    """A page parameter the API would refuse too: its status and the Chinese reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _region(state: AppState, user: Principal, region: str) -> str:
    """The region code checked exactly as the API's ``/regions/{code}`` checks it (422, 404, 403)."""
    try:
        code = normalise_region(region, state.inventory)
    except UnknownRegion as exc:
        raise _Refused(404, text(exc.key, "zh", **exc.params)) from None
    except FigureError as exc:
        raise _Refused(422, text(exc.key, "zh", **exc.params)) from None
    if not user.may_see(code):
        raise _Refused(403, f"无权访问行政区划 {code or '0'}：超出您的权限范围")
    return code


def _report(state: AppState, user: Principal, region: str, start: str, end: str) -> tuple[Report, Period, str]:
    code = _region(state, user, region)
    try:
        per = _period(start, end)
    except ValueError as exc:
        raise _Refused(422, f"日期有误：{exc}") from None
    inv = state.views.get(state.inventory, user.scope)
    rep = build_report(
        state.reader(code), inv, code, per, "zh", maintenance=state.maintenance, national=state.national()
    )
    return rep, per, code


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return _page(request, "login.html")


@router.post("/login", response_model=None)
def login(request: Request, token: Annotated[str, Form(max_length=200)]) -> Response:
    state = _state(request)
    user = principal_for_token(state, token)
    if user is None:
        return _page(request, "login.html", 401, error="令牌无效、已过期、已吊销或用户已停用")
    # The cookie holds a session token of its own (8 h), never the API token typed in: logging out
    # revokes the session on the server, and a stolen cookie dies with it.
    with database_of(state).session() as s:
        row, session_token = users.create_token(s, user.name, "web session", lifetime=timedelta(seconds=SESSION_S))
        prefix = row.prefix
    record(state, user, "web.login", target=f"session {prefix}", via="web")
    resp = RedirectResponse("/web/", status_code=303)
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    resp.set_cookie(
        COOKIE, session_token, httponly=True, samesite="strict", secure=secure, path="/web", max_age=SESSION_S
    )
    return resp


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    """Sign out: the session token is revoked on the server (every API process refuses it within 2 s)."""
    state = _state(request)
    token = request.cookies.get(COOKIE, "")
    user = principal_for_token(state, token) if token else None
    if user is not None:
        with database_of(state).session() as s:
            row = users.revoke_token(s, token)
            prefix = row.prefix
        state.auth_cache.pop(users.hash_token(token.strip()), None)
        record(state, user, "web.logout", target=f"session {prefix}", via="web")
    resp = RedirectResponse("/web/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/web")
    return resp


@router.get("/", response_class=HTMLResponse, response_model=None)
def index(
    request: Request,
    region: Annotated[str | None, Query(max_length=6)] = None,
    start: Annotated[str | None, Query(max_length=10)] = None,
    end: Annotated[str | None, Query(max_length=10)] = None,
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    """The region picked in the form, else the signed-in user's own, this month to date by default
    (the page of supervision_api/web/views.py, at this address so the form needs no script)."""
    from supervision_api.web.views import region_page

    user = _user(request)
    if user is None:
        return RedirectResponse("/web/login", status_code=303)
    return region_page(request, region or user.scope or "0", start, end, lang)


@router.get("/report", response_model=None)
def download(
    request: Request,
    region: Annotated[str, Query(max_length=6)],
    start: Annotated[str, Query(max_length=10)],
    end: Annotated[str, Query(max_length=10)],
    format: Annotated[str, Query(pattern="^(json|csv|xlsx|pdf)$")] = "pdf",
) -> Response:
    user = _user(request)
    if user is None:
        return RedirectResponse("/web/login", status_code=303)
    state = _state(request)
    try:
        rep, per, code = _report(state, user, region, start, end)
    except _Refused as exc:
        return Response(str(exc), status_code=exc.status, media_type="text/plain; charset=utf-8")
    rep.generated_at = now_stamp()
    rep.generated_by = user.shown_name
    out = render(rep, format)
    record(
        state,
        user,
        "report.pull",
        region=code,
        target="/web/report",
        format=format,
        period=per.as_dict(),
        content_sha256=rep.content_sha256,
        via="web",
    )
    name = report_filename(code, per, out.extension)
    return Response(
        out.body,
        media_type=out.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Content-SHA256": rep.content_sha256},
    )
