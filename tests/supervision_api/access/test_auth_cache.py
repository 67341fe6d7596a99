"""A token revoked (or a user disabled) by another process is refused within AUTH_CACHE_S, not later."""

from __future__ import annotations

import pytest

from supervision_api.access import auth
from supervision_api.access.store import database_of
from supervision_api.db import users
from supervision_api.db.users import Role
from tests.supervision_api.access.conftest import Api


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("change", ["revoke", "disable"])
def test_revocation_takes_effect_within_the_cache_time(api: Api, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    clock = Clock()
    monkeypatch.setattr(auth, "monotonic", clock)
    client = api.client(Role.MINISTRY, name="zhao")
    assert client.get("/me").status_code == 200
    with database_of(api.state).session() as s:  # as `pdcs users token-revoke` / `disable` would, elsewhere
        if change == "revoke":
            token = client.headers["Authorization"].split()[1]
            users.revoke_token(s, token.split("_")[1])
        else:
            users.set_disabled(s, "zhao")
    clock.now += auth.AUTH_CACHE_S / 2
    assert client.get("/me").status_code == 200  # still remembered
    clock.now += auth.AUTH_CACHE_S / 2
    assert client.get("/me").status_code == 401
    clock.now += 10 * auth.AUTH_CACHE_S
    assert client.get("/me").status_code == 401  # failures are not remembered, and stay failures
