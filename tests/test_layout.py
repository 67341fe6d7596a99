"""The folder tree tells how data travels; these tests keep it that way.

agents/collectors → pdcs/storage → supervision → supervision_api, reports, alert_rules, dashboards:
nothing below the HTTP layer may import it, and docs/architecture.md's folder table names every folder.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Who may import the HTTP layer: itself, the local stack (it seeds the API's database), the tests,
# the benchmarks (they measure the API), and command modules (a command wires the parts together,
# e.g. `pdcs report` reads the API's users).
MAY_IMPORT_API = ("supervision_api", "devstack", "tests", "bench")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _python_files() -> list[Path]:
    skip = {".venv", ".venv-alerta", "build", "var", ".git"}
    return [p for p in REPO.rglob("*.py") if not skip.intersection(p.relative_to(REPO).parts)]


def test_nothing_below_the_http_layer_imports_it() -> None:
    offenders = []
    for path in _python_files():
        rel = path.relative_to(REPO)
        if rel.parts[0] in MAY_IMPORT_API or rel.name == "cli.py":
            continue
        bad = sorted(n for n in _imports(path) if n == "supervision_api" or n.startswith("supervision_api."))
        if bad:
            offenders.append(f"{rel}: {', '.join(bad)}")
    assert not offenders, "imports of supervision_api outside it:\n" + "\n".join(offenders)


def test_figures_import_no_web_framework_nor_reports() -> None:
    offenders = []
    for path in (REPO / "supervision").rglob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in {"fastapi", "starlette", "supervision_api", "reports"} and path.name != "cli.py":
                offenders.append(f"{path.relative_to(REPO)}: {name}")
    assert not offenders, "\n".join(offenders)


def test_architecture_folder_table_matches_the_tree() -> None:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text[text.index("| folder |") :].split("\n\n", 1)[0]
    table = set(re.findall(r"^\| `([a-z_]+)/` \|", section, flags=re.M))
    tracked = {
        p.name
        for p in REPO.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in {"var", "build"} and any(p.rglob("*.py"))
    }
    only_table, only_tree = sorted(table - tracked), sorted(tracked - table)
    assert table == tracked, f"in the table only: {only_table}; in the tree only: {only_tree}"


def _packages() -> set[str]:
    return {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests"}


def test_every_package_is_type_checked_by_the_test_command() -> None:
    """A new top-level package must be in scripts/test.sh's mypy line, or CI never checks its types."""
    line = next(x for x in (REPO / "scripts/test.sh").read_text().splitlines() if "mypy " in x and "echo" in x)
    checked = set(line.split("mypy ", 1)[1].split())
    assert _packages() - checked == set()


def test_every_product_package_is_strict_and_in_the_wheel() -> None:
    """Product packages (all but the local stack and the benchmarks) get mypy's strict flags and ship in the wheel."""
    text = (REPO / "pyproject.toml").read_text()
    strict = set(re.findall(r'"(\w+)\.\*"', text.split("[[tool.mypy.overrides]]", 1)[1].split("]", 1)[0]))
    wheel = set(re.findall(r'"(\w+)\*"', text.split("[tool.setuptools.packages.find]", 1)[1].split("]", 1)[0]))
    product = _packages() - {"devstack", "bench"}
    assert product - strict == set()
    assert {p for p in product if not any(p.startswith(w) for w in wheel)} == set()
