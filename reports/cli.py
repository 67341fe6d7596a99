"""``pdcs report``: a region's report for a period, as JSON, CSV, XLSX or PDF, with progress."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from pdcs.cli_context import INFLUX_DB_OPT, INFLUX_URL_OPT, make_settings


def report(
    region: str = typer.Option(..., "--region", "-r", help="GB/T 2260 code (51, 5101, 510121); 0 for the nation."),
    start: str = typer.Option(..., "--start", help="ISO 8601 with time zone, e.g. 2026-01-01T00:00:00+08:00."),
    end: str = typer.Option(..., "--end", help="ISO 8601 with time zone (exclusive)."),
    fmt: str = typer.Option("pdf", "--format", "-f", help="json, csv, xlsx or pdf."),
    lang: str = typer.Option("zh", "--lang", help="zh (简体中文, default) or en."),
    output: Path = typer.Option(..., "--output", "-o", help="File to write."),
    inventory: Path = typer.Option(None, "--inventory", "-i", help="Inventory folder (default: the API database)."),
    influx_url: str = INFLUX_URL_OPT,
    influx_db: str = INFLUX_DB_OPT,
) -> None:
    """Write a supervision report: availability, bandwidth, security, MLPS grading, annual assessment."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from pdcs.i18n import normalise, text
    from pdcs.storage.influx import InfluxError, InfluxUnavailable
    from reports import FORMATS, render
    from reports.gather import STEPS, build_report
    from reports.times import now_stamp
    from supervision import FigureError
    from supervision.maintenance import MaintenanceError
    from supervision.periods import period as make_period
    from supervision.planned import load_schedule
    from supervision_api.db import Database, inventory_store
    from supervision_api.deps import resolve_region
    from supervision_api.errors import ApiError

    if fmt not in FORMATS:
        typer.echo(f"error: --format must be one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)
    language = normalise(lang)
    if language is None:
        typer.echo("error: --lang must be zh or en", err=True)
        raise typer.Exit(2)
    settings = make_settings(None, influx_url, influx_db)
    if inventory is not None:
        from pdcs.cli_context import load_inventory_or_exit

        inv = load_inventory_or_exit(inventory, settings.language)
    else:
        db = Database(settings.database_url)
        db.create_schema()
        with db.session() as s:
            if inventory_store.is_empty(s):
                db.dispose()
                from pdcs.cli_context import load_inventory_or_exit

                inv = load_inventory_or_exit(settings.inventory, settings.language)
            else:
                inv = inventory_store.load(s, settings.inventory)
        db.dispose()
    try:
        schedule = load_schedule(settings.maintenance_file)
    except MaintenanceError as exc:
        typer.echo("\n".join(exc.problems), err=True)
        raise typer.Exit(2) from None
    try:
        ref = resolve_region(region, inv)
        per = make_period(start, end)
    except ApiError as exc:
        typer.echo(f"error: {text(exc.key, language, **exc.params)}", err=True)
        raise typer.Exit(2) from None
    except FigureError as exc:
        typer.echo(f"error: {text(exc.key, language, **exc.params)}", err=True)
        raise typer.Exit(2) from None

    with (
        settings.shards() as shards,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            transient=False,
        ) as bar,
    ):
        influx = shards.reader(ref.code)  # the region's province store; the nation: every store
        national = shards.national()  # the nation and a province read it for their summaries, as the API does
        task = bar.add_task("report", total=len(STEPS) + 1)

        def progress(step: int, total: int, what: str) -> None:
            bar.update(task, completed=step, description=f"report: {what}")

        try:
            rep = build_report(influx, inv, ref.code, per, language, progress, schedule, national)
        except InfluxUnavailable as exc:
            typer.echo(f"error: InfluxDB unreachable: {exc}", err=True)
            raise typer.Exit(1) from None
        except InfluxError as exc:
            typer.echo(f"error: InfluxDB: {exc}", err=True)
            raise typer.Exit(1) from None
        rep.generated_at = now_stamp()
        rep.generated_by = f"cli:{getpass.getuser()}"
        bar.update(task, description=f"report: render {fmt}")
        rendered = render(rep, fmt)
        bar.update(task, completed=len(STEPS) + 1, description="report: done")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(rendered.body)
    typer.echo(f"{output}: {len(rendered.body)} bytes, content SHA-256 {rep.content_sha256}")
