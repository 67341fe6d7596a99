"""``/me``: who the token belongs to, with role and region scope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from pdcs.i18n import text
from supervision_api.access.auth import CurrentUser
from supervision_api.db.users import ROLE_ZH
from supervision_api.deps import LangDep, StateDep
from supervision_api.schemas.access import Me

router = APIRouter(prefix="/me", tags=["access"])


@router.get("", response_model=Me, summary="The caller: name, role and region scope")
def me(user: CurrentUser, state: StateDep, lang: LangDep) -> dict[str, Any]:
    return {
        "name": user.name,
        "role": user.role.value,
        "role_name": ROLE_ZH[user.role] if lang == "zh" else user.role.value.replace("_", " "),
        "scope": user.scope or "0",
        "scope_name": state.inventory.region_name(user.scope) if user.scope else text("nation", lang),
    }
