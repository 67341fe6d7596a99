"""Settings shared by every pdcs process.

Precedence: command-line argument > environment (``PDCS_*``) > ``.env`` file >
default.  Each deployable reads this one class; components that need more
(the API's database URL, the collector's spool folder) have their fields here
too, so a deployment is configured in one place.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from pdcs.storage import InfluxDB
    from pdcs.storage.shards import ShardMap

# Retention policies: raw points for a season, daily roll-ups for years.
RAW_RP = "raw"
RAW_RP_DURATION = "90d"
ROLLUP_RP = "rollup"
ROLLUP_RP_DURATION = "1825d"
# Shard group durations, InfluxData's "Shard group duration recommendations" for long-running,
# high-throughput instances (https://docs.influxdata.com/influxdb/v1/concepts/schema_and_data_layout/
# #shard-group-duration-recommendations): RP > 7 days and <= 3 months → 7 days; RP > 3 months → 30 days.
# InfluxDB's own default would be 1 day for raw and 7 days for rollup: 7x and 4x more shards (each with its
# own index and TSM files) for the same points, and a 7-day board reading 8 shards instead of 2.
RAW_RP_SHARD_DURATION = "7d"
ROLLUP_RP_SHARD_DURATION = "30d"
# What every process creates when it finds the database missing (name, duration, default, shard duration);
# an existing policy is ALTERed to these (a changed shard duration applies to shard groups created after it).
RETENTION_POLICIES = (
    (RAW_RP, RAW_RP_DURATION, True, RAW_RP_SHARD_DURATION),
    (ROLLUP_RP, ROLLUP_RP_DURATION, False, ROLLUP_RP_SHARD_DURATION),
)
# A province counts as late on the national side when its last shipped summary bucket ended more than this
# many seconds ago (15 minutes: three 5-minute buckets; on time the lag stays between 5 and 10 minutes).
# PDCS_FEDERATION_LATE_AFTER_S overrides it for `pdcs federation status`, the API and the boards
# `pdcs grafana build` writes.
DEFAULT_FEDERATION_LATE_AFTER_S = 900.0
# The national summaries store (NATIONAL.md §2, written by federation/): the 5-minute tier for 40 days (the
# default policy), the hourly tier and the provinces' daily/yearly roll-ups for 5 years; shard durations by
# the same recommendations (40 days → 7 days, 5 years → 30 days).
SUMMARY_RP = "summary"
SUMMARY_RP_DURATION = "40d"
SUMMARY_RP_SHARD_DURATION = "7d"
SUMMARY_LONG_RP = "summary_long"
SUMMARY_LONG_RP_DURATION = "1825d"
SUMMARY_LONG_RP_SHARD_DURATION = "30d"
NATIONAL_RETENTION_POLICIES = (
    (SUMMARY_RP, SUMMARY_RP_DURATION, True, SUMMARY_RP_SHARD_DURATION),
    (SUMMARY_LONG_RP, SUMMARY_LONG_RP_DURATION, False, SUMMARY_LONG_RP_SHARD_DURATION),
    (ROLLUP_RP, ROLLUP_RP_DURATION, False, ROLLUP_RP_SHARD_DURATION),
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PDCS_", env_file=".env", extra="ignore")

    influx_url: str = "http://127.0.0.1:8086"
    influx_db: str = "pdcs"
    influx_username: str | None = None
    influx_password: SecretStr | None = None
    influx_token: SecretStr | None = None
    # Province stores (pdcs/storage/shards.py): a YAML map province code -> InfluxDB; unset: the one
    # store above holds every region (PDCS_INFLUX_SHARDS).
    influx_shards: Path | None = None

    inventory: Path = Path("inventory/examples")
    spool_dir: Path = Path("var/spool")
    database_url: str = "sqlite:///var/pdcs.sqlite"
    api_max_body_bytes: int = 25 * 1024 * 1024  # any API request body beyond this: 413 (body_limit.py)
    api_token_days: float = 90.0  # lifetime of a new API token (pdcs users token-create --days)
    language: str = "zh"  # zh (Simplified Chinese) or en
    # Push ingest (collectors/ingest.py): the shared secret device tokens derive from, and where it listens.
    ingest_secret: SecretStr | None = None
    ingest_listen: str = "0.0.0.0:9732"
    # Per-device key generations and revocations (pdcs ingest rotate|revoke), and the time window of
    # signed pushes: request timestamps, and batch times of agents without history (collectors/ingest.py).
    ingest_keys: Path = Path("var/ingest-keys.json")
    # TLS for `pdcs api` and the push ingest (PEM files; both unset: plain HTTP, e.g. behind a proxy).
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    ingest_window_s: float = 86400.0
    # Samples in one pushed batch; a batch with more is refused with 413 (collectors/ingest.py: MAX_SAMPLES).
    ingest_max_samples: int = Field(default=50_000, ge=1)
    # Exporter scraping (collectors/prometheus_scrape.py): timeout, and extra sample-name patterns
    # (comma-separated fnmatch, e.g. "node_hwmon_*,windows_service_state") kept as exporter_metric.
    scrape_timeout_s: float = 10.0
    scrape_allow: str = ""
    # Per-device bearer tokens for agents' /metrics derive from it (agents/push_signature.scrape_token).
    scrape_secret: SecretStr | None = None

    # Alerting (alert_rules/): where Alerta is and how the evaluator talks to it.
    alerta_url: str | None = None  # PDCS_ALERTA_URL; unset: no heartbeats are sent
    alerta_api_key: SecretStr | None = None  # PDCS_ALERTA_API_KEY, or a file named by alerta_api_key_file
    alerta_api_key_file: Path | None = None
    alerta_environment: str = "Production"
    alerta_timeout_s: int = 3600  # Alerta expires an alert not refreshed in this long; we refresh at half
    alert_rules: Path | None = None  # folder of rule files; the defaults in alert_rules/ when None
    alert_state: Path = Path("var/alerts.sqlite")
    alert_interval_s: float = 60.0
    # Notifications (notify/): channels and routes; recurring maintenance windows (supervision/maintenance.py).
    notify_config: Path | None = None  # PDCS_NOTIFY_CONFIG
    maintenance_file: Path | None = None  # PDCS_MAINTENANCE_FILE

    # SSH audits (collectors/ssh_audit): how often the collector audits each device,
    # how many SSH sessions run at once, and where the per-device audit records go.
    audit_interval_s: float = 86400.0
    audit_concurrency: int = 20
    audit_dir: Path = Path("var/audit")
    # Configuration history (collectors/config_history): the git repository of this
    # collector's device configurations; the API reads the same folder.
    config_history_dir: Path = Path("var/config-history")

    # Probes (collectors/probes): ICMP echo for devices with an address but no SNMP profile and
    # no agent; service probes (TCP, HTTP(S), DNS) declared in a YAML file.
    icmp_interval_s: float = 60.0
    icmp_timeout_s: float = 1.0
    icmp_concurrency: int = 500
    probes: Path | None = None  # PDCS_PROBES: the service probes file; none when unset

    # Syslog (collectors/syslog): the rsyslog store (one JSON-lines file per sender and day),
    # how long it is kept (at least 180 days: Cybersecurity Law Art. 21) and the indexer's state.
    syslog_store: Path = Path("var/syslog")
    syslog_retention_days: int = 180
    syslog_state: Path = Path("var/syslog-index.json")

    # The API's cache of recent polls (supervision/recent_polls.py): polls that
    # arrive later than 2 min after their time show within this many seconds; 0 polls held = off.
    api_poll_cache_s: float = 60.0
    api_poll_cache_polls: int = 10_000_000  # ~90 MB per API process at most

    # The national summaries store (federation/, NATIONAL.md §2) where the shard map names none, the
    # province side's spool of summaries bound for it, and when a province counts as late there.
    national_influx_url: str | None = None  # PDCS_NATIONAL_INFLUX_URL; unset: no national store
    national_influx_db: str = "pdcs_national"
    national_influx_username: str | None = None
    national_influx_password: SecretStr | None = None
    federation_spool_dir: Path = Path("var/federation")
    federation_late_after_s: float = Field(default=DEFAULT_FEDERATION_LATE_AFTER_S, gt=0)

    def influx(self) -> InfluxDB:
        from pdcs.storage import InfluxDB

        return InfluxDB(
            url=self.influx_url,
            database=self.influx_db,
            username=self.influx_username,
            password=self.influx_password.get_secret_value() if self.influx_password else None,
            token=self.influx_token.get_secret_value() if self.influx_token else None,
        )

    def shards(self) -> ShardMap:
        """Which store holds which province (``influx_shards``; unset: the one store of :meth:`influx`).

        Raises ``ShardMapError`` (``file:line: field: message`` lines) when the map does not load."""
        from pdcs.storage.shards import ShardMap

        return ShardMap.from_settings(self)

    def reader(self, code: str = "") -> InfluxDB:
        """The client reading region ``code`` (``""`` the nation): its province's store, or for the nation on a
        map of several stores every store at once (``ShardMap.reader``: exact, or refused)."""
        return self.shards().reader(code)

    def alerta_key(self) -> SecretStr | None:
        """The Alerta API key: the environment first, then the secrets file (its whole content, stripped)."""
        if self.alerta_api_key is not None:
            return self.alerta_api_key
        if self.alerta_api_key_file is not None:
            return SecretStr(self.alerta_api_key_file.read_text(encoding="utf-8").strip())
        return None

    def ensure_schema(self) -> None:
        """Create the database and its retention policies (raw is the default) in every province store of
        the shard map; stamp a new one's layout."""
        from pdcs.storage import layout

        with self.shards() as shards:
            for _, db in shards.stores():
                layout.ensure(db, RETENTION_POLICIES)


