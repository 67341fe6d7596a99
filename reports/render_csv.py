"""CSV: the report as one sheet of blocks; the content SHA-256 in a footer row."""

from __future__ import annotations

import csv
import io

from pdcs.i18n import Lang, text
from reports.content import HASH_METHOD, Report, Value


def cell(v: Value) -> str:
    return "" if v is None else str(v)


def render_csv(report: Report) -> bytes:
    lang: Lang = "en" if report.language == "en" else "zh"
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([report.title])
    w.writerow([text("report.region", lang), report.region["code"], report.region["name"]])
    w.writerow([text("report.period", lang), report.period["start"], report.period["end"]])
    cov = report.coverage
    w.writerow([text("report.coverage", lang), cell(cov["share"]), f"{cov['devices_with_data']}/{cov['devices']}"])
    w.writerow([text("report.method", lang), cov["method"]])
    for sec in report.sections:
        w.writerow([])
        w.writerow([f"## {sec.title}"])
        w.writerow([text("report.method", lang), sec.method])
        for h in sec.headline:
            w.writerow([h.label, cell(h.value), h.unit])
        for t in sec.tables:
            w.writerow([])
            w.writerow([f"# {t.title}"])
            w.writerow(t.columns)
            w.writerows([[cell(v) for v in row] for row in t.rows])
        for n in sec.notes:
            w.writerow([n])
    w.writerow([])
    w.writerow([text("report.generated", lang), report.generated_at, report.generated_by])
    w.writerow(["content_sha256", report.content_sha256])
    w.writerow(["hash_method", HASH_METHOD])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: spreadsheet programs then read it as UTF-8
