"""Who is calling, and may they see this region.

``current_user`` turns ``Authorization: Bearer <token>`` into a
:class:`Principal` (401 without a token or with a bad one) and keeps it on the
request, so the resource lookups in ``deps`` (region, facility, device) can
refuse anything outside the caller's scope with a 403, and ``InventoryDep``
hands routes the inventory as the caller's scope sees it.  ``create_app`` adds
``current_user`` to every router except ``/health``, in one place.
"""

from __future__ import annotations

from time import monotonic
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from supervision_api.access import messages as _messages  # noqa: F401  (registers the texts)
from supervision_api.access.store import database_of, inventory_recheck_due, refresh_inventory
from supervision_api.db import users
from supervision_api.db.users import Principal, Role
from supervision_api.errors import ApiError
from supervision_api.state import AppState

bearer = HTTPBearer(auto_error=False, description="An API token from `pdcs users token-create`")


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.pdcs
    return state


AUTH_CACHE_S = 2.0  # a revoked token or a disabled user is refused by every API process within this long
AUTH_CACHE_MAX = 10_000


def remembered(state: AppState, token: str, now: float | None = None) -> Principal | None:
    """The caller of ``token`` if it authenticated within ``AUTH_CACHE_S`` (no database read)."""
    hit = state.auth_cache.get(users.hash_token(token.strip()))
    return hit[1] if hit is not None and (monotonic() if now is None else now) - hit[0] < AUTH_CACHE_S else None


def principal_for_token(state: AppState, token: str) -> Principal | None:
    """Who ``token`` belongs to; a success is remembered for ``AUTH_CACHE_S`` (by the token's hash).

    The database read was over a third of the API's CPU under load (every request
    authenticates); failures are never remembered, so a new token works at once.
    """
    now = monotonic()
    if (principal := remembered(state, token, now)) is not None:
        return principal
    cache, key = state.auth_cache, users.hash_token(token.strip())
    with database_of(state).session() as s:
        principal = users.authenticate(s, token)
    if principal is None:
        cache.pop(key, None)
    else:
        if len(cache) >= AUTH_CACHE_MAX:
            cache.clear()
        cache[key] = (now, principal)
    return principal


async def current_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """The caller (401 without a valid token).

    Async, with the database reads handed to the thread pool only when due: a sync
    dependency costs every request a trip through the pool, for nothing most times.
    """
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(401, "error.auth.missing")
    state = _state(request)
    token = credentials.credentials
    principal = remembered(state, token)
    if principal is None:
        principal = await run_in_threadpool(principal_for_token, state, token)
    if principal is None:
        raise ApiError(401, "error.auth.bad_token")
    if inventory_recheck_due(state):
        await run_in_threadpool(refresh_inventory, state)  # another API process may have changed it
    request.state.principal = principal
    return principal


def scope_label(principal: Principal) -> str:
    return principal.scope or "全国/nation"


def require_scope(principal: Principal, code: str) -> None:
    """403 unless region ``code`` ("" = the nation) lies inside the caller's scope."""
    if not principal.may_see(code):
        raise ApiError(403, "error.forbidden.region", code=code or "0", scope=scope_label(principal))


async def admin_user(user: Annotated[Principal, Depends(current_user)]) -> Principal:
    if user.role is not Role.ADMIN:
        raise ApiError(403, "error.forbidden.admin")
    return user


async def inventory_editor(user: Annotated[Principal, Depends(current_user)]) -> Principal:
    """Who may change the inventory: admins anywhere, county staff in their county (scope still applies)."""
    if user.role not in (Role.ADMIN, Role.COUNTY_STAFF):
        raise ApiError(403, "error.forbidden.role", role=user.role.value)
    return user


CurrentUser = Annotated[Principal, Depends(current_user)]
AdminUser = Annotated[Principal, Depends(admin_user)]
EditorUser = Annotated[Principal, Depends(inventory_editor)]
