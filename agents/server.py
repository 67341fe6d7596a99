"""The agent's HTTP endpoint: ``/metrics`` (Prometheus text), ``/checks`` (JSON), ``/healthz``.

The standard library's threading HTTP server: nothing heavier is needed to
answer a scrape a minute.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from agents.checks.base import CheckResult

log = logging.getLogger(__name__)


def make_server(
    host: str, port: int, registry: CollectorRegistry, checks: Callable[[], list[CheckResult]]
) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        server_version = "pdcs-agent"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
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
    return httpd


def serve_in_thread(httpd: ThreadingHTTPServer) -> threading.Thread:
    t = threading.Thread(target=httpd.serve_forever, name="pdcs-http", daemon=True)
    t.start()
    return t
