"""``/facilities/{id}/grading`` and ``/regions/{code}/grading``: MLPS 2.0 grading."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query

from supervision_api.deps import InfluxDep, InventoryDep
from supervision_api.grading.report import grade_facility, grade_region

router = APIRouter(tags=["grading"])

Days = Query(30, ge=1, le=365, description="Only check results of the last N days count.")


@router.get("/facilities/{facility_id}/grading")
def facility_grading(facility_id: str, inventory: InventoryDep, influx: InfluxDep, days: int = Days) -> dict[str, Any]:
    if facility_id not in inventory.facilities:
        raise HTTPException(404, detail=f"未知场馆 / unknown facility: {facility_id}")
    return grade_facility(inventory, influx, facility_id, days)


@router.get("/regions/{code}/grading")
def region_grading(code: str, inventory: InventoryDep, influx: InfluxDep, days: int = Days) -> dict[str, Any]:
    if not code.isdigit() or len(code) not in (2, 4, 6):
        raise HTTPException(422, detail=f"区划代码应为2、4或6位数字 / region code must be 2, 4 or 6 digits: {code}")
    return grade_region(inventory, influx, code, days)
