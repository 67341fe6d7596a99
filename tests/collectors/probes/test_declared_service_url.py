"""A facility's declared service URL is probed by the collector, and the assessment reads that probe.

Two county libraries declare digital-library service and a ``service_url``:
one served by a real HTTP server on loopback, one on a port nobody listens
on.  One collector cycle (no agent anywhere) probes both; the roll-up counts
the probes in opening hours and the assessment's digital-library indicator
scores the first as serving and the second as not — both measured.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from collectors.probes.declared import declared_probes
from collectors.service import CollectorService, ServiceConfig
from devstack.procs import free_port
from inventory.models import Device, Facility, Inventory, Region
from pdcs.points import SERVICE_PROBE
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from supervision import rollup
from supervision.assessment import assess

ALL_DAY = {d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


class _Portal(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = "数字图书馆".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def portal() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def build(up_url: str, down_url: str) -> Inventory:
    facs = [
        Facility.model_validate(
            {
                "id": fid,
                "name": name,
                "kind": "public_library",
                "county": "510121",
                "opening_hours": ALL_DAY,
                "attributes": {"digital_library_service": True, "service_url": url},
            }
        )
        for fid, name, url in (("lib-a", "金堂县图书馆", up_url), ("lib-b", "金堂县第二图书馆", down_url))
    ]
    names = {"51": "四川省", "5101": "成都市", "510121": "金堂县"}
    regions = [Region(code=code, name=name) for code, name in names.items()]
    device = Device.model_validate({"id": "lib-a-sw", "kind": "switch", "facility": "lib-a"})  # not polled
    return Inventory(
        regions={r.code: r for r in regions}, facilities={f.id: f for f in facs}, devices={device.id: device}
    )


def test_declared_urls_become_probe_jobs_once() -> None:
    inv = build("https://lib.example.cn/", "not a url")
    (target, spec), *rest = declared_probes(inv)
    assert not rest  # "not a url" is no http(s) URL: nothing to probe
    assert (spec.kind, spec.url, spec.name) == ("http", "https://lib.example.cn/", "service_url")
    assert "device" not in target.tags and target.tags["facility"] == "lib-a"
    assert declared_probes(inv, ["510124"]) == []  # another county


async def test_collector_probes_declared_urls_and_the_assessment_reads_them(
    portal: str, influx: InfluxDB, tmp_path: Path
) -> None:
    down = f"http://127.0.0.1:{free_port()}/"
    inv = build(portal, down)
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    svc = CollectorService(inv, influx, tmp_path / "spool.sqlite", ServiceConfig(period_s=10), settings)
    try:
        assert sorted(j.target.device.id for j in svc.jobs) == ["lib-a.service_url", "lib-b.service_url"]
        await svc.run_once()
    finally:
        svc.close()
    rows = {
        s.tags["facility"]: s.rows()[0]
        for s in influx.query(f'SELECT "up", "url", "device", "error" FROM "{SERVICE_PROBE}" GROUP BY "facility"')
    }
    assert rows["lib-a"]["up"] == 1 and rows["lib-a"]["url"] == portal and rows["lib-a"]["device"] is None
    assert rows["lib-b"]["up"] == 0 and rows["lib-b"]["url"] == down and rows["lib-b"]["error"]

    rollup.rollup_days(influx, inv, [day, day + timedelta(days=1)])  # a cycle at local midnight lands on either
    body = assess(influx, inv, "510121", day.year).region("510121")
    digital = next(i for i in body["data"] if i["id"] == "digital_library_service")
    assert (digital["basis"]["measured"], digital["basis"]["declared"]) == (2, 0)
    assert digital["value"] == 0.5  # declared: both; measured: lib-a answered, lib-b did not
