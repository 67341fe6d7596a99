"""SSH configuration audits of switches, routers and Linux hosts.

``rules.py`` (baseline rules as data, ``baselines/*.yaml``) → ``checks.py``
(conditions over a ciscoconfparse2 tree) → ``audit.py`` (one device: fetch
over ``session.py``, judge) → ``points.py`` (``security_check`` points) and
``record.py`` (the per-device evidence record); ``collector.py`` is the
Collector the scheduler runs, ``cli.py`` is ``pdcs audit``.  One module per
CLI dialect under ``dialects/``.
"""

from __future__ import annotations

from collectors.ssh_audit.collector import SshAuditCollector
from collectors.ssh_audit.record import AuditStore
from inventory.models import Inventory
from pdcs.settings import Settings


def collector_for(inventory: Inventory, settings: Settings | None = None) -> SshAuditCollector:
    """The audit collector configured from ``Settings`` (what the collector service wires in).

    Schedule its jobs every ``collector.interval_s`` (``PDCS_AUDIT_INTERVAL_S``) for the
    devices where ``collector.applies_to(device)``.
    """
    from collectors.config_history.repo import ConfigRepo

    s = settings or Settings()
    return SshAuditCollector(
        inventory,
        store=AuditStore(s.audit_dir),
        concurrency=s.audit_concurrency,
        interval_s=s.audit_interval_s,
        history=ConfigRepo(s.config_history_dir),
    )


__all__ = ["SshAuditCollector", "collector_for"]
