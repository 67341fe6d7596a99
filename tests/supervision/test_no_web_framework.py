"""The figures package stays free of FastAPI, so reports and the CLI reuse it without the web stack."""

from __future__ import annotations

import subprocess
import sys

from tests.support.cli import pdcs_env


def test_figures_do_not_import_fastapi() -> None:
    code = (
        "import sys\n"
        "import supervision.answers, supervision.rollup\n"
        "import supervision.assessment, pdcs.i18n, inventory.labels\n"
        "print('fastapi' in sys.modules, 'starlette' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=pdcs_env(), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
