"""The HTTP part the robot channels share: POST JSON, read the vendor's JSON answer."""

from __future__ import annotations

from typing import Any

import httpx

from notify.channels.base import Answer


def post_json(client: httpx.Client, url: str, body: dict[str, Any], **kw: Any) -> tuple[int, dict[str, Any]] | Answer:
    """The status and JSON answer, or an ``Answer`` for a network fault or a non-JSON reply (retryable)."""
    try:
        resp = client.post(url, json=body, **kw)
    except httpx.HTTPError as exc:
        return Answer(False, "network", f"{exc.__class__.__name__}: no answer from the service")
    try:
        data = resp.json()
    except ValueError:
        return Answer(
            False, f"http {resp.status_code}", resp.text[:200], retry=resp.status_code >= 500 or resp.status_code == 429
        )
    if not isinstance(data, dict):
        return Answer(False, f"http {resp.status_code}", "answer is not a JSON object")
    return resp.status_code, data


def redact(url: str) -> str:
    """A URL fit for a log line: scheme, host and path only (robot tokens sit in the query or the path's end)."""
    u = httpx.URL(url)
    path = u.path
    if "/hook/" in path:  # Feishu's token is the last path segment
        path = path.rsplit("/", 1)[0] + "/…"
    return f"{u.scheme}://{u.host}{':' + str(u.port) if u.port else ''}{path}"
