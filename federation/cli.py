"""``pdcs federation ship|status``: send this province's summaries to the national store; say who is late.

Exit codes — ship: 0 everything produced and delivered; 1 produced but the national store could not
take it all (the points wait in the spool; the next run sends them); 2 usage or configuration errors.
status: 0 no province late; 1 some late; 2 no national store configured or reachable.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from pdcs.cli_context import INFLUX_DB_OPT, INFLUX_URL_OPT, INVENTORY_OPT

if TYPE_CHECKING:
    from pdcs.settings import Settings
    from pdcs.storage import InfluxDB
    from pdcs.storage.shards import ShardMap

log = logging.getLogger(__name__)

app = typer.Typer(
    no_args_is_help=True,
    help="National summaries (全国汇总): ship this province's summaries and roll-ups; show late provinces.",
)

LANG_OPT = typer.Option("zh", "--lang", help="zh (简体中文, default) or en.")


def _lang(lang: str) -> bool:
    """True for Chinese; exits 2 on anything but zh/en."""
    if lang not in ("zh", "en"):
        typer.echo("error: --lang must be zh or en", err=True)
        raise typer.Exit(2)
    return lang == "zh"


def _shards_or_exit(settings: Settings) -> ShardMap:
    from pdcs.storage.shards import ShardMapError

    try:
        return settings.shards()
    except ShardMapError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _national_or_exit(settings: Settings, shards: ShardMap, zh: bool) -> InfluxDB:
    from federation.store import national_store

    db = national_store(settings, shards)
    if db is None:
        typer.echo(
            "未配置全国汇总库：请设置 PDCS_NATIONAL_INFLUX_URL（或分片表的 national）。"
            if zh
            else "no national store: set PDCS_NATIONAL_INFLUX_URL (or the shard map's national entry).",
            err=True,
        )
        raise typer.Exit(2)
    return db


def _since(value: str | None) -> int | None:
    if value is None:
        return None
    from supervision import FigureError
    from supervision.periods import parse_time

    try:
        return int(parse_time(value, "since").timestamp() * 1000)
    except FigureError:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 time with a zone (2026-11-01T00:00+08:00)") from None


def _fmt(ms: int, zh: bool) -> str:
    from supervision.periods import BEIJING

    return datetime.fromtimestamp(ms / 1000, UTC).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


@app.command("ship")
def ship(
    inventory: Path = INVENTORY_OPT,
    influx_url: str = INFLUX_URL_OPT,
    influx_db: str = INFLUX_DB_OPT,
    province: list[str] = typer.Option(
        None, "--province", help="Province code (2 digits); repeatable. Default: every province of the inventory."
    ),
    since: str = typer.Option(
        None, "--since", help="Produce again from this time (ISO 8601 with zone); default: where the last run stopped."
    ),
    loop: bool = typer.Option(False, "--loop", help="Run for ever, a pass every --interval seconds."),
    interval: float = typer.Option(300.0, "--interval", min=1.0, help="Seconds between passes with --loop."),
    settle: float = typer.Option(
        120.0, "--settle", min=0.0, help="Seconds after a bucket's end before it counts as complete (late polls)."
    ),
    recheck: float = typer.Option(
        24.0,
        "--recheck-hours",
        min=0.0,
        help="Hours back in which polls arriving late make their hour be produced again.",
    ),
    device_daily: bool = typer.Option(
        False, "--device-daily", help="Also copy device_daily (large: a row per device a day)."
    ),
    spool_dir: Path = typer.Option(None, "--spool-dir", help="Spool folder (default: PDCS_FEDERATION_SPOOL_DIR)."),
    lang: str = LANG_OPT,
) -> None:
    """Produce the county and province summaries of complete 5-minute buckets and send them, with the roll-ups.

    Idempotent: a bucket produced twice is the same point and InfluxDB stores it once.  While the
    national store is unreachable the points wait in the spool (nothing is lost) and the exit code is 1.
    """
    zh = _lang(lang)
    from pdcs.cli_context import open_context, progress_bar

    settings, inv = open_context(inventory, influx_url, influx_db, exit_code=2)
    shards = _shards_or_exit(settings)
    national = _national_or_exit(settings, shards, zh)
    since_ms = _since(since)
    known = sorted({f.county[:2] for f in inv.facilities.values()})
    provinces = sorted(set(province)) if province else known
    unknown = [p for p in provinces if p not in known]
    if unknown:
        typer.echo(
            f"清单中没有这些省份：{', '.join(unknown)}"
            if zh
            else f"no such province in the inventory: {', '.join(unknown)}",
            err=True,
        )
        raise typer.Exit(2)

    from federation.ship import Shipper

    shipper = Shipper(
        inv,
        provinces,
        shards.for_region,
        national,
        spool_dir or settings.federation_spool_dir,
        settle_s=settle,
        device_daily=device_daily,
        recheck_s=recheck * 3600,
    )
    stop = threading.Event()
    if loop:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    code = 0
    try:
        with progress_bar() as bar:
            tasks: dict[str, object] = {}

            def progress(p: str, done: int, total: int) -> None:
                if total <= 12:  # an hour or less: no bar
                    return
                if p not in tasks:
                    tasks[p] = bar.add_task(f"{p} {'汇总' if zh else 'summaries'}", total=total)
                bar.update(tasks[p], completed=done)  # type: ignore[arg-type]

            while True:
                result = shipper.run_once(since_ms, progress)
                since_ms = None  # --since only for the first pass
                for p in provinces:
                    through = _fmt(result.through_ms[p], zh) if result.through_ms.get(p) else "-"
                    if zh:
                        typer.echo(f"{p}：汇总至 {through}，本次排队 {result.queued[p]} 点")
                    else:
                        typer.echo(f"{p}: summaries through {through}, {result.queued[p]} points queued")
                if result.delivered:
                    typer.echo("已全部送达全国汇总库。" if zh else "all delivered to the national store.")
                    code = 0
                else:
                    typer.echo(
                        f"全国汇总库暂不可达（{result.error}）：{result.pending} 点留在缓存，下次运行时发送。"
                        if zh
                        else f"national store unreachable ({result.error}): {result.pending} points kept in the spool.",
                        err=True,
                    )
                    code = 1
                if not loop or stop.wait(interval):
                    break
    except KeyboardInterrupt:
        code = 1
    finally:
        shipper.close()
        shards.close()
    raise typer.Exit(code)


@app.command("status")
def status(
    inventory: Path = INVENTORY_OPT,
    late_after: float = typer.Option(
        None,
        "--late-after",
        min=0.0,
        help="Seconds behind before a province counts as late (default: PDCS_FEDERATION_LATE_AFTER_S).",
    ),
    expect: list[str] = typer.Option(
        None, "--expect", help="A province that must report (repeatable); never heard of = late."
    ),
    as_json: bool = typer.Option(False, "--json", help="The API's JSON shape."),
    lang: str = LANG_OPT,
) -> None:
    """Which provinces' summaries are late at the national store, and since when (exit 1 when any is)."""
    zh = _lang(lang)
    from pdcs.cli_context import make_settings

    settings = make_settings(inventory, None, None)
    national = _national_or_exit(settings, _shards_or_exit(settings), zh)
    from federation.read import federation_status
    from pdcs.storage.influx import InfluxError

    try:
        with national:
            state = federation_status(
                national,
                late_after_s=late_after if late_after is not None else settings.federation_late_after_s,
                expected=expect or (),
            )
    except InfluxError as exc:
        typer.echo(f"全国汇总库不可读：{exc}" if zh else f"national store unreadable: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(state.model_dump_json(indent=1))
        raise typer.Exit(1 if state.late else 0)
    if not state.provinces:
        typer.echo("全国汇总库中尚无任何省份的汇总。" if zh else "no province has shipped summaries yet.")
    for r in state.provinces:
        through = _fmt(int(r.through.timestamp() * 1000), zh) if r.through else ("从未" if zh else "never")
        behind = f"{r.behind_s / 60:.0f}" if r.behind_s is not None else "-"
        if zh:
            mark = f"迟到（自 {through} 起缺数据）" if r.late else "正常"
            typer.echo(f"{r.province}  汇总至 {through}（北京时间），落后 {behind} 分钟  {mark}")
        else:
            mark = f"LATE (no data since {through})" if r.late else "ok"
            typer.echo(f"{r.province}  through {through} (Beijing), {behind} min behind  {mark}")
    if state.late:
        typer.echo(
            f"迟到省份：{'、'.join(state.late)}" if zh else f"late provinces: {', '.join(state.late)}",
        )
    raise typer.Exit(1 if state.late else 0)
