"""``pdcs dev up``: the whole platform on this machine, with simulated devices.

Starts InfluxDB, a net-snmp agent (v2c and v3) and snmpsim serving recordings
of real devices, writes an inventory whose regions and facilities come from
``inventory/examples`` and whose devices are those simulators (the examples'
own devices have addresses on other networks and are never polled here), then
runs the collector and the API as child processes and prints where to look.
Alerting comes too (``--no-alerting`` leaves it out): PostgreSQL and Alerta, the
collector's heartbeats, and ``pdcs alerts`` evaluating the rules every 30 s.
Syslog too: Debian's rsyslogd on free loopback ports writing the run's store
(``<workdir>/syslog``) and ``pdcs syslog index`` every 10 s, so the ``syslog``
counts fill (a message from 127.0.0.1 counts for the first simulated device).
Usage too: the simulated terminal has a reading-room day of sessions (usage_sim.py) and the
Wi-Fi controllers a venue's day of clients (wifi_day.py: their recordings' day copies,
rewritten every minute).
With ``--inventory PATH`` it runs against real devices instead.
With ``--provinces N`` (2 to 6) the platform is national: an InfluxDB per province and the national
summaries store, the simulated devices spread over the provinces (devstack/provinces.py), the shard map
in ``<workdir>/shards.yaml`` (``PDCS_INFLUX_SHARDS`` in ``<workdir>/env``) for every process.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from devstack.provinces import NATIONAL_DB

if TYPE_CHECKING:
    from devstack.alerta import AlertaServer
    from devstack.influxdb import InfluxServer
    from devstack.rsyslog import RsyslogServer

app = typer.Typer(no_args_is_help=True)

EXAMPLES = Path(__file__).resolve().parents[1] / "inventory" / "examples"
DEV_ENVIRONMENT = "开发"  # Alerta's environment for this stack (devstack/alerta.py allows it), never "Production"


@app.command("up")
def up(
    inventory: Path | None = typer.Option(None, help="Inventory of real devices; default: simulated devices."),
    workdir: Path = typer.Option(Path("var/dev"), help="Folder for data, logs and the generated inventory."),
    api_port: int = typer.Option(8000, help="Port of the supervision API."),
    interval: float = typer.Option(15.0, help="Polling interval of the simulated devices, seconds."),
    detach: bool = typer.Option(False, help="Start everything, print where to look and return (for scripts)."),
    alerting: bool = typer.Option(
        True, "--alerting/--no-alerting", help="Also start Alerta (PostgreSQL, alerta-server) and the alert evaluator."
    ),
    provinces: int = typer.Option(
        1, "--provinces", min=1, max=6, help="Provinces, each with its own InfluxDB, plus the national store."
    ),
) -> None:
    """Start InfluxDB, simulated devices, the collector, the API and alerting; Ctrl-C stops them all."""
    from devstack.agent import start_agent
    from devstack.fake_ios import dev_ios_devices, start_fake_ios
    from devstack.node_exporter import start_node_exporter
    from devstack.procs import Managed
    from devstack.rsyslog import start_rsyslog
    from devstack.simulated import write_dev_inventory
    from devstack.snmpd import start_snmpd
    from devstack.snmpsim import DEFAULT_RECORDINGS, start_snmpsim
    from devstack.usage_sim import CN, write_schedule
    from devstack.wifi_day import SHAPES as WIFI_SHAPES
    from devstack.wifi_day import community as wifi_community
    from devstack.wifi_day import write_day
    from pdcs.settings import Settings

    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    for stale in ("env", "shards.yaml"):  # a previous run's, naming servers that are gone
        (workdir / stale).unlink(missing_ok=True)
    stopping: list[object] = []
    schedule: list[str] = []  # the simulated terminal's reader sessions (devstack/usage_sim.py)
    wifi_recs: list[str] = []  # Wi-Fi recordings served as day copies (devstack/wifi_day.py)
    # SIGTERM (a service manager, `timeout`) stops everything like Ctrl-C, even during start-up.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        many = f"starting {provinces} provincial InfluxDBs and the national one …"
        typer.echo("starting InfluxDB …" if provinces == 1 else many)
        stores = _start_stores(workdir, provinces, stopping)
        influx = stores.default
        settings = Settings(influx_url=influx.url)
        settings.ensure_schema()
        alerta = _start_alerta(workdir) if alerting else None
        if alerta is not None:
            stopping.append(alerta)
        if inventory is None:
            typer.echo("starting simulated devices (snmpd, snmpsim) …")
            community = secrets.token_hex(8)
            snmpd = start_snmpd(workdir / "snmpd", community=community)
            stopping.append(snmpd)
            # The Wi-Fi recordings' day copies, rewritten every minute: clients through the day (wifi_day.py).
            wifi_recs = [r for r in DEFAULT_RECORDINGS if r in WIFI_SHAPES]
            write_day(workdir / "snmpsim-day", wifi_recs, time.time(), {})
            sim = start_snmpsim(workdir / "snmpsim", timeout_s=600, extra_dirs=(workdir / "snmpsim-day",))
            stopping.append(sim)
            typer.echo("starting simulated IOS switches for the SSH audits (fake-switches) …")
            ios = start_fake_ios(workdir / "fake_ios", dev_ios_devices(secrets.token_hex(8), secrets.token_hex(8)))
            stopping.append(ios)
            typer.echo("starting a pdcs-agent (terminal) and node_exporter (server) …")
            sessions = write_schedule(workdir / "kiosk-sessions.jsonl", datetime.now(CN).date())
            schedule = [str(sessions)]
            agent = start_agent(
                workdir / "agent", {"checks": {"interval_s": 300}, "usage": {"kiosk_sessions": {"file": str(sessions)}}}
            )
            stopping.append(agent)
            node = start_node_exporter(workdir / "node_exporter")
            stopping.append(node)
            exporters = {"e_reading_terminal": f"{agent.url}/metrics", "server": f"{node.url}/metrics"}
            inventory = write_dev_inventory(
                EXAMPLES,
                workdir / "inventory",
                snmpd,
                sim,
                interval_s=interval,
                ios=ios,
                exporters=exporters,
                communities={r: wifi_community(r) for r in wifi_recs},
                # the library's "digital service" is this stack's API: probed by the collector, so the
                # assessment's digital-library indicator is measured (collectors/probes/declared.py)
                service_url=f"http://127.0.0.1:{api_port}/health",
            )
            if provinces > 1:
                from devstack.provinces import spread_devices

                for code, ids in spread_devices(inventory, provinces).items():
                    typer.echo(f"  province {code}: {len(ids)} simulated devices → {stores.url_of(code)}")
        typer.echo("starting rsyslogd (the syslog receiver) …")
        rsyslog = start_rsyslog(workdir / "syslog")
        stopping.append(rsyslog)
        env = {
            "PDCS_INFLUX_URL": influx.url,
            "PDCS_SYSLOG_STORE": str(rsyslog.store),
            "PDCS_SYSLOG_STATE": str(workdir / "syslog-index.json"),
            "PDCS_AUDIT_DIR": str(workdir / "audit"),
            "PDCS_SSH_KNOWN_HOSTS": str(workdir / "ssh_known_hosts"),  # the simulated switches' keys, per run
            "PYTHONUNBUFFERED": "1",
            **stores.env(),
        }
        notify_config: Path | None = None
        if alerta is not None:  # the collector's heartbeats and the evaluator's alerts go there
            env |= {"PDCS_ALERTA_URL": alerta.url, "PDCS_ALERTA_API_KEY": alerta.admin_key}
            env |= {"PDCS_ALERTA_ENVIRONMENT": DEV_ENVIRONMENT}
            from devstack.notify_sink import start_channel_sink, write_dev_maintenance

            sink, notify_config = start_channel_sink(workdir, echo=lambda line: typer.echo(line))
            stopping.append(sink)
            env |= {"PDCS_NOTIFY_CONFIG": str(notify_config)}
            env |= {"PDCS_MAINTENANCE_FILE": str(write_dev_maintenance(workdir))}
        py = [sys.executable, "-m", "pdcs"]
        parts: list[Managed] = []
        syslog_argv = [*py, "syslog", "index", "--inventory", str(inventory), "--interval", "10"]
        syslog_index = Managed("syslog-index", syslog_argv, workdir / "syslog-index.log", env=env).start()
        stopping.append(syslog_index)
        parts.append(syslog_index)
        usage_argv = [sys.executable, "-m", "devstack.usage_sim", str(inventory), *schedule]
        usage_roll = Managed("usage-rollup", usage_argv, workdir / "usage-rollup.log", env=env).start()
        stopping.append(usage_roll)  # today's roll-up every 5 minutes, so 服务效能 fills during the day
        shutil.rmtree(workdir / "grafana", ignore_errors=True)  # a previous run's boards and data sources
        if stores.shard_map is not None:  # Grafana's provisioning for this run: a data source per province store
            grafana_argv = [*py, "grafana", "build", "--out", str(workdir / "grafana"), "--inventory", str(inventory)]
            built = subprocess.run(
                [*grafana_argv, "--shards", str(stores.shard_map)], env={**os.environ, **env}, capture_output=True
            )
            if built.returncode != 0:
                raise RuntimeError(f"pdcs grafana build: {built.stderr.decode(errors='replace')[-2000:]}")
        for code in stores.shipped():  # each province ships its summaries to the national store (federation/)
            ship_argv = [*py, "federation", "ship", "--loop", "--inventory", str(inventory), "--province", code]
            ship_argv += ["--interval", "15", "--settle", "10", "--spool-dir", str(workdir / f"federation-{code}")]
            shipper = Managed(f"ship-{code}", ship_argv, workdir / f"federation-{code}.log", env=env).start()
            stopping.append(shipper)
            parts.append(shipper)
        if wifi_recs:  # the simulated controllers' clients through the day
            wifi_argv = [sys.executable, "-m", "devstack.wifi_day", str(workdir / "snmpsim-day"), *wifi_recs]
            wifi_day = Managed("wifi-day", wifi_argv, workdir / "wifi-day.log", env=env).start()
            stopping.append(wifi_day)
            parts.append(wifi_day)
        if alerta is not None:
            evaluator = Managed(
                "alerts",
                [
                    *py,
                    "alerts",
                    "--inventory",
                    str(inventory),
                    "--interval",
                    "30",
                    "--state",
                    str(workdir / "alerts.sqlite"),
                    *(["--notify-config", str(notify_config)] if notify_config else []),
                ],
                workdir / "alerts.log",
                env=env,
            ).start()
            stopping.append(evaluator)
            parts.append(evaluator)
        # A fresh API database each run (the inventory written above seeds it), with a dev admin token.
        db_file = workdir / "pdcs.sqlite"
        db_file.unlink(missing_ok=True)
        db_url = f"sqlite:///{db_file}"
        token = _dev_admin_token(db_url)
        token_file = workdir / "api-token"  # for scripts and tests; readable by this user only
        token_file.write_text(token + "\n", encoding="utf-8")
        token_file.chmod(0o600)
        api = Managed(
            "api",
            [*py, "api", "--inventory", str(inventory), "--host", "127.0.0.1", "--port", str(api_port)],
            workdir / "api.log",
            env={**env, "PDCS_DATABASE_URL": db_url},
        ).start()
        stopping.append(api)
        parts.append(api)
        import httpx

        api.wait_ready(lambda: httpx.get(f"http://127.0.0.1:{api_port}/health", timeout=1).is_success, 60)
        # After the API: the library's declared digital service is the API (its first probe finds it up).
        collector = Managed(
            "collector",
            [*py, "collect", "--inventory", str(inventory), "--spool-dir", str(workdir / "spool")],
            workdir / "collector.log",
            env=env,
        ).start()
        stopping.append(collector)
        parts.insert(0, collector)
        env_file = _write_env_file(
            workdir, influx.url, settings.influx_db, api_port, db_url, inventory, alerta, stores.env()
        )
        stopping.insert(0, _Remove(env_file))  # removed last: the servers it names are gone by then
        _print_where_to_look(influx.url, api_port, inventory, workdir, interval, token, alerta, rsyslog)
        if stores.national is not None:
            typer.echo(stores.describe())
        if detach:
            stopping.clear()  # leave them running
            return
        while all(part.alive() for part in parts):
            time.sleep(1)
        typer.echo("a component stopped; see the logs in " + str(workdir), err=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        typer.echo("stopping …")
    finally:
        for part in reversed(stopping):
            part.stop()  # type: ignore[attr-defined]


@dataclass
class _Stores:
    """This run's InfluxDBs: one, or one per province plus the national summaries store."""

    provinces: dict[str, InfluxServer]  # code → server; the first is also the default store
    national: InfluxServer | None
    shard_map: Path | None

    @property
    def default(self) -> InfluxServer:
        return next(iter(self.provinces.values()))

    def url_of(self, code: str) -> str:
        return self.provinces.get(code, self.default).url

    def shipped(self) -> list[str]:
        """The provinces whose summaries go to the national store (none on a single store)."""
        return list(self.provinces) if self.national is not None else []

    def env(self) -> dict[str, str]:
        return {"PDCS_INFLUX_SHARDS": str(self.shard_map)} if self.shard_map else {}

    def describe(self) -> str:
        lines = [f"  province {code}    {server.url}  (database pdcs)" for code, server in self.provinces.items()]
        if self.national is not None:
            lines.append(f"  national       {self.national.url}  (database {NATIONAL_DB}: the summaries)")
        assert self.shard_map is not None
        grafana = self.shard_map.parent / "grafana"
        lines.append(
            f"Grafana provisioning: {grafana}/datasources/pdcs.yaml (a data source per store), boards in {grafana}"
        )
        return "\n".join([f"shard map {self.shard_map} (PDCS_INFLUX_SHARDS):", *lines])


