"""Simulated Cisco IOS switches over SSH, realistic enough to audit.

fake-switches' stock Cisco model keeps only hostname, VLANs and interfaces,
compares the enable password as bytes (so only an empty one works) and
rejects ``end``.  This module extends it through its own extension points —
a :class:`SwitchConfiguration` subclass, command processors and a switch
core — so that a device:

- starts from a seed configuration (a real ``show running-config`` text):
  ``service``, ``enable secret``, ``username``, ``aaa``, ``banner``,
  ``snmp-server``, ``logging``, ``ntp``, ``ip http``, ``access-list`` and
  ``line`` sections are kept as configuration blocks and shown back in
  ``show running-config`` around the stock model's VLANs and interfaces;
- accepts any global configuration command (stored, ``no …`` removes),
  ``line vty …`` sub-mode, and ``end``;
- needs the right enable password (an empty one is refused).

One child process (``python -m devstack.fake_ios SPEC.json``) serves
many devices on their own ports from one Twisted reactor, so 100 devices
cost one process.  :func:`start_fake_ios` starts it and waits until every
port answers with an SSH banner.
"""

from __future__ import annotations

import json
import socket
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from devstack.procs import Managed

IOS_CONFIGS = Path(__file__).resolve().parent / "ios_configs"  # compliant.txt, noncompliant.txt

# Global commands whose value replaces the previous one instead of adding a line.
_SINGLE_VALUED = (
    "ip ssh version",
    "enable secret",
    "enable password",
    "login block-for",
    "ip domain-name",
    "banner motd",
    "banner login",
    "ip http server",
    "service password-encryption",
)
# Commands the stock model handles itself (VLANs, interfaces, VRFs, static routes).
_STOCK = ("interface", "vlan", "default", "exit", "ip vrf", "ip route", "no interface", "no vlan", "no ip vrf")


def parse_seed(text: str) -> tuple[str | None, list[list[str]]]:
    """(hostname, blocks) of a running-config text; interface/VLAN sections are left to the stock model."""
    hostname: str | None = None
    blocks: list[list[str]] = []
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line.strip() or line.startswith("!") or line.strip() == "end":
            continue
        if line.startswith(("Building configuration", "Current configuration", "version ")):
            continue
        if line.startswith(" "):
            if blocks:
                blocks[-1].append(line)
            continue
        if line.startswith("hostname "):
            hostname = line.split(None, 1)[1]
            continue
        if line.startswith("banner "):
            # banner motd ^C ... ^C  — the delimiter is the third token's first two characters or first one.
            parts = line.split(None, 2)
            rest = parts[2] if len(parts) > 2 else ""
            delim = "^C" if rest.startswith("^C") else rest[:1]
            block = [line]
            body = rest[len(delim) :]
            if delim and delim not in body:
                while i < len(lines):
                    block.append(lines[i].rstrip())
                    i += 1
                    if delim in block[-1]:
                        break
            blocks.append(block)
            continue
        blocks.append([line])
    # The stock model renders physical interfaces and VLANs; drop seeded ones so they do not appear
    # twice.  Seeded SVIs (``interface Vlan…``, the routed uplink with its ``ip access-group``) stay
    # verbatim blocks: the stock model has none until one is configured.
    blocks = [b for b in blocks if not b[0].startswith(("interface ", "vlan ")) or b[0].startswith("interface Vlan")]
    return hostname, blocks


@dataclass(frozen=True)
class FakeIosDevice:
    name: str
    config: str  # seed running-config
    username: str = "admin"
    password: str = "admin-pass"
    enable: str = "enable-pass"
    port: int = 0


def ios_seed(name: str) -> str:
    """A seed running-config shipped with the dev stack: ``compliant`` or ``noncompliant``."""
    return (IOS_CONFIGS / f"{name}.txt").read_text(encoding="utf-8")


def dev_ios_devices(password: str, enable: str) -> list[FakeIosDevice]:
    """The simulated switches of ``pdcs dev up``: one compliant, one not."""
    return [
        FakeIosDevice("sim-ios-compliant", ios_seed("compliant"), password=password, enable=enable),
        FakeIosDevice("sim-ios-noncompliant", ios_seed("noncompliant"), password=password, enable=enable),
    ]


@dataclass
class FakeIosServer:
    host: str
    devices: dict[str, FakeIosDevice]
    process: Managed

    def address(self, name: str) -> str:
        return f"{self.host}:{self.devices[name].port}"

    def stop(self) -> None:
        self.process.stop()


def _ssh_banner(host: str, port: int) -> bool:
    with socket.create_connection((host, port), timeout=1.0) as s:
        return s.recv(64).startswith(b"SSH-")


