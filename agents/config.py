"""The agent's YAML configuration (documented in agents/README.md).

Plain dataclasses and hand-written validation rather than pydantic: the agent
must stay small on a kiosk.  Errors name the file and the field
(``agent.yaml: push.interval_s: must be a number > 0``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pdcs import yaml_guard


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class ServiceProbe:
    name: str
    url: str


@dataclass(frozen=True)
class PushConfig:
    url: str
    token: str = field(repr=False)
    interval_s: float = 60.0
    spool_dir: Path = Path("/var/lib/pdcs-agent/spool")
    max_batches: int = 10080  # a week of one-minute batches
    timeout_s: float = 10.0


@dataclass(frozen=True)
class UsageConfig:
    """Terminal use (agents/usage/): which session sources to read."""

    enabled: bool = True
    wtmp: Path = Path("/var/log/wtmp")
    utmp: Path = Path("/run/utmp")
    keep_s: float = 48 * 3600.0
    kiosk_file: Path | None = None
    kiosk_url: str = ""
    idle_after_s: float = 300.0  # no input this long: idle (agents/usage/idle.py)


@dataclass(frozen=True)
class AgentConfig:
    device: str = ""
    listen_host: str = "0.0.0.0"
    listen_port: int = 9750
    kiosk_app: str = ""
    disks: tuple[str, ...] = ()
    services: tuple[ServiceProbe, ...] = ()
    probe_interval_s: float = 60.0
    probe_timeout_s: float = 5.0
    mlps_level: str = "2"
    checks_interval_s: float = 3600.0
    checks_disabled: tuple[str, ...] = ()
    check_params: dict[str, Any] = field(default_factory=dict)
    checks_root: Path = Path("/")
    push: PushConfig | None = None
    usage: UsageConfig = field(default_factory=UsageConfig)
    # /metrics and /checks: the bearer token the collector sends (`pdcs ingest scrape-token DEVICE`);
    # None refuses every scrape unless scrape_open (`scrape_token: open`, not recommended).
    scrape_token: str | None = field(default=None, repr=False)
    scrape_open: bool = False
    tls_cert: Path | None = None  # serve /metrics over HTTPS with this certificate chain and key
    tls_key: Path | None = None


def _usage(source: str, raw: Any, base: Path) -> UsageConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: usage: must be a mapping")
    known = {"enabled", "wtmp", "utmp", "keep_h", "kiosk_sessions", "idle_after_min"}
    for key in raw:
        if key not in known:
            raise ConfigError(f"{source}: usage.{key}: unknown setting (known: {', '.join(sorted(known))})")
    kw: dict[str, Any] = {}
    if "enabled" in raw:
        if not isinstance(raw["enabled"], bool):
            raise ConfigError(f"{source}: usage.enabled: must be true or false")
        kw["enabled"] = raw["enabled"]
    for key in ("wtmp", "utmp"):
        if key in raw:
            kw[key] = Path(str(raw[key]))
    if "keep_h" in raw:
        kw["keep_s"] = _num(f"{source}: usage.keep_h", raw["keep_h"]) * 3600.0
    if "idle_after_min" in raw:
        kw["idle_after_s"] = _num(f"{source}: usage.idle_after_min", raw["idle_after_min"]) * 60.0
    kiosk = raw.get("kiosk_sessions")
    if kiosk is not None:
        if isinstance(kiosk, dict) and "file" in kiosk:
            p = Path(str(kiosk["file"]))
            kw["kiosk_file"] = p if p.is_absolute() else base / p
        elif isinstance(kiosk, dict) and str(kiosk.get("url", "")).startswith(("http://", "https://")):
            kw["kiosk_url"] = str(kiosk["url"])
        else:
            raise ConfigError(f"{source}: usage.kiosk_sessions: give {{file: PATH}} or {{url: http(s)://…}}")
    return UsageConfig(**kw)


def _num(where: str, value: Any, *, minimum: float = 0.0, integer: bool = False) -> Any:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > minimum
    if not ok or (integer and not isinstance(value, int)):
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"{where}: must be {kind} > {minimum:g} (got {value!r})")
    return value


def _token(where: str, raw: Any, base: Path) -> str:
    """The push token: inline is refused; ``{env: VAR}`` or ``{file: path}`` only."""
    if isinstance(raw, dict) and "env" in raw:
        value = os.environ.get(str(raw["env"]))
        if not value:
            raise ConfigError(f"{where}: environment variable {raw['env']} is not set")
        return value
    if isinstance(raw, dict) and "file" in raw:
        p = Path(str(raw["file"]))
        p = p if p.is_absolute() else base / p
        try:
            return p.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{where}: token file {p} cannot be read: {exc.strerror}") from None
    raise ConfigError(f"{where}: give the token as {{env: VARIABLE}} or {{file: PATH}}, never inline")


def parse_config(data: Any, source: str = "agent.yaml", base: Path = Path(".")) -> AgentConfig:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: must be a mapping")
    known = {"device", "listen", "kiosk_app", "disks", "services", "probes", "mlps_level", "checks", "push", "usage",
             "scrape_token", "tls"}  # fmt: skip
    for key in data:
        if key not in known:
            raise ConfigError(f"{source}: {key}: unknown setting (known: {', '.join(sorted(known))})")
    kw: dict[str, Any] = {}
    if "device" in data:
        kw["device"] = str(data["device"])
    if "listen" in data:
        host, _, port = str(data["listen"]).rpartition(":")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"{source}: listen: must be HOST:PORT (got {data['listen']!r})")
        kw["listen_host"], kw["listen_port"] = host or "0.0.0.0", int(port)
    if data.get("scrape_token") == "open":
        kw["scrape_open"] = True
    elif data.get("scrape_token") is not None:
        kw["scrape_token"] = _token(f"{source}: scrape_token", data["scrape_token"], base)
    if data.get("tls") is not None:
        tls = data["tls"]
        if not isinstance(tls, dict) or not tls.get("cert") or not tls.get("key"):
            raise ConfigError(f"{source}: tls: give cert and key (PEM file paths)")
        kw["tls_cert"], kw["tls_key"] = (base / str(tls["cert"]), base / str(tls["key"]))
    if "kiosk_app" in data:
        kw["kiosk_app"] = str(data["kiosk_app"] or "")
    if "disks" in data:
        if not isinstance(data["disks"], list):
            raise ConfigError(f"{source}: disks: must be a list of mount points")
        kw["disks"] = tuple(str(d) for d in data["disks"])
    services = []
    for i, s in enumerate(data.get("services") or []):
        if (
            not isinstance(s, dict)
            or not s.get("name")
            or not str(s.get("url", "")).startswith(("http://", "https://"))
        ):
            raise ConfigError(f"{source}: services[{i}]: needs name and an http(s) url")
        services.append(ServiceProbe(str(s["name"]), str(s["url"])))
    kw["services"] = tuple(services)
    probes = data.get("probes") or {}
    if "interval_s" in probes:
        kw["probe_interval_s"] = _num(f"{source}: probes.interval_s", probes["interval_s"])
    if "timeout_s" in probes:
        kw["probe_timeout_s"] = _num(f"{source}: probes.timeout_s", probes["timeout_s"])
    if "mlps_level" in data:
        if str(data["mlps_level"]) not in ("2", "3"):
            raise ConfigError(f"{source}: mlps_level: must be 2 or 3")
        kw["mlps_level"] = str(data["mlps_level"])
    checks = dict(data.get("checks") or {})
    if "interval_s" in checks:
        kw["checks_interval_s"] = _num(f"{source}: checks.interval_s", checks.pop("interval_s"))
    kw["checks_disabled"] = tuple(str(c) for c in checks.pop("disabled", None) or ())
    if "root" in checks:
        kw["checks_root"] = Path(str(checks.pop("root")))
    kw["check_params"] = checks
    if data.get("usage") is not None:
        kw["usage"] = _usage(source, data["usage"], base)
    push = data.get("push")
    if push:
        if not isinstance(push, dict) or not str(push.get("url", "")).startswith(("http://", "https://")):
            raise ConfigError(f"{source}: push.url: must be the collector's http(s) ingest URL")
        if not kw.get("device"):
            raise ConfigError(f"{source}: device: push mode needs the inventory device id")
        pkw: dict[str, Any] = {
            "url": str(push["url"]),
            "token": _token(f"{source}: push.token", push.get("token"), base),
        }
        if "interval_s" in push:
            pkw["interval_s"] = _num(f"{source}: push.interval_s", push["interval_s"])
        if "timeout_s" in push:
            pkw["timeout_s"] = _num(f"{source}: push.timeout_s", push["timeout_s"])
        if "max_batches" in push:
            pkw["max_batches"] = _num(f"{source}: push.max_batches", push["max_batches"], integer=True)
        if "spool_dir" in push:
            p = Path(str(push["spool_dir"]))
            pkw["spool_dir"] = p if p.is_absolute() else base / p
        kw["push"] = PushConfig(**pkw)
    return AgentConfig(**kw)


def load_config(path: Path | None) -> AgentConfig:
    if path is None:
        return AgentConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        data = yaml_guard.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse_config(data, str(path), path.parent)
