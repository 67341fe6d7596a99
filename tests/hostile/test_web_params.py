"""Item 7 of issue 15: the inspectors' pages check every parameter as the API does.

Before: ``/web/?region=510`` (also ``51012``, ``5101x``, ``51%00``, ``51%20``) answered 500
and ``/web/report`` reset the connection. Now a malformed code is 422, an unknown one 404,
one outside the scope 403 — each with a Chinese reason — on a real ``pdcs api``, whose
memory (VmHWM, read from /proc) stays bounded meanwhile; and schemathesis, run over the web
pages too, finds no 5xx. A facility page of another county answers 404 exactly as an unknown
id, as the API does (ids in other counties are not revealed).
"""

from __future__ import annotations

import httpx
import schemathesis
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from supervision_api.access.store import issue_token
from supervision_api.app import create_app
from supervision_api.db import Database, users
from supervision_api.db.users import Role
from supervision_api.state import AppState
from supervision_api.web.pages import COOKIE
from supervision_api.web.pages import router as web_router
from supervision_api.web.views import router as views_router
from tests.support.figures import build_inventory

from .conftest import ApiProcess
from .probe import HealthWatch, peak_kb, rss_kb

DAYS = {"start": "2026-10-01", "end": "2026-10-07"}


CASES = [("510", 422), ("51012", 422), ("5101x", 422), ("51\x00", 422), ("51 x", 422), ("5199", 404), ("51", 403)]


def test_region_parameter_as_the_api_checks_it(api_process: ApiProcess) -> None:
    cookies = {COOKIE: api_process.tokens["jt-staff"]}  # scope 510121
    before = rss_kb(api_process.pid)
    with (
        HealthWatch(f"{api_process.url}/health") as watch,
        httpx.Client(base_url=api_process.url, cookies=cookies, timeout=30) as web,
    ):
        for region, status in CASES * 3:
            page = web.get("/web/", params={"region": region, **DAYS})
            assert page.status_code == status, (region, page.text[:300])
            dl = web.get("/web/report", params={"region": region, **DAYS, "format": "csv"})
            assert dl.status_code == status, (region, dl.text[:300])
            assert dl.text  # the reason, in Chinese
        far = web.get("/web/", params={"region": "510121", "start": "9999-12-31", "end": "9999-12-31"})
        assert far.status_code == 422
        assert web.get("/web/", params={"region": "510121", **DAYS}).status_code == 200
    assert watch.all_answered(), watch.answers  # /health within 2 s throughout
    # refusals hold nothing: the peak stays near where it was (a report page of one county is a few MB)
    assert peak_kb(api_process.pid) < before + 80 * 1024, (before, peak_kb(api_process.pid))


def test_another_countys_facility_page_is_the_unknown_id_page(api_process: ApiProcess) -> None:
    db = Database(api_process.db_url)
    with db.session() as s:
        users.add_user(s, "dy-staff", Role.COUNTY_STAFF, "510129")  # 大邑县: jt-lib is in 金堂县 (510121)
        token = users.create_token(s, "dy-staff")[1]
    db.dispose()
    pages, api = {}, {}
    for facility in ("jt-lib", "no-such-facility"):
        page = httpx.get(f"{api_process.url}/web/facility/{facility}", params=DAYS, cookies={COOKIE: token}, timeout=30)
        pages[facility] = (page.status_code, page.text.replace(facility, "ID"))
        answer = httpx.get(f"{api_process.url}/facilities/{facility}", headers={"Authorization": f"Bearer {token}"})
        api[facility] = (answer.status_code, answer.text.replace(facility, "ID"))
    assert pages["jt-lib"] == pages["no-such-facility"] and pages["jt-lib"][0] == 404, pages
    assert "未找到设施 ID" in pages["jt-lib"][1]
    assert api["jt-lib"] == api["no-such-facility"] and api["jt-lib"][0] == 404, api
    own = httpx.get(
        f"{api_process.url}/web/facility/jt-lib", params=DAYS, cookies={COOKIE: api_process.tokens["jt-staff"]}
    )
    assert own.status_code == 200


def test_schemathesis_finds_no_server_error_on_the_pages(influx: InfluxDB) -> None:
    cfg = Settings(influx_url=influx.url, influx_db=influx.database, database_url="sqlite://", _env_file=None)  # type: ignore[call-arg]
    state = AppState(settings=cfg, inventory=build_inventory(), influx=influx)
    pages = [r for r in (*web_router.routes, *views_router.routes) if isinstance(r, APIRoute)]
    for route in pages:  # the pages are left out of /docs; put them in the schema for this test only
        route.include_in_schema = True
    try:
        app = create_app(state)
        app.openapi_schema = None
        app.openapi()
    finally:
        for route in pages:
            route.include_in_schema = False
    token = issue_token(state, "inspector", Role.PROVINCE_INSPECTOR, "51")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    client = TestClient(app)
    seen: dict[int, int] = {}
    ops = [r.ok() for r in schema.get_all_operations()]  # type: ignore[union-attr]
    ops = [op for op in ops if op.path.startswith("/web")]
    assert {op.path for op in ops} >= {
        "/web/",
        "/web/report",
        "/web/login",
        "/web/region/{code}",
        "/web/facility/{facility_id}",
    }
    for op in ops:

        @given(case=op.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case: schemathesis.Case) -> None:
            for headers in ({"Cookie": f"{COOKIE}={token}"}, {}):
                kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
                kwargs.pop("cookies", None)
                r = client.request(**kwargs, follow_redirects=False)
                assert r.status_code < 500, f"{kwargs['method']} {kwargs['url']} → {r.status_code} {r.text[:300]}"
                seen[r.status_code] = seen.get(r.status_code, 0) + 1

        run()
    assert 422 in seen and 303 in seen
    state.close()
