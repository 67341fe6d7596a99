"""API errors as JSON ``{"detail": message, "code": key}`` in the request's language.

Routes raise :class:`ApiError` (404 for unknown ids …); the figures package
raises ``FigureError`` for questions that cannot be answered as asked (→ 422);
an unreachable InfluxDB is a 503, not a 500, and so is a missing database
(InfluxDB started after the API): the API then creates it, so the next call answers.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from pdcs.i18n import Lang, choose, text
from pdcs.settings import RETENTION_POLICIES
from pdcs.storage import layout
from pdcs.storage.federated import NotExactAcrossStores
from pdcs.storage.influx import InfluxError, InfluxSchemaMissing, InfluxUnavailable
from supervision import FigureError

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, key: str, **params: object) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.params = params


def request_lang(request: Request) -> Lang:
    state = getattr(request.app.state, "pdcs", None)
    default = state.settings.language if state is not None else "zh"
    return choose(request.query_params.get("lang"), request.headers.get("accept-language"), default)


def _answer(request: Request, status: int, key: str, params: dict[str, object]) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": text(key, request_lang(request), **params), "code": key})


def audit_denied(request: Request, status: int, code: str) -> None:
    """Record a 401/403 in the audit log: who, what, from where (never the token itself)."""
    from supervision_api.access.store import record_denied
    from supervision_api.db.users import Principal

    state = getattr(request.app.state, "pdcs", None)
    if state is None:
        return
    who = getattr(request.state, "principal", None)
    auth = request.headers.get("authorization", "")
    m = re.match(r"(?i)bearer\s+pdcs_([0-9a-f]{8})_", auth)
    peer = request.client.host if request.client else ""
    try:
        record_denied(state, who if isinstance(who, Principal) else None, status, code, request.method,
                      request.url.path, peer, m.group(1) if m else "")  # fmt: skip
    except Exception:  # the refusal stands even if the audit log cannot be written; say so
        log.exception("could not record a denied request in the audit log")


def install(app: FastAPI) -> None:
    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        if exc.status in (401, 403):
            await run_in_threadpool(audit_denied, request, exc.status, exc.key)
        return _answer(request, exc.status, exc.key, exc.params)

    async def figure_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, FigureError)
        return _answer(request, 422, exc.key, exc.params)

    async def influx_down(request: Request, exc: Exception) -> JSONResponse:
        return _answer(request, 503, "error.influx_unavailable", {})

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(FigureError, figure_error)

    async def schema_missing(request: Request, exc: Exception) -> JSONResponse:
        # InfluxDB came up after the API (or was rebuilt): create the schema now; this answer stays a 503.
        state = getattr(request.app.state, "pdcs", None)
        log.warning("InfluxDB: %s; creating the database and its retention policies", exc)
        if state is not None:
            try:
                for db in state.stores():
                    await run_in_threadpool(layout.ensure, db, RETENTION_POLICIES)
            except InfluxError as again:
                log.warning("InfluxDB schema not created yet: %s", again)
        return _answer(request, 503, "error.influx_schema_missing", {})

    async def not_exact(request: Request, exc: Exception) -> JSONResponse:
        # A national aggregate over several province stores (pdcs/storage/federated.py): refused, not guessed.
        return _answer(request, 501, "error.not_exact_across_stores", {})

    app.add_exception_handler(NotExactAcrossStores, not_exact)
    app.add_exception_handler(InfluxUnavailable, influx_down)
    app.add_exception_handler(InfluxSchemaMissing, schema_missing)
