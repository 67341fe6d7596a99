"""``pdcs rules check``, ``pdcs alerts`` and ``pdcs maintenance``.

Heavy imports stay inside the functions so ``pdcs --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from pdcs.cli_context import INFLUX_DB_OPT, INFLUX_URL_OPT, make_settings

if TYPE_CHECKING:
    from alert_rules.alerta import AlertaClient
    from alert_rules.state import StateStore
    from inventory.models import Inventory
    from notify.dispatch import Notifier
    from pdcs.settings import Settings
    from supervision.maintenance import MaintenanceSchedule

rules_app = typer.Typer(no_args_is_help=True, help="Alert rules: validate rule files.")
maintenance_app = typer.Typer(no_args_is_help=True, help="Maintenance windows (Alerta blackouts).")


@rules_app.command("check")
def check(
    path: Path | None = typer.Argument(None, help="A rule file or a folder of *.yaml (default: the built-in rules)."),
) -> None:
    """Validate rule files; exit 1 listing every problem as file:line: field: message."""
    from alert_rules.load import DEFAULT_RULES_DIR, RulesError, load_rules

    try:
        rules = load_rules(path or DEFAULT_RULES_DIR, only_enabled=False)
    except RulesError as exc:
        for p in exc.problems:
            typer.echo(p, err=True)
        typer.echo(f"{len(exc.problems)} problem(s) / 发现 {len(exc.problems)} 个问题", err=True)
        raise typer.Exit(1) from None
    for r in rules:
        typer.echo(f"{r.name:28} {r.severity.value:9} for={r.for_s:>6.0f}s  {r.description.zh}")
    typer.echo(f"{len(rules)} rule(s) OK / 规则检查通过")


def _settings() -> Settings:
    from pdcs.settings import Settings

    return Settings()


def _alerta(settings: Settings) -> AlertaClient:
    from alert_rules.alerta import AlertaClient

    if not settings.alerta_url:
        typer.echo("PDCS_ALERTA_URL is not set (Alerta's base URL, e.g. http://127.0.0.1:8080)", err=True)
        raise typer.Exit(2)
    return AlertaClient(settings.alerta_url, settings.alerta_key())


def alerts(
    once: bool = typer.Option(False, "--once", help="Run one cycle and exit."),
    interval: float | None = typer.Option(None, "--interval", help="Seconds between cycles (default 60)."),
    rules: Path | None = typer.Option(None, "--rules", help="Rule file or folder (default: the built-in rules)."),
    state: Path | None = typer.Option(None, "--state", help="State file (SQLite; default var/alerts.sqlite)."),
    inventory: Path | None = typer.Option(None, "--inventory", help="Inventory folder."),
    influx_url: str | None = INFLUX_URL_OPT,
    influx_db: str | None = INFLUX_DB_OPT,
    notify_config: Path | None = typer.Option(
        None,
        "--notify-config",
        help="Notification channels and routes (default: PDCS_NOTIFY_CONFIG; none: Alerta only).",
    ),
    maintenance: Path | None = typer.Option(
        None, "--maintenance", help="Recurring maintenance windows (YAML; default: PDCS_MAINTENANCE_FILE)."
    ),
) -> None:
    """Evaluate the alert rules on a schedule and tell Alerta about changes (JSON line per cycle)."""
    import fcntl
    import logging
    import threading

    from alert_rules.evaluator import Evaluator
    from alert_rules.load import DEFAULT_RULES_DIR, RulesError, load_rules
    from alert_rules.state import StateStore
    from inventory.load import InventoryError, load_inventory

    log = logging.getLogger("pdcs.alerts")
    settings = make_settings(None, influx_url, influx_db)
    try:
        rule_list = load_rules(rules or settings.alert_rules or DEFAULT_RULES_DIR)
    except RulesError as exc:
        for p in exc.problems:
            typer.echo(p, err=True)
        raise typer.Exit(1) from None
    try:
        inv = load_inventory(inventory or settings.inventory)
    except InventoryError as exc:
        typer.echo(exc.text(settings.language), err=True)
        raise typer.Exit(2) from None
    client = _alerta(settings)
    state_path = state or settings.alert_state
    state_path.parent.mkdir(parents=True, exist_ok=True)
    # One evaluator per state file: a second one would send every message twice.
    lock = state_path.with_name(state_path.name + ".lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        typer.echo(f"another `pdcs alerts` is running with {state_path}", err=True)
        raise typer.Exit(1) from None
    store = StateStore(state_path)
    schedule = _maintenance(maintenance or settings.maintenance_file)
    notify_path = notify_config or settings.notify_config
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # Every province store (PDCS_INFLUX_SHARDS), each read on its own (alert_rules/stores.py): the rules GROUP BY
    # the resource (device, facility, collector), so each series comes from one store and the union is exact
    # (pdcs/storage/federated.py); a store that is down holds up no other, its provinces' alerts are kept as
    # they are that cycle (evaluator.py) and the summary line's "failed_stores" names it.
    with settings.shards() as shards, client as alerta:
        influx = shards.reader()
        notifier = _notifier(notify_path, store, inv, alerta, settings.alerta_environment) if notify_path else None
        ev = Evaluator(
            rule_list,
            influx,
            inv,
            store,
            alerta,
            environment=settings.alerta_environment,
            timeout_s=settings.alerta_timeout_s,
            language=settings.language,
            heartbeat_timeout_s=int(3 * (interval or settings.alert_interval_s)),
            notify=notifier is not None,
            maintenance=schedule,
            links=notifier.config.links if notifier is not None else None,
            on_cycle_end=(lambda now: _notify_step(notifier, store, now)) if notifier is not None else None,
            stores=shards.stores(),
        )
        log.info("evaluating %d rules over %d devices", len(rule_list), len(inv.devices))

        def show(report: Any) -> None:
            typer.echo(json.dumps(report.summary(), ensure_ascii=False))
            sys.stdout.flush()

        if once:
            show(ev.cycle())
        else:
            ev.run(interval or settings.alert_interval_s, stop, on_cycle=show)
    store.close()
    lock.close()


def _maintenance(path: Path | None) -> MaintenanceSchedule | None:
    from supervision.maintenance import MaintenanceError, load_maintenance

    if path is None:
        return None
    try:
        return load_maintenance(path)
    except MaintenanceError as exc:
        for p in exc.problems:
            typer.echo(p, err=True)
        raise typer.Exit(1) from None


def _notifier(path: Path, store: StateStore, inv: Inventory, alerta: AlertaClient, environment: str) -> Notifier:
    """The notifier on the evaluator's state file; acknowledgements from Alerta, opening hours from the inventory."""
    import datetime as dt

    from alert_rules.opening import is_open
    from notify.config import NotifyConfigError, load_config
    from notify.dispatch import Notifier

    try:
        config = load_config(path)
    except NotifyConfigError as exc:
        for p in exc.problems:
            typer.echo(p, err=True)
        raise typer.Exit(1) from None

    def facility_open(facility: str, now: float) -> bool | None:
        fac = inv.facilities.get(facility)
        return None if fac is None else is_open(fac, dt.datetime.fromtimestamp(now, dt.UTC))

    def acked(notices: list[dict[str, Any]]) -> set[str]:
        done = alerta.acknowledged(environment)
        return {n["key"] for n in notices if (n.get("resource"), n.get("event")) in done}

    return Notifier(config, store.db, facility_open=facility_open, acked=acked)


