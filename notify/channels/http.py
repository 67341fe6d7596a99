"""The HTTP part the robot channels share: POST JSON, read the vendor's JSON answer."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from notify.channels.base import Answer


class _RedactUrls(logging.Filter):
    """httpx logs every request's URL ("HTTP Request: POST …"); robot URLs carry their token: keep it out."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(redact(str(a)) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


logging.getLogger("httpx").addFilter(_RedactUrls())


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


def errcode_answer(status: int, data: dict[str, Any], rate_limited_code: int) -> Answer:
    """DingTalk's and WeCom's answer shape: ``{"errcode": 0, "errmsg": "ok"}``; -1 is "busy, try again"."""
    code = data.get("errcode")
    detail = str(data.get("errmsg", ""))[:200]
    if status == 200 and code == 0:
        return Answer(True, "0", detail or "ok")
    if code == rate_limited_code:
        return Answer(False, str(code), detail, rate_limited=True)
    return Answer(False, str(code if code is not None else f"http {status}"), detail, retry=status >= 500 or code == -1)


def redact(url: str) -> str:
    """A URL fit for a log line: scheme, host and path only (robot tokens sit in the query or the path's end)."""
    u = httpx.URL(url)
    if not u.query and "/hook/" not in u.path and "/webhook/" not in u.path and "/sms/" not in u.path:
        return url
    path = u.path
    if "/hook/" in path or "/webhook/" in path or "/sms/" in path:  # a token as the last path segment (Feishu)
        path = path.rsplit("/", 1)[0] + "/…"
    if u.query:
        path += "?…"
    return f"{u.scheme}://{u.host}{':' + str(u.port) if u.port else ''}{path}"
