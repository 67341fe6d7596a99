"""The ``pdcs`` command imports its sub-commands (issue 13.2): nothing vanishes quietly, except ``pdcs dev``
where devstack (not in the wheel) is absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)


BLOCK = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] == {top!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Block())
"""


def test_without_devstack_pdcs_runs_without_dev() -> None:
    """An installed pdcs (a wheel without devstack/) lists every command but ``dev``."""
    code = BLOCK.format(top="devstack") + "import pdcs.cli as c; print([n for n, o, _ in c.SUBCOMMANDS if o is None])"
    res = _run(code)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "['dev']"


def test_a_missing_part_fails_loudly() -> None:
    """A command module that cannot be imported stops ``pdcs``: it is not left out."""
    res = _run(BLOCK.format(top="reports") + "import pdcs.cli")
    assert res.returncode != 0 and "No module named 'reports" in res.stderr
