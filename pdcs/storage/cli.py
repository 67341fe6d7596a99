"""``pdcs influx``: the InfluxDB layout's version — show it, and migrate data to this code's layout."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from pdcs.cli_context import INFLUX_DB_OPT, INFLUX_URL_OPT

if TYPE_CHECKING:
    from pdcs.settings import Settings
    from pdcs.storage import InfluxDB, layout

app = typer.Typer(no_args_is_help=True)

LANG_OPT = typer.Option("zh", "--lang", help="zh or en.")


def _settings(influx_url: str | None, influx_db: str | None) -> Settings:
    from pdcs.cli_context import make_settings

    return make_settings(None, influx_url, influx_db)


def _stores(settings: Settings) -> list[tuple[str, InfluxDB]]:
    """(name shown, client) of every province store (PDCS_INFLUX_SHARDS; one without a map, or with
    --influx-url/--influx-db given)."""
    from pdcs.cli_context import shards_or_exit

    stores = [db for _, db in shards_or_exit(settings).stores()]
    return [(db.database if len(stores) == 1 else f"{db.url} {db.database}", db) for db in stores]


@app.command("status")
def status(influx_url: str = INFLUX_URL_OPT, influx_db: str = INFLUX_DB_OPT, lang: str = LANG_OPT) -> None:
    """Print the database's layout version and this code's, with the changes between them (each province
    store of PDCS_INFLUX_SHARDS in turn).

    Exit 0 when this code reads the data as it is, 1 when it must be migrated first or is newer than this code.
    """
    failed = False
    for name, influx in _stores(_settings(influx_url, influx_db)):
        with influx:
            failed |= not _status(name, influx, lang != "en")
    if failed:
        raise typer.Exit(1)


def _status(name: str, influx: InfluxDB, zh: bool) -> bool:
    """Print one store's status; False when it must be migrated first or is newer than this code."""
    from pdcs.storage import layout

    version = layout.current_version(influx)
    policies = layout.policy_changes(influx)
    existing = influx.retention_policies() if version is not None else {}
    shown = "-" if version is None else str(version)
    if zh:
        typer.echo(
            f"InfluxDB {name}：数据布局版本 {shown}，本程序写入版本 {layout.SCHEMA_VERSION}，"
            f"可直接读取 {layout.OLDEST_READABLE}–{layout.SCHEMA_VERSION}。"
        )
    else:
        typer.echo(
            f"InfluxDB {name}: layout {shown}; this code writes {layout.SCHEMA_VERSION} "
            f"and reads {layout.OLDEST_READABLE}-{layout.SCHEMA_VERSION} as they are."
        )
    for change in layout.CHANGES:
        if version is not None and change.version > version:
            typer.echo(f"  → {change.version}: {change.what_zh if zh else change.what}")
    for rp, (duration, shard) in sorted(existing.items()):
        typer.echo(_policy_state(rp, duration, shard, zh))
    for p in policies:
        typer.echo(_policy_line(p, zh))
    if version is not None and version > layout.SCHEMA_VERSION:
        typer.echo("数据库比本程序新：请升级 pdcs。" if zh else "the database is newer than this code: upgrade pdcs.")
        return False
    if version is not None and version < layout.OLDEST_READABLE:
        typer.echo("需先迁移：pdcs influx migrate。" if zh else "migrate first: pdcs influx migrate.")
        return False
    return True


