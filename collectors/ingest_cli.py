"""``pdcs ingest``: the push ingest server, and the token each pushing agent needs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from pdcs.cli_context import INFLUX_DB_OPT, INFLUX_URL_OPT, INVENTORY_OPT

if TYPE_CHECKING:
    from collectors.ingest_keys import KeyStore

app = typer.Typer(no_args_is_help=True)


def _secret() -> str:
    from pdcs.settings import Settings

    secret = Settings().ingest_secret
    if secret is None or not secret.get_secret_value():
        typer.echo("PDCS_INGEST_SECRET is not set (the shared secret device tokens derive from)", err=True)
        raise typer.Exit(2)
    return secret.get_secret_value()


KEYS_OPT = typer.Option(None, "--keys", help="Key generations file (default PDCS_INGEST_KEYS, var/ingest-keys.json).")


def _keys(path: Path | None) -> KeyStore:
    from collectors.ingest_keys import KeyStore
    from pdcs.settings import Settings

    return KeyStore(path or Settings().ingest_keys)


@app.command()
def token(device: str = typer.Argument(..., help="Inventory device id."), keys: Path | None = KEYS_OPT) -> None:
    """Print DEVICE's push key (for push.token in its agent.yaml): its current generation."""
    from agents.push_signature import device_key

    secret = _secret()
    state = _keys(keys).state(device)
    if state.revoked:
        typer.echo(f"{device}: push key revoked; `pdcs ingest rotate {device}` issues a new one", err=True)
        raise typer.Exit(1)
    typer.echo(device_key(secret, device, state.generation))


@app.command("scrape-token")
def scrape_token_cmd(device: str = typer.Argument(..., help="Inventory device id.")) -> None:
    """Print the token DEVICE's agent wants on /metrics and /checks (its scrape_token; PDCS_SCRAPE_SECRET)."""
    from agents.push_signature import scrape_token
    from pdcs.settings import Settings

    secret = Settings().scrape_secret
    if secret is None or not secret.get_secret_value():
        typer.echo("PDCS_SCRAPE_SECRET is not set (the secret agents' scrape tokens derive from)", err=True)
        raise typer.Exit(2)
    typer.echo(scrape_token(secret.get_secret_value(), device))


@app.command()
def rotate(device: str = typer.Argument(..., help="Inventory device id."), keys: Path | None = KEYS_OPT) -> None:
    """Give DEVICE a new push key and print it; the previous key still works for 7 days (grace)."""
    from agents.push_signature import device_key

    secret = _secret()
    state = _keys(keys).rotate(device)
    typer.echo(device_key(secret, device, state.generation))
    typer.echo(f"{device}: push key generation {state.generation}; put it in push.token of its agent", err=True)


@app.command()
def revoke(device: str = typer.Argument(..., help="Inventory device id."), keys: Path | None = KEYS_OPT) -> None:
    """Refuse every push key of DEVICE from now on (the running ingest notices within a second)."""
    _keys(keys).revoke(device)
    typer.echo(f"{device}: push keys revoked", err=True)


@app.command()
def serve(
    inventory: Path | None = INVENTORY_OPT,
    listen: str | None = typer.Option(None, "--listen", help="HOST:PORT (default PDCS_INGEST_LISTEN, 0.0.0.0:9732)."),
    influx_url: str | None = INFLUX_URL_OPT,
    influx_db: str | None = INFLUX_DB_OPT,
    spool_dir: Path | None = typer.Option(None, "--spool-dir", help="Folder of the durable spool (PDCS_SPOOL_DIR)."),
) -> None:
    """Accept agent pushes into a durable spool; a writer drains it into InfluxDB.

    (``pdcs collect --ingest-listen`` does the same inside the collector, into its own spool.)
    """
    import asyncio
    import signal

    from collectors.ingest import SeqLedger, create_ingest_app
    from collectors.ingest_keys import KeyStore
    from collectors.ingest_server import parse_listen, serve_until
    from collectors.routing import Routes
    from pdcs.cli_context import open_context, shards_or_exit
    from pdcs.points import Point

    secret = _secret()
    settings, inv = open_context(inventory, influx_url, influx_db, exit_code=2)
    try:
        host, port = parse_listen(listen or settings.ingest_listen)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--listen") from None
    folder = spool_dir or settings.spool_dir
    shards = shards_or_exit(settings)
    for _, store in shards.stores():
        store.retries = 0  # the writers back off; points wait in the spools
    routes = Routes(shards, folder / "ingest.sqlite")  # one spool per province store
    try:
        settings.ensure_schema()
    except Exception as exc:
        typer.echo(f"InfluxDB not ready ({exc.__class__.__name__}); pushes wait in the spool", err=True)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)

        def sink_and_wake(points: list[Point]) -> None:
            routes.append(routes.split(points))
            loop.call_soon_threadsafe(routes.wake)

        web = create_ingest_app(
            inv,
            secret,
            sink_and_wake,
            ledger=SeqLedger(folder / "ingest-ledger.json"),
            keys=KeyStore(settings.ingest_keys),
            window_s=settings.ingest_window_s,
            max_samples=settings.ingest_max_samples,
        )
        writer_task = asyncio.create_task(routes.run(stop))
        typer.echo(f"ingest listening on {host}:{port}; spool {folder / 'ingest.sqlite'}")
        try:
            tls = (
                (settings.tls_certfile, settings.tls_keyfile)
                if settings.tls_certfile and settings.tls_keyfile
                else None
            )
            await serve_until(web, host, port, stop, tls)
        finally:
            stop.set()
            await writer_task

    try:
        asyncio.run(main())
    finally:
        routes.close()
        shards.close()
