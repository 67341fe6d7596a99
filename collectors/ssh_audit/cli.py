"""``pdcs audit``: run SSH audits now, for an inventory or part of it.

Exit codes: 0 every rule of every audited device passed; 1 problems found (a
rule failed, a device could not be audited — its rules are ``unknown`` — or
the points could not be written with ``--write``);
2 usage (inventory missing or invalid, no device to audit).
"""

from __future__ import annotations

import asyncio
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from pdcs.cli_context import INFLUX_DB_OPT, INFLUX_URL_OPT, make_settings

if TYPE_CHECKING:
    from collectors.ssh_audit.audit import DeviceAudit
    from pdcs.points import Point


class Language(StrEnum):
    zh = "zh"
    en = "en"


_TEXT = {
    "zh": {
        "none": "范围内没有配置 SSH 审计的设备。",
        "head": "{device}（{dialect}）：通过 {pass} 项，不通过 {fail} 项，未知 {unknown} 项",
        "down": "  无法审计：{error}",
        "total": "共审计 {n} 台设备：{ok} 台全部通过，{bad} 台存在问题。审计记录：{dir}",
    },
    "en": {
        "none": "No device in scope has an SSH audit profile.",
        "head": "{device} ({dialect}): {pass} passed, {fail} failed, {unknown} unknown",
        "down": "  not audited: {error}",
        "total": "{n} device(s) audited: {ok} fully compliant, {bad} with problems. Records: {dir}",
    },
}


def audit(
    inventory: Path = typer.Option(
        None, "--inventory", "-i", help="Inventory folder or file (default: PDCS_INVENTORY)."
    ),
    region: list[str] = typer.Option([], "--region", "-r", help="Only devices in this region code (repeatable)."),
    device: list[str] = typer.Option([], "--device", "-d", help="Only this device id (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print the audit records as JSON."),
    records: Path = typer.Option(
        None, "--records", help="Folder for per-device audit records (default: PDCS_AUDIT_DIR)."
    ),
    write: bool = typer.Option(False, "--write", help="Also write the security_check points to InfluxDB."),
    concurrency: int = typer.Option(None, "--concurrency", min=1, help="SSH sessions at once."),
    lang: Language = typer.Option(Language.zh, "--lang", help="Language of the summary: zh or en."),
    influx_url: str | None = INFLUX_URL_OPT,
    influx_db: str | None = INFLUX_DB_OPT,
) -> None:
    """Audit device configurations over SSH against the baselines; exit 1 when any rule fails or is unknown."""
    from collectors.base import Target
    from collectors.ssh_audit.collector import SshAuditCollector
    from collectors.ssh_audit.points import points_of
    from collectors.ssh_audit.record import AuditStore, record_of
    from inventory.load import InventoryError, load_inventory

    settings = make_settings(None, influx_url, influx_db)
    path = inventory or settings.inventory
    try:
        inv = load_inventory(path)
    except FileNotFoundError:
        typer.echo(f"inventory not found: {path}", err=True)
        raise typer.Exit(2) from None
    except InventoryError as exc:
        typer.echo(exc.text(lang.value), err=True)
        raise typer.Exit(2) from None
    store = AuditStore(records or settings.audit_dir)
    from collectors.config_history.repo import ConfigRepo

    # Every running configuration an audit fetches is kept as a version (collectors/config_history).
    history = ConfigRepo(settings.config_history_dir)
    collector = SshAuditCollector(
        inv, store=store, concurrency=concurrency or settings.audit_concurrency, history=history
    )
    chosen = [d for d in inv.devices_in(region or None) if collector.applies_to(d) and (not device or d.id in device)]
    text = _TEXT[lang.value]
    if not chosen:
        typer.echo(text["none"], err=True)
        raise typer.Exit(2)
    targets = [Target.of(inv, d) for d in chosen]
    changes: list[Point] = []

    async def run_all() -> list[DeviceAudit]:
        done: list[DeviceAudit] = []
        tasks = [asyncio.ensure_future(collector.audit(t)) for t in targets]
        for fut in asyncio.as_completed(tasks):
            result = await fut
            changes.extend(
                await collector.keep_config(result, next(t.tags for t in targets if t.device.id == result.device))
            )
            done.append(result)
            head = text["head"].format(device=result.device, dialect=result.dialect or "?", **result.counts())
            print(f"[{len(done)}/{len(tasks)}] {head}", file=sys.stderr, flush=True)
        return done

    audits = sorted(asyncio.run(run_all()), key=lambda a: a.device)
    tags = {t.device.id: t.tags for t in targets}
    bad = [a for a in audits if a.error or a.counts()["fail"] or a.counts()["unknown"]]
    if as_json:
        typer.echo(json.dumps([record_of(a, tags[a.device]) for a in audits], ensure_ascii=False, indent=1))
    else:
        for a in audits:
            typer.echo(text["head"].format(device=a.device, dialect=a.dialect or "?", **a.counts()))
            if a.error:
                typer.echo(text["down"].format(error=a.error))
            for r in a.results:
                if r.status == "fail":
                    title = r.rule.title.zh if lang == Language.zh else r.rule.title.en
                    typer.echo(f"  ✗ [{r.rule.severity}] {r.rule.id} {title}: {r.detail(160)}")
        typer.echo(text["total"].format(n=len(audits), ok=len(audits) - len(bad), bad=len(bad), dir=store.folder))
    failed_write = False
    if write:
        from pdcs.storage.influx import InfluxError

        try:
            settings.ensure_schema()
            with settings.shards() as shards:  # each device's results into its province's store
                shards.write_points([*(p for a in audits for p in points_of(a, tags[a.device])), *changes])
        except InfluxError as exc:  # the audit records are on disk; say the points are not in InfluxDB
            typer.echo(f"InfluxDB write failed ({settings.influx_url}): {exc}", err=True)
            failed_write = True
    raise typer.Exit(1 if bad or failed_write else 0)
