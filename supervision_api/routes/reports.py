"""``/regions/{code}/report``: the inspectors' report as JSON, CSV, XLSX or PDF; every pull is audited."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from reports import render
from reports.gather import build_report
from reports.times import now_stamp
from supervision.periods import Period
from supervision_api.access.auth import CurrentUser
from supervision_api.access.store import record
from supervision_api.deps import InfluxDep, InventoryDep, LangDep, NationalDep, PeriodDep, RegionDep, StateDep
from supervision_api.schemas.reports import REPORT_RESPONSES

router = APIRouter(prefix="/regions", tags=["reports"])

Format = Literal["json", "csv", "xlsx", "pdf"]


def report_filename(code: str, period: Period, ext: str) -> str:
    return f"pdcs-report-{code or '0'}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{ext}"


@router.get(
    "/{code}/report",
    summary="Report of a region for a period: availability, bandwidth, security, MLPS grading, assessment",
    response_class=Response,
    responses=REPORT_RESPONSES,
)
def region_report(
    region: RegionDep,
    period: PeriodDep,
    inventory: InventoryDep,
    influx: InfluxDep,
    lang: LangDep,
    user: CurrentUser,
    state: StateDep,
    national: NationalDep,
    format: Annotated[Format, Query(description="json, csv, xlsx or pdf")] = "json",
) -> Response:
    # The nation and a province read the national store where one is configured, as /availability does.
    report = build_report(
        influx, inventory, region.code, period, lang, maintenance=state.maintenance, national=national
    )
    report.generated_at = now_stamp()
    report.generated_by = user.shown_name
    out = render(report, format)
    record(
        state,
        user,
        "report.pull",
        region=region.code,
        target=f"/regions/{region.code or '0'}/report",
        format=format,
        lang=lang,
        period=period.as_dict(),
        content_sha256=report.content_sha256,
    )
    name = report_filename(region.code, period, out.extension)
    return Response(
        out.body,
        media_type=out.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Content-SHA256": report.content_sha256},
    )
