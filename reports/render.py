"""Render a report in one of the formats: bytes, media type and file extension."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import NamedTuple

from reports.content import Report


class Rendered(NamedTuple):
    body: bytes
    media_type: str
    extension: str


def _json(report: Report) -> bytes:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, sort_keys=True).encode()


def _csv(report: Report) -> bytes:
    from reports.render_csv import render_csv

    return render_csv(report)


def _xlsx(report: Report) -> bytes:
    from reports.render_xlsx import render_xlsx

    return render_xlsx(report)


def _pdf(report: Report) -> bytes:
    from reports.render_pdf import render_pdf

    return render_pdf(report)


FORMATS: dict[str, tuple[Callable[[Report], bytes], str, str]] = {
    "json": (_json, "application/json", "json"),
    "csv": (_csv, "application/zip", "zip"),  # one CSV per table (reports/render_csv.py)
    "xlsx": (_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": (_pdf, "application/pdf", "pdf"),
}


def render(report: Report, fmt: str) -> Rendered:
    fn, media, ext = FORMATS[fmt]
    return Rendered(fn(report), media, ext)
