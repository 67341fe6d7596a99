"""SSH configuration audits of switches, routers and Linux hosts.

``rules.py`` (baseline rules as data, ``baselines/*.yaml``) → ``checks.py``
(conditions over a ciscoconfparse2 tree) → ``audit.py`` (one device: fetch
over ``session.py``, judge) → ``points.py`` (``security_check`` points) and
``record.py`` (the per-device evidence record); ``collector.py`` is the
Collector the scheduler runs (``collector_for`` builds it from ``Settings``),
``cli.py`` is ``pdcs audit``.  One module per CLI dialect under ``dialects/``.

The package itself imports nothing, so ``pdcs --help`` (which lists ``pdcs audit``)
does not pay for ciscoconfparse2, which was most of its start-up time.
"""
