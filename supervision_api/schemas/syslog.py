"""Answers of the syslog search route."""

from __future__ import annotations

from supervision_api.schemas.common import Answer


class SyslogMessageOut(Answer):
    time: str  # received, ISO 8601 UTC
    reported: str  # the sender's own timestamp, as sent
    host: str
    facility: str  # syslog facility (auth, local7 …)
    severity: str  # emerg … debug
    app: str
    message: str
    encoding: str  # utf-8, or gb18030 for GBK gear


class SyslogSearchOut(Answer):
    device: str
    start: str
    end: str
    count: int
    data: list[SyslogMessageOut]
