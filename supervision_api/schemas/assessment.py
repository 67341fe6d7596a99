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
    numerator: float = Field(description="in `unit`: hours for availability, else a count")
    denominator: float
    unit: Literal["h", "count"]
    numerator_text: Labels = Field(description="the numerator in words, e.g. 开放时间内服务 92.25 小时")
    denominator_text: Labels
    facilities: int
    facilities_with_data: int
    missing_facilities: list[str] = Field(description="facilities without data for it (at most 20 listed)")
    no_data_hours: float | None = Field(description="availability: scheduled hours without data (not serving)")


class IndicatorResult(Answer):
    id: str
    label: Labels
    target: str
    data_source: DataSource
    measured_source: MeasuredSource | None = None
    formula: Labels
    inputs: Inputs
    unit: Labels
    data_coverage: float | None = Field(description="share of what it is about that gave data; null: about nothing")
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
    status: Literal["scored", "insufficient_data"]
    coverage: float
    weighted_coverage: float
    indicators_scored: int


class Missing(Answer):
    id: str
    label: Labels
    data_coverage: float | None
    facilities: int
    facilities_with_data: int
    missing_facilities: list[str]
    no_data_hours: float | None


class Rubric(Answer):
    name: Labels
    source: str


class AssessmentBasis(Answer):
    """How the nation's or a province's pools were read from a national store (``supervision.county_year``)."""

    county_rows: int = Field(description="counties pooled from their county year row")
    counties_from_facilities: int = Field(
        description="counties pooled from their facilities' year rows (no current county row for them)"
    )
    as_of: str | None = Field(description="when the oldest county row used was computed (Beijing time)")


class Assessment(Answer):
    name: str
    rubric: Rubric
    code: str
    year: int
    score: float | None = Field(
        description="weighted over scored indicators; null (数据不足) when none has data or the weighted data "
        "coverage is below min_coverage"
    )
    status: Literal["scored", "insufficient_data"]
    status_text: Labels
    coverage: float = Field(description="weight share of the scored indicators")
    weighted_coverage: float = Field(description="Σ weight × data coverage ÷ Σ weight (indicators about something)")
    min_coverage: float
    missing: list[Missing] = Field(description="what is missing: indicators with data coverage below 100 %")
    indicators_scored: int
    indicators: int
    formula: Labels
    data: list[IndicatorResult]
    children: list[ChildScore]
    basis: AssessmentBasis | None = Field(None, description="the nation or a province with a national store only")
