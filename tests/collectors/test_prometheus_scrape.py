"""Prometheus scraping: node_exporter for real, failures as up=0, malformed expositions counted."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from collectors.base import Target
from collectors.exposition_map import CpuState, map_samples, parse_samples
from collectors.prometheus_scrape import PrometheusScrapeCollector, metrics_url
from devstack.node_exporter import NodeExporterServer, start_node_exporter
from devstack.procs import free_port
from pdcs.points import DEVICE_UP, HOST, to_lines
from pdcs.storage import InfluxDB
from tests.agents.conftest import kiosk_inventory

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def node_exporter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeExporterServer]:
    server = start_node_exporter(tmp_path_factory.mktemp("node_exporter"))
    yield server
    server.stop()


def _target(device: str, url: str) -> Target:
    inv = kiosk_inventory({device: url})
    return Target.of(inv, inv.devices[device])


async def test_node_exporter_scraped_into_influxdb(node_exporter: NodeExporterServer, influx: InfluxDB) -> None:
    scraper = PrometheusScrapeCollector(timeout_s=5, allow=("node_load1", "node_filesystem_files"))
    target = _target("jt-ert-pc01", node_exporter.url)  # no path: /metrics is added
    try:
        first = await scraper.collect(target)
        second = await scraper.collect(target)
    finally:
        await scraper.aclose()
    influx.write_lines(to_lines(first))
    influx.write_lines(to_lines(second))
    host = next(p for p in second if p.measurement == HOST).fields
    assert "cpu_pct" not in next(p for p in first if p.measurement == HOST).fields  # a rate needs two scrapes
    assert 0.0 <= host["cpu_pct"] <= 100.0  # type: ignore[operator]

    rows = influx.query("SELECT * FROM host WHERE device='jt-ert-pc01'")[0].rows()
    assert len(rows) == 2
    last = rows[-1]
    assert 0 < last["mem_used_pct"] < 100 and 0 < last["disk_used_pct"] < 100
    assert last["uptime_s"] > 0 and last["net_rx_bytes"] >= 0
    up = influx.query("SELECT up FROM device_up WHERE source='agent'")[0].rows()
    assert [r["up"] for r in up] == [1, 1]
    kept = influx.query("SELECT count(value) FROM exporter_metric GROUP BY metric")
    counts = {s.tags["metric"]: s.rows()[0]["count"] for s in kept}
    assert counts["node_load1"] == 2 and counts["node_filesystem_files"] >= 2
    assert "node_cpu_seconds_total" not in counts  # not on the allow-list
    # node_exporter's own "device" label must not overwrite the inventory device tag.
    labels = influx.query("SHOW TAG KEYS FROM exporter_metric")[0].rows()
    assert {"label_device", "device", "mountpoint"} <= {r["tagKey"] for r in labels}


class _Garbage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body>502 Bad Gateway from the library's captive portal</body></html>\n"
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def garbage_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/metrics"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    yield f"http://127.0.0.1:{s.getsockname()[1]}/metrics"
    s.close()


async def test_failures_are_up_zero_and_malformed_is_counted(
    garbage_server: str, silent_server: str, node_exporter: NodeExporterServer, influx: InfluxDB
) -> None:
    scraper = PrometheusScrapeCollector(timeout_s=0.5)
    targets = {
        "refused": f"http://127.0.0.1:{free_port()}/metrics",
        "silent": silent_server,
        "garbage": garbage_server,
        "notfound": garbage_server.replace("/metrics", "/missing"),
        "healthy": f"{node_exporter.url}/metrics",
    }
    results = {}
    try:
        for dev, url in targets.items():
            results[dev] = await scraper.collect(_target(dev, url))
    finally:
        await scraper.aclose()
    for dev in ("refused", "silent", "garbage", "notfound"):
        (point,) = results[dev]
        assert point.measurement == DEVICE_UP and point.fields["up"] == 0 and point.tags["source"] == "agent"
    assert "scrape failed: ConnectError" in str(results["refused"][0].fields["error"])
    assert results["silent"][0].fields["error"] == "scrape timed out after 0.5s"
    assert str(results["garbage"][0].fields["error"]).startswith("malformed exposition: invalid metric name")
    assert results["notfound"][0].fields["error"] == "scrape answered HTTP 404"
    assert results["healthy"][0].fields["up"] == 1
    assert (scraper.scrapes, scraper.failed, scraper.malformed) == (5, 4, 1)
    for pts in results.values():
        influx.write_lines(to_lines(pts))
    down = influx.query("SELECT up, error FROM device_up WHERE up = 0 GROUP BY device")
    assert {s.tags["device"] for s in down} == {"refused", "silent", "garbage", "notfound"}


def test_windows_exporter_mapping() -> None:
    samples = parse_samples((DATA / "windows_exporter.prom").read_text(encoding="utf-8"))
    tags = {"device": "jt-wufeng-kiosk01", "county": "510121"}
    cpu = CpuState()
    first = map_samples(samples, tags, 1795564800_000_000_000, source="agent", cpu=cpu)
    host = next(p for p in first if p.measurement == HOST)
    assert round(host.fields["mem_used_pct"], 1) == 60.0  # type: ignore[arg-type]
    assert round(host.fields["disk_used_pct"], 1) == 49.7  # type: ignore[arg-type]
    assert host.fields["uptime_s"] == pytest.approx(61200.0)
    assert host.fields["sessions"] == 1
    assert host.fields["net_rx_bytes"] == 2846122871 and host.fields["net_tx_bytes"] == 193728001
    assert "cpu_pct" not in host.fields
    # A second scrape 100 s later with 150 idle seconds of 200 → 25 % busy.
    later = parse_samples(
        (DATA / "windows_exporter.prom")
        .read_text(encoding="utf-8")
        .replace('mode="idle"} 81234.921875', 'mode="idle"} 81309.921875')
        .replace('mode="idle"} 83521.859375', 'mode="idle"} 83596.859375')
        .replace('mode="user"} 3170.765625', 'mode="user"} 3195.765625')
        .replace('mode="user"} 1480.734375', 'mode="user"} 1505.734375')
    )
    second = map_samples(later, tags, 1795564900_000_000_000, source="agent", cpu=cpu)
    assert next(p for p in second if p.measurement == HOST).fields["cpu_pct"] == pytest.approx(25.0)


def test_metrics_url() -> None:
    assert metrics_url("http://10.51.121.31:9750") == "http://10.51.121.31:9750/metrics"
    assert metrics_url("http://10.51.121.31:9750/") == "http://10.51.121.31:9750/metrics"
    assert metrics_url("http://10.51.121.31:9182/custom") == "http://10.51.121.31:9182/custom"


def test_collector_for_reads_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from collectors.prometheus_scrape import collector_for
    from pdcs.settings import Settings

    monkeypatch.setenv("PDCS_SCRAPE_TIMEOUT_S", "3")
    monkeypatch.setenv("PDCS_SCRAPE_ALLOW", "node_hwmon_*, windows_service_state")
    c = collector_for(Settings(_env_file=None))  # type: ignore[call-arg]
    assert c.timeout_s == 3.0
    assert c.allow[-2:] == ("node_hwmon_*", "windows_service_state") and "node_load1" in c.allow
