"""Item 9 of issue 15 (API part): denied requests audited, tokens expire, web logout ends the session.

On a real ``pdcs api``:
- every 401/403 is in the audit log with who (the user, or ``anonymous`` and the token prefix
  tried), what (method and path) and from where (the client address) — MLPS 安全审计;
- a token past its expiry is refused, and so is a token made before expiry existed once it is
  older than 90 days;
- the web page's cookie holds a session token of its own, which logout revokes on the server.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import update

from pdcs.storage import InfluxDB
from supervision_api.db import Database, users
from supervision_api.db.schema import ApiToken
from supervision_api.web.pages import COOKIE

from .certs import self_signed
from .conftest import ApiProcess, start_api


def test_denied_requests_are_audited(api_process: ApiProcess) -> None:
    url = api_process.url
    assert httpx.get(f"{url}/regions").status_code == 401
    bad = "pdcs_0badc0de_" + "x" * 43
    assert httpx.get(f"{url}/regions", headers={"Authorization": f"Bearer {bad}"}).status_code == 401
    assert httpx.get(f"{url}/audit-log", headers=api_process.auth("jt-staff")).status_code == 403
    log = httpx.get(f"{url}/audit-log", params={"action": "access.denied"}, headers=api_process.auth("admin"))
    entries = log.json()["data"]
    seen = {(e["user"], e["target"], e["details"].get("status"), e["details"].get("from")) for e in entries}
    assert ("anonymous", "GET /regions", 401, "127.0.0.1") in seen
    assert ("jt-staff", "GET /audit-log", 403, "127.0.0.1") in seen
    assert any(e["details"].get("token_prefix") == "0badc0de" for e in entries)
    assert all(e["outcome"] == "denied" for e in entries)
    assert "x" * 43 not in log.text  # never the token itself


def test_expired_tokens_are_refused(api_process: ApiProcess) -> None:
    db = Database(api_process.db_url)
    with db.session() as s:
        _row, expired = users.create_token(s, "jt-staff", "old laptop", lifetime=timedelta(seconds=-1))
        legacy_row, legacy = users.create_token(s, "jt-staff", "before expiry existed")
        legacy_row.expires_at = None
        legacy_row.created_at = datetime.now(UTC) - timedelta(days=91)
        s.execute(update(ApiToken).where(ApiToken.id == legacy_row.id).values(expires_at=None))
    db.dispose()
    for token in (expired, legacy):
        r = httpx.get(f"{api_process.url}/regions", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, r.text
    assert httpx.get(f"{api_process.url}/regions", headers=api_process.auth("jt-staff")).status_code == 200


def test_web_logout_revokes_the_session(api_process: ApiProcess) -> None:
    token = api_process.tokens["jt-staff"]
    with httpx.Client(base_url=api_process.url, timeout=30) as browser:
        r = browser.post("/web/login", data={"token": token})
        assert r.status_code == 303
        session = browser.cookies.get(COOKIE)
        assert session and session != token  # the cookie is a session of its own, not the API token
        assert browser.get("/web/").status_code == 200
        browser.post("/web/logout")
    with httpx.Client(base_url=api_process.url, cookies={COOKIE: session}, timeout=30) as stolen:
        r = stolen.get("/web/")
        assert r.status_code == 303 and r.headers["location"] == "/web/login"  # revoked on the server
    assert httpx.get(f"{api_process.url}/regions", headers=api_process.auth("jt-staff")).status_code == 200


def test_health_tells_no_counts_and_status_only_within_scope(api_process: ApiProcess) -> None:
    health = httpx.get(f"{api_process.url}/health").json()
    assert set(health) == {"status", "influxdb", "version"}  # nothing about the fleet, to anyone
    assert httpx.get(f"{api_process.url}/status").status_code == 401
    staff = httpx.get(f"{api_process.url}/status", headers=api_process.auth("jt-staff")).json()
    nation = httpx.get(f"{api_process.url}/status", headers=api_process.auth("admin")).json()
    assert staff["scope"] == "510121" and nation["scope"] == "0"
    assert 0 < staff["devices"] <= nation["devices"]


def test_api_over_tls(influx: InfluxDB, examples_dir: Path, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    served = start_api(tmp_path, examples_dir, influx.url, influx.database, tls=(cert, key))
    api = next(served)
    try:
        assert api.url.startswith("https://")
        r = httpx.get(f"{api.url}/regions/510121", headers=api.auth("jt-staff"), verify=str(cert))
        assert r.status_code == 200
    finally:
        next(served, None)
