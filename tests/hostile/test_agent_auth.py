"""Item 6 of issue 15: the agent's /metrics and /checks answer only the collector, by default.

Before: anyone on the LAN read, on 0.0.0.0:9750 without a token, the terminal's missing lockout,
open firewall and pending updates. Now a real pdcs-agent refuses /metrics and /checks without
the bearer token (401, logged with the caller's address) — and refuses every scrape when no
token is configured — while a real collector scrape with ``PDCS_SCRAPE_SECRET`` gets the
device up; over TLS too.
"""

from __future__ import annotations

import ssl
import time
from pathlib import Path

import httpx

from agents.push_signature import scrape_token
from collectors.base import Target
from collectors.prometheus_scrape import PrometheusScrapeCollector
from devstack.agent import AgentServer, start_agent
from pdcs.points import DEVICE_UP
from tests.agents.conftest import seed
from tests.collectors.conftest import make_inventory

from .certs import self_signed

SECRET = "scrape-secret-for-tests"
DEVICE = "jt-ert-01"


def _agent(tmp_path: Path, **extra: object) -> tuple[str, AgentServer]:
    token = tmp_path / "scrape-token"
    token.write_text(scrape_token(SECRET, DEVICE) + "\n", encoding="utf-8")
    cfg = {"device": DEVICE, "scrape_token": {"file": str(token)}, "checks": {"interval_s": 3600,
           "root": str(seed(tmp_path / "root", {"etc/ufw/ufw.conf": "ENABLED=no\n"}))}, **extra}  # fmt: skip
    agent = start_agent(tmp_path / "agent", cfg)
    return agent.url, agent


async def test_scrapes_need_the_token_and_the_collector_sends_it(tmp_path: Path) -> None:
    url, agent = _agent(tmp_path)
    try:
        for path in ("/metrics", "/checks"):
            assert httpx.get(url + path, timeout=5).status_code == 401
            assert httpx.get(url + path, headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 401
        good = {"Authorization": f"Bearer {scrape_token(SECRET, DEVICE)}"}
        assert "host_firewall" in httpx.get(url + "/checks", headers=good, timeout=5).text
        inv = make_inventory(tmp_path, [{"id": DEVICE, "kind": "e_reading_terminal", "agent_url": url}], [], {})
        target = Target.of(inv, inv.devices[DEVICE])
        refused = await PrometheusScrapeCollector().collect(target)  # a collector without the secret
        assert [p.fields["up"] for p in refused if p.measurement == DEVICE_UP] == [0]
        scraper = PrometheusScrapeCollector(scrape_secret=SECRET)
        points = await scraper.collect(target)
        await scraper.aclose()
        assert [p.fields["up"] for p in points if p.measurement == DEVICE_UP] == [1]
        log = (tmp_path / "agent" / "agent.log").read_text()
        assert "refused /metrics from 127.0.0.1" in log and scrape_token(SECRET, DEVICE) not in log
    finally:
        agent.stop()


def test_no_token_configured_refuses_everything(tmp_path: Path) -> None:
    agent = start_agent(tmp_path / "agent", {"scrape_token": None, "checks": {"interval_s": 3600}})
    try:
        assert httpx.get(agent.url + "/metrics", timeout=5).status_code == 401
        assert httpx.get(agent.url + "/healthz", timeout=5).status_code == 200
    finally:
        agent.stop()


def test_tls(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    token = tmp_path / "scrape-token"
    token.write_text("t0ken", encoding="utf-8")
    cfg = {"scrape_token": {"file": str(token)}, "tls": {"cert": str(cert), "key": str(key)},
           "checks": {"interval_s": 3600}}  # fmt: skip
    ready = AgentServer.ready
    AgentServer.ready = lambda self: True  # type: ignore[method-assign]  # its probe speaks plain HTTP
    try:
        agent = start_agent(tmp_path / "agent", cfg)
    finally:
        AgentServer.ready = ready  # type: ignore[method-assign]
    try:
        https = agent.url.replace("http://", "https://")
        ctx = ssl.create_default_context(cafile=str(cert))
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.get(https + "/metrics", headers={"Authorization": "Bearer t0ken"}, verify=ctx, timeout=10)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, agent.process.tail()
                time.sleep(0.2)
        assert r.status_code == 200 and "pdcs_host" in r.text
    finally:
        agent.stop()
