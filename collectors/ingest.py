"""The collector's push ingest: agents a collector cannot reach send their exposition here.

``POST /ingest/v1/push`` with ``Authorization: Bearer <token>`` and a JSON
body (optionally gzip) ``{device, instance, seq, time_ms, exposition}``.

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
import gzip
import hashlib
import hmac
import json
import logging
import os
import threading
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
MAX_BODY = 4 * 1024 * 1024
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


def _parse_body(raw: bytes, encoding: str) -> dict[str, Any]:
    if encoding == "gzip":
        raw = gzip.decompress(raw)
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
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            st.rejected += 1
            return problem(401, "missing bearer token / 缺少令牌")
        raw = await request.body()
        if len(raw) > MAX_BODY:
            st.malformed += 1
            return problem(413, f"batch larger than {MAX_BODY} bytes")
        try:
            body = _parse_body(raw, request.headers.get("content-encoding", ""))
        except (ValueError, OSError, EOFError) as exc:
            st.malformed += 1
            return problem(400, f"malformed batch: {exc}")
        device_id = body["device"]
        if not hmac.compare_digest(auth[7:].strip(), device_token(secret, device_id)):
            st.rejected += 1
            log.warning("push for %s refused: token does not match", device_id)
            return problem(403, "token does not match the device / 令牌与设备不符")
        device = inventory.devices.get(device_id)
        if device is None:
            st.rejected += 1
            return problem(404, f"device {device_id} is not in the inventory / 设备不在清单中")
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
