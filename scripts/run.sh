#!/usr/bin/env bash
# Brings pdcs up on this machine: installs what it needs, starts InfluxDB and
# simulated devices (snmpd, and snmpsim serving recordings of real devices),
# runs the collector and the API, and prints where to look.  Ctrl-C stops all.
# Extra arguments go to `pdcs dev up` (e.g. --inventory PATH for real devices).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/pdcs dev up "$@"
