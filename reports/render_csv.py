"""CSV: a zip of one CSV file per table, plus the summary; each file UTF-8 with a BOM so Excel reads it.

A CSV file holds one table (a header row, then rows), so a spreadsheet opens
each file as it is; the summary file (region, period, coverage, methods,
headline figures, notes, generation stamp and content SHA-256) comes first.
Times are shown in Beijing time as ``2026-10-01 08:30``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from pdcs.i18n import Lang, text
from reports.cells import csv_cell
from reports.content import HASH_METHOD, Report, Value
from reports.labels import devices_with_data
from reports.times import as_time, shown

BOM = "\ufeff"
# A fixed time for the zip entries: the same report gives the same bytes (the stamp is inside the summary).
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def cell(v: Value) -> str:
    """Times as Beijing time; text that a spreadsheet would run as a formula quoted (reports/cells.py)."""
    return shown(v) if as_time(v) is not None else csv_cell(v)


def _csv(rows: list[list[Value]]) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows([[cell(v) for v in row] for row in rows])
    return (BOM + buf.getvalue()).encode("utf-8")


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def _file_name(n: int, title: str) -> str:
    safe = _UNSAFE.sub("_", title).strip("_")[:60]
    return f"{n:02d}-{safe}.csv"


def summary_rows(report: Report, lang: Lang) -> list[list[Value]]:
    cov = report.coverage
    rows = [
        [report.title],
        [text("report.region", lang), report.region["code"], report.region["name"]],
        [text("report.period_beijing", lang), report.period["start"], report.period["end"]],
        [text("report.coverage", lang), cov["share"], f"{devices_with_data(cov, lang)}/{cov['devices']}"],
        [text("report.method", lang), cov["method"]],
    ]
    for sec in report.sections:
        rows += [[], [sec.title], [text("report.method", lang), sec.method]]
        rows += [[h.label, h.value, h.unit] for h in sec.headline]
        rows += [[n] for n in sec.notes]
    rows += [
        [],
        [text("report.generated", lang), report.generated_at, report.generated_by],
        ["content_sha256", report.content_sha256],
        ["hash_method", HASH_METHOD],
    ]
    return rows


def render_csv(report: Report) -> bytes:
    lang: Lang = "en" if report.language == "en" else "zh"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:

        def add(name: str, body: bytes) -> None:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800  # UTF-8 file names (Chinese titles), APPNOTE 4.4.4 bit 11
            z.writestr(info, body)

        add(_file_name(0, text("report.sheet.summary", lang)), _csv(summary_rows(report, lang)))
        n = 0
        for sec in report.sections:
            for t in sec.tables:
                n += 1
                add(_file_name(n, t.title), _csv([list(t.columns), *t.rows]))
    return buf.getvalue()
