"""A ceiling on every request body the API accepts (ASGI middleware).

Without it a client could stream gigabytes into a multipart upload (Starlette spools file
parts to disk) or a JSON body before any route looked at it. A body larger than
``max_bytes`` — declared in Content-Length, or counted while it streams in — is answered
413 before the route runs (``PDCS_API_MAX_BODY_BYTES``, default 25 MiB; the inventory upload
allows 20 MiB of files).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pdcs.i18n import Lang, text

MAX_BODY_BYTES = 25 * 1024 * 1024


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Answer now and tell the app the client left: whatever the app then says is dropped.
                    refused = True
                    if not started:
                        await self._refuse(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except Exception:
            if not refused:
                raise  # the app's own failure; a refused request's aftermath (ClientDisconnect …) is not news

    async def _refuse(self, scope: Scope, send: Send) -> None:
        lang: Lang = "en" if b"lang=en" in scope.get("query_string", b"") else "zh"
        detail = text("error.body_too_large", lang, limit_mb=self.max_bytes // 2**20)
        body = json.dumps({"detail": detail, "code": "error.body_too_large"}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})
