"""Open and close a real log-in session with util-linux ``login`` under ``script``.

``login`` writes its utmp and wtmp records through glibc and PAM exactly as on
a terminal.  So that the machine's own /var/log/wtmp and /run/utmp are not
touched, the session runs in a private mount namespace (``unshare -m``) where
a tmpfs is mounted on /run and the test's wtmp file is bound over
/var/log/wtmp.  Inside the session ``probe`` (a shell command line) runs, e.g.
the agent's reader, while the session is open.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SCRIPT = """set -e
mount -t tmpfs pdcs-usage-test /run
: > /run/utmp
mount --bind {wtmp} /var/log/wtmp
printf '%s\\n' {commands} | script -qec "login -f root" /dev/null > {log} 2>&1 || true
cp /run/utmp {utmp_copy}
"""


def can_run() -> str:
    """Empty when this machine can run the session, else why not."""
    for tool in ("unshare", "script", "login", "mount"):
        if shutil.which(tool) is None:
            return f"{tool} not installed"
    probe = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "true"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return f"no private mount namespace here: {probe.stderr.strip()}"
    return ""


def start_session(folder: Path, commands: list[str]) -> tuple[subprocess.Popen[bytes], Path, Path, Path]:
    """Start the session: log in as root, run ``commands``, log out; returns (process, wtmp, utmp copy, output)."""
    wtmp, utmp, log = folder / "wtmp", folder / "utmp", folder / "session.log"
    wtmp.write_bytes(b"")
    quoted = " ".join("'" + c.replace("'", "'\\''") + "'" for c in [*commands, "exit"])
    script = SCRIPT.format(wtmp=wtmp, commands=quoted, log=log, utmp_copy=utmp)
    (folder / "session.sh").write_text(script, encoding="utf-8")
    proc = subprocess.Popen(
        ["unshare", "-m", "--propagation", "private", "sh", str(folder / "session.sh")], stdin=subprocess.DEVNULL
    )
    return proc, wtmp, utmp, log


def run_session(folder: Path, commands: list[str]) -> tuple[Path, Path, str]:
    """Log in as root, run ``commands`` in the session, log out; returns (wtmp, utmp copy, session output)."""
    proc, wtmp, utmp, log = start_session(folder, commands)
    if proc.wait(timeout=60) != 0:
        raise subprocess.CalledProcessError(proc.returncode, proc.args)
    return wtmp, utmp, log.read_text(encoding="utf-8", errors="replace")
