"""Every API route declares the shape of its answer, and /openapi.json publishes it (issue 13.3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from inventory.load import load_inventory
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from supervision_api.app import create_app
from supervision_api.state import AppState


@pytest.fixture
def api_state(examples_dir: Path) -> Iterator[AppState]:
    """An app's state; nothing is asked of InfluxDB (the routes are only listed)."""
    settings = Settings(database_url="sqlite://", _env_file=None)  # type: ignore[call-arg]
    state = AppState(
        settings=settings, inventory=load_inventory(examples_dir), influx=InfluxDB(url="http://127.0.0.1:9")
    )
    yield state
    state.influx.close()


def _app_routes(state: AppState) -> tuple[list[tuple[str, APIRoute]], dict[str, Any]]:
    app = create_app(state)
    routes = [
        (ctx.path or "", ctx.original_route)
        for ctx in iter_route_contexts(app.routes)
        if isinstance(ctx.original_route, APIRoute) and ctx.original_route.include_in_schema
    ]
    return routes, app.openapi()


def test_every_route_has_a_response_model(api_state: AppState) -> None:
    routes, _ = _app_routes(api_state)
    assert len(routes) > 15
    missing = []
    for path, route in routes:
        declared = route.response_model is not None or "model" in route.responses.get(200, {})
        if not declared and route.status_code != 204:
            missing.append(f"{sorted(route.methods or ())} {path}")
    assert not missing, f"routes without a response_model: {missing}"


def test_openapi_has_a_schema_for_every_success_answer(api_state: AppState) -> None:
    _, doc = _app_routes(api_state)
    empty = []
    answers = 0
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            for status, response in op["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue
                contents = response.get("content") or {}
                if not contents:
                    empty.append(f"{method.upper()} {path} {status}: no content")
                for media, body in contents.items():
                    answers += 1
                    if not body.get("schema"):
                        empty.append(f"{method.upper()} {path} {status} {media}")
    assert answers > 15
    assert not empty, f"answers without a schema: {empty}"
