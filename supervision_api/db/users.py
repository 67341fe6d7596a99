"""Users, roles, region scopes and API tokens (only their SHA-256 is stored).

A token reads ``pdcs_<prefix>_<secret>``: the prefix (8 hex digits) finds the
row, the SHA-256 of the whole token is compared in constant time.  The token
itself is shown once, when it is created, and never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from supervision_api.db.schema import ApiToken, User

LAST_USED_GRANULARITY = timedelta(minutes=5)
TOKEN_RE = re.compile(r"^pdcs_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")


class Role(StrEnum):
    MINISTRY = "ministry"  # 部级
    PROVINCE_INSPECTOR = "province_inspector"  # 省级检查员
    COUNTY_STAFF = "county_staff"  # 县级人员
    ADMIN = "admin"  # 管理员


ROLE_ZH: dict[Role, str] = {
    Role.MINISTRY: "部级",
    Role.PROVINCE_INSPECTOR: "省级检查员",
    Role.COUNTY_STAFF: "县级人员",
    Role.ADMIN: "管理员",
}

# How long the scope code of each role is: "" the nation, 2 a province, 6 a county.
SCOPE_WIDTH: dict[Role, int] = {Role.MINISTRY: 0, Role.ADMIN: 0, Role.PROVINCE_INSPECTOR: 2, Role.COUNTY_STAFF: 6}


class UserError(ValueError):
    """A request about users that cannot be honoured (unknown user, bad scope …)."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as routes see it."""

    user_id: int
    name: str
    role: Role
    scope: str  # "" = the nation
    display_name: str = ""  # 王检查员; empty when none was given

    @property
    def shown_name(self) -> str:
        """The name pages and reports show: the display name, else the login."""
        return self.display_name or self.name

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def may_see(self, code: str) -> bool:
        """True when region ``code`` ("" = the nation) lies inside this caller's scope."""
        return code.startswith(self.scope)


def check_scope(role: Role, scope: str) -> str:
    scope = scope.strip()
    width = SCOPE_WIDTH[role]
    if len(scope) != width or (scope and (not scope.isdigit() or scope.endswith("00"))):
        want = {0: 'the nation (scope "")', 2: "a 2-digit province code", 6: "a 6-digit county code"}[width]
        raise UserError(f"scope: role {role.value} needs {want}, got {scope!r}")
    return scope


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(session: Session, name: str, role: Role, scope: str = "", display_name: str = "") -> User:
    if not re.match(r"^[A-Za-z0-9_.@-]{1,64}$", name):
        raise UserError("name: letters, digits and _ . @ - only (1-64)")
    if session.scalars(select(User).where(User.name == name)).first():
        raise UserError(f"name: user {name!r} exists")
    user = User(name=name, role=role.value, scope=check_scope(role, scope), display_name=display_name)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, name: str) -> User:
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is None:
        raise UserError(f"no user {name!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def set_disabled(session: Session, name: str, disabled: bool = True) -> User:
    user = get_user(session, name)
    user.disabled = disabled
    return user


TOKEN_DAYS = 90.0  # default lifetime of an API token (pdcs users token-create --days)


def expires_at(row: ApiToken) -> datetime:
    """When ``row`` stops working: its own expiry, else (tokens older than expiry) created + TOKEN_DAYS."""
    when = row.expires_at or (row.created_at + timedelta(days=TOKEN_DAYS))
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)  # SQLite gives naive datetimes back


def create_token(
    session: Session, name: str, label: str = "", *, lifetime: timedelta = timedelta(days=TOKEN_DAYS)
) -> tuple[ApiToken, str]:
    """A new token for user ``name`` valid for ``lifetime``: (row, the token — to show once)."""
    user = get_user(session, name)
    if user.disabled:
        raise UserError(f"user {name!r} is disabled")
    while True:
        prefix = secrets.token_hex(4)
        if session.scalars(select(ApiToken).where(ApiToken.prefix == prefix)).first() is None:
            break
    token = f"pdcs_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken(
        prefix=prefix,
        sha256=hash_token(token),
        user_id=user.id,
        label=label,
        created_at=datetime.now(UTC),
        expires_at=datetime.now(UTC) + lifetime,
    )
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, prefix: str) -> ApiToken:
    prefix = prefix.removeprefix("pdcs_").split("_")[0]
    row = session.scalars(select(ApiToken).where(ApiToken.prefix == prefix)).first()
    if row is None:
        raise UserError(f"no token with prefix {prefix!r}")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    return row


def authenticate(session: Session, token: str) -> Principal | None:
    """The caller a token belongs to, or None (malformed, unknown, revoked, user disabled)."""
    m = TOKEN_RE.match(token.strip())
    if not m:
        return None
    q = select(ApiToken).where(ApiToken.prefix == m.group(1)).options(joinedload(ApiToken.user))
    row = session.scalars(q).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.sha256, hash_token(token.strip())):
        return None
    if datetime.now(UTC) >= expires_at(row):
        return None
    user = row.user
    if user.disabled:
        return None
    now = datetime.now(UTC)
    last = row.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)  # SQLite gives naive datetimes back
    if last is None or now - last > LAST_USED_GRANULARITY:
        row.last_used_at = now  # a write at most every few minutes per token, not one per request
    return Principal(
        user_id=user.id, name=user.name, role=Role(user.role), scope=user.scope, display_name=user.display_name or ""
    )
