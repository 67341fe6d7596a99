"""The collector's own ``/metrics`` (Prometheus exposition), read live from the service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from collectors.service import CollectorService


class ServiceMetrics(Collector):
    def __init__(self, service: CollectorService) -> None:
        self.service = service

    def collect(self) -> Iterator[Any]:
        s = self.service
        labels = ["collector"]
        name = [s.config.name]
        last = s.last_cycle

        def gauge(metric: str, doc: str, value: float) -> GaugeMetricFamily:
            g = GaugeMetricFamily(metric, doc, labels=labels)
            g.add_metric(name, value)
            return g

        def counter(metric: str, doc: str, value: float) -> CounterMetricFamily:
            c = CounterMetricFamily(metric, doc, labels=labels)
            c.add_metric(name, value)
            return c

        yield gauge("pdcs_collector_cycle_seconds", "Duration of the last cycle.", last.duration_s if last else 0.0)
        yield gauge("pdcs_collector_devices_ok", "Devices answering in the last cycle.", last.ok if last else 0)
        yield gauge("pdcs_collector_devices_failed", "Devices failing in the last cycle.", last.failed if last else 0)
        yield gauge("pdcs_collector_devices_skipped", "Devices skipped in the last cycle.", last.skipped if last else 0)
        yield gauge("pdcs_collector_jobs", "Jobs (device x collector) scheduled.", len(s.jobs))
        yield gauge("pdcs_collector_in_flight", "Polls in flight now.", s.scheduler.in_flight)
        yield gauge("pdcs_collector_spool_depth", "Points waiting in the spool.", s.routes.depth)
        yield gauge("pdcs_collector_influx_up", "1 when the last write reached InfluxDB.", int(s.routes.available))
        yield counter("pdcs_collector_cycles", "Cycles run.", s.cycles)
        yield counter("pdcs_collector_points_written", "Points InfluxDB acknowledged.", s.routes.written)
        yield counter("pdcs_collector_points_dropped", "Points dropped from a full spool.", s.routes.dropped)
        yield counter("pdcs_collector_points_rejected", "Points InfluxDB refused as malformed.", s.routes.rejected)
        yield counter("pdcs_collector_snmp_requests", "SNMP operations (GETs and table walks) done.", s.snmp.requests)
        fam = CounterMetricFamily(
            "pdcs_collector_poll_failures", "Failed device polls by kind.", labels=[*labels, "kind"]
        )
        for kind, n in sorted(s.snmp.failures.items()):
            fam.add_metric([*name, kind], n)
        yield fam
        if s.traps is not None:
            traps = CounterMetricFamily(
                "pdcs_collector_traps", "SNMP notifications by outcome.", labels=[*labels, "outcome"]
            )
            for outcome, n in sorted(s.traps.counts.items()):
                traps.add_metric([*name, outcome], n)
            yield traps


def registry_for(service: CollectorService) -> CollectorRegistry:
    reg = CollectorRegistry()
    reg.register(ServiceMetrics(service))
    return reg


def serve_metrics(service: CollectorService, port: int, addr: str = "127.0.0.1") -> None:
    """Serve ``/metrics`` in a background thread (prometheus-client's own HTTP server)."""
    start_http_server(port, addr=addr, registry=registry_for(service))
