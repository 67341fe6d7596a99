"""``pdcs users``: users, roles, region scopes and API tokens.

A token is printed once, by ``token-create``; only its SHA-256 is stored.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session

app = typer.Typer(no_args_is_help=True)

DB_OPTION = typer.Option(None, "--database-url", help="SQLAlchemy URL (default: PDCS_DATABASE_URL).")


@contextmanager
def _session(database_url: str | None) -> Iterator[Session]:
    from pdcs.settings import Settings
    from supervision_api.db import Database
    from supervision_api.db.users import UserError

    db = Database(database_url or Settings().database_url)
    db.create_schema()
    try:
        with db.session() as s:
            yield s
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()


def _audit(s: Session, action: str, target: str, **details: object) -> None:
    import getpass

    from supervision_api.db import audit

    audit.record(s, f"cli:{getpass.getuser()}", action, target=target, details=dict(details))


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Login name (letters, digits, _ . @ -)."),
    role: str = typer.Option(
        ...,
        "--role",
        "-r",
        help="ministry (部级), province_inspector (省级检查员), county_staff (县级人员), admin (管理员).",
    ),
    scope: str = typer.Option("", "--scope", "-s", help='Region code: "" nation, 2-digit province, 6-digit county.'),
    display_name: str = typer.Option("", "--display-name", help="Full name shown on reports and pages."),
    database_url: str = DB_OPTION,
) -> None:
    """Add a user with a role and a region scope."""
    from supervision_api.db import users

    try:
        r = users.Role(role)
    except ValueError:
        typer.echo(f"error: --role must be one of {', '.join(x.value for x in users.Role)}", err=True)
        raise typer.Exit(2) from None
    with _session(database_url) as s:
        user = users.add_user(s, name, r, scope, display_name)
        _audit(s, "user.add", name, role=r.value, scope=user.scope)
        typer.echo(f"added {name} ({users.ROLE_ZH[r]} {r.value}, scope {user.scope or 'nation'})")


@app.command("list")
def list_(database_url: str = DB_OPTION) -> None:
    """List users with role, scope, state and live tokens (prefixes only)."""
    from supervision_api.db import users

    with _session(database_url) as s:
        rows = users.list_users(s)
        typer.echo(f"{'name':20} {'role':20} {'scope':8} {'state':9} tokens")
        for u in rows:
            live = [t.prefix for t in u.tokens if t.revoked_at is None]
            state = "disabled" if u.disabled else "active"
            typer.echo(f"{u.name:20} {u.role:20} {u.scope or '-':8} {state:9} {', '.join(live) or '-'}")


@app.command("disable")
def disable(name: str, database_url: str = DB_OPTION) -> None:
    """Disable a user: their tokens stop working at once."""
    from supervision_api.db import users

    with _session(database_url) as s:
        users.set_disabled(s, name, True)
        _audit(s, "user.disable", name)
        typer.echo(f"disabled {name}")


@app.command("enable")
def enable(name: str, database_url: str = DB_OPTION) -> None:
    """Enable a disabled user again."""
    from supervision_api.db import users

    with _session(database_url) as s:
        users.set_disabled(s, name, False)
        _audit(s, "user.enable", name)
        typer.echo(f"enabled {name}")


@app.command("token-create")
def token_create(
    name: str,
    label: str = typer.Option("", "--label", help="What the token is for (a laptop, a script)."),
    days: float | None = typer.Option(
        None, "--days", min=0.01, help="Lifetime in days (default PDCS_API_TOKEN_DAYS, 90)."
    ),
    database_url: str = DB_OPTION,
) -> None:
    """Create an API token for a user and print it ONCE (only its SHA-256 is kept); it expires."""
    from datetime import timedelta

    from pdcs.settings import Settings
    from supervision_api.db import users

    lifetime = timedelta(days=days if days is not None else Settings().api_token_days)
    with _session(database_url) as s:
        row, token = users.create_token(s, name, label, lifetime=lifetime)
        _audit(s, "token.create", name, prefix=row.prefix, label=label, expires_at=users.expires_at(row).isoformat())
        expires = users.expires_at(row).isoformat(timespec="minutes")
    typer.echo(token)
    typer.echo(f"token {row.prefix} for {name}: shown once, store it now; expires {expires}", err=True)


@app.command("token-revoke")
def token_revoke(
    prefix: str = typer.Argument(..., help="The token's 8-hex prefix (or the whole token)."),
    database_url: str = DB_OPTION,
) -> None:
    """Revoke a token: it stops working at once."""
    from supervision_api.db import users

    with _session(database_url) as s:
        row = users.revoke_token(s, prefix)
        _audit(s, "token.revoke", row.user.name, prefix=row.prefix)
        typer.echo(f"revoked token {row.prefix} of {row.user.name}")
