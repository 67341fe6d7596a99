"""``pdcs syslog``: the rsyslog configuration, the indexer, search and retention.

- ``config [--udp-port] [--tcp-port] [--address]``: print the rsyslog configuration
  (install it as /etc/rsyslog.d/pdcs.conf, or run ``rsyslogd -f`` on it);
- ``index [--once] [--interval S]``: follow the store and write ``syslog`` counts and the
  grading evidence to InfluxDB;
- ``search --device D [--since] [--until] [--text] [--severity]``: messages of a device, newest first;
- ``prune``: delete days older than the retention (``PDCS_SYSLOG_RETENTION_DAYS``, ≥ 180).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from pdcs.cli_context import INFLUX_DB_OPT, INFLUX_URL_OPT, make_settings, open_context

app = typer.Typer(no_args_is_help=True, help="Syslog (日志): rsyslog configuration, indexing, search, retention.")


@app.command()
def config(
    udp_port: int = typer.Option(514, "--udp-port", help="UDP port (0: no UDP input)."),
    tcp_port: int = typer.Option(514, "--tcp-port", help="TCP port (0: no TCP input)."),
    address: str = typer.Option("0.0.0.0", "--address", help="Address to listen on."),
    store: Path = typer.Option(None, "--store", help="The store folder (default: PDCS_SYSLOG_STORE)."),
) -> None:
    """Print the rsyslog configuration that receives syslog into the pdcs store."""
    from collectors.syslog.rsyslog import rsyslog_conf

    folder = store or make_settings(None, None, None).syslog_store
    typer.echo(rsyslog_conf(folder, udp_port=udp_port or None, tcp_port=tcp_port or None, address=address), nl=False)


@app.command()
def index(
    inventory: Path = typer.Option(None, "--inventory", "-i", help="Inventory folder or file (PDCS_INVENTORY)."),
    once: bool = typer.Option(False, "--once", help="One pass, then exit."),
    interval: float = typer.Option(30.0, "--interval", min=1, help="Seconds between passes."),
    influx_url: str | None = INFLUX_URL_OPT,
    influx_db: str | None = INFLUX_DB_OPT,
) -> None:
    """Count new syslog messages per device, facility, severity and event into InfluxDB (and the evidence)."""
    from collectors.syslog.indexer import SyslogIndexer

    settings, inv = open_context(inventory, influx_url, influx_db, exit_code=2)
    ix = SyslogIndexer(settings.syslog_store, inv, settings.syslog_state, keep_days=settings.syslog_retention_days)
    settings.ensure_schema()
    last_evidence = 0.0
    while True:
        points = ix.index()
        if time.monotonic() - last_evidence > 3600 or once:
            points += ix.evidence()
            last_evidence = time.monotonic()
        if points:
            with settings.shards() as shards:  # each device's counts into its province's store
                shards.write_points(points)
        typer.echo(f"{len(points)} points; {ix.state.messages} messages indexed", err=True)
        if once:
            return
        time.sleep(interval)


@app.command()
def search(
    device: str = typer.Option(..., "--device", "-d", help="Device id."),
    inventory: Path = typer.Option(None, "--inventory", "-i", help="Inventory folder or file (PDCS_INVENTORY)."),
    since: datetime = typer.Option(None, "--since", help="From (ISO 8601; default: 24 hours ago)."),
    until: datetime = typer.Option(None, "--until", help="Until (ISO 8601; default: now)."),
    text: str = typer.Option(None, "--text", help="Only messages containing this text."),
    severity: list[str] = typer.Option([], "--severity", help="Only this severity (repeatable: err, warning …)."),
    limit: int = typer.Option(200, "--limit", min=1, max=10_000),
) -> None:
    """A device's syslog messages, newest first."""
    from collectors.syslog.store import search as find

    settings, inv = open_context(inventory, None, None, exit_code=2)
    dev = inv.devices.get(device)
    if dev is None or not dev.address:
        typer.echo(f"unknown device or no address: {device}", err=True)
        raise typer.Exit(2)
    end = (until or datetime.now(UTC)).astimezone(UTC)
    start = (since or end - timedelta(days=1)).astimezone(UTC)
    for m in find(settings.syslog_store, [dev.host_port(0)[0]], start, end, text=text,
                  severities=set(severity) or None, limit=limit):  # fmt: skip
        typer.echo(f"{m.time.astimezone().isoformat(timespec='seconds')} {m.severity:<7} {m.app}: {m.message}")


@app.command()
def prune() -> None:
    """Delete syslog days older than the retention (at least 180 days)."""
    from collectors.syslog.store import prune as drop

    settings = make_settings(None, None, None)
    try:
        gone = drop(settings.syslog_store, settings.syslog_retention_days)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{len(gone)} day file(s) older than {settings.syslog_retention_days} days deleted")