@app.command("init")
def init(
    influx_url: str = INFLUX_URL_OPT,
    influx_db: str = INFLUX_DB_OPT,
    national: bool = typer.Option(
        False, "--national", help="The national summaries store: retention policies summary, summary_long, rollup."
    ),
    grant_read: list[str] = typer.Option(
        None, "--grant-read", help="An existing InfluxDB user to give read access to the database (repeatable)."
    ),
    lang: str = LANG_OPT,
) -> None:
    """Create the database and its retention policies with their shard durations (docs/upgrading.md); idempotent.

    Every pdcs process does this for a provincial store when it finds the database missing; the national store
    (written only by the federation shippers) is set up with ``--national``.
    """
    from pdcs.settings import NATIONAL_RETENTION_POLICIES, RETENTION_POLICIES
    from pdcs.storage import layout

    settings = _settings(influx_url, influx_db)
    with settings.influx() as influx:
        if national:
            influx.ensure_database(NATIONAL_RETENTION_POLICIES)
        else:
            layout.ensure(influx, RETENTION_POLICIES)
        policies = influx.retention_policies()
        for user in grant_read or []:  # e.g. Grafana's read-only user on the national summaries (compose)
            influx.execute(f'GRANT READ ON "{settings.influx_db}" TO "{user}"')
    zh = lang != "en"
    typer.echo(f"InfluxDB {settings.influx_db}：" if zh else f"InfluxDB {settings.influx_db}:")
    for name, (duration, shard) in sorted(policies.items()):
        typer.echo(_policy_state(name, duration, shard, zh))


@app.command("migrate")
def migrate(
    influx_url: str = INFLUX_URL_OPT,
    influx_db: str = INFLUX_DB_OPT,
    max_days: int = typer.Option(0, "--max-days", min=0, help="Stop after this many days rewritten (0: all)."),
    lang: str = LANG_OPT,
) -> None:
    """Bring the data to this code's layout (back it up first: docs/upgrading.md), each province store of
    PDCS_INFLUX_SHARDS in turn.

    Resumable: each day rewritten is checkpointed in InfluxDB; run it again after an interruption.
    Exit 0 when the layout is reached, 1 when stopped early or the database is newer than this code.
    """
    unfinished = False
    for name, influx in _stores(_settings(influx_url, influx_db)):
        unfinished |= not _migrate(name, influx, max_days, lang != "en")
    if unfinished:
        raise typer.Exit(1)


def _migrate(name: str, influx: InfluxDB, max_days: int, zh: bool) -> bool:
    """Migrate one store; False when stopped early or the store is newer than this code."""
    from rich.progress import TaskID

    from pdcs.cli_context import progress_bar
    from pdcs.storage import layout

    with influx, progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def advance(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        try:
            report = layout.migrate(influx, progress=advance, max_days=max_days or None)
        except layout.LayoutTooNew as exc:
            typer.echo(f"{name}: {exc}", err=True)
            return False
    before = "-" if report.before is None else report.before
    if zh:
        typer.echo(f"InfluxDB {name}：布局 {before} → {report.after}，改写 {report.days} 天、{report.points} 个点。")
    else:
        typer.echo(
            f"InfluxDB {name}: layout {before} → {report.after}, "
            f"{report.days} day(s) and {report.points} point(s) rewritten."
        )
    for p in report.policies:
        typer.echo(_policy_line(p, zh))
    if not report.finished:
        typer.echo("未完成：再次运行即从断点继续。" if zh else "not finished: run it again to resume.")
        return False
    return True


def _policy_state(name: str, duration: str, shard: str, zh: bool) -> str:
    label = ("保留策略", "保留", "分片组时长") if zh else ("retention policy", "duration", "shard group duration")
    return f"  {label[0]} {name}: {label[1]} {duration}, {label[2]} {shard}"


def _policy_line(p: layout.PolicyChange, zh: bool) -> str:
    """One retention policy whose durations differ from this code's (docs/upgrading.md, "Shard durations")."""
    (d_have, d_want), (s_have, s_want) = p.duration, p.shard_duration
    if zh:
        return (
            f"  保留策略 {p.name}：保留 {d_have} → {d_want}，分片组时长 {s_have} → {s_want}（只影响此后新建的分片组）"
        )
    return (
        f"  retention policy {p.name}: duration {d_have} → {d_want}, "
        f"shard group duration {s_have} → {s_want} (new shard groups only)"
    )
