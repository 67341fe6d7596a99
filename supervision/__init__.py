"""Supervision figures computed from the inventory and InfluxDB — no web framework here.

The API routes, the CLI and the reports all call these modules:
``periods`` (what time span is asked), ``polls`` (raw poll counts and last
status), ``schedule`` (scheduled service time: opening hours + the official
holiday calendar), ``timeline`` (up/down intervals from ``device_up``),
``availability``, ``bandwidth``, ``rollup`` (daily roll-ups) and
``assessment`` (the annual rubric).
"""

from __future__ import annotations


class FigureError(ValueError):
    """A request for figures that cannot be answered as asked (bad period, unknown region …).

    ``key`` names a message in ``pdcs.i18n``; ``params`` fill it in.
    """

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        from pdcs.i18n import text

        return text(self.key, "en", **self.params)
