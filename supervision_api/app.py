"""The FastAPI application factory.

Routers live one resource per module in ``supervision_api/routes/``; ``ROUTERS``
lists them, imported (a route module that cannot be imported stops the app, it does
not vanish), so adding a resource is one new module plus its import and one line here.
Every router but those in ``PUBLIC`` is included behind ``current_user``
(an API token), so no route can be added without authentication; region
scopes are enforced in the resource lookups of ``deps`` and in ``InventoryDep``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from pdcs import __version__
from supervision.planned import load_schedule
from supervision_api import errors
from supervision_api.access.auth import current_user
from supervision_api.access.store import attach_database
from supervision_api.body_limit import BodyLimit
from supervision_api.routes import (
    audit_log,
    config_history,
    device_changes,
    devices,
    facilities,
    grading,
    health,
    inventory,
    me,
    regions,
    reports,
    status,
    syslog,
)
from supervision_api.state import AppState
from supervision_api.web import pages, views

ROUTERS: list[APIRouter] = [
    health.router,
    status.router,
    regions.router,
    devices.router,
    facilities.router,
    me.router,
    audit_log.router,
    device_changes.router,
    inventory.router,
    reports.router,
    pages.router,
    views.router,
    grading.router,
    config_history.router,
    syslog.router,
]

# Routers answered without an API token: /health (up or not, no counts) and the inspectors' web
# pages, which have their own sign-in (a token in an HttpOnly cookie) per page.
PUBLIC: list[APIRouter] = [health.router, pages.router, views.router]


def create_app(state: AppState) -> FastAPI:
    app = FastAPI(
        title="pdcs 公共数字文化远程监管 API",
        description="Remote supervision, annual assessment and MLPS grading of public digital-culture facilities.",
        version=__version__,
    )
    app.state.pdcs = state
    app.add_middleware(BodyLimit, max_bytes=state.settings.api_max_body_bytes)
    attach_database(state)
    if state.maintenance is None:  # a bad file stops the start with file:line: field: message
        state.maintenance = load_schedule(state.settings.maintenance_file)
    errors.install(app)
    for router in ROUTERS:
        if any(router is public for public in PUBLIC):
            app.include_router(router)
        else:
            app.include_router(router, dependencies=[Depends(current_user)])
    return app
