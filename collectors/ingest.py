"""The collector's push ingest: agents a collector cannot reach send their exposition here.

``POST /ingest/v1/push``, signed (:mod:`agents.push_signature`): headers
``X-PDCS-Device``, ``X-PDCS-Timestamp``, ``X-PDCS-Content-SHA256`` and
``Authorization: PDCS-HMAC-SHA256 <signature>``; a JSON body (optionally gzip)
``{device, instance, seq, time_ms, exposition}``.

- **Authenticated before the body is read**: the signature over device, timestamp
  and body digest is checked from the headers with the device's key (current
  generation, or the previous one within the rotation grace; none when revoked —
  :mod:`collectors.ingest_keys`): 401 unsigned or a timestamp outside
  ``±window_s`` (``PDCS_INGEST_WINDOW_S``, 24 h), 403 a wrong signature or an
  unknown device (one answer, so ids are not revealed). Only then is the body
  read, at most ``MAX_BODY`` bytes on the wire and ``MAX_DECOMPRESSED`` out of
  gzip (413; a gzip bomb is stopped, not inflated); its SHA-256 must be the
  signed one (400) and it must name the header's device (403). Its exposition
  may hold at most ``max_samples`` samples (``PDCS_INGEST_MAX_SAMPLES``, 50,000;
  413, counted ``too_many_samples``; parsing stops at the first one over).
- **No rewriting the past**: a batch's ``time_ms`` may not be more than 5 min in
  the future, nor older than ``window_s`` — unless it continues its agent
  instance's sequence (the instance is known and ``time_ms`` is not before the
  last batch accepted from it): a terminal offline for a week delivers its spool
  in order, a forged batch for a new instance or before the known history is
  refused (422, counted ``outside_window``; the agent drops it).

- **Per-device keys without a key table**: a device's key is derived from the
  shared secret and its generation (``pdcs ingest token|rotate|revoke DEVICE``).
  A key only signs for its own device; the secret never leaves the collector.
- **Idempotent on replay**: ``(device, instance, seq)`` identifies a batch; the
  :class:`SeqLedger` remembers the highest seq accepted per agent instance
  (on disk), so a batch sent again (a lost acknowledgement, or a replay) is
  answered ``duplicate``, counted, and not written.  The points carry the batch's own
  ``time_ms``, so even a repeat that slipped through (crash between writing
  and recording) overwrites the same points in InfluxDB.
- **Durable before acknowledged**: points go through a sink callable (the
  collector's SQLite spools in production, one per province store: ``collectors.routing.Routes``); the agent gets
  200 only after the sink returned, and 503 when it failed, so it keeps the
  batch.  A malformed body is 400 (the agent drops it: it can never succeed)
  and counted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from agents.push_signature import (
    DEVICE_HEADER,
    DIGEST_HEADER,
    SCHEME,
    TIMESTAMP_HEADER,
    content_digest,
    device_key,
    signature_valid,
)
from collectors.exposition_map import (
    DEFAULT_ALLOW,
    CpuState,
    MalformedExposition,
    TooManySamples,
    map_samples,
    parse_samples,
)
from collectors.ingest_keys import KeyStore
from inventory.models import Inventory
from pdcs.points import Point

log = logging.getLogger(__name__)

PUSH_PATH = "/ingest/v1/push"
WINDOW_S = 86400.0  # request timestamps and (new instances') batch times: ±24 h (PDCS_INGEST_WINDOW_S)
FUTURE_S = 300.0  # a batch may be this far in the future (clock skew)
MAX_BODY = 4 * 1024 * 1024  # bytes on the wire (compressed)
MAX_DECOMPRESSED = 16 * 1024 * 1024  # bytes after gzip: a batch is ~10-50 KB of exposition
# Samples in one batch's exposition (PDCS_INGEST_MAX_SAMPLES). pdcs-agent publishes 21 metric names,
# one sample per check, probe or disk: dozens to a few hundred per batch; even a full node_exporter or
# windows_exporter page is a few thousand. 16 MB of short lines would be ~500,000 samples.
MAX_SAMPLES = 50_000
Sink = Callable[[list[Point]], None]


def device_token(secret: str, device: str) -> str:
    """The generation-0 push key of one device (what ``pdcs ingest token`` prints before any rotation)."""
    return device_key(secret, device, 0)


class SeqLedger:
    """Highest batch seq accepted per (device, agent instance), with that batch's time; saved atomically."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[int, int | None]] = {}
        if path is not None and path.exists():
            for k, v in json.loads(path.read_text(encoding="utf-8")).items():
                self._seen[k] = (int(v), None) if isinstance(v, int) else (int(v[0]), v[1])

    @staticmethod
    def _key(device: str, instance: str) -> str:
        return f"{device}/{instance}"

    def last(self, device: str, instance: str) -> tuple[int, int | None] | None:
        """(seq, time_ms) of the last batch accepted from this agent instance, if any."""
        with self._lock:
            return self._seen.get(self._key(device, instance))

    def is_duplicate(self, device: str, instance: str, seq: int) -> bool:
        last = self.last(device, instance)
        return last is not None and seq <= last[0]

    def record(self, device: str, instance: str, seq: int, time_ms: int | None = None) -> None:
        with self._lock:
            key = self._key(device, instance)
            old_seq, old_time = self._seen.get(key, (0, None))
            if seq >= old_seq:
                self._seen[key] = (seq, time_ms if time_ms is not None else old_time)
            if self.path is not None:
                tmp = self.path.with_name(self.path.name + ".tmp")
                tmp.write_text(json.dumps({k: list(v) for k, v in self._seen.items()}), encoding="utf-8")
                os.replace(tmp, self.path)


