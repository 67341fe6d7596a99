"""Messages alert rules care about, named per vendor (the ``event`` tag of ``syslog`` counts).

Patterns are the vendors' own message identifiers where they have them:
Cisco IOS system message guide (``%SEC_LOGIN-4-LOGIN_FAILED``,
``%LINK-3-UPDOWN``, ``%LINEPROTO-5-UPDOWN``, ``%SYS-5-CONFIG_I``), Huawei
VRP log reference (``SSH/4/SSH_FAIL``, ``IFNET/4/IF_STATE``,
``IFNET/1/IF_LINKDOWN``, ``CFM/4/CFM_TRANS_FILE``/``CONFIGURATION``), H3C
Comware log reference (``SSHS/6/SSHS_AUTH_FAIL``, ``IFNET/3/PHY_UPDOWN``,
``IFNET/5/LINK_UPDOWN``, ``CFGMAN``), Ruijie (``%LINK-3-UPDOWN``,
``%LOGIN-5-LOGIN_FAILED``) and OpenSSH/PAM on Linux (``Failed password``,
``authentication failure``).  A message matches at most one event (first wins).
"""

from __future__ import annotations

import re

EVENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "login_failure",
        re.compile(
            r"%SEC_LOGIN-\d-LOGIN_FAILED|%LOGIN-\d-LOGIN_FAILED|SSH/\d/SSH_FAIL|SSHS/\d/SSHS_AUTH_FAIL"
            r"|LOGIN_FAIL|Failed password for|authentication failure|Invalid user \S+ from|登录失败",
            re.IGNORECASE,
        ),
    ),
    (
        "link_updown",
        re.compile(
            r"%LINK-\d-UPDOWN|%LINEPROTO-\d-UPDOWN|IFNET/\d/(IF_STATE|IF_LINKDOWN|IF_LINKUP|PHY_UPDOWN|LINK_UPDOWN)"
            r"|linkDown|linkUp|changed state to (up|down)",
            re.IGNORECASE,
        ),
    ),
    ("config_change", re.compile(r"%SYS-\d-CONFIG_I|CFM/\d/CFM_TRANS_FILE|CFGMAN|CONFIGURATION|配置已更改", re.I)),
)


def event_of(message: str) -> str:
    """The event a message is (``""`` when none)."""
    for name, rx in EVENTS:
        if rx.search(message):
            return name
    return ""