def _start_stores(workdir: Path, provinces: int, stopping: list[object]) -> _Stores:
    """One InfluxDB, or one per province and the national one, each with pdcs's retention policies."""
    from devstack.influxdb import start_influxdb
    from devstack.provinces import province_codes
    from pdcs.settings import NATIONAL_RETENTION_POLICIES, RETENTION_POLICIES
    from pdcs.storage import InfluxDB, layout
    from pdcs.storage.shards import write_shard_map

    if provinces == 1:
        server = start_influxdb(workdir / "influxdb")
        stopping.append(server)
        return _Stores({"": server}, None, None)
    servers: dict[str, InfluxServer] = {}
    for code in province_codes(provinces):
        servers[code] = start_influxdb(workdir / f"influxdb-{code}")
        stopping.append(servers[code])
        with InfluxDB(servers[code].url, "pdcs") as db:
            layout.ensure(db, RETENTION_POLICIES)
    national = start_influxdb(workdir / "influxdb-national")
    stopping.append(national)
    with InfluxDB(national.url, NATIONAL_DB) as db:
        db.ensure_database(NATIONAL_RETENTION_POLICIES)
    first = next(iter(servers.values()))
    shard_map = write_shard_map(
        workdir / "shards.yaml",
        default=(first.url, "pdcs"),
        provinces={code: (s.url, "pdcs") for code, s in servers.items()},
        national=(national.url, NATIONAL_DB),
    )
    return _Stores(servers, national, shard_map)


