"""Run the real ``pdcs`` command in a child process (for tests that signal or restart it)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def pdcs_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "pdcs", *args]


def pdcs_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


def interruptible() -> None:
    """A ``Popen`` ``preexec_fn``: the child takes SIGINT as Ctrl-C, even when this test run was started with
    SIGINT ignored (a background job of a shell without job control): a child inherits the ignore, and Python
    then installs no KeyboardInterrupt handler, so the test's SIGINT would do nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
