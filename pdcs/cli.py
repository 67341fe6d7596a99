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
from collectors.config_history.cli import app as config_app
from collectors.discovery.cli import discover
from collectors.ingest_cli import app as ingest_app
from collectors.ssh_audit.cli import audit
from collectors.syslog.cli import app as syslog_app
from dashboards.cli import app as grafana_app
from federation.cli import app as federation_app
from inventory.cli import app as inventory_app
from notify.cli import app as notify_app
from pdcs import __version__
from pdcs.storage.cli import app as influx_app
from reports.cli import report
from supervision.commands.figures import app as supervision_app
from supervision.commands.figures import assessment
from supervision.commands.rollup import app as rollup_app
from supervision.commands.rollup import backfill
from supervision.commands.satisfaction import app as satisfaction_app
from supervision_api.access.cli import app as users_app
from supervision_api.cli import api
from supervision_api.db_cli import app as db_app

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
    ("maintenance", maintenance_app, "Maintenance windows: blackouts and recurring windows (维护窗口)."),
    ("notify", notify_app, "Notifications to DingTalk, WeCom, Feishu, SMS, e-mail, webhooks (告警通知)."),
    ("inventory", inventory_app, "Check and summarise an inventory."),
    ("rollup", rollup_app, "Daily roll-ups into the long retention policy."),
    ("backfill", backfill, "Compute past days' roll-ups from raw points."),
    ("supervision", supervision_app, "Availability in opening hours and bandwidth figures."),
    ("assessment", assessment, "Annual assessment (年度考核) scores of a region."),
    ("satisfaction", satisfaction_app, "Import third-party satisfaction surveys (群众满意度) for the assessment."),
    ("influx", influx_app, "The InfluxDB layout's version: show it, migrate data to this code's layout."),
    ("db", db_app, "The API database's schema: upgrade it (migrations), show its revision."),
    ("users", users_app, "Users, roles, region scopes and API tokens (stored hashed)."),
    ("report", report, "Supervision report of a region: JSON, CSV, XLSX or PDF."),
    ("audit", audit, "Audit device configurations over SSH against the security baselines."),
    ("discover", discover, "Sweep subnets (ICMP, SNMP, LLDP/CDP) and propose inventory rows (设备发现)."),
    ("syslog", syslog_app, "Syslog (日志): rsyslog configuration, indexing into InfluxDB, search, retention."),
    ("config", config_app, "Configuration history (配置历史): fetch, log and diff versions."),
    ("grafana", grafana_app, "Grafana dashboards: build the JSON, check the queries, push to a Grafana."),
    ("federation", federation_app, "National summaries (全国汇总): ship a province's summaries; show late provinces."),
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


# Our own packages log at the chosen level; third-party libraries (fontTools, paramiko, httpx …) only
# from WARNING up unless --log-level DEBUG, so a PDF or an SSH audit does not bury the command's output.
OWN_LOGGERS = frozenset(
    {"pdcs", "collectors", "supervision", "supervision_api", "reports", "alert_rules", "dashboards", "inventory"}
    | {"notify", "agents", "devstack", "federation", "uvicorn", "__main__"}
)


class _OwnLogsOnly(logging.Filter):
    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or self.level <= logging.DEBUG:
            return True
        return record.name.split(".", 1)[0] in OWN_LOGGERS


def configure_logging(level_name: str) -> None:
    level = logging.getLevelNamesMapping().get(level_name.upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _OwnLogsOnly) for f in handler.filters):
            handler.addFilter(_OwnLogsOnly(level))


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    log_level: str = typer.Option(
        os.environ.get("PDCS_LOG_LEVEL", "INFO"), "--log-level", help="DEBUG, INFO, WARNING or ERROR."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="On an error, print the traceback too (accepted anywhere on the command line)."
    ),
) -> None:
    configure_logging(log_level)
    if ctx.invoked_subcommand != "dev":  # dev up writes the file; it must not read a previous run's
        from pdcs.settings import apply_env_file

        apply_env_file()


for _name, _obj, _help in SUBCOMMANDS:
    if isinstance(_obj, typer.Typer):
        app.add_typer(_obj, name=_name, help=_help)
    elif _obj is not None:
        app.command(_name, help=_help)(_obj)


def main(argv: list[str] | None = None) -> int:
    """Run ``pdcs``; errors become one line (see pdcs/cli_errors.py) unless ``--debug``. Returns the status."""
    import sys
    import traceback

    from typer._click import exceptions as ce

    from pdcs import cli_errors

    args = list(sys.argv[1:] if argv is None else argv)
    debug = cli_errors.wants_debug(args)
    args = [a for a in args if a != "--debug"]
    try:
        result = app(args=args, prog_name="pdcs", standalone_mode=False)
    except ce.NoArgsIsHelpError as exc:
        exc.show()
        status = exc.exit_code
    except typer.Exit as exc:
        status = exc.exit_code
    except (Exception, KeyboardInterrupt) as exc:  # every error ends here, as one line
        if debug:
            traceback.print_exc()
        line, status = cli_errors.describe(exc, cli_errors.language(args))
        typer.echo(line, err=True)
    else:
        status = result if isinstance(result, int) else 0
    if argv is None:
        sys.exit(status)
    return status
