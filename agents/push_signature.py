"""Signed pushes: each batch is signed over its body and a timestamp with its device's key.

Shared by the agent (signs) and the collector's ingest (verifies); standard library only.

- **Device key** = HMAC-SHA256(collector secret, ``pdcs-push:<device>[:<generation>]``),
  40 hex characters (:func:`device_key`). Generation 0 is the token ``pdcs ingest token``
  printed before signing existed, so a configured agent keeps its key; ``pdcs ingest rotate``
  moves a device to the next generation (the previous key works for a grace period) and
  ``pdcs ingest revoke`` refuses every key of the device. The key never travels: only
  signatures do.
- **Scrape tokens** (the other direction): the collector reads an agent's ``/metrics``
  with ``Authorization: Bearer`` :func:`scrape_token` (HMAC of ``PDCS_SCRAPE_SECRET``
  and the device id; ``pdcs ingest scrape-token DEVICE`` prints it for the agent's
  ``scrape_token``).
- **Request**: headers ``X-PDCS-Device``, ``X-PDCS-Timestamp`` (Unix seconds, when sent),
  ``X-PDCS-Content-SHA256`` (hex SHA-256 of the body bytes as sent, gzip included) and
  ``Authorization: PDCS-HMAC-SHA256 <hex>`` = HMAC-SHA256(key, string to sign) over
  ``PDCS-HMAC-SHA256\\n<device>\\n<timestamp>\\n<content sha256>``. The ingest checks the
  signature from the headers before it reads the body, then checks the body's digest.
"""

from __future__ import annotations

import hashlib
import hmac

SCHEME = "PDCS-HMAC-SHA256"
DEVICE_HEADER = "X-PDCS-Device"
TIMESTAMP_HEADER = "X-PDCS-Timestamp"
DIGEST_HEADER = "X-PDCS-Content-SHA256"


def device_key(secret: str, device: str, generation: int = 0) -> str:
    """The push key of ``device`` at ``generation``, derived from the collector's secret."""
    label = f"pdcs-push:{device}" if generation == 0 else f"pdcs-push:{device}:{generation}"
    return hmac.new(secret.encode(), label.encode(), hashlib.sha256).hexdigest()[:40]


def scrape_token(secret: str, device: str) -> str:
    """The bearer token a collector sends to ``device``'s agent (``/metrics``, ``/checks``)."""
    return hmac.new(secret.encode(), f"pdcs-scrape:{device}".encode(), hashlib.sha256).hexdigest()[:40]


def content_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _mac(key: str, device: str, timestamp: str, digest: str) -> str:
    text = f"{SCHEME}\n{device}\n{timestamp}\n{digest}".encode()
    return hmac.new(key.encode(), text, hashlib.sha256).hexdigest()


def sign(key: str, device: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The headers that authenticate ``body`` as ``device``'s, sent at ``timestamp``."""
    digest = content_digest(body)
    return {
        DEVICE_HEADER: device,
        TIMESTAMP_HEADER: str(timestamp),
        DIGEST_HEADER: digest,
        "Authorization": f"{SCHEME} {_mac(key, device, str(timestamp), digest)}",
    }


def signature_valid(key: str, device: str, timestamp: str, digest: str, signature: str) -> bool:
    return hmac.compare_digest(_mac(key, device, timestamp, digest), signature)
