"""Heartbeats to Alerta for long-running pdcs processes (the evaluator, the collectors).

Alerta raises "heartbeat expired" when an origin stops beating for longer than
its timeout, which is how a silent collector is heard even when InfluxDB is
what it cannot reach.  ``send_heartbeat`` never raises: a monitoring hiccup
must not stop the process that is being monitored.
"""

from __future__ import annotations

import logging
import socket

from alert_rules.alerta import AlertaClient, AlertaError
from pdcs.settings import Settings

log = logging.getLogger(__name__)


def send_heartbeat(origin: str, timeout_s: int, *, settings: Settings, tags: list[str] | None = None) -> bool:
    """Tell Alerta ``origin`` is alive for ``timeout_s`` seconds; False (logged) when it could not.

    The collector's service loop calls this once per cycle, e.g.
    ``send_heartbeat(f"pdcs-collector/{name}", timeout_s=int(3 * interval_s), settings=settings)``.
    """
    if not settings.alerta_url:
        return False  # Alerta not configured for this deployment
    key = settings.alerta_key()
    try:
        with AlertaClient(settings.alerta_url, key, timeout_s=5.0) as client:
            client.heartbeat(origin, timeout_s, tags=tags or ["pdcs", socket.gethostname()])
    except AlertaError as exc:
        log.warning("heartbeat for %s not sent: %s", origin, exc)
        return False
    return True
