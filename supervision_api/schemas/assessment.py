"""``/regions/{code}/assessment``: the annual assessment (年度考核), explained."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from supervision_api.schemas.common import Answer, Labels


class DataSource(Answer):
    type: str
    attribute: str | None = None
    facility_kinds: list[str] | None = None
    min_terminals: int | None = None
    min_uplink_mbps: float | None = None
    min_weekly_hours: dict[str, float] | None = None


class MeasuredSource(Answer):
    type: str
    min_share: float


class Basis(Answer):
    """How many facilities' inputs were measured by the platform and how many were declared."""

    measured: int
    declared: int
    text: Labels


class Inputs(Answer):
    numerator: float
    denominator: float
    facilities: int
    facilities_with_data: int


class IndicatorResult(Answer):
    id: str
    label: Labels
    target: str
    data_source: DataSource
    measured_source: MeasuredSource | None = None
    formula: Labels
    inputs: Inputs
    value: float | None
    score: float | None
    weight: float
    weight_share: float
    weight_effective: float
    status: Literal["scored", "no_data"]
    note: Labels | None
    basis: Basis


class ChildScore(Answer):
    code: str
    name: str
    score: float | None
    coverage: float
    indicators_scored: int


class Rubric(Answer):
    name: Labels
    source: str


class Assessment(Answer):
    name: str
    rubric: Rubric
    code: str
    year: int
    score: float | None = Field(description="weighted over scored indicators; null when none has data")
    coverage: float = Field(description="weight share of the scored indicators")
    indicators_scored: int
    indicators: int
    formula: Labels
    data: list[IndicatorResult]
    children: list[ChildScore]
