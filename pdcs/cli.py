"""The ``pdcs`` command: one Typer app with one sub-command per part of the platform.

Each part owns its command module (``inventory/cli.py``, ``collectors/cli.py``
…); this file only lists them, so ``pdcs --help`` shows the whole platform.
A command module keeps heavy imports inside its functions so ``--help`` stays fast
(``tests/collectors/test_jobs.py`` checks that ciscoconfparse2, once most of its time, stays out).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import typer

from alert_rules.cli import alerts, maintenance_app, rules_app
from collectors.cli import collect
from collectors.ingest_cli import app as ingest_app
from collectors.ssh_audit.cli import audit
from dashboards.cli import app as grafana_app
from inventory.cli import app as inventory_app
from pdcs import __version__
from reports.cli import report
from supervision.commands.figures import app as supervision_app
from supervision.commands.figures import assessment
from supervision.commands.rollup import app as rollup_app
from supervision.commands.rollup import backfill
from supervision_api.access.cli import app as users_app
from supervision_api.cli import api

dev_app: typer.Typer | None
try:  # devstack runs from a checkout and is not in the wheel: an installed pdcs has no ``pdcs dev``
    from devstack.cli import app as dev_app
except ModuleNotFoundError as exc:
    if exc.name != "devstack":
        raise  # devstack is there but something it needs is not: say so
    dev_app = None

# (name, Typer app (a group) or function (a command), help)
SUBCOMMANDS: list[tuple[str, typer.Typer | Callable[..., Any] | None, str]] = [
    ("dev", dev_app, "Local development stack: InfluxDB and simulated devices."),
    ("collect", collect, "Poll devices (SNMP, agents, SSH audits) into InfluxDB."),
    ("ingest", ingest_app, "Receive pushes from pdcs agents behind NAT/4G (and print their tokens)."),
    ("api", api, "Serve the supervision API (FastAPI, docs at /docs)."),
    ("rules", rules_app, "Alert rules: check rule files (告警规则)."),
    ("alerts", alerts, "Evaluate alert rules and tell Alerta (告警评估)."),
    ("maintenance", maintenance_app, "Maintenance windows as Alerta blackouts (维护窗口)."),
    ("inventory", inventory_app, "Check and summarise an inventory."),
    ("rollup", rollup_app, "Daily roll-ups into the long retention policy."),
    ("backfill", backfill, "Compute past days' roll-ups from raw points."),
    ("supervision", supervision_app, "Availability in opening hours and bandwidth figures."),
    ("assessment", assessment, "Annual assessment (年度考核) scores of a region."),
    ("users", users_app, "Users, roles, region scopes and API tokens (stored hashed)."),
    ("report", report, "Supervision report of a region: JSON, CSV, XLSX or PDF."),
    ("audit", audit, "Audit device configurations over SSH against the security baselines."),
    ("grafana", grafana_app, "Grafana dashboards: build the JSON, check the queries, push to a Grafana."),
]

app = typer.Typer(
    name="pdcs",
    help="pdcs — Public Digital Culture Supervision (公共数字文化远程监管平台).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pdcs {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    log_level: str = typer.Option(
        os.environ.get("PDCS_LOG_LEVEL", "INFO"), "--log-level", help="DEBUG, INFO, WARNING or ERROR."
    ),
) -> None:
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request at INFO; that buries what operators need to see.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


for _name, _obj, _help in SUBCOMMANDS:
    if isinstance(_obj, typer.Typer):
        app.add_typer(_obj, name=_name, help=_help)
    elif _obj is not None:
        app.command(_name, help=_help)(_obj)


def main() -> None:
    app()
