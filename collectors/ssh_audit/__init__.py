"""SSH configuration audits of switches, routers and Linux hosts.

``rules.py`` (baseline rules as data, ``baselines/*.yaml``) → ``checks.py``
(conditions over a ciscoconfparse2 tree) → ``audit.py`` (one device: fetch
over ``session.py``, judge) → ``points.py`` (``security_check`` points) and
``record.py`` (the per-device evidence record); ``collector.py`` is the
Collector the scheduler runs, ``cli.py`` is ``pdcs audit``.  One module per
CLI dialect under ``dialects/``.
"""

from collectors.ssh_audit.collector import SshAuditCollector

__all__ = ["SshAuditCollector"]
