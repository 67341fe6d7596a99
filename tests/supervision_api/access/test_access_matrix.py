"""Every route × every role × inside and outside the caller's scope.

The routes come from ``app.routes``, so a route added later is covered (or the
test fails asking for a value for its path parameter).  For each call:
outside the scope → 403 for regions (codes are public), 404 for device and facility ids (as if
unknown), 422 for a device whose facility lies outside (as if unknown), or refused by role;
inside → not refused by scope;
no answer — whatever its status — names a region, facility or device outside
the caller's scope; nothing answers 5xx.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Route

from supervision_api.db.users import Role

from .conftest import Api

# Route path prefixes that answer without a token.
PUBLIC = ("/health", "/docs", "/redoc", "/openapi.json", "/web")


@dataclass(frozen=True)
class Caller:
    role: Role
    scope: str
    # path-parameter values inside and outside the scope (None: the nation has no outside)
    inside: dict[str, str]
    outside: dict[str, str] | None
    # what must never appear in any answer to this caller
    foreign: tuple[str, ...]


NATION_INSIDE = {"code": "53", "device_id": "fm-lib-sw1", "facility_id": "fm-lib", "facility": "fm-lib"}
CALLERS = [
    Caller(Role.ADMIN, "", NATION_INSIDE, None, ()),
    Caller(Role.MINISTRY, "", NATION_INSIDE, None, ()),
    Caller(
        Role.PROVINCE_INSPECTOR,
        "51",
        {"code": "5101", "device_id": "dy-lib-sw1", "facility_id": "dy-lib", "facility": "dy-lib"},
        {"code": "53", "device_id": "fm-lib-sw1", "facility_id": "fm-lib", "facility": "fm-lib"},
        ("530124", "富民", "fm-lib", "云南"),
    ),
    Caller(
        Role.COUNTY_STAFF,
        "510121",
        {"code": "510121", "device_id": "jt-lib-sw1", "facility_id": "jt-lib", "facility": "jt-lib"},
        {"code": "510129", "device_id": "dy-lib-sw1", "facility_id": "dy-lib", "facility": "dy-lib"},
        ("510129", "大邑", "dy-lib", "530124", "富民", "fm-lib", "云南"),
    ),
]

# Who may call a route at all (by role), when it is not everyone.
ROLE_ONLY: dict[tuple[str, str], set[Role]] = {
    ("GET", "/audit-log"): {Role.ADMIN},
    ("POST", "/devices"): {Role.ADMIN, Role.COUNTY_STAFF},
    ("POST", "/inventory/import"): {Role.ADMIN, Role.COUNTY_STAFF},
    ("PUT", "/devices/{device_id}"): {Role.ADMIN, Role.COUNTY_STAFF},
    ("DELETE", "/devices/{device_id}"): {Role.ADMIN, Role.COUNTY_STAFF},
}


def all_routes(api: Api) -> list[tuple[str, str]]:
    """(method, path) of every HTTP route, through included routers (FastAPI ≥ 0.16x nests them)."""
    found = []
    for ctx in iter_route_contexts(api.app.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute | Route) and ctx.path:
            found += [(m, ctx.path) for m in sorted((route.methods or set()) - {"HEAD", "OPTIONS"})]
    return sorted(found)


def protected_routes(api: Api) -> list[tuple[str, str]]:
    return [(m, p) for m, p in all_routes(api) if not p.startswith(PUBLIC)]


def fill(path: str, values: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1).split(":")[0]
        assert name in values, f"the access matrix needs a value for path parameter {name!r} ({path})"
        return values[name]

    return re.sub(r"\{([^}]+)\}", one, path)


def body_for(method: str, path: str, values: dict[str, str]) -> dict[str, Any] | None:
    """A valid request body for the routes that take one."""
    if (method, path) == ("POST", "/devices"):
        return {"id": "matrix-new", "kind": "kiosk", "facility": values["facility"], "name": "新一体机"}
    if (method, path) == ("PUT", "/devices/{device_id}"):
        return {"id": values["device_id"], "kind": "switch", "facility": values["facility"], "name": "改名"}
    return None


# Values for required query parameters (found in the OpenAPI schema).
QUERY_VALUES = {"year": "2026"}


def required_query(client: TestClient, method: str, path: str) -> str:
    op = client.app.openapi()["paths"].get(path, {}).get(method.lower(), {})  # type: ignore[attr-defined]
    names = [p["name"] for p in op.get("parameters", []) if p["in"] == "query" and p.get("required")]
    for name in names:
        assert name in QUERY_VALUES, f"the access matrix needs a value for query parameter {name!r} ({path})"
    return "&".join(f"{n}={QUERY_VALUES[n]}" for n in names)


def call(client: TestClient, method: str, path: str, values: dict[str, str]) -> tuple[int, str]:
    url = fill(path, values)
    query = required_query(client, method, path)
    if query:
        url += "?" + query
    if (method, path) == ("POST", "/inventory/import"):
        yaml = f"devices:\n  - {{id: matrix-up, kind: kiosk, facility: {values['facility']}}}\n"
        r = client.post(url, files=[("files", ("devices.yaml", yaml.encode(), "application/yaml"))])
    else:
        r = client.request(method, url, json=body_for(method, path, values))
    return r.status_code, r.text


def test_every_route_is_in_the_matrix(api: Api) -> None:
    routes = protected_routes(api)
    assert ("GET", "/regions/{code}") in routes and ("DELETE", "/devices/{device_id}") in routes
    for method, path in routes:
        params = set(re.findall(r"\{([^}:]+)", path))
        assert params <= set(NATION_INSIDE), f"{method} {path}: add its path parameters to the matrix"


def test_no_token_or_bad_token_is_401_everywhere(api: Api) -> None:
    anon = api.anonymous()
    for method, path in protected_routes(api):
        status, text = call(anon, method, path, NATION_INSIDE)
        assert status == 401, (method, path, status, text)
        assert "认证" in text  # Chinese by default
        r = anon.request(
            method, fill(path, NATION_INSIDE), headers={"Authorization": "Bearer pdcs_00000000_" + "x" * 43}
        )
        assert r.status_code == 401, (method, path)
    r = anon.get("/regions?lang=en")
    assert r.status_code == 401 and "authentication required" in r.json()["detail"]
    assert anon.get("/health").status_code == 200


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: f"{c.role.value}:{c.scope or 'nation'}")
def test_access_matrix(make_api: Callable[[], Api], caller: Caller) -> None:
    seen = 0
    routes = protected_routes(make_api())
    for method, path in routes:
        allowed_role = caller.role in ROLE_ONLY.get((method, path), set(Role))
        for where, values in (("inside", caller.inside), ("outside", caller.outside)):
            if values is None:
                continue
            client = make_api().client(caller.role, caller.scope)  # a fresh app: changes do not pile up
            status, text = call(client, method, path, values)
            seen += 1
            what = f"{caller.role.value}:{caller.scope or 'nation'} {where} {method} {path} → {status} {text[:200]}"
            assert status < 500, what
            assert status != 401, what
            # an error may echo what the caller asked for; anything else from outside is a leak
            answer = text
            for asked in values.values():
                answer = answer.replace(asked, "<asked>")
            for name in caller.foreign:
                assert name not in answer, f"leak of {name!r}: {what}"
            scoped = "{" in path or method in ("POST", "PUT")  # a path id, or a body naming a facility
            id_path = "{device_id}" in path or "{facility_id}" in path
            if not allowed_role:
                assert status == (404 if where == "outside" and id_path else 403), what
            elif where == "outside" and id_path:
                assert status == 404, what  # the same answer as an unknown id: no probing of other counties
            elif where == "outside" and (method, path) == ("POST", "/devices"):
                assert status == 422, what  # its facility: the same answer as an unknown facility
            elif where == "outside" and scoped:
                assert status == 403, what
                assert "权限范围" in text, what
            else:
                assert status in (200, 201, 204), what
    assert seen == len(routes) * (1 if caller.outside is None else 2)


def test_outside_scope_message_in_english_on_request(api: Api) -> None:
    c = api.client(Role.COUNTY_STAFF, "510121")
    r = c.get("/regions/53", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert r.status_code == 403 and "outside your scope" in r.json()["detail"]
    r = c.get("/devices/fm-lib-sw1")  # another county's device: as if it did not exist
    assert r.status_code == 404 and r.json() == c.get("/devices/no-such-device").json() | {"detail": r.json()["detail"]}
    assert "fm-lib-sw1" in r.json()["detail"] and "权限" not in r.json()["detail"]


WEB_CALLS = {
    ("GET", "/web/"): "/web/?region={code}&start=2026-11-02&end=2026-11-03",
    ("GET", "/web/report"): "/web/report?region={code}&start=2026-11-02&end=2026-11-03&format=json",
    ("GET", "/web/region/{code}"): "/web/region/{code}?start=2026-11-02&end=2026-11-03",
    ("GET", "/web/facility/{facility_id}"): "/web/facility/{facility_id}?start=2026-11-02&end=2026-11-03",
}
# sign-in itself, and the chart library (a public file, no data)
WEB_OPEN = {
    ("GET", "/web/login"),
    ("POST", "/web/login"),
    ("POST", "/web/logout"),
    ("GET", "/web/static/echarts.min.js"),
}


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: f"{c.role.value}:{c.scope or 'nation'}")
def test_web_pages_matrix(make_api: Callable[[], Api], caller: Caller) -> None:
    """The inspectors' pages (cookie sign-in) under the same rules: every /web route is listed here."""
    api = make_api()
    web = {r for r in all_routes(api) if r[1].startswith("/web")}
    assert web == set(WEB_CALLS) | WEB_OPEN, "a new /web route: add it to WEB_CALLS"
    anon = api.anonymous()
    for template in WEB_CALLS.values():
        r = anon.get(template.format(**caller.inside), follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/web/login"
    client = api.client(caller.role, caller.scope)
    token = client.headers["Authorization"].removeprefix("Bearer ")
    browser = api.anonymous()
    assert browser.post("/web/login", data={"token": token}, follow_redirects=False).status_code == 303
    for where, values in (("inside", caller.inside), ("outside", caller.outside)):
        if values is None:
            continue
        for (method, path), template in WEB_CALLS.items():
            r = browser.request(method, template.format(**values))
            what = f"{caller.role.value} {where} {path} → {r.status_code} {r.text[:200]}"
            # a region code is public (GB/T 2260): 403; a facility id outside the scope: 404 like an unknown one
            outside = 404 if path == "/web/facility/{facility_id}" else 403
            assert r.status_code == (200 if where == "inside" else outside), what
            answer = r.text.replace(values["code"], "<asked>")
            if path == "/web/facility/{facility_id}":  # "facility <id> not found" repeats the id asked, as the API
                answer = answer.replace(values["facility_id"], "<asked>")
            for name in caller.foreign:
                assert name not in answer, f"leak of {name!r}: {what}"