def _notify_step(notifier: Notifier, store: StateStore, now: float) -> None:
    import logging

    taken = notifier.take(store, now)
    report = notifier.pump(now)
    if taken or report.sent_messages or report.failed:
        logging.getLogger("pdcs.notify").info("notify: %s", json.dumps(report.summary(), ensure_ascii=False))


# -- maintenance windows ------------------------------------------------------
def _parse_time(text: str | None, default: dt.datetime) -> dt.datetime:
    if not text:
        return default
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))  # Beijing time when none is given
    return value.astimezone(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def blackout_body(
    *,
    environment: str,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    device: str | None = None,
    facility: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """An Alerta blackout matching one device (its resource), or the alerts tagged with a facility or region."""
    body: dict[str, Any] = {"environment": environment, "startTime": _iso(start), "endTime": _iso(end), "text": reason}
    if device:
        body["resource"] = device
    tags = []
    if facility:
        tags.append(f"facility={facility}")
    if region:
        level = {2: "province", 4: "city", 6: "county"}.get(len(region))
        if level is None or not region.isdigit():
            raise typer.BadParameter("a GB/T 2260 code of 2, 4 or 6 digits", param_hint="--region")
        tags.append(f"{level}={region}")
    if tags:
        body["tags"] = tags
    return body


@maintenance_app.command("add")
def maintenance_add(
    reason: str = typer.Option(..., "--reason", help="Why (shown to on-call engineers)."),
    device: str | None = typer.Option(None, "--device", help="A device id."),
    facility: str | None = typer.Option(None, "--facility", help="A facility id: all its alerts."),
    region: str | None = typer.Option(None, "--region", help="A region code (51, 5101, 510116): all its alerts."),
    start: str | None = typer.Option(None, "--start", help="ISO time (Beijing time if no offset); default now."),
    end: str | None = typer.Option(None, "--end", help="ISO time; or give --duration."),
    duration: str = typer.Option("2h", "--duration", help="Length when --end is not given (30m, 2h, 1d)."),
) -> None:
    """Open a maintenance window: alerts it covers are suppressed by Alerta while it lasts."""
    from alert_rules.alerta import AlertaError
    from alert_rules.model import parse_duration

    if not (device or facility or region):
        raise typer.BadParameter("give --device, --facility or --region", param_hint="scope")
    now = dt.datetime.now(dt.UTC)
    try:
        t0 = _parse_time(start, now)
        t1 = _parse_time(end, t0 + dt.timedelta(seconds=parse_duration(duration)))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--start/--end/--duration") from None
    if t1 <= t0:
        raise typer.BadParameter("the window must end after it starts", param_hint="--end")
    settings = _settings()
    body = blackout_body(
        environment=settings.alerta_environment,
        start=t0,
        end=t1,
        reason=reason,
        device=device,
        facility=facility,
        region=region,
    )
    try:
        with _alerta(settings) as client:
            created = client.create_blackout(body)
    except AlertaError as exc:
        typer.echo(f"维护窗口未创建 / not created: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(created["id"])


@maintenance_app.command("list")
def maintenance_list(as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """List maintenance windows."""
    from alert_rules.alerta import AlertaError

    settings = _settings()
    try:
        with _alerta(settings) as client:
            items = client.blackouts()
    except AlertaError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(items, ensure_ascii=False))
        return
    for b in items:
        scope = b.get("resource") or ",".join(b.get("tags") or []) or b.get("environment")
        typer.echo(
            f"{b['id']}  {b.get('startTime')} → {b.get('endTime')}  {b.get('status', '')}  {scope}  {b.get('text', '')}"
        )


@maintenance_app.command("remove")
def maintenance_remove(blackout_id: str = typer.Argument(..., help="The id `maintenance list` shows.")) -> None:
    """Close a maintenance window early."""
    from alert_rules.alerta import AlertaError

    settings = _settings()
    try:
        with _alerta(settings) as client:
            client.delete_blackout(blackout_id)
    except AlertaError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"removed {blackout_id}")


@maintenance_app.command("check")
def maintenance_check(path: Path = typer.Argument(..., help="A recurring maintenance windows file (YAML).")) -> None:
    """Validate a windows file; exit 1 listing every problem as file:line: field: message."""
    schedule = _maintenance(path)
    assert schedule is not None
    typer.echo(f"{len(schedule.windows)} window(s) OK / 维护窗口检查通过")


@maintenance_app.command("windows")
def maintenance_windows(
    path: Path = typer.Argument(..., help="A recurring maintenance windows file (YAML)."),
    at: str | None = typer.Option(None, "--at", help="ISO time to look at (Beijing time if no offset); default now."),
) -> None:
    """Each recurring window: its scope, whether it is active now and when it next begins."""
    schedule = _maintenance(path)
    assert schedule is not None
    try:
        when = _parse_time(at, dt.datetime.now(dt.UTC))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--at") from None
    for w in schedule.windows:
        scope = f"device {w.device}" if w.device else f"facility {w.facility}" if w.facility else f"region {w.region}"
        occ = w.occurrence(when)
        nxt = w.next_start(when)
        state = f"进行中 active until {occ[1]:%Y-%m-%d %H:%M}" if occ else "未开始 inactive"
        later = f"; next {nxt:%Y-%m-%d %a %H:%M %Z}" if nxt else ""
        typer.echo(f"{w.name}  [{scope}]  {state}{later}  {w.reason}".rstrip())


@maintenance_app.command("add-window")
def maintenance_add_window(
    path: Path = typer.Argument(..., help="The recurring windows file (YAML); created when missing."),
    name: str = typer.Option(..., "--name", help="Shown to engineers and in Alerta's history."),
    reason: str = typer.Option("", "--reason", help="Why (e.g. 例行检修)."),
    device: str | None = typer.Option(None, "--device", help="A device id."),
    facility: str | None = typer.Option(None, "--facility", help="A facility id."),
    region: str | None = typer.Option(None, "--region", help="A GB/T 2260 code (51, 5101, 510121) and all below it."),
    weekly: str | None = typer.Option(None, "--weekly", help="Weekdays, e.g. mon,thu."),
    monthly_days: str | None = typer.Option(
        None, "--monthly-days", help="Days of the month, e.g. 1,15 (-1: the last)."
    ),
    monthly_week: int | None = typer.Option(None, "--monthly-week", help="1..4 or -1 (the last), with --monthly-day."),
    monthly_day: str | None = typer.Option(None, "--monthly-day", help="mon … sun, with --monthly-week."),
    start: str = typer.Option(..., "--start", help="HH:MM for a recurring window; an ISO time with --dated."),
    end: str = typer.Option(..., "--end", help="HH:MM (before --start: past midnight); an ISO time with --dated."),
    dated: bool = typer.Option(False, "--dated", help="A dated range: --start and --end are ISO times."),
    skip_holidays: bool = typer.Option(False, "--skip-holidays", help="Not on official public holidays."),
) -> None:
    """Add a recurring (or dated) maintenance window to the windows file, validated first."""
    import yaml
    from pydantic import ValidationError

    from supervision.maintenance import MaintenanceError, Window, load_maintenance

    entry: dict[str, Any] = {"name": name}
    if reason:
        entry["reason"] = reason
    for key, value in (("device", device), ("facility", facility), ("region", region)):
        if value is not None:
            entry[key] = value
    span = {"start": start, "end": end}
    if dated:
        entry["dates"] = span
    elif weekly:
        entry["weekly"] = {"days": [d.strip() for d in weekly.split(",") if d.strip()], **span}
    elif monthly_days:
        entry["monthly"] = {"days": [int(d) for d in monthly_days.split(",") if d.strip()], **span}
    elif monthly_week is not None or monthly_day is not None:
        entry["monthly"] = {"week": monthly_week, "day": monthly_day, **span}
    if skip_holidays:
        entry["holidays"] = "skip"
    try:
        Window.model_validate(entry)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "window"
            typer.echo(f"{where}: {err['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(2) from None
    if path.exists():
        try:
            load_maintenance(path)
        except MaintenanceError as exc:
            for p in exc.problems:
                typer.echo(p, err=True)
            raise typer.Exit(1) from None
        text = path.read_text(encoding="utf-8")
        if not text.strip():
            text = "windows:\n"
    else:
        text = "windows:\n"
    if not text.endswith("\n"):
        text += "\n"
    block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, default_flow_style=None)
    path.write_text(text + "".join("  " + line + "\n" for line in block.splitlines()), encoding="utf-8")
    schedule = load_maintenance(path)  # what was written reads back
    typer.echo(f"{path}: {len(schedule.windows)} window(s); added {name}")
