"""A real ``pdcs-agent`` process on a free loopback port, with its config in a folder."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from devstack.procs import Managed, free_port

REPO = Path(__file__).resolve().parents[1]


@dataclass
class AgentServer:
    url: str  # base URL; /metrics and /checks under it
    port: int
    config_path: Path
    process: Managed

    def ready(self) -> bool:
        return httpx.get(f"{self.url}/healthz", timeout=2.0).status_code == 200

    def stop(self) -> None:
        self.process.stop()

    def start_again(self, timeout_s: float = 20.0) -> None:
        self.process.start()
        self.process.wait_ready(self.ready, timeout_s)


def start_agent(base: Path, config: dict[str, Any] | None = None, port: int | None = None) -> AgentServer:
    """Start ``python -m agents run`` with ``config`` (YAML mapping) listening on 127.0.0.1."""
    base.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    # The local stack's agents answer scrapes without a token unless the caller configures one.
    cfg = {"scrape_token": "open", **(config or {}), "listen": f"127.0.0.1:{port}"}
    path = base / "agent.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    argv = [sys.executable, "-m", "agents", "--config", str(path), "run"]
    proc = Managed("pdcs-agent", argv, base / "agent.log", env={"PYTHONPATH": str(REPO)}, cwd=base).start()
    server = AgentServer(f"http://127.0.0.1:{port}", port, path, proc)
    proc.wait_ready(server.ready, 20)
    return server
