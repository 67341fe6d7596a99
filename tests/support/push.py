"""Signed push requests as pdcs-agent sends them (agents.push_signature), for ingest tests."""

from __future__ import annotations

import gzip
import time

import httpx

from agents.push_signature import sign


def push(url: str, body: bytes, key: str, device: str, *, at: int | None = None, compress: bool = True,
         ) -> httpx.Response:  # fmt: skip
    """POST ``body`` (JSON bytes; gzipped unless ``compress`` is false) signed with ``key`` as ``device``."""
    data = gzip.compress(body) if compress else body
    headers = {
        **sign(key, device, data, int(time.time()) if at is None else at),
        "Content-Type": "application/json",
        **({"Content-Encoding": "gzip"} if compress else {}),
    }
    return httpx.post(url, content=data, headers=headers, timeout=30)
