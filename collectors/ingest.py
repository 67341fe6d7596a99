"""The collector's push ingest: agents a collector cannot reach send their exposition here.

``POST /ingest/v1/push`` with ``Authorization: Bearer <token>``,
``X-PDCS-Device: <device id>`` and a JSON body (optionally gzip)
``{device, instance, seq, time_ms, exposition}``.

- **Authenticated before the body is read**: the device header and its token are
  checked first (401 without, 403 for a wrong token or an unknown device — one
  answer, so ids are not revealed); only then is the body read, at most
  ``MAX_BODY`` bytes on the wire (Content-Length or streamed) and at most
  ``MAX_DECOMPRESSED`` bytes out of gzip (413 beyond; a gzip bomb is stopped,
  not inflated); the body must name the header's device.

- **Per-device tokens without a token table**: a device's token is
  HMAC-SHA256(shared secret, device id) (:func:`device_token`; ``pdcs ingest
  token DEVICE`` prints it for the agent's configuration).  A token only works
  for its own device; the secret itself never leaves the collector.
- **Idempotent on replay**: ``(device, instance, seq)`` identifies a batch; the
  :class:`SeqLedger` remembers the highest seq accepted per agent instance
  (on disk), so a batch sent again after a lost acknowledgement is answered
  ``duplicate`` and not written.  The points carry the batch's own
  ``time_ms``, so even a repeat that slipped through (crash between writing
  and recording) overwrites the same points in InfluxDB.
- **Durable before acknowledged**: points go through a sink callable (the
  collector's SQLite spool in production, :func:`spool_sink`); the agent gets
  200 only after the sink returned, and 503 when it failed, so it keeps the
  batch.  A malformed body is 400 (the agent drops it: it can never succeed)
  and counted.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from collectors.exposition_map import DEFAULT_ALLOW, CpuState, MalformedExposition, map_samples, parse_samples
from inventory.models import Inventory
from pdcs.points import Point, to_lines

log = logging.getLogger(__name__)

PUSH_PATH = "/ingest/v1/push"
DEVICE_HEADER = "X-PDCS-Device"  # who is pushing: checked against the token before the body is read
MAX_BODY = 4 * 1024 * 1024  # bytes on the wire (compressed)
MAX_DECOMPRESSED = 16 * 1024 * 1024  # bytes after gzip: a batch is ~10-50 KB of exposition
Sink = Callable[[list[Point]], None]


def device_token(secret: str, device: str) -> str:
    """The push token of one device, derived from the collector's shared secret."""
    return hmac.new(secret.encode(), f"pdcs-push:{device}".encode(), hashlib.sha256).hexdigest()[:40]


class SeqLedger:
    """Highest batch seq accepted per (device, agent instance); saved atomically when a path is given."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}
        if path is not None and path.exists():
            self._seen = {k: int(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}

    @staticmethod
    def _key(device: str, instance: str) -> str:
        return f"{device}/{instance}"

    def is_duplicate(self, device: str, instance: str, seq: int) -> bool:
        with self._lock:
            return seq <= self._seen.get(self._key(device, instance), 0)

    def record(self, device: str, instance: str, seq: int) -> None:
        with self._lock:
            key = self._key(device, instance)
            self._seen[key] = max(seq, self._seen.get(key, 0))
            if self.path is not None:
                tmp = self.path.with_name(self.path.name + ".tmp")
                tmp.write_text(json.dumps(self._seen), encoding="utf-8")
                os.replace(tmp, self.path)


@dataclass
class IngestStats:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0  # bad token or unknown device
    malformed: int = 0
    sink_failures: int = 0
    points: int = 0


def spool_sink(spool: Any) -> Sink:
    """A sink appending to the collector's durable spool (``collectors.spool.Spool``)."""

    def sink(points: list[Point]) -> None:
        spool.append(to_lines(points))

    return sink


