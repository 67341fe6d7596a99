"""pdcs-agent: a small Prometheus exporter for e-reading terminals and kiosks.

It serves host metrics, kiosk-application and service-reachability probes
and cached MLPS 2.0 security checks on ``/metrics`` (and the checks with
their evidence on ``/checks``), and can push the same exposition to a
collector's ingest endpoint when no collector can reach the terminal.

The agent imports only the standard library, ``prometheus_client``,
``psutil`` and ``yaml`` so it stays small on a kiosk (docs/benchmarks.md).
"""

__version__ = "0.1.0"
