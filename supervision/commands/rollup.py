"""``pdcs rollup run|schedule`` and ``pdcs backfill``: daily roll-ups into the ``rollup`` policy."""

from __future__ import annotations

import logging
import time as systime
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from pdcs.cli_context import INFLUX_DB_OPT, INFLUX_URL_OPT, INVENTORY_OPT, open_context, progress_bar, shards_or_exit

log = logging.getLogger(__name__)

app = typer.Typer(no_args_is_help=True, help="Daily roll-ups (availability, traffic, p95 utilisation, checks).")

CN = ZoneInfo("Asia/Shanghai")


def _day(value: str | None, default: date) -> date:
    if value is None:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _yesterday(tz: ZoneInfo = CN) -> date:
    return datetime.now(tz).date() - timedelta(days=1)


def run_days(days: list[date], inventory: Path | None, influx_url: str | None, influx_db: str | None) -> int:
    """Roll up ``days`` for every county with a progress bar; returns rows written.

    With province stores (PDCS_INFLUX_SHARDS) each store rolls up the counties it holds: a roll-up is read
    from and written to the store of its county. A store that is unreachable does not stop the others: its
    error is raised after them (``schedule`` tries again; a roll-up is idempotent)."""
    from pdcs.settings import RETENTION_POLICIES
    from pdcs.storage import layout
    from pdcs.storage.influx import InfluxUnavailable
    from supervision import rollup

    settings, inv = open_context(inventory, influx_url, influx_db)
    counties = rollup.counties(inv)
    written = 0
    down: list[InfluxUnavailable] = []
    with shards_or_exit(settings) as shards, progress_bar() as bar:
        task = bar.add_task(f"roll-ups {days[0]}..{days[-1]}", total=len(days) * len(counties))
        for influx, held in shards.split(counties):
            try:
                layout.ensure(influx, RETENTION_POLICIES)
                written += rollup.rollup_days(influx, inv, days, only=held, progress=lambda _c: bar.advance(task))
            except InfluxUnavailable as exc:
                log.warning("roll-up of %d counties in %s postponed: %s", len(held), influx.url, exc)
                down.append(exc)
    if down:
        raise down[0]
    return written


@app.command("run")
def run(
    day: str = typer.Option(None, "--day", help="Local day YYYY-MM-DD (default: yesterday, Beijing time)."),
    inventory: Path = INVENTORY_OPT,
    influx_url: str = INFLUX_URL_OPT,
    influx_db: str = INFLUX_DB_OPT,
) -> None:
    """Roll up one day (run it once a day, after midnight)."""
    d = _day(day, _yesterday())
    written = run_days([d], inventory, influx_url, influx_db)
    typer.echo(f"{d}: {written} roll-up rows written")


@app.command("schedule")
def schedule(
    at: str = typer.Option("01:30", "--at", help="Local time (Beijing) to roll up the previous day."),
    inventory: Path = INVENTORY_OPT,
    influx_url: str = INFLUX_URL_OPT,
    influx_db: str = INFLUX_DB_OPT,
) -> None:
    """Run forever: every day at --at, roll up the previous day (and yesterday at start)."""
    from pdcs.storage.influx import InfluxUnavailable

    hh, mm = (int(x) for x in at.split(":"))
    pending = [_yesterday()]
    while True:
        try:
            if pending:
                run_days(pending, inventory, influx_url, influx_db)
                pending = []
        except InfluxUnavailable as exc:
            log.warning("roll-up of %s postponed: %s", pending, exc)
            systime.sleep(300)
            continue
        now = datetime.now(CN)
        nxt = now.replace(hour=hh, minute=mm, second=0, microsecond=0)
        if nxt <= now:
            nxt += timedelta(days=1)
        log.info("next roll-up at %s", nxt.isoformat())
        systime.sleep((nxt - now).total_seconds())
        pending = [_yesterday()]


def backfill(
    start: str = typer.Option(..., "--start", help="First local day YYYY-MM-DD."),
    end: str = typer.Option(None, "--end", help="Last local day YYYY-MM-DD, inclusive (default: yesterday)."),
    inventory: Path = INVENTORY_OPT,
    influx_url: str = INFLUX_URL_OPT,
    influx_db: str = INFLUX_DB_OPT,
) -> None:
    """Compute the daily roll-ups of past days from raw points (idempotent: a day is overwritten)."""
    first, last = _day(start, _yesterday()), _day(end, _yesterday())
    if last < first:
        typer.echo(f"--end {last} is before --start {first}", err=True)
        raise typer.Exit(2)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    written = run_days(days, inventory, influx_url, influx_db)
    typer.echo(f"{first}..{last}: {len(days)} days, {written} roll-up rows written")
