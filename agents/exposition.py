"""The agent's registry: host metrics, probes, cached security checks and agent identity.

Security checks are exposed as ``pdcs_security_check_status`` (1 pass, 0 fail,
-1 unknown) labelled with the MLPS item, level and severity, and their evidence
as ``pdcs_security_check_detail_info{check,status,detail}`` so a scraper gets
everything in one request (``/checks`` serves the same as JSON).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from agents import __version__
from agents.checks.base import CheckResult

DETAIL_MAX = 480  # evidence longer than this is cut (the schema's limit); /checks has it in full


class ChecksCollector(Collector):
    def __init__(self, results: Callable[[], list[CheckResult]]) -> None:
        self.results = results

    def collect(self) -> Iterator[GaugeMetricFamily | InfoMetricFamily]:
        status = GaugeMetricFamily(
            "pdcs_security_check_status",
            "Security check result: 1 pass, 0 fail, -1 unknown",
            labels=["check", "mlps_item", "mlps_level", "severity"],
        )
        detail = InfoMetricFamily(
            "pdcs_security_check_detail", "Evidence of the latest security check run", labels=["check"]
        )
        when = GaugeMetricFamily("pdcs_security_check_timestamp_seconds", "When the check last ran", labels=["check"])
        for r in self.results():
            status.add_metric([r.check, r.mlps_item, r.mlps_level, r.severity], r.value)
            detail.add_metric([r.check], {"status": r.status, "detail": r.detail[:DETAIL_MAX]})
            when.add_metric([r.check], r.checked_at)
        yield status
        yield detail
        yield when


class AgentInfoCollector(Collector):
    def __init__(self, device: str = "") -> None:
        self.labels = {"version": __version__, "platform": sys.platform, "device": device}

    def collect(self) -> Iterator[InfoMetricFamily]:
        yield InfoMetricFamily("pdcs_agent", "pdcs-agent version and platform", value=self.labels)


def build_registry(*collectors: Collector) -> CollectorRegistry:
    reg = CollectorRegistry(auto_describe=False)
    for c in collectors:
        reg.register(c)
    return reg
