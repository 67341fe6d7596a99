"""CSV: the report as one sheet of blocks; the content SHA-256 in a footer row.

Every row goes through ``reports.cells.csv_row``: text that a spreadsheet would run as a
formula is written as text (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from pdcs.i18n import Lang, text
from reports.cells import csv_row
from reports.content import HASH_METHOD, Report, Value


class _Rows:
    """``csv.writer`` whose every cell is neutralised by ``csv_row``."""

    def __init__(self, buf: io.StringIO) -> None:
        self._w = csv.writer(buf, lineterminator="\r\n")

    def writerow(self, row: Sequence[Value]) -> None:
        self._w.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Sequence[Value]]) -> None:
        for row in rows:
            self.writerow(row)


def render_csv(report: Report) -> bytes:
    lang: Lang = "en" if report.language == "en" else "zh"
    buf = io.StringIO(newline="")
    w = _Rows(buf)
    w.writerow([report.title])
    w.writerow([text("report.region", lang), report.region["code"], report.region["name"]])
    w.writerow([text("report.period", lang), report.period["start"], report.period["end"]])
    cov = report.coverage
    w.writerow([text("report.coverage", lang), cov["share"], f"{cov['devices_with_data']}/{cov['devices']}"])
    w.writerow([text("report.method", lang), cov["method"]])
    for sec in report.sections:
        w.writerow([])
        w.writerow([f"## {sec.title}"])
        w.writerow([text("report.method", lang), sec.method])
        for h in sec.headline:
            w.writerow([h.label, h.value, h.unit])
        for t in sec.tables:
            w.writerow([])
            w.writerow([f"# {t.title}"])
            w.writerow(t.columns)
            w.writerows(t.rows)
        for n in sec.notes:
            w.writerow([n])
    w.writerow([])
    w.writerow([text("report.generated", lang), report.generated_at, report.generated_by])
    w.writerow(["content_sha256", report.content_sha256])
    w.writerow(["hash_method", HASH_METHOD])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: spreadsheet programs then read it as UTF-8
