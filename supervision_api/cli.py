"""``pdcs api``: serve the supervision API with uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from inventory.models import Inventory


def load_inventory_or_exit(path: Path) -> Inventory:
    """The inventory at ``path``; prints its problems and exits 1 when it does not load."""
    from inventory.load import InventoryError, load_inventory  # type: ignore[import-not-found,unused-ignore]

    try:
        inv: Inventory = load_inventory(path)
    except InventoryError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    except FileNotFoundError as exc:
        typer.echo(f"{path}: {exc.strerror or 'not found'}", err=True)
        raise typer.Exit(2) from None
    return inv


def api(
    inventory: Path = typer.Option(
        None, "--inventory", "-i", help="Inventory folder or file (default: PDCS_INVENTORY)."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port to listen on."),
    influx_url: str = typer.Option(None, "--influx-url", help="InfluxDB base URL (default: PDCS_INFLUX_URL)."),
    influx_db: str = typer.Option(None, "--influx-db", help="InfluxDB database (default: PDCS_INFLUX_DB)."),
) -> None:
    """Serve the supervision API (OpenAPI documentation at /docs)."""
    import uvicorn

    from pdcs.settings import Settings
    from supervision_api.app import create_app
    from supervision_api.state import AppState

    overrides: dict[str, object] = {}
    if inventory is not None:
        overrides["inventory"] = inventory
    if influx_url:
        overrides["influx_url"] = influx_url
    if influx_db:
        overrides["influx_db"] = influx_db
    settings = Settings(**overrides)  # type: ignore[arg-type]
    inv = load_inventory_or_exit(settings.inventory)
    state = AppState(settings=settings, inventory=inv, influx=settings.influx())
    typer.echo(f"pdcs api: {len(inv.devices)} devices, InfluxDB {settings.influx_url}, http://{host}:{port}/docs")
    uvicorn.run(create_app(state), host=host, port=port, log_level="info")
