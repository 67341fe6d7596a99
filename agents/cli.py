"""``pdcs-agent``: serve /metrics (and push, when configured), or run the checks once.

    pdcs-agent run --config /etc/pdcs-agent/agent.yaml
    pdcs-agent checks [--json]        # exit 0 all pass, 1 a check failed or is unknown

argparse rather than Typer: the agent must start small on a kiosk.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from agents import __version__
from agents.checks import ALL_CHECKS
from agents.checks.base import Context
from agents.checks.schedule import CheckScheduler
from agents.config import AgentConfig, ConfigError, load_config

if TYPE_CHECKING:
    from agents.host import KioskWatch
    from agents.usage.sessions import UsageCollector

log = logging.getLogger("pdcs_agent")


def _scheduler(cfg: AgentConfig) -> CheckScheduler:
    checks = [c for c in ALL_CHECKS if c.id not in cfg.checks_disabled]
    ctx = Context(root=cfg.checks_root, params=cfg.check_params)
    return CheckScheduler(checks, ctx, interval_s=cfg.checks_interval_s, level=cfg.mlps_level)


def usage_collector(cfg: AgentConfig, kiosk_app: KioskWatch | None = None) -> UsageCollector | None:
    """The terminal-use collector of this platform's session sources (agents/usage/), if enabled."""
    import psutil

    from agents.usage import kiosk
    from agents.usage.sessions import Source, UsageCollector, power_source, process_source

    if not cfg.usage.enabled:
        return None
    sources: list[Source] = [power_source(psutil.boot_time)]
    if kiosk_app is not None:
        sources.append(process_source(kiosk_app.started))
    if sys.platform == "win32":
        from agents.usage.windows import windows_sessions

        sources.append(windows_sessions())
    else:
        from agents.usage.idle import IdleTracker, logind_sessions
        from agents.usage.utmp import linux_sessions

        tracker = IdleTracker(cfg.usage.idle_after_s)
        sources.append(linux_sessions(cfg.usage.wtmp, cfg.usage.utmp, idle=tracker, logind=logind_sessions))
    if cfg.usage.kiosk_file is not None or cfg.usage.kiosk_url:
        sources.append(kiosk.kiosk_sessions(cfg.usage.kiosk_file, cfg.usage.kiosk_url or None))
    return UsageCollector(sources, keep_s=cfg.usage.keep_s)


def cmd_checks(cfg: AgentConfig, as_json: bool) -> int:
    results = _scheduler(cfg).run_once()
    if as_json:
        print(json.dumps({"data": [r.as_dict() for r in results], "count": len(results)}, ensure_ascii=False))
    else:
        for r in results:
            print(f"{r.status:7} {r.check:18} {r.mlps_item:8} {r.severity:8} {r.detail}")
    return 0 if all(r.status == "pass" for r in results) else 1


def cmd_run(cfg: AgentConfig) -> int:
    from prometheus_client.exposition import generate_latest

    from agents.exposition import AgentInfoCollector, ChecksCollector, build_registry
    from agents.host import HostCollector, KioskWatch
    from agents.probes import ServiceProber
    from agents.server import make_server, serve_in_thread

    sched = _scheduler(cfg)
    prober = ServiceProber(cfg.services, cfg.probe_interval_s, cfg.probe_timeout_s)
    kiosk = KioskWatch(cfg.kiosk_app) if cfg.kiosk_app else None
    registry = build_registry(
        AgentInfoCollector(cfg.device), HostCollector(cfg.disks, kiosk), prober, ChecksCollector(sched.results)
    )
    pusher = None
    usage = usage_collector(cfg, kiosk)
    if usage is not None:
        registry.register(usage)
    if cfg.push is not None:
        from agents.push import Pusher

        pusher = Pusher(cfg.push, cfg.device, lambda: generate_latest(registry))
        registry.register(pusher)
    tls = (cfg.tls_cert, cfg.tls_key) if cfg.tls_cert and cfg.tls_key else None
    httpd = make_server(
        cfg.listen_host,
        cfg.listen_port,
        registry,
        sched.results,
        token=cfg.scrape_token,
        open_=cfg.scrape_open,
        tls=tls,
    )
    if cfg.scrape_open:
        log.warning("scrape_token: open — /metrics and /checks answer anyone who reaches this port")
    elif not cfg.scrape_token:
        log.warning("no scrape_token configured: /metrics and /checks refuse every request")
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    sched.start()
    prober.start()
    serve_in_thread(httpd)
    if pusher is not None:
        pusher.start()
    host, port = httpd.server_address[:2]
    log.info("pdcs-agent %s listening on %s:%s (device %s)", __version__, host, port, cfg.device or "-")
    stop.wait()
    log.info("pdcs-agent stopping")
    for part in (pusher, prober, sched):
        if part is not None:
            part.stop()
    httpd.shutdown()
    httpd.server_close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pdcs-agent", description="pdcs terminal/kiosk agent (终端监测代理)")
    parser.add_argument("--version", action="version", version=f"pdcs-agent {__version__}")
    parser.add_argument("--config", type=Path, help="YAML configuration (see agents/README.md)")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="serve /metrics and /checks (and push, when configured); the default")
    run.add_argument("--listen", help="HOST:PORT, overrides the configuration")
    chk = sub.add_parser("checks", help="run the security checks once and print them")
    chk.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        cfg = load_config(args.config)
        if getattr(args, "listen", None):
            host, _, port = args.listen.rpartition(":")
            if not port.isdigit():
                raise ConfigError(f"--listen: must be HOST:PORT (got {args.listen!r})")
            cfg = replace(cfg, listen_host=host or "0.0.0.0", listen_port=int(port))
        unknown = sorted(set(cfg.checks_disabled) - {c.id for c in ALL_CHECKS})
        if unknown:
            known = ", ".join(c.id for c in ALL_CHECKS)
            raise ConfigError(f"{args.config}: checks.disabled: unknown check {', '.join(unknown)} (known: {known})")
    except ConfigError as exc:
        print(f"pdcs-agent: {exc}", file=sys.stderr)
        return 2
    if args.command == "checks":
        return cmd_checks(cfg, args.json)
    return cmd_run(cfg)


if __name__ == "__main__":
    sys.exit(main())
