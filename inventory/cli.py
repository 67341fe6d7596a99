"""``pdcs inventory``: check an inventory and summarise it, or show it (without secrets)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

import inventory.texts  # noqa: F401  (registers the inventory texts)
from pdcs.i18n import text

if TYPE_CHECKING:
    from inventory.loaders.csv_source import Source
    from inventory.models import Inventory

app = typer.Typer(no_args_is_help=True, add_completion=False)


class Language(StrEnum):
    zh = "zh"
    en = "en"


def _read(path: Path, lang: Language, resolve_secrets: bool = False) -> tuple[Inventory, list[Source]]:
    from inventory.load import read_inventory_with_sources

    if not path.exists():
        typer.echo(text("inventory.no_path", lang.value, path=path), err=True)
        raise typer.Exit(2)
    inventory, problems, sources = read_inventory_with_sources(path, resolve_secrets=resolve_secrets)
    if problems:
        for p in problems:
            typer.echo(p.text(lang.value))
        typer.echo(text("inventory.problems_found", lang.value, n=len(problems)), err=True)
        raise typer.Exit(1)
    return inventory, sources


@app.command()
def check(
    path: Path = typer.Argument(..., help="An inventory folder (YAML files and CSV registers) or one file."),
    lang: Language = typer.Option(Language.zh, "--lang", help="Language of the summary: zh or en."),
    resolve_secrets: bool = typer.Option(
        False, "--resolve-secrets", help="Also check that every secret reference resolves here (values never shown)."
    ),
) -> None:
    """Print every problem as file:line: field: message (exit 1), or a summary when there is none (exit 0)."""
    from inventory.summary import render, summarise

    inventory, sources = _read(path, lang, resolve_secrets)
    typer.echo(render(summarise(inventory), str(path), lang.value, sources))


@app.command()
def show(
    path: Path = typer.Argument(..., help="An inventory folder or one file."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole loaded inventory as JSON."),
    lang: Language = typer.Option(Language.zh, "--lang", help="Language of messages: zh or en."),
) -> None:
    """Show the loaded inventory. Secrets appear only as references (env:NAME, file:PATH#key), never as values."""
    from inventory.models import DEVICE_KIND_ZH, FACILITY_KIND_ZH

    inventory, _ = _read(path, lang)
    if as_json:
        # SecretRef fields hold only where a secret lives; nothing is resolved here.
        data = inventory.model_dump(mode="json", exclude={"base_dir"})
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    by_facility: dict[str, list[str]] = {}
    for d in inventory.devices.values():
        kind = DEVICE_KIND_ZH[d.kind] if lang == "zh" else d.kind.value
        by_facility.setdefault(d.facility, []).append(
            f"    {d.id}  {kind}  {d.address or '-'}  {d.name or ''}".rstrip()
        )
    for f in sorted(inventory.facilities.values(), key=lambda f: (f.county, f.id)):
        kind = FACILITY_KIND_ZH[f.kind] if lang == "zh" else f.kind.value
        typer.echo(f"{f.county} {inventory.region_name(f.county)}  {f.id}  {f.name}  ({kind})")
        for line in by_facility.get(f.id, []):
            typer.echo(line)


class ExportFormat(StrEnum):
    xlsx = "xlsx"


@app.command()
def export(
    path: Path = typer.Argument(..., help="An inventory folder or one file."),
    output: Path = typer.Option(..., "--output", "-o", help="The workbook to write (.xlsx)."),
    fmt: ExportFormat = typer.Option(ExportFormat.xlsx, "--format", help="xlsx: an Excel workbook."),
    lang: Language = typer.Option(Language.zh, "--lang", help="Headers and kinds in zh (Chinese) or en."),
) -> None:
    """Write the facilities and devices as registers a county can edit and load back (secrets as references only)."""
    from inventory.export_xlsx import write_workbook

    inventory, _ = _read(path, lang)
    write_workbook(inventory, output, lang.value, source=str(path))
    done = text("inventory.written", lang.value)
    typer.echo(f"{output}: {done} ({len(inventory.facilities)} + {len(inventory.devices)})")
