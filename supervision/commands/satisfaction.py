"""``pdcs satisfaction import FILE``: third-party satisfaction survey results (群众满意度) into pdcs."""

from __future__ import annotations

from pathlib import Path

import typer

from pdcs.cli_context import INFLUX_DB_OPT, INFLUX_URL_OPT, INVENTORY_OPT, open_context

app = typer.Typer(no_args_is_help=True, help="Satisfaction surveys (群众满意度第三方评价).")


@app.command("import")
def import_survey(
    file: Path = typer.Argument(..., help="CSV or XLSX: facility, period, respondents, score (and 满分/scale_max)."),
    scale: float = typer.Option(None, "--scale", help="The top of the survey's scale when the file has no column."),
    check: bool = typer.Option(False, "--check", help="Check the file only; store nothing."),
    inventory: Path = INVENTORY_OPT,
    influx_url: str = INFLUX_URL_OPT,
    influx_db: str = INFLUX_DB_OPT,
) -> None:
    """Read a survey file, report every problem as file:line: column: message (exit 1), else store it."""
    from supervision.satisfaction import SurveyError, read_survey, store

    settings, inv = open_context(inventory, influx_url, influx_db)
    try:
        rows = read_survey(file, inv, scale)
    except SurveyError as exc:
        for p in exc.problems:
            typer.echo(p, err=True)
        raise typer.Exit(1) from None
    if check:
        typer.echo(f"{file}: {len(rows)} rows, no problems (nothing stored: --check)")
        return
    settings.ensure_schema()
    with settings.shards() as shards:  # each facility's rows into its province's store
        for influx, counties in shards.split({inv.facilities[r.facility].county for r in rows}):
            store(influx, inv, [r for r in rows if inv.facilities[r.facility].county in counties])
    typer.echo(f"{file}: {len(rows)} survey rows stored ({len({r.facility for r in rows})} facilities)")