class _Remove:
    """Deletes a file when the run stops (the environment file must not name servers that are gone)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def stop(self) -> None:
        self.path.unlink(missing_ok=True)


def _write_env_file(
    workdir: Path,
    influx_url: str,
    influx_db: str,
    api_port: int,
    database_url: str,
    inventory: Path,
    alerta: AlertaServer | None,
    extra: dict[str, str] | None = None,
) -> Path:
    """``<workdir>/env``: where this run's servers are, as ``export`` lines. Every ``pdcs`` command run from
    the folder holding ``var/dev`` reads it (pdcs/settings.py ``apply_env_file``); a shell reads it with ``.``.
    It names files, never secrets: the Alerta key stays in ``alerta-key`` (mode 600)."""
    from pdcs.settings import write_env_file

    values = {
        "PDCS_INFLUX_URL": influx_url,
        "PDCS_INFLUX_DB": influx_db,
        "PDCS_API_URL": f"http://127.0.0.1:{api_port}",
        "PDCS_DATABASE_URL": database_url,
        "PDCS_INVENTORY": str(inventory.resolve()),
        "PDCS_AUDIT_DIR": str(workdir / "audit"),
        "PDCS_SSH_KNOWN_HOSTS": str(workdir / "ssh_known_hosts"),
        "PDCS_SYSLOG_STORE": str(workdir / "syslog" / "store"),  # devstack/rsyslog.py's layout
        "PDCS_SYSLOG_STATE": str(workdir / "syslog-index.json"),
    }
    values |= extra or {}
    if alerta is not None:
        values |= {"PDCS_ALERTA_URL": alerta.url, "PDCS_ALERTA_API_KEY_FILE": str(workdir / "alerta-key")}
        values |= {"PDCS_ALERTA_ENVIRONMENT": DEV_ENVIRONMENT, "PDCS_NOTIFY_CONFIG": str(workdir / "notify.yaml")}
        values |= {"PDCS_MAINTENANCE_FILE": str(workdir / "maintenance.yaml")}
    path = workdir / "env"
    write_env_file(path, values)
    return path


def _pdcs_hint() -> str:
    """How to call ``pdcs`` from a shell: it is in the virtual environment's bin folder."""
    bin_dir = Path(sys.executable).parent
    if shutil.which("pdcs") == str(bin_dir / "pdcs"):
        return "pdcs is on your PATH"
    return f"export PATH={bin_dir}:$PATH   (pdcs lives in {bin_dir})"


