"""``pdcs collect``: run a collector for an inventory (all of it, or some regions)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import typer

from collectors.config import ServiceConfig
from pdcs.cli_context import INFLUX_DB_OPT, INFLUX_URL_OPT, INVENTORY_OPT

DEFAULT = ServiceConfig()


def _regions(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    codes = tuple(c.strip() for c in value.split(",") if c.strip())
    for c in codes:
        if not (c.isdigit() and len(c) in (2, 4, 6)):
            raise typer.BadParameter(f"{c!r} is not a GB/T 2260 code (2, 4 or 6 digits)", param_hint="--region")
    return codes


def collect(
    inventory: Path | None = INVENTORY_OPT,
    once: bool = typer.Option(
        False, "--once", help="Poll every device once, write, and exit (1 if any device failed)."
    ),
    region: str | None = typer.Option(
        None, "--region", help="Only these regions (comma-separated GB/T 2260 codes, e.g. 510121,510124)."
    ),
    influx_url: str | None = INFLUX_URL_OPT,
    influx_db: str | None = INFLUX_DB_OPT,
    spool_dir: Path | None = typer.Option(None, "--spool-dir", help="Folder of the durable spool (PDCS_SPOOL_DIR)."),
    spool_max_points: int = typer.Option(
        DEFAULT.spool_max_points, "--spool-max-points", help="Spool bound; oldest dropped beyond."
    ),
    interval: float | None = typer.Option(
        None, "--interval", help="Poll interval and cycle period in seconds (default: the SNMP profiles' interval_s)."
    ),
    max_in_flight: int = typer.Option(DEFAULT.max_in_flight, "--max-in-flight", help="Devices polled at once."),
    metrics_port: int | None = typer.Option(None, "--metrics-port", help="Serve Prometheus /metrics on this port."),
    ingest_listen: str | None = typer.Option(
        None, "--ingest-listen", help="Also take pdcs-agent pushes on HOST:PORT into this spool (PDCS_INGEST_SECRET)."
    ),
    name: str = typer.Option(DEFAULT.name, "--name", help="Collector name in self-metrics."),
    batch_size: int = typer.Option(DEFAULT.batch_size, "--batch-size", help="Points per InfluxDB write."),
    trap_port: int | None = typer.Option(None, "--trap-port", help="Receive SNMP traps on this UDP port (162)."),
    trap_host: str = typer.Option(DEFAULT.trap_host, "--trap-host", help="Address the trap receiver binds."),
    trap_engine_id: list[str] = typer.Option(
        [], "--trap-engine-id", help="Engine ID (hex) of a device sending SNMPv3 traps; repeatable."
    ),
) -> None:
    """Poll the inventory's devices (SNMP, agents, SSH audits) into InfluxDB."""
    from collectors.ingest_server import parse_listen
    from collectors.service import CollectorService
    from pdcs.cli_context import open_context, shards_or_exit

    config = ServiceConfig(
        name=name,
        regions=_regions(region),
        period_s=interval,
        max_in_flight=max_in_flight,
        batch_size=batch_size,
        spool_max_points=spool_max_points,
        trap_host=trap_host,
        trap_port=trap_port,
        trap_engine_ids=tuple(trap_engine_id),
    )
    try:
        ingest = parse_listen(ingest_listen) if ingest_listen else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--ingest-listen") from None
    settings, inv = open_context(inventory, influx_url, influx_db, exit_code=2)
    secret = settings.ingest_secret.get_secret_value() if settings.ingest_secret else ""
    if ingest is not None and not secret:
        typer.echo("--ingest-listen needs PDCS_INGEST_SECRET (device push tokens derive from it)", err=True)
        raise typer.Exit(2)
    shards = shards_or_exit(settings)
    for _, store in shards.stores():
        store.retries = 0  # the writers back off themselves; the spools keep points meanwhile
    influx = shards.default
    try:
        settings.ensure_schema()
    except Exception as exc:  # InfluxDB may be down at start: points wait in the spool
        typer.echo(f"InfluxDB not ready ({exc.__class__.__name__}); points will wait in the spool", err=True)
    spool_path = (spool_dir or settings.spool_dir) / f"{name}.sqlite"
    from collectors.probes.spec import ProbesError

    try:
        service = CollectorService(inv, influx, spool_path, config, settings, shards)
    except ProbesError as exc:  # every problem of the probes file, file: probes[i].field: message
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    if not service.jobs and ingest is None:
        typer.echo("no devices to collect in this inventory/region", err=True)
        raise typer.Exit(1)
    if metrics_port is not None:
        from collectors.metrics import serve_metrics

        serve_metrics(service, metrics_port)

    async def run_once() -> int:
        stats = await service.run_once()
        typer.echo(
            f"{stats.ok} ok, {stats.failed} failed, {stats.skipped} skipped in {stats.duration_s:.2f}s; "
            f"{service.routes.written} points written, {service.routes.depth} in the spool"
        )
        for key in stats.failed_devices:
            reason = stats.reasons.get(key, "")
            typer.echo(f"failed: {key}" + (f" — {reason}" if reason else ""), err=True)
        return 0 if stats.failed == 0 and stats.skipped == 0 else 1

    async def run_until_signalled() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        typer.echo(f"collecting {len(service.jobs)} jobs every {service.scheduler.period_s:g}s; Ctrl-C stops")
        if ingest is None:
            await service.run(stop)
            return 0
        from collectors.ingest_server import collector_ingest_app, serve_until

        app = collector_ingest_app(
            service,
            inv,
            secret,
            spool_path.with_suffix(".ledger.json"),
            keys_path=settings.ingest_keys,
            window_s=settings.ingest_window_s,
            max_samples=settings.ingest_max_samples,
        )
        typer.echo(f"taking agent pushes on {ingest[0]}:{ingest[1]}")
        tls = (settings.tls_certfile, settings.tls_keyfile) if settings.tls_certfile and settings.tls_keyfile else None
        serving = asyncio.create_task(serve_until(app, *ingest, stop, tls))
        try:
            await service.run(stop)
        finally:
            stop.set()
            await serving
        return 0

    try:
        code = asyncio.run(run_once() if once else run_until_signalled())
    finally:
        service.close()
    raise typer.Exit(code)