@dataclass
class IngestStats:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0  # unsigned, bad signature, unknown or revoked device, another device's batch
    malformed: int = 0
    forged: int = 0  # body not the one signed
    outside_window: int = 0  # request timestamp or batch time outside the window
    sink_failures: int = 0
    points: int = 0
    too_many_samples: int = 0  # batches over max_samples (413)


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


def _outside_window(time_ms: int, last: tuple[int, int | None] | None, now: float, window_s: float) -> str | None:
    """Why a batch's time is refused, or None. Old batches pass only as the continuation of their instance."""
    t = time_ms / 1000
    if t > now + FUTURE_S:
        return f"batch time {t:.0f} is in the future"
    if t >= now - window_s:
        return None
    if last is not None and last[1] is not None and time_ms >= last[1]:
        return None  # an agent delivering its spool after an outage, in order
    return f"batch time {t:.0f} older than {window_s:g} s and not after this agent's last batch"


def create_ingest_app(
    inventory: Inventory,
    secret: str,
    sink: Sink,
    *,
    ledger: SeqLedger | None = None,
    keys: KeyStore | None = None,
    window_s: float = WINDOW_S,
    clock: Callable[[], float] = time.time,
    allow: Sequence[str] = DEFAULT_ALLOW,
    stats: IngestStats | None = None,
    max_samples: int = MAX_SAMPLES,
) -> Starlette:
    if not secret:
        raise ValueError("the ingest secret is empty; set PDCS_INGEST_SECRET")
    ledger = ledger or SeqLedger()
    keys = keys or KeyStore(None)
    st = stats or IngestStats()
    cpu = CpuState()

    def problem(code: int, message: str) -> JSONResponse:
        return JSONResponse({"status": "error", "detail": message}, status_code=code)

    async def push(request: Request) -> Response:
        # Authenticate from the headers alone, before a byte of the body is read.
        auth = request.headers.get("authorization", "")
        device_id = request.headers.get(DEVICE_HEADER, "")
        stamp = request.headers.get(TIMESTAMP_HEADER, "")
        digest = request.headers.get(DIGEST_HEADER, "").lower()
        peer = request.client.host if request.client else "?"
        if not auth.startswith(SCHEME + " ") or not device_id or not stamp.isdigit() or len(digest) != 64:
            st.rejected += 1
            log.warning("push from %s refused: not signed (%s)", peer, auth.split(" ", 1)[0][:20] or "no Authorization")
            return problem(401, "push not signed (update pdcs-agent) / 推送未签名，请升级 pdcs-agent")
        now = clock()
        if abs(now - int(stamp)) > window_s:
            st.outside_window += 1
            log.warning("push from %s for %r refused: timestamp %s outside ±%gs", peer, device_id, stamp, window_s)
            return problem(
                401, f"request time outside ±{window_s:g} s (check the clock) / 请求时间超出允许范围，请校准时钟"
            )
        device = inventory.devices.get(device_id)
        signature = auth[len(SCHEME) + 1 :].strip()
        candidates = keys.keys(secret, device_id) if device is not None else []
        if device is None or not any(signature_valid(k, device_id, stamp, digest, signature) for k in candidates):
            st.rejected += 1  # one answer for an unknown device, a revoked one and a wrong key: ids are not revealed
            log.warning("push from %s for device %r refused: unknown, revoked or bad signature", peer, device_id)
            return problem(403, "signature does not match the device / 签名与设备不符")
        try:
            raw = await read_limited(request, MAX_BODY)
        except TooLarge:
            st.malformed += 1
            log.warning("push of %s from %s refused: body larger than %d bytes", device_id, peer, MAX_BODY)
            return problem(413, f"batch larger than {MAX_BODY} bytes / 批次过大")
        if content_digest(raw) != digest:
            st.forged += 1
            log.warning("push from %s for %r refused: body is not the one signed", peer, device_id)
            return problem(400, "body does not match its signature / 内容与签名不符")
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
        last = ledger.last(device_id, body["instance"])
        if last is not None and body["seq"] <= last[0]:
            st.duplicates += 1  # a resend after a lost acknowledgement, or a replay: not written again
            return JSONResponse({"status": "duplicate", "seq": body["seq"]})
        if (why := _outside_window(body["time_ms"], last, now, window_s)) is not None:
            st.outside_window += 1
            log.warning("push of %s from %s refused: %s", device_id, peer, why)
            return problem(422, f"{why} / 批次时间超出允许范围")
        try:
            samples = await asyncio.to_thread(parse_samples, body["exposition"], max_samples)
        except TooManySamples:
            st.too_many_samples += 1
            log.warning("push of %s from %s refused: more than %d samples in one batch", device_id, peer, max_samples)
            return problem(
                413,
                f"batch has more than {max_samples} samples (PDCS_INGEST_MAX_SAMPLES) / "
                f"批次样本数超过上限 {max_samples}（PDCS_INGEST_MAX_SAMPLES）",
            )
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
        ledger.record(device_id, body["instance"], body["seq"], body["time_ms"])
        st.accepted += 1
        st.points += len(points)
        return JSONResponse({"status": "ok", "seq": body["seq"], "points": len(points)})

    async def health(request: Request) -> Response:
        return PlainTextResponse(
            f"ok accepted={st.accepted} duplicates={st.duplicates} rejected={st.rejected} malformed={st.malformed} "
            f"forged={st.forged} outside_window={st.outside_window} too_many_samples={st.too_many_samples}\n"
        )

    app = Starlette(routes=[Route(PUSH_PATH, push, methods=["POST"]), Route("/ingest/v1/health", health)])
    app.state.stats = st
    app.state.ledger = ledger
    return app