def _start_alerta(workdir: Path) -> AlertaServer | None:
    """Alerta for this run, its admin key in ``<workdir>/alerta-key``; None (with a note) when not installed."""
    from devstack.alerta import alerta_venv, start_alerta

    try:
        alerta_venv()
    except FileNotFoundError as exc:
        typer.echo(f"alerting left out: {exc}", err=True)
        return None
    typer.echo("starting Alerta (PostgreSQL, alerta-server) …")
    (workdir / "alerta").mkdir(exist_ok=True)
    server = start_alerta(workdir / "alerta")
    key_file = workdir / "alerta-key"
    key_file.write_text(server.admin_key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    (workdir / "alerta-url").write_text(server.url + "\n", encoding="utf-8")  # for scripts and tests
    return server


def _dev_admin_token(database_url: str) -> str:
    """An administrator ``dev-admin`` and a token for them (development stack only; printed below)."""
    from supervision_api.db import Database, users

    db = Database(database_url)
    db.create_schema()
    with db.session() as s:
        users.add_user(s, "dev-admin", users.Role.ADMIN)
        _row, token = users.create_token(s, "dev-admin", label="pdcs dev up")
    db.dispose()
    return token


def _print_where_to_look(
    influx_url: str,
    api_port: int,
    inventory: Path,
    workdir: Path,
    interval: float,
    token: str,
    alerta: AlertaServer | None,
    rsyslog: RsyslogServer,
) -> None:
    base = f"http://127.0.0.1:{api_port}"
    env = workdir / "env"
    reads = (
        "pdcs commands run from this folder read it by default"
        if env.resolve() == Path("var/dev/env").resolve()
        else f"pdcs commands read it with: export PDCS_ENV_FILE={env}"
    )
    alerting = (
        f"""  Alerta         {alerta.url}   (alerts and heartbeats; key in {workdir}/alerta-key; environment 开发)
                 curl -s -H "Authorization: Key $(cat {workdir}/alerta-key)" $PDCS_ALERTA_URL/alerts
  notifications  a local DingTalk/WeCom/Feishu sink: each message it receives is printed here
                 and kept in {workdir}/notify-sink.log (channels and routes: {workdir}/notify.yaml)
                 pdcs notify test dev-county   (sends a test message to the county's group)
  maintenance    {workdir}/maintenance.yaml (recurring windows; pdcs maintenance windows FILE)
"""
        if alerta is not None
        else "  Alerta         not started\n"
    )
    typer.echo(
        f"""
pdcs is running.
  API            {base}/docs   (health: {base}/health)
  InfluxDB       {influx_url}  (database pdcs)
  inventory      {inventory}
  logs           {workdir}/collector.log, {workdir}/api.log, {workdir}/alerts.log, {workdir}/syslog-index.log
  syslog         udp {rsyslog.host}:{rsyslog.udp_port}  tcp {rsyslog.host}:{rsyslog.tcp_port}   (rsyslogd)
                 store {rsyslog.store}, counted every 10 s by pdcs syslog index
                 try: logger -n {rsyslog.host} -P {rsyslog.udp_port} -d hello
{alerting}
  web page       {base}/web/   (sign in with the token below)
  API token      export PDCS_TOKEN={token}
                 (user dev-admin, administrator; this run only; also in {workdir}/api-token)
  environment    {env}   (where these servers are; {reads};
                 in a shell: . {env})
  pdcs command   {_pdcs_hint()}

Try (after the first poll, about {interval:.0f} s), in a shell that ran `. {env}` and the export above:
  curl -s -H "Authorization: Bearer $PDCS_TOKEN" $PDCS_API_URL/regions/51
  curl -s -H "Authorization: Bearer $PDCS_TOKEN" $PDCS_API_URL/devices/sim-lib-core-sw/availability
  curl -s -H "Authorization: Bearer $PDCS_TOKEN" $PDCS_API_URL/regions/51/grading   (MLPS grading)
  pdcs supervision availability --region 510121
  pdcs audit --region 510121    (audit the simulated IOS switches now)
Ctrl-C stops everything.
"""
    )