def start_fake_ios(
    base: Path, devices: list[FakeIosDevice], host: str = "127.0.0.1", timeout_s: float = 60.0
) -> FakeIosServer:
    """Serve ``devices`` from one child process.

    A device with ``port=0`` gets a port chosen by the child when it listens
    (no race with other processes for a port picked in advance); the child
    writes the ports it got to ``fake_ios.ports.json``.
    """
    base.mkdir(parents=True, exist_ok=True)
    spec = base / "fake_ios.json"
    ports_file = base / "fake_ios.ports.json"
    ports_file.unlink(missing_ok=True)
    spec.write_text(json.dumps({"host": host, "devices": [asdict(d) for d in devices]}), encoding="utf-8")
    repo = Path(__file__).resolve().parents[1]
    proc = Managed(
        "fake-ios",
        [sys.executable, "-m", "devstack.fake_ios", str(spec)],
        base / "fake_ios.log",
        env={"PYTHONPATH": str(repo)},
    ).start()
    placed: dict[str, FakeIosDevice] = {}

    def all_ready() -> bool:
        if not placed:
            if not ports_file.exists():
                return False
            ports = json.loads(ports_file.read_text(encoding="utf-8"))
            placed.update({d.name: FakeIosDevice(**{**asdict(d), "port": ports[d.name]}) for d in devices})
        return all(_ssh_banner(host, d.port) for d in placed.values())

    try:
        proc.wait_ready(all_ready, timeout_s)
    except Exception:
        proc.stop()
        raise
    return FakeIosServer(host, placed, proc)


# --- the child process: fake-switches extended ---------------------------------------------------


