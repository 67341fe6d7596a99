"""Linux hosts (kiosks, reading-room servers): a few files and command outputs.

Each source is read as an unprivileged audit user can: configuration files
are world-readable on Debian/Ubuntu/CentOS, and ``ss``/``ps`` list every
listener and process.  A missing file yields empty text, which is judged
like a configuration without the required line (remote logging not set up
*is* a finding), not as "unknown".
"""

from __future__ import annotations

from collectors.ssh_audit.dialect import DialectDriver

DRIVER = DialectDriver(
    name="linux",
    netmiko_type="linux",
    sources={
        "sshd_config": "cat /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf 2>/dev/null",
        "login_defs": "cat /etc/login.defs 2>/dev/null",
        "pam_auth": "cat /etc/pam.d/common-auth /etc/pam.d/system-auth /etc/pam.d/password-auth 2>/dev/null",
        "listening": "ss -Htln 2>/dev/null || netstat -tln 2>/dev/null",
        "syslog": "cat /etc/rsyslog.conf /etc/rsyslog.d/*.conf /etc/syslog-ng/syslog-ng.conf 2>/dev/null",
        "processes": "ps -eo comm= 2>/dev/null",
    },
    comment="#",
    empty_is_unknown=False,
    history_sources=("sshd_config", "login_defs", "pam_auth", "syslog"),
)
