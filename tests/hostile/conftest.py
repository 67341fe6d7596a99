"""A real ``pdcs api`` process with users of each role, for the hostile-input tests."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from devstack.ingest import IngestServer, start_ingest
from devstack.procs import free_port
from pdcs.storage import InfluxDB
from supervision_api.db import Database, users
from tests.agents.test_push import SECRET, _write_inventory
from tests.support.cli import pdcs_argv, pdcs_env


@dataclass
class ApiProcess:
    url: str
    proc: subprocess.Popen[bytes]
    tokens: dict[str, str]  # user name -> token
    log: Path
    db_url: str = ""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


USERS = (
    ("admin", users.Role.ADMIN, ""),
    ("jt-staff", users.Role.COUNTY_STAFF, "510121"),
    ("sc-inspector", users.Role.PROVINCE_INSPECTOR, "51"),
)


def make_users(db_url: str) -> dict[str, str]:
    db = Database(db_url)
    db.create_schema()
    tokens = {}
    with db.session() as s:
        for name, role, scope in USERS:
            users.add_user(s, name, role, scope)
            tokens[name] = users.create_token(s, name)[1]
    db.dispose()
    return tokens


def start_api(
    tmp_path: Path, inventory: Path, influx_url: str, influx_db: str, tls: tuple[Path, Path] | None = None, **env: str
) -> Iterator[ApiProcess]:
    db_url = f"sqlite:///{tmp_path}/api.sqlite"
    tokens = make_users(db_url)
    port = free_port()
    log = tmp_path / "api.log"
    if tls is not None:
        env |= {"PDCS_TLS_CERTFILE": str(tls[0]), "PDCS_TLS_KEYFILE": str(tls[1])}
    scheme, verify = ("https", str(tls[0])) if tls else ("http", True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            pdcs_argv("api", "-i", str(inventory), "--port", str(port), "--influx-url", influx_url,
                      "--influx-db", influx_db),
            env=pdcs_env(PDCS_DATABASE_URL=db_url, **env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    api = ApiProcess(f"{scheme}://127.0.0.1:{port}", proc, tokens, log, db_url)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{api.url}/health", timeout=1, verify=verify).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "pdcs api did not come up:\n" + log.read_text()
            time.sleep(0.2)
        yield api
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture
def api_process(influx: InfluxDB, examples_dir: Path, tmp_path: Path) -> Iterator[ApiProcess]:
    yield from start_api(tmp_path, examples_dir, influx.url, influx.database)


def ingest_for_tests(
    tmp_path: Path, influx_url: str, influx_db: str, *, env: dict[str, str] | None = None,
    tls: tuple[Path, Path] | None = None,
) -> IngestServer:  # fmt: skip
    """A real ``pdcs ingest serve`` for the push tests' inventory (one kiosk, one terminal)."""
    return start_ingest(
        tmp_path / "ingest",
        inventory=_write_inventory(tmp_path / "inventory"),
        secret=SECRET,
        influx_url=influx_url,
        influx_db=influx_db,
        env=env,
        tls=tls,
    )
