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
    cafile: str | None = None  # with TLS: the certificate that verifies it

    @property
    def push_url(self) -> str:
        return f"{self.url}/ingest/v1/push"

    def health(self) -> str:
        return httpx.get(f"{self.url}/ingest/v1/health", timeout=2.0, verify=self.cafile or True).text

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
    tls: tuple[Path, Path] | None = None,
) -> IngestServer:
    """``tls`` = (certificate, key) PEM files: serve HTTPS (the certificate must name 127.0.0.1)."""
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
    if tls is not None:
        full_env |= {"PDCS_TLS_CERTFILE": str(tls[0]), "PDCS_TLS_KEYFILE": str(tls[1])}
    proc = Managed("pdcs-ingest", argv, base / "ingest.log", env=full_env, cwd=base).start()
    scheme = "https" if tls else "http"
    server = IngestServer(f"{scheme}://127.0.0.1:{port}", port, proc, str(tls[0]) if tls else None)
    proc.wait_ready(server.ready, 30)
    return server
