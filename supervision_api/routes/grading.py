"""``/facilities/{id}/grading`` and ``/regions/{code}/grading``: MLPS 2.0 grading.

The facility and the region come through ``FacilityDep``/``RegionDep`` (deps),
so they answer only inside the caller's region scope (403 outside).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from supervision.grading.report import grade_facility, grade_region
from supervision_api.deps import FacilityDep, InfluxDep, InventoryDep, RegionDep
from supervision_api.schemas.grading import FacilityGrading, RegionGrading

router = APIRouter(tags=["grading"])

Days = Query(30, ge=1, le=365, description="Only check results of the last N days count.")


@router.get("/facilities/{facility_id}/grading", response_model=FacilityGrading, response_model_exclude_unset=True)
def facility_grading(
    facility: FacilityDep, inventory: InventoryDep, influx: InfluxDep, days: int = Days
) -> dict[str, Any]:
    return grade_facility(inventory, influx, facility.id, days)


@router.get("/regions/{code}/grading", response_model=RegionGrading, response_model_exclude_unset=True)
def region_grading(region: RegionDep, inventory: InventoryDep, influx: InfluxDep, days: int = Days) -> dict[str, Any]:
    return grade_region(inventory, influx, region.code, days)
