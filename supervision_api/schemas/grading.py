"""``/facilities/{id}/grading`` and ``/regions/{code}/grading``: MLPS 2.0 grading."""

from __future__ import annotations

from pydantic import Field

from supervision_api.schemas.common import Answer, Labels


class LatestAttempt(Answer):
    status: str
    time_ms: int
    detail: str
    note: Labels


class CheckOut(Answer):
    device: str
    check: str
    source: str
    status: str
    severity: str
    detail: str
    time_ms: int
    latest_attempt: LatestAttempt | None = Field(
        None, description="a later check that could not complete (最近一次核查未能完成); the result above stands"
    )


class ItemOut(Answer):
    id: str
    clause: str
    category: Labels
    title: Labels
    weight: float
    result: str
    result_en: str
    value: float | None
    checks: list[CheckOut]


class FacilityGrading(Answer):
    """A facility's grading. Without declared grading elements only ``declared``, ``conclusion`` and
    ``message``; at a level pdcs does not grade also the level and ``message``; else the full grading."""

    facility: str
    name: str
    county: str
    declared: bool
    conclusion: str
    conclusion_en: str
    message: Labels | None = None
    system: str | None = None
    harm_object: str | None = None
    harm_degree: str | None = None
    level: int | None = None
    level_zh: str | None = None
    score: float | None = None
    items_total: int | None = None
    items_assessed: int | None = None
    coverage: float | None = None
    high_risks: int | None = None
    medium_risks: int | None = None
    unmapped_checks: int | None = Field(None, description="judged checks whose MLPS item is not in the catalogue")
    method: Labels | None = None
    items: list[ItemOut] | None = None


class RegionGrading(Answer):
    region: str
    name: str
    conclusions: dict[str, int]
    data: list[FacilityGrading]
    count: int
