"""``/me`` and ``/audit-log``."""

from __future__ import annotations

from typing import Any

from supervision_api.schemas.common import Answer


class Me(Answer):
    name: str
    role: str
    role_name: str
    scope: str
    scope_name: str


class AuditEntryOut(Answer):
    id: int
    at: str
    user: str
    role: str
    action: str
    region: str
    target: str
    details: dict[str, Any]
    outcome: str


class AuditLog(Answer):
    data: list[AuditEntryOut]
    count: int
