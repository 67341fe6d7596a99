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
    # VRP/Comware print global commands indented by one space between "#" separators;
    # outdent them so the parser does not take them for children of the previous section.
    outdent_globals: bool = False
    # A switch whose configuration comes back empty answered wrongly (paging, privilege, an
    # unsupported command): its rules are unknown.  On Linux an empty text is a missing file.
    empty_is_unknown: bool = True
    # The texts kept as the device's configuration history (collectors/config_history):
    # configuration, not state (a process or socket list changes every minute).
    history_sources: tuple[str, ...] = ("config",)

    def clean(self, text: str) -> str:
        lines = text.replace("\r\n", "\n").split("\n")
        if self.noise:
            rx = re.compile("|".join(self.noise))
            lines = [ln for ln in lines if not rx.match(ln.strip())]
        if self.outdent_globals:
            lines = outdent_global_groups(lines)
        return "\n".join(lines)

    def history_text(self, texts: dict[str, str]) -> str | None:
        """The configuration to keep as a version: one source as it is, several under ``### name`` headers."""
        chosen = [(src, texts[src]) for src in self.history_sources if texts.get(src, "").strip()]
        if not chosen:
            return None
        if len(self.history_sources) == 1:
            return chosen[0][1]
        return "\n".join(f"### {src}\n{text.rstrip()}\n" for src, text in chosen)

    def fetch(self, session: SshSession) -> dict[str, str]:
        return {src: self.clean(session.run(cmd)) for src, cmd in self.sources.items()}


def outdent_global_groups(lines: list[str]) -> list[str]:
    """In a ``#``-separated configuration, a group whose first line is indented is global."""
    out: list[str] = []
    in_global = False
    after_separator = True
    for ln in lines:
        if ln.strip() == "#":
            after_separator, in_global = True, False
            out.append(ln)
            continue
        if after_separator and ln.strip():
            in_global = ln.startswith(" ")
            after_separator = False
        out.append(ln[1:] if in_global and ln.startswith(" ") else ln)
    return out
