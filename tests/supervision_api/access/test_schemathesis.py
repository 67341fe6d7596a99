"""schemathesis over the OpenAPI schema, in process against the ASGI app: no answer is a 5xx.

Run as an administrator (so the write routes run their code, not just the
refusal) and once without a token; a few examples per operation keep it fast.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.schemas import BaseSchema

from devstack.influxdb import InfluxServer
from pdcs.settings import RAW_RP, RAW_RP_DURATION, ROLLUP_RP, ROLLUP_RP_DURATION, Settings
from pdcs.storage import InfluxDB
from supervision_api.access.store import issue_token
from supervision_api.app import create_app
from supervision_api.db.users import Role
from supervision_api.state import AppState
from tests.support.figures import build_inventory


@pytest.fixture(scope="module")
def api_schema(influx_server: InfluxServer) -> Iterator[tuple[BaseSchema, TestClient, str]]:
    db = InfluxDB(url=influx_server.url, database=f"t_{uuid.uuid4().hex[:12]}", retries=0, backoff_s=0.01)
    db.ensure_database([(RAW_RP, RAW_RP_DURATION, True), (ROLLUP_RP, ROLLUP_RP_DURATION, False)])
    cfg = Settings(influx_url=db.url, influx_db=db.database, database_url="sqlite://", _env_file=None)  # type: ignore[call-arg]
    state = AppState(settings=cfg, inventory=build_inventory(), influx=db)
    app = create_app(state)
    token = issue_token(state, "admin", Role.ADMIN)
    yield schemathesis.openapi.from_asgi("/openapi.json", app), TestClient(app), token
    db.execute(f'DROP DATABASE "{db.database}"')
    db.close()


def test_no_server_errors(api_schema: tuple[BaseSchema, TestClient, str]) -> None:
    # schemathesis generates the cases; they are sent through FastAPI's TestClient because
    # schemathesis's own ASGI transport trips over the installed urllib3 (TrafficPolice.keys).
    schema, client, token = api_schema
    seen: dict[int, int] = {}
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 8
    for op in operations:

        @given(case=op.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case: schemathesis.Case) -> None:
            for headers in ({"Authorization": f"Bearer {token}"}, {}):  # without a token: 401, never 5xx
                kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
                kwargs.pop("cookies", None)
                r = client.request(**kwargs)
                assert r.status_code < 500, f"{kwargs['method']} {kwargs['url']} → {r.status_code} {r.text[:300]}"
                seen[r.status_code] = seen.get(r.status_code, 0) + 1

        run()
    assert 401 in seen and 200 in seen and sum(seen.values()) >= 2 * len(operations)
