"""What the commands that read the inventory and InfluxDB share: their options and how they open both."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.progress import Progress

    from inventory.models import Inventory
    from pdcs.settings import Settings
    from pdcs.storage.shards import ShardMap


def load_inventory_or_exit(path: Path, lang: str = "zh", exit_code: int = 1) -> Inventory:
    """The inventory at ``path``; prints its problems (in ``lang``) and exits ``exit_code`` when it does not load."""
    from inventory.load import InventoryError, load_inventory

    try:
        inv: Inventory = load_inventory(path)
    except InventoryError as exc:
        typer.echo(exc.text(lang), err=True)
        raise typer.Exit(exit_code) from None
    except FileNotFoundError as exc:
        typer.echo(f"{path}: {exc.strerror or 'not found'}", err=True)
        raise typer.Exit(2) from None
    return inv


def make_settings(inventory: Path | None, influx_url: str | None, influx_db: str | None) -> Settings:
    """Settings with the command's options over the PDCS_* environment (and ``var/dev/env``); an explicit
    --influx-url/--influx-db means that one store, not the shard map's (PDCS_INFLUX_SHARDS)."""
    from pdcs.settings import Settings

    overrides: dict[str, object] = {}
    if inventory is not None:
        overrides["inventory"] = inventory
    if influx_url:
        overrides["influx_url"] = influx_url
    if influx_db:
        overrides["influx_db"] = influx_db
    if influx_url or influx_db:  # one store named on the command line: not the shard map's stores
        overrides["influx_shards"] = None
    return Settings(**overrides)  # type: ignore[arg-type]


def open_context(
    inventory: Path | None, influx_url: str | None, influx_db: str | None, exit_code: int = 1
) -> tuple[Settings, Inventory]:
    """Settings (arguments over PDCS_* environment) and the loaded inventory (exits ``exit_code`` when it does not)."""
    settings = make_settings(inventory, influx_url, influx_db)
    return settings, load_inventory_or_exit(settings.inventory, settings.language, exit_code)


def shards_or_exit(settings: Settings, exit_code: int = 2) -> ShardMap:
    """The settings' shard map (``PDCS_INFLUX_SHARDS``); prints its problems (file:line: field) and exits when
    it does not load."""
    from pdcs.storage.shards import ShardMapError

    try:
        return settings.shards()
    except ShardMapError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(exit_code) from None


def progress_bar() -> Progress:
    """The progress bar of long commands (backfill, influx migrate): description, bar, n/total, time left."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=False
    )


INVENTORY_OPT = typer.Option(None, "--inventory", "-i", help="Inventory folder or file (default: PDCS_INVENTORY).")
INFLUX_URL_OPT = typer.Option(None, "--influx-url", help="InfluxDB base URL (default: PDCS_INFLUX_URL).")
INFLUX_DB_OPT = typer.Option(None, "--influx-db", help="InfluxDB database (default: PDCS_INFLUX_DB).")
