#!/usr/bin/env bash
# Installs everything pdcs needs on a Debian 12 machine (run as root):
# the Debian packages of the real servers pdcs talks to, and the Python
# virtual environments (.venv for pdcs, .venv-alerta for the Alerta server).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  influxdb                      # time-series store (1.6, v1 HTTP API)
  snmpd snmp                    # net-snmp agent (simulated device) and tools
  prometheus-node-exporter      # standard exporter scraped by collectors
  prometheus-snmp-exporter      # reference collector for benchmarks
  openssh-server                # Linux hosts audited over SSH
  postgresql                    # Alerta's database; pdcs's API database at scale
  fonts-noto-cjk                # Chinese text in PDF reports
  poppler-utils                 # pdftotext/pdftoppm to check reports
  chromium chromium-driver      # headless browser tests of the inspectors' page
  wrk                           # C load generator for bench/supervision.py
  docker-compose                # validates docker-compose.yml offline (config + its compose_spec.json)
  git                           # configuration history: one git repository of device configurations (collectors/config_history)
  rsyslog                       # syslog receiver and raw store (collectors/syslog; devstack/rsyslog.py)
  fping                         # bench/probes.py: the peer the ICMP prober is measured against
  python3-venv
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
stamp_of() { cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16; }
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.pdcs-stamp 2>/dev/null)" != "$(stamp_of)" ]; then
  echo "setup: preparing .venv"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/pip install -q --disable-pip-version-check -e '.[dev]' --config-settings editable_mode=compat
  # fake-switches pins Twisted<17, which does not build on Python 3.11; its
  # dependencies come from the dev extra and it is installed without them.
  .venv/bin/pip install -q --disable-pip-version-check --no-deps fake-switches==1.5.0
  stamp_of > .venv/.pdcs-stamp
fi

if [ ! -x .venv-alerta/bin/alertad ]; then
  echo "setup: preparing .venv-alerta"
  "$PY" -m venv .venv-alerta
  .venv-alerta/bin/pip install -q --disable-pip-version-check alerta-server alerta psycopg2-binary gunicorn
fi
echo "setup: ready"