class TooLarge(Exception):
    pass


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refusing (``TooLarge``) beyond ``limit`` bytes — from Content-Length or while streaming."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def gunzip_limited(raw: bytes, limit: int) -> bytes:
    """Gzip-decompress at most ``limit`` bytes (``TooLarge`` beyond): a bomb is stopped, not inflated."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = d.decompress(raw, limit + 1)
    if len(out) > limit or d.unconsumed_tail:
        raise TooLarge
    if not d.eof:
        raise ValueError("truncated gzip stream")
    return out


def _parse_body(raw: bytes, encoding: str) -> dict[str, Any]:
    if encoding == "gzip":
        raw = gunzip_limited(raw, MAX_DECOMPRESSED)
    body = json.loads(raw)
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    for key, kind in (("device", str), ("instance", str), ("seq", int), ("time_ms", int), ("exposition", str)):
        if not isinstance(body.get(key), kind) or isinstance(body.get(key), bool):
            raise ValueError(f"{key}: missing or not a {kind.__name__}")
    if body["seq"] < 1:
        raise ValueError("seq: must be >= 1")
    return body


def create_ingest_app(
    inventory: Inventory,
    secret: str,
    sink: Sink,
    *,
    ledger: SeqLedger | None = None,
    allow: Sequence[str] = DEFAULT_ALLOW,
    stats: IngestStats | None = None,
) -> Starlette:
    if not secret:
        raise ValueError("the ingest secret is empty; set PDCS_INGEST_SECRET")
    ledger = ledger or SeqLedger()
    st = stats or IngestStats()
    cpu = CpuState()

    def problem(code: int, message: str) -> JSONResponse:
        return JSONResponse({"status": "error", "detail": message}, status_code=code)

    async def push(request: Request) -> Response:
        # Authenticate from the headers alone, before a byte of the body is read.
        auth = request.headers.get("authorization", "")
        device_id = request.headers.get(DEVICE_HEADER, "")
        peer = request.client.host if request.client else "?"
        if not auth.startswith("Bearer ") or not device_id:
            st.rejected += 1
            log.warning("push from %s refused: no bearer token or no %s header", peer, DEVICE_HEADER)
            return problem(401, f"missing bearer token or {DEVICE_HEADER} / 缺少令牌或设备标识")
        device = inventory.devices.get(device_id)
        if device is None or not hmac.compare_digest(auth[7:].strip(), device_token(secret, device_id)):
            st.rejected += 1  # one answer for an unknown device and a wrong token: ids are not revealed
            log.warning("push from %s for device %r refused: unknown device or token does not match", peer, device_id)
            return problem(403, "token does not match the device / 令牌与设备不符")
        try:
            raw = await read_limited(request, MAX_BODY)
        except TooLarge:
            st.malformed += 1
            log.warning("push of %s from %s refused: body larger than %d bytes", device_id, peer, MAX_BODY)
            return problem(413, f"batch larger than {MAX_BODY} bytes / 批次过大")
        try:
            body = await asyncio.to_thread(_parse_body, raw, request.headers.get("content-encoding", ""))
        except TooLarge:
            st.malformed += 1
            log.warning(
                "push of %s from %s refused: more than %d bytes decompressed", device_id, peer, MAX_DECOMPRESSED
            )
            return problem(413, f"batch larger than {MAX_DECOMPRESSED} bytes decompressed / 解压后批次过大")
        except (ValueError, OSError, EOFError, zlib.error) as exc:
            st.malformed += 1
            return problem(400, f"malformed batch: {exc}")
        if body["device"] != device_id:
            st.rejected += 1
            log.warning("push from %s refused: body names %r, headers %r", peer, body["device"], device_id)
            return problem(403, "batch is for another device / 批次设备与令牌不符")
        if ledger.is_duplicate(device_id, body["instance"], body["seq"]):
            st.duplicates += 1
            return JSONResponse({"status": "duplicate", "seq": body["seq"]})
        try:
            samples = parse_samples(body["exposition"])
        except MalformedExposition as exc:
            st.malformed += 1
            return problem(400, f"malformed exposition: {exc}")
        points = map_samples(
            samples, inventory.device_tags(device), body["time_ms"] * 1_000_000, source="push", cpu=cpu, allow=allow
        )
        try:
            await asyncio.to_thread(sink, points)
        except Exception as exc:
            st.sink_failures += 1
            log.warning("push batch of %s not stored: %s", device_id, exc)
            return problem(503, "collector cannot store the batch now; keep it and retry")
        ledger.record(device_id, body["instance"], body["seq"])
        st.accepted += 1
        st.points += len(points)
        return JSONResponse({"status": "ok", "seq": body["seq"], "points": len(points)})

    async def health(request: Request) -> Response:
        return PlainTextResponse(
            f"ok accepted={st.accepted} duplicates={st.duplicates} rejected={st.rejected} malformed={st.malformed}\n"
        )

    app = Starlette(routes=[Route(PUSH_PATH, push, methods=["POST"]), Route("/ingest/v1/health", health)])
    app.state.stats = st
    app.state.ledger = ledger
    return app
