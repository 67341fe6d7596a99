"""Bring the API database to the schema of this code with Alembic, or refuse a newer one.

``upgrade`` runs at API start, in ``pdcs users``, and as ``pdcs db upgrade``.  A database made
before migrations existed (tables, no ``alembic_version``) goes through the baseline too: it
creates only the tables that are missing, so an existing deployment upgrades in place.  A
database stamped with a revision this code does not know was upgraded by a newer release:
running on it could write rows the newer code misreads, so :class:`SchemaTooNew` stops the start.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from pdcs import i18n

# Alembic tells every plugin and context it sets up (some at import) at INFO; the line worth keeping is ours.
logging.getLogger("alembic").setLevel(logging.WARNING)

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.runtime.migration import MigrationContext  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BASELINE = "0001"
VERSION_TABLE = "alembic_version"

i18n.register(
    {
        "db.too_new": (
            "数据库 {url} 的结构版本 {current} 比本程序（最高 {head}）新：它已被更新版本的 pdcs 升级过。"
            "请安装该版本或更新的 pdcs，或从升级前的备份恢复（见 docs/upgrading.md）。",
            "the database {url} is at schema revision {current}, newer than this code knows (head {head}): "
            "a newer pdcs upgraded it. Install that release or a later one, or restore the backup taken "
            "before the upgrade (docs/upgrading.md).",
        ),
        "db.upgraded": ("数据库 {url}：结构版本 {before} → {after}。", "database {url}: schema {before} → {after}."),
        "db.current": (
            "数据库 {url}：结构版本 {current}（本程序最高 {head}）。",
            "database {url}: schema {current} (code head {head}).",
        ),
    }
)

log = logging.getLogger(__name__)

_lock = threading.Lock()  # one migration at a time in this process (tests open many databases)


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer release than this code."""

    def __init__(self, url: str, current: str, head: str) -> None:
        self.url, self.current, self.head = url, current, head
        super().__init__(i18n.text("db.too_new", "en", url=url, current=current, head=head))

    def text(self, lang: i18n.Lang = i18n.DEFAULT_LANG) -> str:
        return i18n.text("db.too_new", lang, url=self.url, current=self.current, head=self.head)


@dataclass(frozen=True)
class Revisions:
    before: str | None  # None: no alembic_version (empty, or made before migrations existed)
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@cache
def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision this code knows."""
    rev = scripts().get_current_head()
    assert rev is not None, "no migrations shipped"
    return rev


def current(engine: Engine) -> str | None:
    """The database's revision, or None when it has none yet."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def check_not_newer(engine: Engine) -> str | None:
    """The database's revision; :class:`SchemaTooNew` when this code does not know it."""
    rev = current(engine)
    if rev is not None and rev not in _known():
        raise SchemaTooNew(safe_url(engine), rev, head())
    return rev


@cache
def _known() -> frozenset[str]:
    return frozenset(s.revision for s in scripts().walk_revisions())


def upgrade(engine: Engine, target: str = "head", attempts: int = 5) -> Revisions:
    """Migrate ``engine``'s database to ``target`` (this code's head by default).

    Several processes may start on one database at once (``pdcs api --workers N``): PostgreSQL
    serialises them with an advisory lock (``env.py``), a SQLite file with a lock file beside it
    (``<file>.migrate.lock``); the others then find the work done.
    """
    for attempt in range(attempts):
        try:
            with _lock, _sqlite_file_lock(engine):
                before = check_not_newer(engine)
                with engine.begin() as conn:
                    cfg = _config()
                    cfg.attributes["connection"] = conn
                    try:
                        command.upgrade(cfg, target)
                    finally:
                        cfg.attributes.pop("connection", None)
                done = Revisions(before, current(engine) or "")
            if done.changed:
                log.info("database %s: schema %s → %s", safe_url(engine), before or "-", done.after)
            return done
        except OperationalError:  # SQLite: another process held the write lock past the timeout
            if attempt == attempts - 1 or engine.dialect.name != "sqlite":
                raise
            time.sleep(0.5 + attempt)
    raise AssertionError("unreachable")


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrate.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        yield


def autogenerate(message: str) -> Path:
    """Write the next migration (``NNNN``, numbered after the head) from ``schema.py``'s difference."""
    from sqlalchemy import create_engine

    engine = create_engine("sqlite://")
    upgrade(engine)
    rev_id = f"{int(head()) + 1:04d}"
    with engine.begin() as conn:
        cfg = _config()
        cfg.attributes["connection"] = conn
        try:
            script = command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)
        finally:
            cfg.attributes.pop("connection", None)
    engine.dispose()
    scripts.cache_clear()
    _known.cache_clear()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
