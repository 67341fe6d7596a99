"""``/regions/{code}/report``: the JSON rendering of a report (``reports.content.Report.as_dict``).

The same route answers CSV, XLSX and PDF files (``format=``); their schema is a binary string.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from supervision_api.schemas.common import Answer

Value = int | float | str | None


class HeadlineOut(Answer):
    label: str
    value: Value
    unit: str


class TableOut(Answer):
    title: str
    columns: list[str]
    rows: list[list[Value]]
    key: str


class ChartOut(Answer):
    title: str
    labels: list[str]
    values: list[float | None]
    unit: str
    max_value: float | None


class SectionOut(Answer):
    key: str = Field(description="availability | bandwidth | security | grading | assessment")
    title: str
    method: str
    available: bool = Field(description="false: no data for this section (said in notes), never shown as zero")
    headline: list[HeadlineOut]
    tables: list[TableOut]
    charts: list[ChartOut]
    notes: list[str]


class ReportDocument(Answer):
    title: str
    language: str
    region: dict[str, str] = Field(description="code, name, level")
    period: dict[str, Any] = Field(description="start, end (ISO 8601), days, timezone")
    coverage: dict[str, Any] = Field(description="devices, devices_with_data, share, method")
    sections: list[SectionOut]
    generated_at: str
    generated_by: str
    content_sha256: str
    hash_method: str


BINARY = {"schema": {"type": "string", "format": "binary"}}
REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": ReportDocument,
        "description": "The report: JSON (schema below), CSV (zip, one CSV per table), XLSX or PDF as `format=` asks",
        "content": {
            "application/zip": BINARY,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": BINARY,
            "application/pdf": BINARY,
        },
    }
}