# ``pdcs dev up`` writes where its servers listen into this file (shell ``export`` lines);
# every ``pdcs`` command run from the same folder reads it (PDCS_ENV_FILE names another one, "" none).
DEV_ENV_FILE = Path("var/dev/env")


def env_file() -> Path | None:
    """The environment file ``pdcs`` commands read: PDCS_ENV_FILE, else ``var/dev/env`` when it exists."""
    named = os.environ.get("PDCS_ENV_FILE")
    if named is not None:
        return Path(named) if named else None
    return DEV_ENV_FILE if DEV_ENV_FILE.is_file() else None


def read_env_file(path: Path) -> dict[str, str]:
    """``export NAME=value`` (or ``NAME=value``) lines; blank lines and ``#`` comments skipped; values may be
    single- or double-quoted (shell quoting as :func:`write_env_file` writes it)."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        name, sep, value = line.partition("=")
        if not sep or not name.isidentifier():
            continue
        parts = shlex.split(value) if value else [""]
        values[name] = parts[0] if parts else ""
    return values


def write_env_file(path: Path, values: dict[str, str]) -> None:
    """Shell ``export`` lines (``. var/dev/env`` in a shell) that :func:`read_env_file` reads back."""
    lines = ["# written by `pdcs dev up`; pdcs commands run from this folder read it; in a shell: . " + str(path)]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)


def apply_env_file(path: Path | None = None) -> Path | None:
    """Put the environment file's values into ``os.environ`` where the environment does not set them
    (so precedence stays: argument > environment > this file > .env > default). Returns the file used."""
    path = path if path is not None else env_file()
    if path is None or not path.is_file():
        return None
    for name, value in read_env_file(path).items():
        os.environ.setdefault(name, value)
    return path
