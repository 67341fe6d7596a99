"""The FastAPI application factory.

Routers live one resource per module in ``supervision_api/routes/``; ``ROUTERS``
lists them so that adding a resource is one new module plus one line here.
"""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from pdcs import __version__
from supervision_api import errors
from supervision_api.state import AppState

ROUTERS: list[str] = [
    "supervision_api.routes.health",
    "supervision_api.routes.regions",
    "supervision_api.routes.devices",
]


def create_app(state: AppState) -> FastAPI:
    app = FastAPI(
        title="pdcs 公共数字文化远程监管 API",
        description="Remote supervision, annual assessment and MLPS grading of public digital-culture facilities.",
        version=__version__,
    )
    app.state.pdcs = state
    errors.install(app)
    for module in ROUTERS:
        app.include_router(importlib.import_module(module).router)
    return app
