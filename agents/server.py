"""The agent's HTTP endpoint: ``/metrics`` (Prometheus text), ``/checks`` (JSON), ``/healthz``.

The standard library's threading HTTP server: nothing heavier is needed to
answer a scrape a minute. ``/metrics`` and ``/checks`` tell how to attack the
terminal (missing lockout, open firewall, pending updates), so they need
``Authorization: Bearer <scrape token>`` unless the configuration says
``scrape_token: open``; without a token configured they refuse every request.
Refusals are logged with the caller's address. With ``tls`` configured the
socket is wrapped in TLS (HTTPS).
"""

from __future__ import annotations

import hmac
import json
import logging
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from agents.checks.base import CheckResult

log = logging.getLogger(__name__)


def make_server(
    host: str,
    port: int,
    registry: CollectorRegistry,
    checks: Callable[[], list[CheckResult]],
    *,
    token: str | None = None,
    open_: bool = False,
    tls: tuple[Path, Path] | None = None,
) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        server_version = "pdcs-agent"

        def _allowed(self) -> bool:
            if open_:
                return True
            given = self.headers.get("Authorization", "")
            if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip(), token):
                return True
            log.warning("refused %s from %s: %s", self.path.split("?", 1)[0], self.client_address[0],
                        "no scrape_token configured" if not token else "missing or wrong bearer token")  # fmt: skip
            return False

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in ("/metrics", "/checks") and not self._allowed():
                self._send(401, "text/plain; charset=utf-8", "bearer token required / 需要令牌\n".encode())
            elif path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(registry))
            elif path == "/checks":
                data = [r.as_dict() for r in checks()]
                body = json.dumps({"data": data, "count": len(data)}, ensure_ascii=False).encode()
                self._send(200, "application/json; charset=utf-8", body)
            elif path in ("/", "/healthz"):
                self._send(200, "text/plain; charset=utf-8", b"pdcs-agent: /metrics /checks\n")
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found\n")

        def _send(self, code: int, ctype: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # scrapes are not news
            log.debug("%s " + format, self.address_string(), *args)

    httpd = ThreadingHTTPServer((host, port), Handler)
    httpd.daemon_threads = True
    if tls is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(str(tls[0]), str(tls[1]))
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    return httpd


def serve_in_thread(httpd: ThreadingHTTPServer) -> threading.Thread:
    t = threading.Thread(target=httpd.serve_forever, name="pdcs-http", daemon=True)
    t.start()
    return t
