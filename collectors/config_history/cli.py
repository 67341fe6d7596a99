"""``pdcs config fetch|log|diff``: the configuration history on the command line.

- ``fetch``: open an SSH session to each chosen device now (the audit's
  session: the baseline is judged too), store the running configuration as a
  version when it changed; exit 1 when a device could not be fetched.
- ``log DEVICE``: the versions, newest first.
- ``diff DEVICE [--since T]``: what changed from the version in force at
  ``T`` (else the previous version) to the latest, as a unified diff.

Exit 2: usage (no inventory, no device, no history for the device).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from pdcs.cli_context import make_settings, open_context

if TYPE_CHECKING:
    from collectors.config_history.repo import ConfigRepo

app = typer.Typer(no_args_is_help=True, help="Configuration history (配置历史): fetch, log, diff.")


class Language(StrEnum):
    zh = "zh"
    en = "en"


_TEXT = {
    "zh": {
        "none": "范围内没有配置 SSH 的设备。",
        "new": "{device}：已保存新版本 {commit}（{time}，+{added} −{removed} 行）",
        "first": "{device}：已保存首个版本 {commit}（{time}）",
        "same": "{device}：配置未变化",
        "down": "{device}：无法获取配置：{error}",
        "no_history": "{device} 没有配置历史（{dir}）",
        "head": "{device}：{old} → {new}（+{added} −{removed} 行）",
        "nothing": "（自 {old} 以来无变化）",
        "empty": "（无）",
    },
    "en": {
        "none": "No device in scope has an SSH profile.",
        "new": "{device}: new version {commit} ({time}, +{added} -{removed} lines)",
        "first": "{device}: first version {commit} ({time})",
        "same": "{device}: configuration unchanged",
        "down": "{device}: configuration not fetched: {error}",
        "no_history": "{device} has no configuration history ({dir})",
        "head": "{device}: {old} → {new} (+{added} -{removed} lines)",
        "nothing": "(no change since {old})",
        "empty": "(none)",
    },
}

HISTORY_OPT = typer.Option(None, "--history", help="The history repository (default: PDCS_CONFIG_HISTORY_DIR).")
LANG_OPT = typer.Option(Language.zh, "--lang", help="Language of the messages: zh or en.")


def _repo(history: Path | None) -> ConfigRepo:
    from collectors.config_history.repo import ConfigRepo

    return ConfigRepo(history or make_settings(None, None, None).config_history_dir)


@app.command()
def fetch(
    inventory: Path = typer.Option(
        None, "--inventory", "-i", help="Inventory folder or file (default: PDCS_INVENTORY)."
    ),
    region: list[str] = typer.Option([], "--region", "-r", help="Only devices in this region code (repeatable)."),
    device: list[str] = typer.Option([], "--device", "-d", help="Only this device id (repeatable)."),
    history: Path = HISTORY_OPT,
    lang: Language = LANG_OPT,
) -> None:
    """Fetch running configurations over SSH now and keep each change as a version."""
    from collectors.base import Target
    from collectors.ssh_audit.collector import SshAuditCollector

    text = _TEXT[lang.value]
    settings, inv = open_context(inventory, None, None, exit_code=2)
    repo = _repo(history)
    collector = SshAuditCollector(inv, concurrency=settings.audit_concurrency, history=repo)
    chosen = [d for d in inv.devices_in(region or None) if collector.applies_to(d) and (not device or d.id in device)]
    if not chosen:
        typer.echo(text["none"], err=True)
        raise typer.Exit(2)

    async def one(target: Target) -> tuple[str, bool]:
        result = await collector.audit(target)
        if not result.config:
            return text["down"].format(device=result.device, error=result.error or "empty configuration"), False
        before = repo.versions(result.device)
        await collector.keep_config(result, target.tags, source="fetch")
        after = repo.versions(result.device)
        if not after or (before and before[0].commit == after[0].commit):
            return text["same"].format(device=result.device), True
        v = after[0]
        stamp = v.time.astimezone().isoformat(timespec="seconds")
        if not before:
            return text["first"].format(device=result.device, commit=v.commit[:12], time=stamp), True
        d = repo.diff(result.device)
        added, removed = (len(d.added), len(d.removed)) if d else (0, 0)
        line = text["new"].format(device=result.device, commit=v.commit[:12], time=stamp, added=added, removed=removed)
        return line, True

    async def run_all() -> list[tuple[str, bool]]:
        return list(await asyncio.gather(*(one(Target.of(inv, d)) for d in chosen)))

    results = asyncio.run(run_all())
    for line, _ in sorted(results):
        typer.echo(line)
    raise typer.Exit(0 if all(ok for _, ok in results) else 1)


@app.command("log")
def log_(device: str = typer.Argument(..., help="Device id."), history: Path = HISTORY_OPT,
         lang: Language = LANG_OPT) -> None:  # fmt: skip
    """The stored versions of a device's configuration, newest first."""
    repo = _repo(history)
    versions = repo.versions(device)
    if not versions:
        typer.echo(_TEXT[lang.value]["no_history"].format(device=device, dir=repo.path), err=True)
        raise typer.Exit(2)
    for v in versions:
        typer.echo(f"{v.commit[:12]}  {v.time.astimezone().isoformat(timespec='seconds')}  {v.source}")


@app.command()
def diff(
    device: str = typer.Argument(..., help="Device id."),
    since: datetime = typer.Option(None, "--since", help="Compare with the version in force at this time (ISO 8601)."),
    history: Path = HISTORY_OPT,
    lang: Language = LANG_OPT,
) -> None:
    """What changed in a device's configuration: the lines removed and added, as a unified diff."""
    text = _TEXT[lang.value]
    repo = _repo(history)
    if since is not None and since.tzinfo is None:
        since = since.astimezone()  # a time without zone is local time
    d = repo.diff(device, since)
    if d is None:
        typer.echo(text["no_history"].format(device=device, dir=repo.path), err=True)
        raise typer.Exit(2)
    old = d.old.time.astimezone().isoformat(timespec="seconds") if d.old else text["empty"]
    new = d.new.time.astimezone().isoformat(timespec="seconds")
    typer.echo(text["head"].format(device=device, old=old, new=new, added=len(d.added), removed=len(d.removed)))
    typer.echo(d.unified.rstrip("\n") if d.unified else text["nothing"].format(old=old))
