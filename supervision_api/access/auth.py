"""Who is calling, and may they see this region.

``current_user`` turns ``Authorization: Bearer <token>`` into a
:class:`Principal` (401 without a token or with a bad one) and keeps it on the
request, so the resource lookups in ``deps`` (region, facility, device) can
refuse anything outside the caller's scope with a 403, and ``InventoryDep``
hands routes the inventory as the caller's scope sees it.  ``create_app`` adds
``current_user`` to every router except ``/health``, in one place.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from supervision_api.access import messages as _messages  # noqa: F401  (registers the texts)
from supervision_api.access.store import database_of, refresh_inventory
from supervision_api.db import users
from supervision_api.db.users import Principal, Role
from supervision_api.errors import ApiError
from supervision_api.state import AppState

bearer = HTTPBearer(auto_error=False, description="An API token from `pdcs users token-create`")


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.pdcs
    return state


def principal_for_token(state: AppState, token: str) -> Principal | None:
    with database_of(state).session() as s:
        return users.authenticate(s, token)


def current_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(401, "error.auth.missing")
    state = _state(request)
    principal = principal_for_token(state, credentials.credentials)
    if principal is None:
        raise ApiError(401, "error.auth.bad_token")
    refresh_inventory(state)  # another API process may have changed it
    request.state.principal = principal
    return principal


def scope_label(principal: Principal) -> str:
    return principal.scope or "全国/nation"


def require_scope(principal: Principal, code: str) -> None:
    """403 unless region ``code`` ("" = the nation) lies inside the caller's scope."""
    if not principal.may_see(code):
        raise ApiError(403, "error.forbidden.region", code=code or "0", scope=scope_label(principal))


def admin_user(user: Annotated[Principal, Depends(current_user)]) -> Principal:
    if user.role is not Role.ADMIN:
        raise ApiError(403, "error.forbidden.admin")
    return user


def inventory_editor(user: Annotated[Principal, Depends(current_user)]) -> Principal:
    """Who may change the inventory: admins anywhere, county staff in their county (scope still applies)."""
    if user.role not in (Role.ADMIN, Role.COUNTY_STAFF):
        raise ApiError(403, "error.forbidden.role", role=user.role.value)
    return user


CurrentUser = Annotated[Principal, Depends(current_user)]
AdminUser = Annotated[Principal, Depends(admin_user)]
EditorUser = Annotated[Principal, Depends(inventory_editor)]
