"""A private InfluxDB 1.x (Debian ``influxdb``) on free loopback ports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from devstack.procs import Managed, free_port, require


@dataclass
class InfluxServer:
    url: str
    http_port: int
    data_dir: Path
    process: Managed

    def ping(self) -> bool:
        try:
            return httpx.get(f"{self.url}/ping", timeout=1.0).status_code == 204
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        self.process.stop()

    def start_again(self, timeout_s: float = 30.0) -> None:
        """Restart on the same port and data (for outage tests)."""
        self.process.start()
        self.process.wait_ready(self.ping, timeout_s)


def start_influxdb(base: Path, http_port: int | None = None) -> InfluxServer:
    base.mkdir(parents=True, exist_ok=True)
    http_port = http_port or free_port()
    rpc_port = free_port()
    conf = base / "influxdb.conf"
    conf.write_text(
        f"""reporting-disabled = true
bind-address = "127.0.0.1:{rpc_port}"
[meta]
  dir = "{base}/meta"
[data]
  dir = "{base}/data"
  wal-dir = "{base}/wal"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "10s"
[coordinator]
  query-timeout = "60s"
[http]
  bind-address = "127.0.0.1:{http_port}"
  log-enabled = false
  max-body-size = 0
[logging]
  level = "warn"
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
""",
        encoding="utf-8",
    )
    proc = Managed("influxd", [require("influxd"), "-config", str(conf)], base / "influxd.log").start()
    server = InfluxServer(f"http://127.0.0.1:{http_port}", http_port, base, proc)
    proc.wait_ready(server.ping, 30)
    return server
