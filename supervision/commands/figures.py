"""``pdcs supervision availability|bandwidth`` and ``pdcs assessment``: the API's figures on the command line.

Tables by default (Chinese unless ``--lang en``), the API's JSON with ``--json``.
Exit codes: 0 figures printed, 2 bad arguments (unknown region, bad period).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from pdcs.cli_context import INFLUX_DB_OPT, INFLUX_URL_OPT, INVENTORY_OPT, open_context
from pdcs.i18n import Lang, label, normalise, text

if TYPE_CHECKING:
    from inventory.models import Facility, Inventory

app = typer.Typer(no_args_is_help=True, help="Supervision figures: availability in opening hours, bandwidth.")

REGION_OPT = typer.Option(None, "--region", "-r", help="GB/T 2260 code (51, 5101, 510121); 0 for the nation.")
FACILITY_OPT = typer.Option(None, "--facility", "-f", help="Facility id.")
START_OPT = typer.Option(None, "--start", help="ISO 8601 with time zone (default: end − 24 h).")
END_OPT = typer.Option(None, "--end", help="ISO 8601 with time zone (default: now).")
JSON_OPT = typer.Option(False, "--json", help="Print the API's JSON answer.")
LANG_OPT = typer.Option("zh", "--lang", help="zh or en.")


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


def _one_target(region: str | None, facility: str | None, lg: Lang) -> None:
    """Exactly one of --region and --facility, checked before anything is loaded."""
    if (region is None) == (facility is None):
        raise _fail(text("cli.region_or_facility", lg))


def _facility(inv: Inventory, facility_id: str, lg: Lang) -> Facility:
    fac = inv.facilities.get(facility_id)
    if fac is None:
        raise _fail(text("error.not_found.facility", lg, id=facility_id))
    return fac


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.2f}%"


def _hours(v: float | None) -> str:
    return "—" if v is None else f"{v / 3600:.2f}"


def _mbps(v: float | None) -> str:
    return "—" if v is None else f"{v / 1e6:.2f}"


def _when(iso: str) -> str:
    """``2026-10-01 08:30:00`` — the answer's time (already in the facility's offset), without the offset."""
    from datetime import datetime

    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M:%S")


def _print_table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for c in columns:
        table.add_column(c, overflow="fold")  # long values wrap onto the next line, never end in "…"
    for r in rows:
        table.add_row(*r)
    Console().print(table)


def _emit(body: dict[str, Any], as_json: bool) -> bool:
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    return as_json


@app.command("availability")
def availability(
    region: str = REGION_OPT,
    facility: str = FACILITY_OPT,
    start: str = START_OPT,
    end: str = END_OPT,
    source: str = typer.Option("auto", "--source", help="auto, raw or rollup."),
    as_json: bool = JSON_OPT,
    lang: str = LANG_OPT,
    inventory: Path = INVENTORY_OPT,
    influx_url: str = INFLUX_URL_OPT,
    influx_db: str = INFLUX_DB_OPT,
) -> None:
    """Availability in scheduled service time of a region or a facility, with outages."""
    from supervision import FigureError, answers, periods, planned
    from supervision.maintenance import MaintenanceError
    from supervision.regions import normalise_region

    lg = normalise(lang) or "zh"
    _one_target(region, facility, lg)
    if source not in ("auto", "raw", "rollup"):
        raise _fail(text("cli.bad_choice", lg, name="--source", choices="auto, raw, rollup"))
    settings, inv = open_context(inventory, influx_url, influx_db)
    try:
        period = periods.period(start, end)
        if facility is not None:
            fac = _facility(inv, facility, lg)
            with settings.reader(fac.county) as influx:  # the facility's province store
                body = answers.facility_availability(influx, inv, fac, period, source=source)  # type: ignore[arg-type]
            scope = planned.facility_scope(inv, fac.id)
        else:
            code = normalise_region(region, inv)
            with settings.reader(code) as influx:  # the region's store; the nation: every store
                body = answers.region_availability(influx, inv, code, period, lg, source=source)
            scope = planned.Scope(code)
        planned.mark_answer(body, planned.load_schedule(settings.maintenance_file), inv, scope, period)
    except FigureError as exc:
        raise _fail(text(exc.key, lg, **exc.params)) from None
    except MaintenanceError as exc:
        raise _fail("\n".join(exc.problems)) from None
    if _emit(body, as_json):
        return
    zh = lg == "zh"
    head = (
        ["名称", "计划(h)", "服务(h)", "停服(h)", "无数据(h)", "覆盖率", "可用率"]
        if zh
        else ["name", "sched. (h)", "up (h)", "down (h)", "no data (h)", "coverage", "avail."]
    )

    def row(name: str, figures: dict[str, Any]) -> list[str]:
        hours = [_hours(figures[k]) for k in ("scheduled_s", "up_s", "down_s", "unknown_s")]
        nothing = "无数据" if zh else "no data"  # never 0 % where nothing is known
        av = figures["availability"]
        return [name, *hours, _pct(figures["coverage"]), nothing if av is None else _pct(av)]

    rows = [row(str(body.get("name")), body)] + [row("  " + str(c["name"]), c) for c in body.get("data", [])]

    _print_table(f"{_when(body['period']['start'])} — {_when(body['period']['end'])}", head, rows)
    outages = body.get("outages", [])
    if outages:
        _print_table(
            "中断" if zh else "outages",
            ["开始", "结束", "开放时间内(小时)", "原因", "设施", "设备", "计划维护"]
            if zh
            else ["start", "end", "in service (h)", "cause", "facility", "devices", "planned maintenance"],
            [
                [
                    _when(o["start"]),
                    _when(o["end"]),
                    _hours(o["in_service_s"]),
                    label("outage.cause", o["cause"], lg),
                    str(o.get("facility") or ""),
                    ", ".join(o["devices"]),
                    (o.get("planned_maintenance") or {}).get("name", ""),
                ]
                for o in outages
            ],
        )
    typer.echo(f"{'中断次数' if zh else 'outages'}: {body['outage_count']}")
    gaps = body.get("no_data", [])
    if gaps:
        _print_table(
            "无数据" if zh else "no data",
            ["开始", "结束", "开放时间内(小时)", "设施"] if zh else ["start", "end", "in service (h)", "facility"],
            [
                [_when(g["start"]), _when(g["end"]), _hours(g["in_service_s"]), str(g.get("facility") or "")]
                for g in gaps
            ],
        )
    typer.echo(
        ("数据来源: " if zh else "sources: ")
        + "; ".join(f"{p['source']} {p['start']} — {p['end']}" for p in body.get("sources", []))
    )


@app.command("bandwidth")
def bandwidth(
    region: str = REGION_OPT,
    facility: str = FACILITY_OPT,
    start: str = START_OPT,
    end: str = END_OPT,
    as_json: bool = JSON_OPT,
    lang: str = LANG_OPT,
    inventory: Path = INVENTORY_OPT,
    influx_url: str = INFLUX_URL_OPT,
    influx_db: str = INFLUX_DB_OPT,
) -> None:
    """Uplink traffic of a region's facilities or one facility: mean, p95, utilisation, busiest hours."""
    from supervision import FigureError, answers, periods
    from supervision.regions import normalise_region

    lg = normalise(lang) or "zh"
    _one_target(region, facility, lg)
    settings, inv = open_context(inventory, influx_url, influx_db)
    try:
        period = periods.period(start, end)
        if facility is not None:
            fac = _facility(inv, facility, lg)
            with settings.reader(fac.county) as influx:
                body = answers.facility_bandwidth(influx, inv, fac, period)
            items = [body]
        else:
            code = normalise_region(region, inv)
            with settings.reader(code) as influx:
                body = answers.region_bandwidth(influx, inv, code, period, lg)
            items = body["data"]
    except FigureError as exc:
        raise _fail(text(exc.key, lg, **exc.params)) from None
    if _emit(body, as_json):
        return
    zh = lg == "zh"
    _print_table(
        f"{body['period']['start']} — {body['period']['end']}",
        ["设施", "入均值 Mbps", "出均值 Mbps", "入P95", "出P95", "利用率P95", "最忙时段"]
        if zh
        else ["facility", "in mean Mbps", "out mean Mbps", "in p95", "out p95", "util p95", "busiest hours"],
        [
            [
                str(i.get("name")),
                _mbps(i.get("in_mean_bps")),
                _mbps(i.get("out_mean_bps")),
                _mbps(i.get("in_p95_bps")),
                _mbps(i.get("out_p95_bps")),
                _pct(i.get("utilisation_p95")),
                " ".join(f"{h['hour']:02d}:00" for h in i.get("busiest_hours", [])),
            ]
            for i in items
        ],
    )


