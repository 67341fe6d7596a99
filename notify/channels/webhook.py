"""A generic webhook: the notices as JSON, signed so the receiver can trust them.

The signature follows the common pattern of Stripe's and GitHub's webhooks
(https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries):
``X-PDCS-Timestamp`` is the time in seconds, ``X-PDCS-Signature`` is
``sha256=`` + hex HMAC-SHA256 with the shared secret over ``timestamp + "." + body``
(the exact bytes sent).  A receiver recomputes it, compares in constant time,
and refuses timestamps more than 5 minutes old (replays).  Any 2xx is success;
429 and 5xx are retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field

import httpx
from pydantic import SecretStr

from notify.channels.base import Answer, Clock, Outgoing

PER_MINUTE = 120
MAX_BODY_BYTES = 256 * 1024
TIMESTAMP_HEADER = "X-PDCS-Timestamp"
SIGNATURE_HEADER = "X-PDCS-Signature"


def signature(timestamp_s: int, body: bytes, secret: str) -> str:
    mac = hmac.new(secret.encode("utf-8"), str(timestamp_s).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass
class Webhook:
    name: str
    url: str = field(repr=False)
    secret: SecretStr | None = field(default=None, repr=False)
    per_minute: int = PER_MINUTE
    clock: Clock = time.time
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10.0), repr=False)

    def payload(self, message: Outgoing) -> bytes:
        doc = {"title": message.title, "text": message.text, "severity": message.severity, "alerts": list(message.data)}
        return json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")

    def fits(self, message: Outgoing) -> bool:
        return len(self.payload(message)) <= MAX_BODY_BYTES

    def send(self, message: Outgoing) -> Answer:
        body = self.payload(message)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.secret is not None:
            ts = int(self.clock())
            headers[TIMESTAMP_HEADER] = str(ts)
            headers[SIGNATURE_HEADER] = signature(ts, body, self.secret.get_secret_value())
        try:
            resp = self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Answer(False, "network", f"{exc.__class__.__name__}: no answer from the service")
        if resp.is_success:
            return Answer(True, str(resp.status_code), resp.text[:200])
        retry = resp.status_code >= 500 or resp.status_code in (408, 429)
        return Answer(False, str(resp.status_code), resp.text[:200], retry=retry, rate_limited=resp.status_code == 429)
