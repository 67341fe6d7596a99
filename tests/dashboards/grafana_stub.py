"""A minimal stand-in for Grafana's HTTP API (folders, data sources, dashboards).

Grafana is not packaged for Debian nor on PyPI/npm, so ``pdcs grafana push`` is
tested against this server: it checks the requests grafana-client sends the way
Grafana does (Bearer token, JSON bodies, required fields) and keeps what was saved.

The contract, from Grafana's HTTP API pages:
* every request: ``Authorization: Bearer <token>``, else 401 {"message": "Unauthorized"};
* folders (https://grafana.com/docs/grafana/latest/developer-resources/api-reference/http-api/folder/):
  ``GET /api/folders/:uid`` 200 or 404; ``POST /api/folders`` {title, uid} — 409 when the uid is taken;
* data sources (https://grafana.com/docs/grafana/latest/developer-resources/api-reference/http-api/data_source/):
  ``GET /api/datasources/uid/:uid`` 200 (never the ``secureJsonData`` values: ``secureJsonFields`` says
  which are set) or 404; ``POST /api/datasources`` needs name, type and access — 409 when the name or the
  uid is taken;
* dashboards (https://grafana.com/docs/grafana/latest/developer-resources/api-reference/http-api/dashboard/):
  ``POST /api/dashboards/db`` {dashboard, folderUid, overwrite, message}; without ``overwrite`` a uid saved
  before is 412 ``version-mismatch``; a title used by another uid in the same folder is 412 ``name-exists``
  (whatever ``overwrite``: Grafana keys a folder's boards by title too).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class GrafanaState:
    token: str
    folders: dict[str, str] = field(default_factory=dict)  # uid -> title
    datasources: dict[str, dict[str, Any]] = field(default_factory=dict)  # uid -> as GET answers it
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)  # uid -> secureJsonData received
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)  # uid -> saved body
    requests: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def _handler(state: GrafanaState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            state.requests.append((self.command, self.path))
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                state.rejected.append(f"{self.command} {self.path}: bad Authorization")
                self._send(401, {"message": "Unauthorized"})
                return False
            return True

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length", "0"))
            body: dict[str, Any] = json.loads(self.rfile.read(length) or b"{}")
            return body

        def do_GET(self) -> None:
            if not self._authorised():
                return
            if self.path.startswith("/api/folders/"):
                uid = self.path.rsplit("/", 1)[1]
                if uid in state.folders:
                    self._send(200, {"uid": uid, "title": state.folders[uid]})
                else:
                    self._send(404, {"message": "folder not found"})
            elif self.path.startswith("/api/datasources/uid/"):
                uid = self.path.rsplit("/", 1)[1]
                if uid in state.datasources:
                    self._send(200, state.datasources[uid])
                else:
                    self._send(404, {"message": "Data source not found"})
            else:
                self._send(404, {"message": "not found"})

        def do_POST(self) -> None:
            if not self._authorised():
                return
            body = self._body()
            if self.path == "/api/folders":
                if not body.get("title") or body.get("uid") in state.folders:
                    self._send(409 if body.get("uid") in state.folders else 400, {"message": "bad folder"})
                    return
                state.folders[body["uid"]] = body["title"]
                self._send(200, {"uid": body["uid"], "title": body["title"]})
            elif self.path == "/api/datasources":
                if not all(body.get(k) for k in ("name", "type", "access")):
                    state.rejected.append("data source needs name, type and access")
                    self._send(400, {"message": "bad data source"})
                    return
                if any(d["name"] == body["name"] for d in state.datasources.values()):
                    state.rejected.append(f"data source name {body['name']} exists")
                    self._send(409, {"message": "data source with the same name already exists"})
                    return
                if body.get("uid") in state.datasources:
                    state.rejected.append(f"data source uid {body['uid']} exists")
                    self._send(409, {"message": "data source with the same uid already exists"})
                    return
                secure = body.pop("secureJsonData", None) or {}
                saved = {
                    **body,
                    "id": len(state.datasources) + 1,
                    "version": 1,
                    "secureJsonFields": {k: True for k in secure},
                }
                state.datasources[body["uid"]] = saved
                state.secrets[body["uid"]] = secure
                self._send(200, {"message": "Datasource added", "id": saved["id"], "datasource": saved})
            elif self.path == "/api/dashboards/db":
                dash = body.get("dashboard") or {}
                problems = []
                if dash.get("id") is not None:
                    problems.append("dashboard.id must be null for a new dashboard")
                if not dash.get("uid") or not dash.get("title") or "panels" not in dash:
                    problems.append("dashboard needs uid, title and panels")
                if body.get("folderUid") not in state.folders:
                    problems.append(f"folder {body.get('folderUid')} not found")
                if dash.get("uid") in state.dashboards and not body.get("overwrite"):
                    problems.append("version-mismatch")
                if any(
                    uid != dash.get("uid")
                    and saved["folderUid"] == body.get("folderUid")
                    and saved["dashboard"]["title"] == dash.get("title")
                    for uid, saved in state.dashboards.items()
                ):
                    problems.append("name-exists")
                if problems:
                    state.rejected.extend(problems)
                    status = next((p for p in problems if p in ("version-mismatch", "name-exists")), None)
                    self._send(412 if status else 400, {"message": "; ".join(problems), "status": status})
                    return
                version = state.dashboards.get(dash["uid"], {}).get("version", 0) + 1
                state.dashboards[dash["uid"]] = {**body, "version": version}
                self._send(
                    200,
                    {"status": "success", "uid": dash["uid"], "url": f"/d/{dash['uid']}/x", "version": version},
                )
            else:
                self._send(404, {"message": "not found"})

    return Handler


@contextmanager
def grafana_stub(token: str) -> Iterator[tuple[str, GrafanaState]]:
    state = GrafanaState(token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
