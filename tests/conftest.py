"""Shared fixtures: real servers on free loopback ports, data in temporary folders.

Component-specific servers (node_exporter, sshd, fake-switches, Alerta with
PostgreSQL …) have their fixtures in the conftest.py of the test folder that
uses them; the ones here are used across the suite.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.influxdb import InfluxServer, start_influxdb
from devstack.snmpd import SnmpdServer, start_snmpd
from devstack.snmpsim import SnmpsimServer, start_snmpsim
from pdcs.settings import RETENTION_POLICIES
from pdcs.storage import InfluxDB

# A running `pdcs dev up` writes var/dev/env, which pdcs commands read; tests name their own servers.
os.environ.setdefault("PDCS_ENV_FILE", "")
# SSH audits pin host keys (collectors/ssh_audit/session.py); test servers pick new ports and keys each
# run, so each test process pins into a file of its own, never var/ssh_known_hosts of the checkout.
os.environ["PDCS_SSH_KNOWN_HOSTS"] = os.path.join(
    os.environ.get("TMPDIR", "/tmp"), f"pdcs-test-known-hosts-{os.getpid()}-{uuid.uuid4().hex[:8]}"
)

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "inventory" / "examples"


@pytest.fixture(scope="session")
def influx_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfluxServer]:
    server = start_influxdb(tmp_path_factory.mktemp("influxdb"))
    yield server
    server.stop()


@pytest.fixture
def influx(influx_server: InfluxServer) -> Iterator[InfluxDB]:
    """A fresh, empty database (with pdcs's retention policies and their shard durations) for one test."""
    db = InfluxDB(url=influx_server.url, database=f"t_{uuid.uuid4().hex[:12]}", retries=1, backoff_s=0.05)
    db.ensure_database(RETENTION_POLICIES)
    yield db
    try:
        db.execute(f'DROP DATABASE "{db.database}"')
    finally:
        db.close()


@pytest.fixture(scope="session")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpdServer]:
    server = start_snmpd(tmp_path_factory.mktemp("snmpd"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def snmpsim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpsimServer]:
    server = start_snmpsim(tmp_path_factory.mktemp("snmpsim"), timeout_s=300)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


# The figures' fixtures (inventory, client, rolled) serve tests/supervision, tests/reports and tests/supervision_api.
from tests.support.figures import client, inventory, rolled  # noqa: E402, F401