def _build_core(device: FakeIosDevice) -> Any:
    """A switch core for ``device`` (imports Twisted/fake-switches only in the child process)."""
    from fake_switches.cisco.cisco_core import BaseCiscoSwitchCore, CiscoShellSession
    from fake_switches.cisco.command_processor.config import ConfigCommandProcessor
    from fake_switches.cisco.command_processor.config_interface import ConfigInterfaceCommandProcessor
    from fake_switches.cisco.command_processor.config_vlan import ConfigVlanCommandProcessor
    from fake_switches.cisco.command_processor.config_vrf import ConfigVRFCommandProcessor
    from fake_switches.cisco.command_processor.default import DefaultCommandProcessor
    from fake_switches.cisco.command_processor.enabled import (
        EnabledCommandProcessor,
        build_running_interface,
        build_running_vlan,
        build_static_routes,
    )
    from fake_switches.cisco.command_processor.piping import PipingProcessor
    from fake_switches.command_processing.base_command_processor import BaseCommandProcessor
    from fake_switches.switch_configuration import SwitchConfiguration
    from fake_switches.terminal import LoggingTerminalController

    class AuditableConfiguration(SwitchConfiguration):
        """Stock configuration plus ordered global blocks ([header, child, child …])."""

        def __init__(self, *args: Any, blocks: list[list[str]] | None = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.global_blocks: list[list[str]] = blocks or []

        def block(self, header: str) -> list[str] | None:
            return next((b for b in self.global_blocks if b[0] == header), None)

        def set_line(self, line: str) -> None:
            for prefix in _SINGLE_VALUED:
                if line.startswith(prefix) or line == prefix:
                    self.remove_lines(prefix)
            if self.block(line) is None:
                self.global_blocks.append([line])

        def remove_lines(self, prefix: str) -> None:
            self.global_blocks = [
                b for b in self.global_blocks if not (b[0] == prefix or b[0].startswith(prefix + " "))
            ]

    class LineProcessor(BaseCommandProcessor):
        """``line vty 0 4`` (or any other section): children stored verbatim."""

        def init(
            self, switch_configuration: Any, terminal_controller: Any, logger: Any, piping: Any, *args: Any
        ) -> None:
            super().init(switch_configuration, terminal_controller, logger, piping)
            self.block: list[str] = args[0]

        def get_prompt(self) -> str:
            return str(self.switch_configuration.name) + "(config-line)#"

        def parse_and_execute_command(self, line: str) -> bool:
            text = line.strip()
            if not text:
                return True
            if text == "exit":
                self.is_done = True
                return True
            if text == "end":
                return False  # the parent config processor ends configuration mode
            words = text.split()
            if words[0] == "no":
                target = " ".join(words[1:])
                self.block[1:] = [c for c in self.block[1:] if not c.strip().startswith(target)]
                return True
            key = " ".join(words[:2]) if words[0] == "transport" else words[0]
            self.block[1:] = [c for c in self.block[1:] if not c.strip().startswith(key + " ") and c.strip() != key]
            self.block.append(" " + text)
            return True

    class AuditableConfigProcessor(ConfigCommandProcessor):
        def __init__(self) -> None:
            super().__init__(
                config_vlan=ConfigVlanCommandProcessor(),
                config_vrf=ConfigVRFCommandProcessor(),
                config_interface=ConfigInterfaceCommandProcessor(),
            )
            self.line_processor = LineProcessor()

        def parse_and_execute_command(self, line: str) -> bool:
            text = line.strip()
            if not text or text.startswith("!"):
                return True
            if text == "end":
                self.is_done = True
                return True
            if text.startswith(_STOCK) or text.startswith("no ip route"):
                return bool(super().parse_and_execute_command(line))
            conf = self.switch_configuration
            if text.startswith("hostname "):
                conf.name = text.split(None, 1)[1]
            elif text.startswith("no "):
                conf.remove_lines(text[3:].strip())
            elif text.startswith("line "):
                block = conf.block(text)
                if block is None:
                    block = [text]
                    conf.global_blocks.append(block)
                self.move_to(self.line_processor, block)
            else:
                conf.set_line(text)
            return True

    class AuditableEnabledProcessor(EnabledCommandProcessor):
        def show_run(self) -> None:
            conf = self.switch_configuration
            data = ["version 15.2", "!", f"hostname {conf.name}", "!"]
            sections = [b for b in conf.global_blocks if not b[0].startswith("line ")]
            lines = [b for b in conf.global_blocks if b[0].startswith("line ")]
            previous = ""
            for block in sections:
                first = block[0].split()[0]
                if previous and (first != previous or len(block) > 1):
                    data.append("!")
                data += block
                previous = first if len(block) == 1 else ""
            data.append("!")
            for vlan in conf.vlans:
                data += [*build_running_vlan(vlan), "!"]
            for interface in conf.get_physical_ports() + conf.get_vlan_ports():
                data += [*build_running_interface(interface), "!"]
            for route in conf.static_routes:
                data.append(build_static_routes(route))
            for block in lines:
                data += block
            data += ["!", "end", ""]
            self.write_line("Building configuration...")
            self.write_line("")
            self.write_line(f"Current configuration : {len(chr(10).join(data)) + 1} bytes")
            for ln in data:
                self.write_line(ln)

    class StrictDefaultProcessor(DefaultCommandProcessor):
        """User EXEC mode whose ``enable`` wants the configured password (not any empty line)."""

        def continue_enabling(self, line: str) -> None:
            self.replace_input = False
            if line in self.switch_configuration.privileged_passwords:
                self.move_to(self.enabled_processor)
            else:
                self.write_line("% Access denied")
                self.write_line("")

    class AuditableCiscoCore(BaseCiscoSwitchCore):
        def new_command_processor(self) -> Any:
            return AuditableEnabledProcessor(config=AuditableConfigProcessor())

        def launch(self, protocol: Any, terminal_controller: Any) -> Any:
            import logging

            self.last_connection_id += 1
            self.logger = logging.getLogger(f"fake_ios.{self.switch_configuration.name}.{self.last_connection_id}")
            processor = StrictDefaultProcessor(self.new_command_processor())
            processor.init(
                self.switch_configuration,
                LoggingTerminalController(self.logger, terminal_controller),
                self.logger,
                PipingProcessor(self.logger),
            )
            return CiscoShellSession(processor)

    hostname, blocks = parse_seed(device.config)
    conf = AuditableConfiguration(
        "127.0.0.1",
        name=hostname or device.name,
        privileged_passwords=[device.enable],
        ports=AuditableCiscoCore.get_default_ports(),
        blocks=blocks,
    )
    return AuditableCiscoCore(conf)


def serve(spec_path: Path) -> None:
    import logging

    from fake_switches.transports.ssh_service import SwitchSshService
    from twisted.internet import reactor

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    ports: dict[str, int] = {}
    for raw in spec["devices"]:
        device = FakeIosDevice(**raw)
        service = SwitchSshService(
            ip=spec["host"],
            port=device.port,
            switch_core=_build_core(device),
            users={device.username: device.password.encode()},
        )
        ports[device.name] = service.hook_to_reactor(reactor).getHost().port
    # Written once every device listens: the parent reads it to learn the ports.
    tmp = spec_path.with_suffix(".ports.tmp")
    tmp.write_text(json.dumps(ports), encoding="utf-8")
    tmp.replace(spec_path.with_name("fake_ios.ports.json"))
    logging.warning("serving %d simulated IOS devices", len(ports))
    reactor.run()  # type: ignore[misc]


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
