"""The rsyslog configuration pdcs relies on (``pdcs syslog config`` prints it; devstack runs it).

One JSON object per line, built by rsyslog's own templates (``format="json"``
escapes quotes, backslashes and control characters; bytes above 0x7F — GBK
from Chinese gear — pass through untouched and are decoded by the reader):

``{"t": received (RFC 3339), "rt": reported by the sender, "ip": sender address,
"host": hostname field, "fac": facility, "sev": severity, "app": program, "msg": text}``

Files: ``<store>/<sender ip>/<YYYY-MM-DD>.jsonl`` (rsyslog's dynaFile; the
day is the receiving host's, so a file holds one day of one sender and
retention deletes whole files).
"""

from __future__ import annotations

from pathlib import Path

FIELDS = (
    ("t", "timegenerated", 'dateFormat="rfc3339"'),
    ("rt", "timereported", 'dateFormat="rfc3339"'),
    ("ip", "fromhost-ip", ""),
    ("host", "hostname", 'format="json"'),
    ("fac", "syslogfacility-text", ""),
    ("sev", "syslogseverity-text", ""),
    ("app", "programname", 'format="json"'),
    ("msg", "msg", 'format="json" droplastlf="on"'),
)


def line_template(name: str = "pdcsJsonLine") -> str:
    parts = []
    for i, (key, prop, opts) in enumerate(FIELDS):
        lead = "{" if i == 0 else ","
        parts.append(f'  constant(value="{lead}\\"{key}\\":\\"")')
        parts.append(f'  property(name="{prop}" {opts})'.rstrip())
        parts.append('  constant(value="\\"")')
    parts.append('  constant(value="}\\n")')
    return f'template(name="{name}" type="list") {{\n' + "\n".join(parts) + "\n}"


def rsyslog_conf(
    store: Path,
    *,
    udp_port: int | None = 514,
    tcp_port: int | None = 514,
    address: str = "0.0.0.0",
    work_dir: Path | None = None,
) -> str:
    """A complete rsyslog configuration receiving on the given ports and writing the pdcs store."""
    store = store.resolve()
    out = ["# pdcs syslog receiver (collectors/syslog/rsyslog.py) — generated; edit ports and paths with care"]
    if work_dir is not None:
        out.append(f'global(workDirectory="{work_dir.resolve()}")')
    out.append('global(maxMessageSize="64k")')
    if udp_port is not None:
        out.append('module(load="imudp")')
        out.append(f'input(type="imudp" address="{address}" port="{udp_port}" ruleset="pdcs")')
    if tcp_port is not None:
        out.append('module(load="imtcp")')
        out.append(f'input(type="imtcp" address="{address}" port="{tcp_port}" ruleset="pdcs")')
    out.append(f'template(name="pdcsFile" type="string" string="{store}/%fromhost-ip%/%$year%-%$month%-%$day%.jsonl")')
    out.append(line_template())
    out.append(
        'ruleset(name="pdcs") {\n'
        '  action(type="omfile" dynaFile="pdcsFile" template="pdcsJsonLine" dynaFileCacheSize="500"\n'
        '         createDirs="on" dirCreateMode="0750" fileCreateMode="0640" asyncWriting="off")\n'
        "}"
    )
    return "\n".join(out) + "\n"
