"""``pdcs api``: serve the supervision API with uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from pdcs.cli_context import (
    INFLUX_DB_OPT,
    INFLUX_URL_OPT,
    INVENTORY_OPT,
    load_inventory_or_exit,
    open_context,
    shards_or_exit,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

    from inventory.models import Inventory
    from pdcs.settings import Settings


def api(
    inventory: Path = INVENTORY_OPT,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port to listen on."),
    influx_url: str = INFLUX_URL_OPT,
    influx_db: str = INFLUX_DB_OPT,
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes (each loads the inventory)."),
) -> None:
    """Serve the supervision API (OpenAPI documentation at /docs)."""
    import os

    import uvicorn

    settings, inv = open_context(inventory, influx_url, influx_db)
    # HTTPS when PDCS_TLS_CERTFILE and PDCS_TLS_KEYFILE name PEM files (else plain HTTP behind a proxy)
    both = settings.tls_certfile is not None and settings.tls_keyfile is not None
    certfile = str(settings.tls_certfile) if both else None
    keyfile = str(settings.tls_keyfile) if both else None
    _upgrade_database_or_exit(settings)
    with shards_or_exit(settings) as shards:  # a bad PDCS_INFLUX_SHARDS stops here, every problem named
        where = f"{len(shards.stores())} InfluxDB stores" if not shards.is_single else f"InfluxDB {settings.influx_url}"
    typer.echo(f"pdcs api: {len(inv.devices)} devices, {where}, http://{host}:{port}/docs")
    if workers == 1:
        uvicorn.run(
            app_from_settings(settings, inv),
            host=host,
            port=port,
            log_level="info",
            timeout_keep_alive=30,
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
        )
        return
    # Worker processes build their own app from the environment (the arguments passed on as PDCS_*).
    os.environ.update(
        {
            "PDCS_INVENTORY": str(settings.inventory),
            "PDCS_INFLUX_URL": settings.influx_url,
            "PDCS_INFLUX_DB": settings.influx_db,
        }
    )
    if settings.influx_shards is None:  # --influx-url/--influx-db: that one store in the workers too
        os.environ.pop("PDCS_INFLUX_SHARDS", None)
    else:
        os.environ["PDCS_INFLUX_SHARDS"] = str(settings.influx_shards)
    uvicorn.run(
        "supervision_api.cli:app_from_env",
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        timeout_keep_alive=30,
    )


def _upgrade_database_or_exit(settings: Settings) -> None:
    """Migrate the database before any worker starts; refuse (exit 1) one a newer release migrated."""
    from pdcs import i18n
    from supervision_api.db import migrate
    from supervision_api.db.engine import make_engine

    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
    except migrate.SchemaTooNew as exc:
        typer.echo(exc.text(i18n.normalise(settings.language) or i18n.DEFAULT_LANG), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def app_from_settings(settings: Settings, inv: Inventory) -> FastAPI:
    import gc

    from supervision_api.app import create_app
    from supervision_api.state import AppState

    shards = settings.shards()  # province stores (PDCS_INFLUX_SHARDS); the nation reads every one
    app = create_app(AppState(settings=settings, inventory=inv, influx=shards.reader(), shards=shards))
    # The inventory lives as long as the process: keep the garbage collector from walking its
    # hundreds of thousands of objects on every full collection (pauses grew with its size).
    gc.collect()
    gc.freeze()
    return app


def app_from_env() -> FastAPI:
    """The app of one uvicorn worker process (``pdcs api --workers N``)."""
    from pdcs.settings import Settings

    settings = Settings()
    return app_from_settings(settings, load_inventory_or_exit(settings.inventory, settings.language))
