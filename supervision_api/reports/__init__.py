"""Inspectors' reports: one content model, four renderings (JSON, CSV, XLSX, PDF).

``gather.build_report`` asks the supervision figures (``supervision_api.supervision``,
the MLPS grading and the annual assessment where present) for a region and a
period and returns a :class:`~supervision_api.reports.content.Report`; its
``content_sha256`` is the SHA-256 of the canonical JSON of everything but the
generation stamp (``hashing``), and every rendering carries it.
"""

from supervision_api.reports.content import Chart, Report, Section, Table
from supervision_api.reports.render import FORMATS, render

__all__ = ["FORMATS", "Chart", "Report", "Section", "Table", "render"]
