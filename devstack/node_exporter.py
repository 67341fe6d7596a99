"""Debian's prometheus-node-exporter on a free loopback port."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from devstack.procs import Managed, free_port, require


@dataclass
class NodeExporterServer:
    url: str  # base URL; metrics at {url}/metrics
    port: int
    process: Managed

    def ready(self) -> bool:
        return httpx.get(f"{self.url}/metrics", timeout=2.0).status_code == 200

    def stop(self) -> None:
        self.process.stop()


def start_node_exporter(base: Path, port: int | None = None) -> NodeExporterServer:
    port = port or free_port()
    argv = [
        require("prometheus-node-exporter"),
        f"--web.listen-address=127.0.0.1:{port}",
        "--log.level=warn",
    ]
    proc = Managed("node_exporter", argv, base / "node_exporter.log").start()
    server = NodeExporterServer(f"http://127.0.0.1:{port}", port, proc)
    proc.wait_ready(server.ready, 20)
    return server
