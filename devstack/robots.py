"""Local stand-ins for DingTalk, WeCom and Feishu robots, an SMS gateway and a signed webhook.

They are unreachable from tests (and from a laptop without the real groups), so
this server implements each service's DOCUMENTED contract strictly — the same
pages the channel modules cite — and answers with the service's own error codes:

- DingTalk (https://open.dingtalk.com/document/robots/custom-robot-access and
  .../customize-robot-security-settings): ``access_token`` must name a robot;
  ``timestamp`` (ms) within one hour of the server clock; ``sign`` must equal
  urlencode(base64(HMAC-SHA256(secret, "timestamp\\nsecret"))) — compared after
  URL-decoding the query exactly as a server does; keywords; 20 messages a minute,
  then throttled for 10 minutes (130101); body over 20000 bytes (460101).
- WeCom (https://developer.work.weixin.qq.com/document/path/91770): ``key`` must name
  a robot (93000); markdown content ≤ 4096 bytes (40058); 20 a minute (45009).
- Feishu (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): the
  ``timestamp`` (s) within one hour and ``sign`` = base64(HMAC-SHA256(key =
  "timestamp\\nsecret", msg = "")) in the body (19021); keywords (19024); body ≤ 20 KB
  (9499); 100 a minute and 5 a second (11232).
- Webhook: ``X-PDCS-Signature`` over ``timestamp.body`` (notify/channels/webhook.py), 5-minute window (401).
- SMS gateway: a JSON body with ``to`` and ``text`` and a bearer key (401), answering ``{"code": 0}``.

Every accepted message is kept (``messages``) and, for ``pdcs dev up``, printed.
``down = True`` makes every endpoint answer 503, for outage tests; ``clock`` is injectable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devstack.procs import free_port

HOUR_S = 3600


@dataclass
class Robot:
    service: str  # dingtalk | wecom | feishu | webhook | sms
    token: str
    secret: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass
class Received:
    service: str
    token: str
    at: float
    body: dict[str, Any]

    @property
    def text(self) -> str:
        b = self.body
        if self.service == "dingtalk":
            return str(b.get("markdown", {}).get("text") or b.get("text", {}).get("content", ""))
        if self.service == "wecom":
            return str(b.get("markdown", {}).get("content") or b.get("text", {}).get("content", ""))
        if self.service == "feishu":
            return str(b.get("content", {}).get("text", ""))
        return str(b.get("text", ""))


@dataclass
class RobotServer:
    robots: dict[tuple[str, str], Robot] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    down: bool = False
    on_message: Callable[[Received], None] | None = None
    messages: list[Received] = field(default_factory=list)
    refused: list[tuple[str, int, str]] = field(default_factory=list)  # (service, code, message)
    _sent: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    _throttled_until: dict[tuple[str, str], float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, robot: Robot) -> str:
        """Register a robot; its URL (with the token where the service puts it)."""
        self.robots[(robot.service, robot.token)] = robot
        return self.robot_url(robot)

    def robot_url(self, robot: Robot) -> str:
        return {
            "dingtalk": f"{self.url}/robot/send?access_token={robot.token}",
            "wecom": f"{self.url}/cgi-bin/webhook/send?key={robot.token}",
            "feishu": f"{self.url}/open-apis/bot/v2/hook/{robot.token}",
            "webhook": f"{self.url}/webhook/{robot.token}",
            "sms": f"{self.url}/sms/{robot.token}",
        }[robot.service]

    def of(self, service: str, token: str | None = None) -> list[Received]:
        return [m for m in self.messages if m.service == service and (token is None or m.token == token)]

    # -- the server ---------------------------------------------------------
    def start(self) -> RobotServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, answer = server.handle(self.path, dict(self.headers.items()), raw)
                data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                data = json.dumps(
                    [{"service": m.service, "at": m.at, "text": m.text} for m in server.messages], ensure_ascii=False
                ).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.port = self.port or free_port()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True, name="robot-stand-ins").start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    # -- one request ---------------------------------------------------------
    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        if self.down:
            return 503, {"message": "service unavailable"}
        url = urllib.parse.urlsplit(path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        with self._lock:
            if url.path == "/robot/send":
                return self._dingtalk(query, raw)
            if url.path == "/cgi-bin/webhook/send":
                return self._wecom(query, raw)
            if url.path.startswith("/open-apis/bot/v2/hook/"):
                return self._feishu(url.path.rsplit("/", 1)[1], raw)
            if url.path.startswith("/webhook/"):
                return self._webhook(url.path.rsplit("/", 1)[1], headers, raw)
            if url.path.startswith("/sms/"):
                return self._sms(url.path.rsplit("/", 1)[1], headers, raw)
        return 404, {"message": "not found"}

    def _refuse(
        self, service: str, code: int, msg: str, key: str = "errcode", status: int = 200
    ) -> tuple[int, dict[str, Any]]:
        self.refused.append((service, code, msg))
        return status, {key: code, ("errmsg" if key == "errcode" else "msg"): msg}

    def _rate(self, key: tuple[str, str], limit: int, window_s: float) -> bool:
        """True when one more message stays within ``limit`` per ``window_s`` (and records it)."""
        now = self.clock()
        sent = self._sent.setdefault((key[0] + f"/{window_s}", key[1]), deque())
        while sent and sent[0] <= now - window_s:
            sent.popleft()
        if len(sent) >= limit:
            return False
        sent.append(now)
        return True

    def _accept(self, service: str, token: str, body: dict[str, Any]) -> None:
        msg = Received(service, token, self.clock(), body)
        self.messages.append(msg)
        if self.on_message is not None:
            self.on_message(msg)

    def _dingtalk(self, query: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        robot = self.robots.get(("dingtalk", query.get("access_token", "")))
        if robot is None:
            return self._refuse("dingtalk", 300001, "token is not exist")
        key = ("dingtalk", robot.token)
        now = self.clock()
        if self._throttled_until.get(key, 0) > now:
            return self._refuse("dingtalk", 130101, "send too fast, exceed 20 times per minute")
        if robot.secret is not None:
            ts = query.get("timestamp", "")
            if not ts.isdigit() or abs(int(ts) - now * 1000) > HOUR_S * 1000:
                return self._refuse("dingtalk", 310000, "invalid timestamp")
            # parse_qsl has URL-decoded the sign once, as the server does; compare with the raw Base64.
            expected = base64.b64encode(
                hmac.new(robot.secret.encode(), f"{ts}\n{robot.secret}".encode(), hashlib.sha256).digest()
            ).decode()
            if not hmac.compare_digest(query.get("sign", ""), expected):
                return self._refuse("dingtalk", 310000, "sign not match")
        if len(raw) > 20000:
            return self._refuse("dingtalk", 460101, "message too long, exceed 20000 bytes")
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._refuse("dingtalk", 43000, "param error: body is not UTF-8 JSON")
        msgtype = body.get("msgtype")
        if msgtype not in ("text", "markdown", "link", "actionCard", "feedCard") or msgtype not in body:
            return self._refuse("dingtalk", 40035, "缺少参数 msgtype")
        if msgtype == "markdown" and not (body["markdown"].get("title") and body["markdown"].get("text")):
            return self._refuse("dingtalk", 40035, "缺少参数 markdown.title/text")
        content = json.dumps(body[msgtype], ensure_ascii=False)
        if robot.keywords and not any(k in content for k in robot.keywords):
            return self._refuse("dingtalk", 310000, "keywords not in content")
        if not self._rate(key, 20, 60):
            self._throttled_until[key] = now + 600
            return self._refuse("dingtalk", 130101, "send too fast, exceed 20 times per minute")
        self._accept("dingtalk", robot.token, body)
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _wecom(self, query: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        robot = self.robots.get(("wecom", query.get("key", "")))
        if robot is None:
            return self._refuse("wecom", 93000, "invalid webhook url")
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._refuse("wecom", 40016, "invalid json")
        msgtype = body.get("msgtype")
        if msgtype not in ("text", "markdown") or not isinstance(body.get(msgtype), dict):
            return self._refuse("wecom", 40008, "invalid message type")
        content = str(body[msgtype].get("content", ""))
        limit = 4096 if msgtype == "markdown" else 2048
        if len(content.encode("utf-8")) > limit:
            return self._refuse("wecom", 40058, f"{msgtype}.content exceed max length {limit}")
        if not self._rate(("wecom", robot.token), 20, 60):
            return self._refuse("wecom", 45009, "api freq out of limit")
        self._accept("wecom", robot.token, body)
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _feishu(self, token: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        robot = self.robots.get(("feishu", token))
        if robot is None:
            return self._refuse("feishu", 19001, "param invalid: incoming webhook access token invalid", key="code")
        if len(raw) > 20 * 1024:
            return self._refuse("feishu", 9499, "Bad Request: request body exceeds 20KB", key="code")
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._refuse("feishu", 9499, "Bad Request", key="code")
        if robot.secret is not None:
            ts = str(body.get("timestamp", ""))
            if not ts.isdigit() or abs(int(ts) - self.clock()) > HOUR_S:
                return self._refuse(
                    "feishu", 19021, "sign match fail or timestamp is not within one hour from current time", key="code"
                )
            key = f"{ts}\n{robot.secret}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(str(body.get("sign", "")), expected):
                return self._refuse(
                    "feishu", 19021, "sign match fail or timestamp is not within one hour from current time", key="code"
                )
        if body.get("msg_type") not in ("text", "post", "image", "share_chat", "interactive") or "content" not in body:
            return self._refuse("feishu", 9499, "Bad Request", key="code")
        if robot.keywords and not any(k in json.dumps(body["content"], ensure_ascii=False) for k in robot.keywords):
            return self._refuse("feishu", 19024, "Key Words Not Found", key="code")
        ok_second = self._rate(("feishu-s", token), 5, 1)
        if not ok_second or not self._rate(("feishu", token), 100, 60):
            return self._refuse("feishu", 11232, "frequency limited psm", key="code")
        self._accept("feishu", token, body)
        return 200, {"code": 0, "data": {}, "msg": "success"}

    def _webhook(self, token: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        robot = self.robots.get(("webhook", token))
        if robot is None:
            return 404, {"message": "no such webhook"}
        if robot.secret is not None:
            h = {k.lower(): v for k, v in headers.items()}
            ts = h.get("x-pdcs-timestamp", "")
            if not ts.isdigit() or abs(int(ts) - self.clock()) > 300:
                self.refused.append(("webhook", 401, "stale timestamp"))
                return 401, {"message": "stale or missing timestamp"}
            mac = hmac.new(robot.secret.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(h.get("x-pdcs-signature", ""), "sha256=" + mac):
                self.refused.append(("webhook", 401, "bad signature"))
                return 401, {"message": "bad signature"}
        self._accept("webhook", token, json.loads(raw.decode("utf-8")))
        return 200, {"ok": True}

    def _sms(self, token: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        robot = self.robots.get(("sms", token))
        h = {k.lower(): v for k, v in headers.items()}
        if robot is None or (robot.secret and h.get("authorization") != f"Bearer {robot.secret}"):
            self.refused.append(("sms", 401, "unauthorized"))
            return 401, {"code": 401, "message": "unauthorized"}
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return 400, {"code": 400, "message": "body is not JSON"}
        if not str(body.get("to", "")).isdigit() or not body.get("text"):
            return 200, {"code": 1001, "message": "to and text are required"}
        self._accept("sms", token, body)
        return 200, {"code": 0, "message": "queued"}


def start_robots(clock: Callable[[], float] = time.time, port: int = 0) -> RobotServer:
    return RobotServer(clock=clock, port=port).start()
