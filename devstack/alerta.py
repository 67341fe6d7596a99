"""A private Alerta server with its own PostgreSQL 15, on free loopback ports.

PostgreSQL comes from :mod:`devstack.postgres` (the one starter of
PostgreSQL in the project).  Alerta runs under gunicorn from its own
virtual environment (``<repo>/.venv-alerta``, made by scripts/setup.sh, else
``/work/venv-alerta``).  ``stop_api``/``start_api`` stop and start only Alerta
(same port, same database) for outage tests.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devstack.postgres import PostgresServer, start_postgres
from devstack.procs import Managed, free_port

REPO = Path(__file__).resolve().parents[1]


def alerta_venv() -> Path:
    for cand in (REPO / ".venv-alerta", Path("/work/venv-alerta")):
        if (cand / "bin" / "alertad").exists():
            return cand
    raise FileNotFoundError("alerta-server is not installed; run scripts/setup.sh (it makes .venv-alerta)")


@dataclass
class AlertaServer:
    url: str
    admin_key: str = field(repr=False)
    postgres: PostgresServer
    api: Managed
    database_url: str

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/_", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def stop_api(self) -> None:
        self.api.stop()

    def start_api(self, timeout_s: float = 30.0) -> None:
        self.api.start()
        self.api.wait_ready(self.ready, timeout_s)

    def stop(self) -> None:
        self.api.stop()
        self.postgres.stop()


def start_alerta(base: Path | None = None, *, timeout_s: float = 60.0) -> AlertaServer:
    """Start PostgreSQL, create the database and an admin key, start Alerta; ~6 s."""
    venv = alerta_venv()
    postgres = start_postgres(base, timeout_s=timeout_s)
    postgres.create_database("monitoring")
    database_url = postgres.url("monitoring", driver="postgres")
    admin_key = secrets.token_urlsafe(24)
    env = {
        "DATABASE_URL": database_url,
        "AUTH_REQUIRED": "True",
        "ADMIN_USERS": "admin@example.org",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ALLOWED_ENVIRONMENTS": "Production,Development,开发",  # 开发: `pdcs dev up` names its alerts so
        "PLUGINS": "reject,heartbeat,blackout",
        "SIGNUP_ENABLED": "False",
    }
    subprocess.run(
        [str(venv / "bin" / "alertad"), "key", "--username", "admin@example.org", "--key", admin_key],
        check=True,
        capture_output=True,
        env={**os.environ, **env},
    )
    port = free_port()
    api = Managed(
        "alerta",
        [
            str(venv / "bin" / "gunicorn"),
            "alerta.app:create_app()",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
        ],
        postgres.base / "alerta.log",
        env=env,
    ).start()
    server = AlertaServer(f"http://127.0.0.1:{port}", admin_key, postgres, api, database_url)
    try:
        api.wait_ready(server.ready, timeout_s)
    except Exception:
        server.stop()
        raise
    return server
