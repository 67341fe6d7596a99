"""``pdcs users``: add, list, token-create (shown once, stored hashed), token-revoke, disable; exit codes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from pdcs.cli import app
from supervision_api.db import Database, users


def test_users_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/u.sqlite"
    run = CliRunner()

    def pdcs(*args: str) -> tuple[int, str, str]:
        r = run.invoke(app, ["users", *args, "--database-url", url])
        return r.exit_code, r.stdout, r.stderr

    assert pdcs("add", "wang", "--role", "province_inspector", "--scope", "51")[0] == 0
    assert pdcs("add", "admin1", "--role", "admin")[0] == 0
    code, _out, err = pdcs("add", "li", "--role", "county_staff", "--scope", "51")
    assert code == 1 and "6-digit county code" in err
    code, _out, err = pdcs("add", "x", "--role", "boss")
    assert code == 2 and "--role must be one of" in err
    assert pdcs("add", "wang", "--role", "ministry")[0] == 1  # exists

    code, out, err = pdcs("token-create", "wang", "--label", "laptop")
    token = out.strip()
    assert code == 0 and token.startswith("pdcs_") and "shown once" in err
    prefix = token.split("_")[1]
    code, listing, _ = pdcs("list")
    assert code == 0 and prefix in listing and token not in listing
    assert "province_inspector" in listing and "51" in listing

    db = Database(url)
    with db.session() as s:
        who = users.authenticate(s, token)
        assert who is not None and who.scope == "51"
        dump = " ".join(
            str(v)
            for table in ("api_tokens", "audit_log")
            for r in s.execute(text(f"SELECT * FROM {table}"))
            for v in r
        )
        assert token not in dump and token.split("_", 2)[2] not in dump  # never stored, never logged
        actions = [r[0] for r in s.execute(text("SELECT action FROM audit_log ORDER BY id"))]
    assert actions == ["user.add", "user.add", "token.create"]

    assert pdcs("token-revoke", prefix)[0] == 0
    with db.session() as s:
        assert users.authenticate(s, token) is None
    code, out, _ = pdcs("token-create", "wang")
    second = out.strip()
    assert pdcs("disable", "wang")[0] == 0
    with db.session() as s:
        assert users.authenticate(s, second) is None  # a disabled user's tokens stop at once
    assert "disabled" in pdcs("list")[1]
    assert pdcs("token-create", "wang")[0] == 1
    assert pdcs("token-revoke", "ffffffff")[0] == 1
    db.dispose()
