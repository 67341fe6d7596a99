"""A private PostgreSQL (Debian ``postgresql``) on a free loopback port.

PostgreSQL refuses to run as root, so when we are root it runs as the
``postgres`` user (``Managed(user=...)``), in the foreground, with its data and
socket in a fresh folder under the system temp dir that this user can reach
(pytest's tmp folders are private to root).  Trust authentication on
127.0.0.1 only; fsync off: the data is thrown away.  About 1 s to ready.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from devstack.procs import Managed, free_port


def pg_bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` (Debian's layout)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[4]))
    if not found:
        raise FileNotFoundError("PostgreSQL is not installed; run scripts/setup.sh (Debian package postgresql)")
    return Path(found[-1]).parent


def pg_user() -> str | None:
    return "postgres" if os.geteuid() == 0 else None


@dataclass
class PostgresServer:
    port: int
    base: Path
    bin_dir: Path
    process: Managed

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg2") -> str:
        """The connection URL (``driver="postgres"`` gives the libpq form other tools want)."""
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def ready(self) -> bool:
        argv = [str(self.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(argv, capture_output=True, check=False).returncode == 0

    def create_database(self, name: str) -> str:
        """Create database ``name``; returns its SQLAlchemy URL."""
        argv = [str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name]
        subprocess.run(argv, check=True, capture_output=True)
        return self.url(name)

    def stop(self, remove: bool = True) -> None:
        # SIGINT is PostgreSQL's fast shutdown (SIGTERM waits for sessions to end).
        self.process.signal(signal.SIGINT)
        self.process.stop()
        if remove:
            shutil.rmtree(self.base, ignore_errors=True)


def reachable_by(path: Path, user: str) -> bool:
    """Whether ``user`` may pass through every folder down to ``path`` (search permission)."""
    import grp
    import pwd

    who = pwd.getpwnam(user)
    groups = {g.gr_gid for g in grp.getgrall() if user in g.gr_mem} | {who.pw_gid}
    for folder in [path.resolve(), *path.resolve().parents]:
        st = folder.stat()
        if st.st_uid == who.pw_uid:
            ok = st.st_mode & 0o100
        elif st.st_gid in groups:
            ok = st.st_mode & 0o010
        else:
            ok = st.st_mode & 0o001
        if not ok:
            return False
    return True


def start_postgres(parent: Path | None = None, *, port: int | None = None, timeout_s: float = 60.0) -> PostgresServer:
    """initdb in a fresh folder under ``parent`` and start the server.

    The system temp dir instead when there is no ``parent``, or when, run as root, the
    server's own user ``postgres`` could not reach it (pytest's folders are private).
    """
    bin_dir = pg_bin_dir()
    user = pg_user()
    if parent is not None and user and not reachable_by(parent, user):
        parent = None
    base = Path(tempfile.mkdtemp(prefix="pdcs-pg-", dir=parent))
    if user:
        shutil.chown(base, user)
        os.chmod(base, 0o755)
    data = base / "data"
    subprocess.run(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
        check=True,
        capture_output=True,
        user=user,
    )
    port = port or free_port()
    argv = [str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-c", "listen_addresses=127.0.0.1"]
    argv += ["-k", str(base), "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off"]
    process = Managed("postgres", argv, base / "postgres.log", user=user).start()
    server = PostgresServer(port=port, base=base, bin_dir=bin_dir, process=process)
    try:
        process.wait_ready(server.ready, timeout_s)
    except Exception:
        server.stop()
        raise
    return server
