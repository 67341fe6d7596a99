#!/usr/bin/env bash
# The whole test suite: installs what it needs, then lint, types and tests.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/inventory -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff"; ruff check .
echo "== mypy"; mypy pdcs inventory collectors agents supervision federation reports supervision_api alert_rules notify dashboards devstack bench tests
echo "== pytest"; pytest "$@"
