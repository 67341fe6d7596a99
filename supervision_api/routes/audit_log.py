"""``/audit-log``: every report pull and inventory change (administrators only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from supervision_api.access.auth import AdminUser
from supervision_api.access.store import database_of
from supervision_api.db import audit as audit_log
from supervision_api.deps import StateDep
from supervision_api.schemas.access import AuditLog

router = APIRouter(prefix="/audit-log", tags=["access"])


@router.get("", response_model=AuditLog, summary="Audit log entries, newest first (administrators only)")
def entries(
    _admin: AdminUser,
    state: StateDep,
    user: Annotated[str | None, Query(max_length=64, description="only this user")] = None,
    action: Annotated[str | None, Query(max_length=64, description="e.g. report.pull, device.update")] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{0,6}$", description="region code prefix")] = None,
    since: Annotated[datetime | None, Query(description="ISO 8601 time")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    with database_of(state).session() as s:
        rows = audit_log.entries(s, user=user, action=action, region=region, since=since, limit=limit, offset=offset)
        data = [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "user": e.user,
                "role": e.role,
                "action": e.action,
                "region": e.region,
                "target": e.target,
                "details": e.details,
                "outcome": e.outcome,
            }
            for e in rows
        ]
    return {"data": data, "count": len(data)}
