"""What every channel is: one small protocol, one module per service.

A channel turns one ``Outgoing`` message (a title and a plain/markdown text) into
the service's request and says what the service answered.  It knows the
service's documented limits — how long a message may be, how many a minute the
service accepts — so the dispatcher can batch within them instead of dropping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

Clock = Callable[[], float]


@dataclass(frozen=True)
class Outgoing:
    """One message as a person reads it: a short title and a body (markdown-ish, Chinese by default)."""

    title: str
    text: str
    severity: str = "informational"
    # The structured notices behind the text (the generic webhook sends them as JSON).
    data: tuple[dict[str, object], ...] = ()


@dataclass(frozen=True)
class Answer:
    """What the service said: ``ok`` or not, its code and message (never a secret), and whether retrying can help."""

    ok: bool
    code: str = ""
    detail: str = ""
    retry: bool = True  # False: the request itself is wrong (bad signature, keyword, length): fix the configuration
    rate_limited: bool = False

    def describe(self) -> str:
        state = "accepted" if self.ok else "refused"
        return f"{state} (code {self.code or '-'}): {self.detail}".strip()


class Channel(Protocol):
    """A configured destination (a DingTalk robot, an SMS gateway, a mailbox …)."""

    name: str
    # Service limits (documented per module): messages per minute, and the longest text.
    per_minute: int

    def fits(self, message: Outgoing) -> bool:
        """True when the service accepts a message this long."""
        ...

    def send(self, message: Outgoing) -> Answer:
        """Deliver one message; never raises for a service or network fault (the Answer says)."""
        ...


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def now_ms(clock: Clock = time.time) -> int:
    return round(clock() * 1000)