def assessment(
    region: str = typer.Option("0", "--region", "-r", help="GB/T 2260 code; 0 for the nation."),
    year: int = typer.Option(..., "--year", help="Calendar year (Beijing time)."),
    as_json: bool = JSON_OPT,
    lang: str = LANG_OPT,
    inventory: Path = INVENTORY_OPT,
    influx_url: str = INFLUX_URL_OPT,
    influx_db: str = INFLUX_DB_OPT,
) -> None:
    """Annual assessment (年度考核) of a region: each indicator's inputs, value, score and weight."""
    from supervision import FigureError, answers
    from supervision.regions import normalise_region

    settings, inv = open_context(inventory, influx_url, influx_db)
    lg = normalise(lang) or "zh"
    try:
        code = normalise_region(region, inv)
    except FigureError as exc:
        raise _fail(text(exc.key, lg, **exc.params)) from None
    with settings.reader(code) as influx:
        body = answers.assessment(influx, inv, code, year, lg)
    if _emit(body, as_json):
        return
    zh = lg == "zh"
    rows = []
    for ind in body["data"]:
        inp = ind["inputs"]
        rows.append(
            [
                ind["label"][lg],
                f"{inp['numerator']:g} / {inp['denominator']:g}" if ind["status"] == "scored" else "—",
                _pct(ind["value"]),
                "—" if ind["score"] is None else f"{ind['score']:.1f}",
                f"{ind['weight']:g}",
                ("无数据" if zh else "no data") if ind["status"] == "no_data" else "",
            ]
        )
    _print_table(
        f"{body['name']} {year} — {body['rubric']['name'][lg]}",
        ["指标", "输入", "值", "得分", "权重", "说明"]
        if zh
        else ["indicator", "inputs", "value", "score", "weight", "note"],
        rows,
    )
    score = "—" if body["score"] is None else f"{body['score']:.1f}"
    typer.echo(
        f"{'总分' if zh else 'total'}: {score}  {'数据覆盖(权重)' if zh else 'coverage (weight)'}: "
        f"{_pct(body['coverage'])}"
    )
    typer.echo(body["formula"][lg])
