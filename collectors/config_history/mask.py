"""Mask the secrets of a configuration before it is stored.

Line by line through the SSH audits' own masking (:func:`collectors.ssh_audit.checks.redact`:
``password 7 X``, ``secret 9 X``, VRP ``cipher X``, Comware ``simple X``,
``snmp-server community X``, ``key X``), plus the keys it does not cover:
IPsec/IKE ``pre-shared-key X`` and NTP/OSPF ``authentication-key N md5 X`` /
``message-digest-key N md5 X``.  A masked value reads ``******``, so a
version shows *that* a secret is configured, never the secret; a changed
secret therefore shows no difference (the price of never storing it).
"""

from __future__ import annotations

import re

from collectors.ssh_audit.checks import redact

_EXTRA = re.compile(
    r"(?<![\w])((?:pre-shared-key|[\w-]*authentication-key|message-digest-key)(?:\s+\d+)?"
    r"(?:\s+(?:md5|sha\S*|hmac-\S+))?(?:\s+(?:cipher|simple|[0-9]))?\s+)"
    r"(?!(?:address|hostname|ipv6|cipher|simple|\*{6})(?:\s|$))(\S+)",
    re.IGNORECASE,
)


def mask_line(line: str) -> str:
    masked = redact(line)
    return _EXTRA.sub(lambda m: m.group(1) + "******", masked)


def mask_config(text: str) -> str:
    """The configuration with every secret value replaced by ``******`` (line endings normalised)."""
    lines = text.replace("\r\n", "\n").split("\n")
    out = [mask_line(ln) for ln in lines]
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n"
