"""``pdcs db``: the API database's schema — upgrade it, show its revision, list the migrations.

It sits beside ``db/`` rather than in it so that ``pdcs --help`` does not import SQLAlchemy.
"""

from __future__ import annotations

import typer

from pdcs import i18n

app = typer.Typer(no_args_is_help=True)

DB_OPTION = typer.Option(None, "--database-url", help="SQLAlchemy URL (default: PDCS_DATABASE_URL).")
LANG_OPT = typer.Option(None, "--lang", help="zh or en (default: PDCS_LANGUAGE, zh).")


def _url(database_url: str | None) -> str:
    from pdcs.settings import Settings

    return database_url or Settings().database_url


@app.command("upgrade")
def upgrade(
    database_url: str = DB_OPTION,
    revision: str = typer.Option("head", "--to", help="Target revision (default: the newest this code knows)."),
    lang: str | None = LANG_OPT,
) -> None:
    """Migrate the database to this code's schema (back it up first: docs/upgrading.md).

    Exit 0 when done (or nothing to do), 1 when the database is newer than this code.
    """
    from supervision_api.db import migrate
    from supervision_api.db.engine import make_engine

    language = _lang(lang)
    engine = make_engine(_url(database_url))
    try:
        done = migrate.upgrade(engine, revision)
    except migrate.SchemaTooNew as exc:
        typer.echo(exc.text(language), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    before = done.before or "-"
    typer.echo(i18n.text("db.upgraded", language, url=migrate.safe_url(engine), before=before, after=done.after))


@app.command("current")
def current(database_url: str = DB_OPTION, lang: str | None = LANG_OPT) -> None:
    """Print the database's schema revision and the newest this code knows; exit 1 when they differ."""
    from supervision_api.db import migrate
    from supervision_api.db.engine import make_engine

    engine = make_engine(_url(database_url))
    try:
        rev = migrate.current(engine)
    finally:
        engine.dispose()
    head = migrate.head()
    text = i18n.text("db.current", _lang(lang), url=migrate.safe_url(engine), current=rev or "-", head=head)
    typer.echo(text)
    raise typer.Exit(0 if rev == head else 1)


@app.command("revision")
def revision(
    message: str = typer.Argument(..., help='What the migration does, e.g. "api_tokens.expires_at".'),
) -> None:
    """For developers: write the next migration from what schema.py has and the migrations lack.

    Applies every migration to a scratch SQLite database, compares it with ``schema.py`` and writes
    ``supervision_api/db/migrations/versions/NNNN_<message>.py``; read it, adjust it, test it.
    """
    from supervision_api.db import migrate

    path = migrate.autogenerate(message)
    typer.echo(path)


@app.command("history")
def history() -> None:
    """List the migrations this code ships, oldest first."""
    from supervision_api.db import migrate

    for script in reversed(list(migrate.scripts().walk_revisions())):
        typer.echo(f"{script.revision}  {(script.doc or '').splitlines()[0] if script.doc else ''}")


def _lang(value: str | None) -> i18n.Lang:
    from pdcs.settings import Settings

    return i18n.normalise(value or Settings().language) or i18n.DEFAULT_LANG
