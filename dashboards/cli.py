"""``pdcs grafana``: build the dashboard JSON, check its queries, push it to a Grafana."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from collections.abc import Callable

    from dashboards.build import Built
    from dashboards.common import Names
    from dashboards.templating import TimeRange
    from pdcs.storage import InfluxDB
    from pdcs.storage.shards import ShardMap

app = typer.Typer(no_args_is_help=True, help="Grafana dashboards: build, check, push.")

INVENTORY_HELP = (
    "Inventory folder/file whose region, facility and device names the boards show "
    "(default: PDCS_INVENTORY, else inventory/examples)."
)


def _names(inventory: Path | None) -> Names:
    from dashboards.common import Names
    from dashboards.names import kind_names, names_from_inventory
    from inventory.load import InventoryError, load_inventory
    from pdcs.settings import Settings

    if inventory is None:
        inventory = Settings().inventory
        if not inventory.exists():
            typer.echo(f"inventory {inventory} not found: boards show codes (kinds in Chinese)", err=True)
            return Names(kind_names())

    try:
        return names_from_inventory(load_inventory(inventory))
    except (InventoryError, OSError) as exc:
        typer.echo(f"inventory: {exc}", err=True)
        raise typer.Exit(2) from None


def _late_after_s() -> float:
    """PDCS_FEDERATION_LATE_AFTER_S: when the boards on the national summaries count a province as late (the
    threshold ``pdcs federation status`` and the API use)."""
    from pdcs.settings import Settings

    return Settings().federation_late_after_s  # a bad value: pdcs.cli_errors names it, exit 2


@app.command()
def build(
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder to write into (default: dashboards/json, built with inventory/examples' names and the default "
        "late threshold; with --out the boards mark provinces late after PDCS_FEDERATION_LATE_AFTER_S).",
    ),
    inventory: Path | None = typer.Option(None, "--inventory", help=INVENTORY_HELP),
    check_only: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if the files differ from the code."),
    shards: Path | None = typer.Option(
        None,
        "--shards",
        help="Province stores (the PDCS_INFLUX_SHARDS map): also write one data source per store "
        "(DIR/datasources/pdcs.yaml) and the raw boards bound to each store; needs --out.",
    ),
) -> None:
    """Write every dashboard as Grafana JSON (one folder per Grafana folder)."""
    from dashboards.build import JSON_DIR, build_all, check, write
    from pdcs.settings import DEFAULT_FEDERATION_LATE_AFTER_S

    if shards is not None and (out is None or check_only):
        typer.echo(
            "--shards writes a deployment's boards: give --out (dashboards/json holds the single-store ones)", err=True
        )
        raise typer.Exit(2)

    if out is None and inventory is None:  # the committed boards: always the examples' names
        from dashboards.names import example_names

        names = example_names()
    else:
        names = _names(inventory)
    # The committed boards have the default threshold; a deployment's (--out) the setting's.
    late_after_s = DEFAULT_FEDERATION_LATE_AFTER_S if out is None else _late_after_s()
    out = out or JSON_DIR
    built = build_all(names, late_after_s=late_after_s)
    problems = [f"{b.uid}: {p}" for b in built for p in check(b.to_dict())]
    for p in problems:
        typer.echo(p, err=True)
    if problems:
        raise typer.Exit(1)
    if check_only:
        stale = [
            str(out / b.path)
            for b in built
            if not (out / b.path).exists() or (out / b.path).read_text("utf-8") != b.render()
        ]
        for s in stale:
            typer.echo(f"{s} differs from the code; run pdcs grafana build", err=True)
        if not stale:
            typer.echo(f"{out}: {len(built)} dashboards, as the code builds them")
        raise typer.Exit(1 if stale else 0)
    for path in write(built, out):
        typer.echo(str(path))
    if shards is not None:
        for path in _write_store_files(shards, inventory, out):
            typer.echo(str(path))


def _load_map(map_file: Path) -> ShardMap:
    """The shard map without resolving its secrets (where the stores are, not how pdcs logs in)."""
    from pdcs.storage.shards import ShardMapError, load_shard_map

    try:
        return load_shard_map(map_file, resolve=False)
    except ShardMapError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _store_names(inventory: Path | None) -> Callable[[frozenset[str]], Names]:
    """The display names of a store's provinces (codes when the inventory does not load)."""
    from dashboards.common import Names
    from dashboards.names import kind_names
    from dashboards.shards import names_for_provinces
    from inventory.load import InventoryError, load_inventory
    from pdcs.settings import Settings

    path = inventory or Settings().inventory
    try:
        inv = load_inventory(path)
    except (InventoryError, OSError) as exc:
        typer.echo(f"inventory {path}: {exc}; store boards show codes", err=True)
        return lambda _codes: Names(kind_names())
    return lambda codes: names_for_provinces(inv, codes)


def _write_store_files(map_file: Path, inventory: Path | None, out: Path) -> list[Path]:
    from dashboards.shards import write_store_files

    return write_store_files(_load_map(map_file), _store_names(inventory), out)


