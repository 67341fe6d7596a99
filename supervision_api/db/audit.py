"""The audit log: every report pull and inventory change, with who, what, when, where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervision_api.db.schema import AuditEntry
from supervision_api.db.users import Principal


def record(
    session: Session,
    who: Principal | str,
    action: str,
    region: str = "",
    target: str = "",
    details: dict[str, Any] | None = None,
    outcome: str = "ok",
) -> AuditEntry:
    entry = AuditEntry(
        user=who.name if isinstance(who, Principal) else who,
        role=who.role.value if isinstance(who, Principal) else "",
        action=action,
        region=region,
        target=target,
        details=details or {},
        outcome=outcome,
    )
    session.add(entry)
    return entry


def entries(
    session: Session,
    *,
    user: str | None = None,
    action: str | None = None,
    region: str | None = None,
    since: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    q = select(AuditEntry)
    if user:
        q = q.where(AuditEntry.user == user)
    if action:
        q = q.where(AuditEntry.action == action)
    if region is not None and region != "":
        q = q.where(AuditEntry.region.startswith(region))
    if since:
        q = q.where(AuditEntry.at >= since)
    return list(session.scalars(q.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)))
