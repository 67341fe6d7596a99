"""A private Alerta server with its own PostgreSQL 15, on free loopback ports.

PostgreSQL runs in the foreground (``postgres -D``) as the ``postgres`` user
when we are root (it refuses to run as root), with its data and socket in a
temporary folder that user owns.  Alerta runs under gunicorn from its own
virtual environment (``<repo>/.venv-alerta``, made by scripts/setup.sh, else
``/work/venv-alerta``).  ``stop_api``/``start_api`` stop and start only Alerta
(same port, same database) for outage tests.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from pdcs.devstack.procs import Managed, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
REPO = Path(__file__).resolve().parents[2]


def alerta_venv() -> Path:
    for cand in (REPO / ".venv-alerta", Path("/work/venv-alerta")):
        if (cand / "bin" / "alertad").exists():
            return cand
    raise FileNotFoundError("alerta-server is not installed; run scripts/setup.sh (it makes .venv-alerta)")


def _pg_user() -> str | None:
    return "postgres" if os.geteuid() == 0 else None


@dataclass
class AlertaServer:
    url: str
    admin_key: str = field(repr=False)
    base: Path
    postgres: Managed
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
        # SIGINT is PostgreSQL's fast shutdown (SIGTERM waits for sessions to end).
        self.postgres.signal(signal.SIGINT)
        self.postgres.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def start_alerta(base: Path | None = None, *, timeout_s: float = 60.0) -> AlertaServer:
    """Initialise PostgreSQL, create the database and an admin key, start Alerta; ~6 s."""
    venv = alerta_venv()
    # A folder the postgres user can reach (pytest's tmp folders are private to root).
    base = Path(tempfile.mkdtemp(prefix="pdcs-alerta-", dir=base))
    user = _pg_user()
    if user:
        shutil.chown(base, user)
        os.chmod(base, 0o755)
    data = base / "pgdata"
    subprocess.run(
        [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
        check=True,
        capture_output=True,
        user=user,
    )
    pg_port = free_port()
    postgres = Managed(
        "postgres",
        [
            str(PG_BIN / "postgres"),
            "-D",
            str(data),
            "-p",
            str(pg_port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-k",
            str(base),
            "-c",
            "fsync=off",
            "-c",
            "full_page_writes=off",
        ],
        base / "postgres.log",
        user=user,
    ).start()

    def pg_ready() -> bool:
        r = subprocess.run(
            [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(pg_port)], capture_output=True, check=False
        )
        return r.returncode == 0

    postgres.wait_ready(pg_ready, timeout_s)
    subprocess.run(
        [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(pg_port), "-U", "postgres", "monitoring"],
        check=True,
        capture_output=True,
    )
    database_url = f"postgres://postgres@127.0.0.1:{pg_port}/monitoring"
    admin_key = secrets.token_urlsafe(24)
    env = {
        "DATABASE_URL": database_url,
        "AUTH_REQUIRED": "True",
        "ADMIN_USERS": "admin@example.org",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ALLOWED_ENVIRONMENTS": "Production,Development",
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
        base / "alerta.log",
        env=env,
    ).start()
    server = AlertaServer(f"http://127.0.0.1:{port}", admin_key, base, postgres, api, database_url)
    try:
        api.wait_ready(server.ready, timeout_s)
    except Exception:
        server.stop()
        raise
    return server
