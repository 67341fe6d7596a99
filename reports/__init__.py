"""Inspectors' reports: one content model, four renderings (JSON, CSV, XLSX, PDF).

``gather.build_report`` asks the supervision figures (``supervision``,
the MLPS grading and the annual assessment where present) for a region and a
period and returns a :class:`~reports.content.Report`; its
``content_sha256`` is the SHA-256 of the canonical JSON of everything but the
generation stamp (``hashing``), and every rendering carries it.
"""

from reports.content import Chart, Report, Section, Table
from reports.render import FORMATS, render

__all__ = ["FORMATS", "Chart", "Report", "Section", "Table", "render"]
