"""PDF in Simplified Chinese (or English): headline tables, data tables, bar charts, and the hash.

Set in Noto Sans CJK SC (``fonts``: a real font, embedded).  The content
SHA-256 is in the document's metadata (subject and keywords), in every page's
footer (abbreviated) and in full on the last page.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pdcs.i18n import Lang, text
from reports import fonts
from reports.content import Chart, Report, Value
from reports.content import Table as DataTable
from reports.labels import devices_with_data
from reports.times import BEIJING, as_time, shown

MAX_ROWS = 60  # longer tables are in the CSV/XLSX; the PDF says how many were left out


def fmt(v: Value, lang: Lang, unit: str = "") -> str:
    if v is None:
        return text("report.no_data", lang)
    s = f"{v:,.2f}" if isinstance(v, float) else shown(v)
    if unit == "%":
        return f"{s}%"
    return f"{s} {unit}" if unit else s


class _Styles:
    def __init__(self, regular: str, bold: str) -> None:
        self.regular, self.bold = regular, bold
        self.title = ParagraphStyle("t", fontName=bold, fontSize=18, leading=24, spaceAfter=6)
        self.h1 = ParagraphStyle("h1", fontName=bold, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4)
        self.h2 = ParagraphStyle("h2", fontName=bold, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=3)
        self.body = ParagraphStyle("b", fontName=regular, fontSize=9, leading=13, alignment=TA_LEFT, wordWrap="CJK")
        self.small = ParagraphStyle("s", fontName=regular, fontSize=7.5, leading=10, wordWrap="CJK")
        self.cell = ParagraphStyle("c", fontName=regular, fontSize=7.5, leading=9.5, wordWrap="CJK")
        self.head = ParagraphStyle("hd", fontName=bold, fontSize=7.5, leading=9.5, wordWrap="CJK")


def _grid(data: list[list[Any]], widths: list[float] | None = None, header: bool = True) -> Table:
    t = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4ecf7")))
    t.setStyle(TableStyle(style))
    return t


def _table(t: DataTable, st: _Styles, lang: Lang, width: float) -> list[Any]:
    out: list[Any] = [Paragraph(escape(t.title), st.h2)]
    if not t.rows:
        out.append(Paragraph(escape(text("report.section_no_data", lang)), st.small))
        return out
    rows = [[Paragraph(escape(c), st.head) for c in t.columns]]
    for row in t.rows[:MAX_ROWS]:
        rows.append([Paragraph(escape(fmt(v, lang)), st.cell) for v in row])
    out.append(_grid(rows, [width / len(t.columns)] * len(t.columns)))
    if len(t.rows) > MAX_ROWS:
        more = len(t.rows) - MAX_ROWS
        out.append(Paragraph(escape(f"… +{more}"), st.small))
    return out


def _chart(c: Chart, st: _Styles, width: float) -> Drawing:
    height = 170.0
    d = Drawing(width, height)
    d.add(String(0, height - 12, c.title, fontName=st.bold, fontSize=9))
    bc = VerticalBarChart()
    bc.x, bc.y, bc.width, bc.height = 36, 42, width - 50, height - 70
    bc.data = [[v if v is not None else 0 for v in c.values] or [0]]
    bc.categoryAxis.categoryNames = [label[:10] for label in c.labels] or [""]
    bc.categoryAxis.labels.fontName = st.regular
    bc.categoryAxis.labels.fontSize = 7
    bc.categoryAxis.labels.angle = 30 if len(c.labels) > 4 else 0
    bc.categoryAxis.labels.boxAnchor = "ne" if len(c.labels) > 4 else "n"
    bc.valueAxis.labels.fontName = st.regular
    bc.valueAxis.labels.fontSize = 7
    bc.valueAxis.valueMin = 0
    top = max([v for v in c.values if v is not None] or [0])
    bc.valueAxis.valueMax = c.max_value if c.max_value is not None else (top * 1.1 or 1)
    bc.bars[0].fillColor = colors.HexColor("#2f6fb3")
    bc.barLabels.fontName = st.regular
    bc.barLabels.fontSize = 6.5
    bc.barLabelFormat = "%.1f"
    bc.barLabels.nudge = 6
    d.add(bc)
    return d


class _Stamp:
    """What reportlab's PDFDate reads from a document's time stamp, for a chosen time (not the clock)."""

    def __init__(self, when: datetime) -> None:
        offset = int((when.utcoffset() or timedelta()).total_seconds())
        self.t = when.timestamp()
        self.lt = tuple(when.timetuple())
        self.YMDhms = self.lt[:6]
        self.dhh, self.dmm = offset // 3600, offset % 3600 // 60
        self.tzname = when.tzname()


def _canvas_dated(generated_at: str) -> Any:
    """A canvas whose CreationDate/ModDate are the report's generation time in Beijing time (the document
    stays invariant otherwise: the same content and stamp give the same bytes)."""
    when = as_time(generated_at)

    def make(*args: Any, **kwargs: Any) -> Canvas:
        c = Canvas(*args, **kwargs)
        if when is not None:
            c._doc._timeStamp = _Stamp(when.astimezone(BEIJING))
        return c

    return make


def render_pdf(report: Report) -> bytes:
    lang: Lang = "en" if report.language == "en" else "zh"
    static = [
        text(k, lang)
        for k in (
            "report.region",
            "report.period",
            "report.coverage",
            "report.generated",
            "report.generated_by",
            "report.beijing_time",
            "report.sha256",
            "report.hash_method",
            "report.method",
            "report.no_data",
            "report.section_no_data",
            "report.devices",
            "report.devices_with_data",
            "report.not_at_level",
        )
    ]
    regular, bold = fonts.register(json.dumps(report.as_dict(), ensure_ascii=False) + "".join(static))
    st = _Styles(regular, bold)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{report.title} · {report.region['name']}",
        author=report.generated_by or "pdcs",
        subject=f"content_sha256={report.content_sha256}",
        keywords=f"content_sha256={report.content_sha256}",
        creator="pdcs reports",
        invariant=True,  # no random document id or creation time: same content, same bytes
    )
    width = doc.width
    story: list[Any] = [Paragraph(escape(report.title), st.title)]
    cov = report.coverage
    meta = [
        [text("report.region", lang), f"{report.region['name']}（{report.region['code']}）"],
        [
            text("report.period", lang),
            f"{shown(report.period['start'])} — {shown(report.period['end'])}（{report.period['days']} d）",
        ],
        [
            text("report.coverage", lang),
            f"{fmt(None if cov['share'] is None else cov['share'] * 100, lang, '%')}"
            f"（{text('report.devices_with_data', lang)} {devices_with_data(cov, lang)} / "
            f"{text('report.devices', lang)} {cov['devices']}）",
        ],
        [text("report.method", lang), cov["method"]],
        [text("report.generated", lang), text("report.beijing_time", lang, time=shown(report.generated_at))],
        [text("report.generated_by", lang), report.generated_by],
    ]
    story.append(
        _grid(
            [[Paragraph(escape(a), st.head), Paragraph(escape(b), st.cell)] for a, b in meta],
            [32 * mm, width - 32 * mm],
            header=False,
        )
    )
    for sec in report.sections:
        story.append(Paragraph(escape(sec.title), st.h1))
        story.append(
            Paragraph(
                escape(f"{text('report.method', lang)}：{sec.method}" if lang == "zh" else f"Method: {sec.method}"),
                st.body,
            )
        )
        if sec.headline:
            head = [
                [Paragraph(escape(h.label), st.head) for h in sec.headline],
                [Paragraph(escape(fmt(h.value, lang, h.unit)), st.cell) for h in sec.headline],
            ]
            story.append(Spacer(1, 4))
            story.append(_grid(head, [width / len(sec.headline)] * len(sec.headline)))
        for n in sec.notes:
            story.append(Paragraph(escape(n), st.small))
        for ch in sec.charts:
            if ch.labels:
                story.append(KeepTogether([Spacer(1, 6), _chart(ch, st, width)]))
        for t in sec.tables:
            story.extend(_table(t, st, lang, width))
    story.append(Spacer(1, 12))
    story.append(Paragraph(escape(text("report.sha256", lang)), st.h2))
    story.append(Paragraph(report.content_sha256, st.body))
    story.append(Paragraph(escape(text("report.hash_method", lang)), st.small))

    short = report.content_sha256[:16]

    def footer(canvas: Any, doc_: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7)
        page = f"第 {doc_.page} 页" if lang == "zh" else f"page {doc_.page}"
        canvas.drawString(16 * mm, 9 * mm, f"{report.title} · {report.region['name']} · SHA-256 {short}…")
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, page)
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer, canvasmaker=_canvas_dated(report.generated_at))
    return buf.getvalue()
