"""What a CLI dialect module provides: its netmiko type and the texts it fetches.

A dialect is data plus one small cleaning step.  ``sources`` maps the name a
rule's ``source:`` refers to onto the command that produces it; the network
dialects need only their running configuration (``config``), Linux reads a
handful of files and command outputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from collectors.ssh_audit.session import SshSession


@dataclass(frozen=True)
class DialectDriver:
    name: str  # the rules' dialect name: cisco_ios, huawei_vrp, h3c_comware, linux
    netmiko_type: str
    sources: dict[str, str]  # source name -> command
    comment: str = "!#"  # characters that start a comment line
    # Lines dropped before parsing (banners of the show command, not configuration).
    noise: tuple[str, ...] = field(default=())

    def clean(self, text: str) -> str:
        if not self.noise:
            return text
        rx = re.compile("|".join(self.noise))
        return "\n".join(ln for ln in text.splitlines() if not rx.match(ln.strip()))

    def fetch(self, session: SshSession) -> dict[str, str]:
        return {src: self.clean(session.run(cmd)) for src, cmd in self.sources.items()}
