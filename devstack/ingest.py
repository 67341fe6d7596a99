"""A real ``pdcs ingest serve`` process (push ingest → spool → InfluxDB) on a free loopback port."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from devstack.procs import Managed, free_port

REPO = Path(__file__).resolve().parents[1]


@dataclass
class IngestServer:
    url: str  # base URL; push to {url}/ingest/v1/push
    port: int
    process: Managed

    @property
    def push_url(self) -> str:
        return f"{self.url}/ingest/v1/push"

    def health(self) -> str:
        return httpx.get(f"{self.url}/ingest/v1/health", timeout=2.0).text

    def ready(self) -> bool:
        return self.health().startswith("ok")

    def stop(self) -> None:
        self.process.stop()

    def start_again(self, timeout_s: float = 20.0) -> None:
        self.process.start()
        self.process.wait_ready(self.ready, timeout_s)


def start_ingest(
    base: Path,
    *,
    inventory: Path,
    secret: str,
    influx_url: str,
    influx_db: str,
    port: int | None = None,
    env: dict[str, str] | None = None,
) -> IngestServer:
    port = port or free_port()
    argv = [
        sys.executable, "-m", "pdcs", "ingest", "serve",
        "--inventory", str(inventory),
        "--listen", f"127.0.0.1:{port}",
        "--influx-url", influx_url,
        "--influx-db", influx_db,
        "--spool-dir", str(base / "spool"),
    ]  # fmt: skip
    full_env = {"PYTHONPATH": str(REPO), "PDCS_INGEST_SECRET": secret, **(env or {})}
    proc = Managed("pdcs-ingest", argv, base / "ingest.log", env=full_env, cwd=base).start()
    server = IngestServer(f"http://127.0.0.1:{port}", port, proc)
    proc.wait_ready(server.ready, 30)
    return server
