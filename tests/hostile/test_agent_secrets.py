"""Item 6 of issue 15 (in part): secrets in service probe URLs are masked in /metrics and in the points.

Before: a probe URL with a password and an API key was published verbatim on the agent's
``/metrics`` (0.0.0.0:9750) and stored as an InfluxDB tag. Now the agent publishes
``user:******@host`` and ``api_key=******``, and the collector masks again when mapping.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from agents.probes import mask_url
from collectors.exposition_map import CpuState, map_samples, parse_samples
from devstack.agent import start_agent
from pdcs.points import SERVICE_PROBE

SECRET_URL = "http://admin:S3cr%40t@127.0.0.1:9/portal?user=kiosk&password=hunter2&api_key=abc123&page=2"


def test_mask_url() -> None:
    masked = mask_url(SECRET_URL)
    assert masked == "http://admin:******@127.0.0.1:9/portal?user=kiosk&password=******&api_key=******&page=2"
    assert mask_url("https://portal.example/health") == "https://portal.example/health"
    assert mask_url("http://u@h/?access_token=x&flag") == "http://u@h/?access_token=******&flag"


def test_collector_masks_what_an_older_agent_published() -> None:
    text = f'pdcs_service_up{{service="portal",url="{SECRET_URL}"}} 1\n'
    points = map_samples(parse_samples(text), {"device": "k1"}, 0, source="agent", cpu=CpuState())
    urls = [p.tags["url"] for p in points if p.measurement == SERVICE_PROBE]
    assert urls and all("hunter2" not in u and "abc123" not in u and "S3cr" not in u for u in urls)


def test_a_real_agent_publishes_no_secret(tmp_path: Path) -> None:
    cfg = {"services": [{"name": "portal", "url": SECRET_URL}], "checks": {"interval_s": 3600}}
    agent = start_agent(tmp_path / "agent", cfg)
    try:
        body = httpx.get(f"{agent.url}/metrics", timeout=10).text
        assert "pdcs_service_up" in body
        assert "hunter2" not in body and "abc123" not in body and "S3cr" not in body
        assert "password=******" in body
        log = (tmp_path / "agent" / "agent.log").read_text()
        assert "hunter2" not in log and "abc123" not in log
    finally:
        agent.stop()
