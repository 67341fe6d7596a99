"""A private InfluxDB 1.x (Debian ``influxdb``) on free loopback ports, configured for high cardinality.

The index is TSI (``index-version = "tsi1"``), the disk-based index InfluxData recommends for high series
cardinality: the in-memory index keeps every series key in RAM and is rebuilt at each start
(https://docs.influxdata.com/influxdb/v1/administration/config/#index-version, and
https://docs.influxdata.com/influxdb/v1/concepts/time-series-index/). The per-database series limit
(default 1,000,000) and the per-tag value limit (default 100,000 — a province has more ``device`` tag values)
are lifted (0 = no limit, same page: ``max-series-per-database``, ``max-values-per-tag``): past them InfluxDB
drops writes. docker-compose.yml sets the same three. Figures: docs/benchmarks.md, "Series and memory".
"""

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


# The settings of docker-compose.yml's InfluxDB too (as INFLUXDB_DATA_* variables; tests/deploy checks they agree).
HIGH_CARDINALITY = {"index-version": '"tsi1"', "max-series-per-database": "0", "max-values-per-tag": "0"}


def start_influxdb(base: Path, http_port: int | None = None, *, index: str = "tsi1") -> InfluxServer:
    """Start ``influxd`` with its data under ``base``; ``index="inmem"`` for the in-memory index (bench peer)."""
    base.mkdir(parents=True, exist_ok=True)
    data_settings = "\n".join(f"  {k} = {v}" for k, v in {**HIGH_CARDINALITY, "index-version": f'"{index}"'}.items())
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
{data_settings}
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