@app.command()
def push(
    url: str = typer.Option(..., "--url", envvar="PDCS_GRAFANA_URL", help="Grafana base URL, e.g. http://grafana:3000"),
    token: str = typer.Option(
        ..., "--token", envvar="PDCS_GRAFANA_TOKEN", help="Service-account token (Editor role)", show_default=False
    ),
    inventory: Path | None = typer.Option(None, "--inventory", help=INVENTORY_HELP),
    influx_url: str | None = typer.Option(
        None,
        "--influx-url",
        help="Create the InfluxDB data source with this URL when Grafana lacks it (user/password from "
        "PDCS_INFLUX_READ_USER/PDCS_INFLUX_READ_PASSWORD when set).",
    ),
    influx_db: str = typer.Option("pdcs", "--influx-db", help="InfluxDB database for that data source."),
    shards: Path | None = typer.Option(
        None,
        "--shards",
        help="Province stores (the PDCS_INFLUX_SHARDS map; given explicitly, as for build --shards): also push "
        "each store's copies of the raw boards and create every store's data source and pdcs-national when "
        "Grafana lacks them (user/password from PDCS_INFLUX_READ_USER/PASSWORD[_<KEY>], the names build "
        "--shards writes); instead of --influx-url.",
    ),
) -> None:
    """Upload the dashboards (and folders, and the data sources) through Grafana's HTTP API."""
    from grafana_client.client import GrafanaException

    from dashboards.build import build_all
    from dashboards.push import boards_of, datasource_body, from_environment, store_copies
    from dashboards.push import push as do_push
    from dashboards.shards import store_boards, store_datasources

    if shards is not None and influx_url is not None:
        typer.echo("--shards names every store's data source: give it or --influx-url, not both", err=True)
        raise typer.Exit(2)
    boards = boards_of(build_all(_names(inventory), late_after_s=_late_after_s()))
    sources = [datasource_body(influx_url, influx_db)] if influx_url else []
    if shards is not None:
        shard_map, names_of = _load_map(shards), _store_names(inventory)
        boards += store_copies(store_boards(shard_map, names_of))
        sources = store_datasources(shard_map, names_of, credential=from_environment)
    try:
        pushed = do_push(
            boards, url, token, datasources=sources, progress=typer.echo, warn=lambda m: typer.echo(m, err=True)
        )
    except GrafanaException as exc:
        typer.echo(f"Grafana refused: {exc}", err=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        typer.echo(f"cannot reach Grafana at {url}: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{len(pushed)} dashboards pushed")


@app.command("check")
def check_queries(
    influx_url: str = typer.Option("http://127.0.0.1:8086", "--influx-url", envvar="PDCS_INFLUX_URL"),
    influx_db: str = typer.Option("pdcs", "--influx-db", envvar="PDCS_INFLUX_DB"),
    national_url: str | None = typer.Option(
        None, "--national-url", help="The national summaries store (data source pdcs-national; default: --influx-url)."
    ),
    national_db: str | None = typer.Option(
        None,
        "--national-db",
        help="Its database (e.g. pdcs_national); without it the boards on the national summaries are skipped.",
    ),
    since: str = typer.Option("now-7d", "--from", help="Start of the range, Grafana style (now-7d)."),
    shards: Path | None = typer.Option(
        None,
        "--shards",
        help="Province stores (the PDCS_INFLUX_SHARDS map): check the raw boards on every store (as their copies "
        "read it) and the summary boards on its national store, instead of --influx-url/--national-url.",
    ),
) -> None:
    """Run every variable and panel query against InfluxDB as Grafana would; exit 1 on errors or empty panels."""
    import time
    from contextlib import ExitStack

    from dashboards.build import build_all
    from dashboards.influxql import DATASOURCE_UID, NATIONAL_DATASOURCE_UID
    from dashboards.shards import raw_boards, store_key
    from dashboards.templating import TimeRange
    from pdcs.storage import InfluxDB
    from pdcs.storage.shards import ShardMap, ShardMapError, load_shard_map

    tr = TimeRange(since, "now", int(time.time() * 1000))
    late_after_s = _late_after_s()
    bad = 0
    with ExitStack() as stack:
        if shards is None:
            shard_map = ShardMap.single(InfluxDB(influx_url, influx_db, retries=0))
            if national_db:
                shard_map.national_store = InfluxDB(national_url or influx_url, national_db, retries=0)
        else:
            try:
                shard_map = load_shard_map(shards)
            except ShardMapError as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from None
        stack.enter_context(shard_map)
        national = shard_map.national()
        for codes, store in shard_map.stores():
            store.retries = 0
            sources = {DATASOURCE_UID: store} | ({NATIONAL_DATASOURCE_UID: national} if national else {})
            boards = build_all(late_after_s=late_after_s) if codes is None else raw_boards(build_all())
            bad += _check_boards(boards, sources, tr, "" if codes is None else f"[{store_key(codes)}] ")
    raise typer.Exit(1 if bad else 0)


def _check_boards(boards: list[Built], sources: dict[str, InfluxDB], tr: TimeRange, label: str) -> int:
    """Print each panel query's outcome on ``sources``; returns how many failed."""
    from dashboards.verify import has_values, resolve_variables, run_targets

    bad = 0
    for b in boards:
        missing = b.datasources() - set(sources)
        if missing:
            typer.echo(f"SKIP  {label}{b.uid}: reads data source(s) {sorted(missing)}; give --national-db")
            continue
        variables, _ = resolve_variables(b, sources, tr)
        for r in run_targets(b, sources, variables, tr):
            state = "ok" if not r.problems and has_values(r) else "EMPTY" if not r.problems else "ERROR"
            bad += state == "ERROR"
            typer.echo(f"{state:5} {label}{b.uid} / {r.panel} / {r.ref_id}: {r.rows} rows")
            for p in r.problems:
                typer.echo(f"      {p}")
    return bad
