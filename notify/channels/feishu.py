"""Feishu (飞书) custom bot (自定义机器人).

Contract, from https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot (自定义机器人使用指南):

- POST JSON to ``https://open.feishu.cn/open-apis/bot/v2/hook/TOKEN``.
- 签名校验: ``timestamp`` in SECONDS, at most one hour from the server's time; the
  string ``timestamp + "\\n" + secret`` is the HMAC-SHA256 KEY and the message is
  empty; Base64 of the digest is ``sign``.  Both go in the JSON body (unlike
  DingTalk: there the secret is the key, the string the message, and both sit in the query).
- 自定义关键词: the message must contain one of the keywords.
- At most 100 requests a minute and 5 a second per bot; the request body at most 20 KB.
- Answers ``{"code": 0, "msg": "success"}``; 19021 sign match fail or timestamp out of the
  hour, 19024 keywords not found, 9499 bad request, 11232 frequency limited.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field

import httpx
from pydantic import SecretStr

from notify.channels.base import Answer, Clock, Outgoing, utf8_len
from notify.channels.http import post_json

PER_MINUTE = 100
PER_SECOND = 5
MAX_BODY_BYTES = 20 * 1024
SIGN_FAILED = 19021
KEYWORDS = 19024
RATE_LIMITED = 11232


def sign(timestamp_s: int, secret: str) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


@dataclass
class Feishu:
    name: str
    url: str = field(repr=False)
    secret: SecretStr | None = field(default=None, repr=False)
    keywords: tuple[str, ...] = ()
    per_minute: int = PER_MINUTE
    per_second: int = PER_SECOND
    clock: Clock = time.time
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10.0), repr=False)

    def body(self, message: Outgoing) -> dict[str, object]:
        text = f"{message.title}\n{message.text}"
        if self.keywords and not any(k in text for k in self.keywords):
            text = f"{self.keywords[0]} {text}"
        body: dict[str, object] = {"msg_type": "text", "content": {"text": text}}
        if self.secret is not None:
            ts = int(self.clock())
            body = {"timestamp": str(ts), "sign": sign(ts, self.secret.get_secret_value()), **body}
        return body

    def fits(self, message: Outgoing) -> bool:
        return utf8_len(json.dumps(self.body(message), ensure_ascii=False)) <= MAX_BODY_BYTES

    def send(self, message: Outgoing) -> Answer:
        got = post_json(self.client, self.url, self.body(message))
        if isinstance(got, Answer):
            return got
        status, data = got
        code = data.get("code", data.get("StatusCode"))
        if status == 200 and code == 0:
            return Answer(True, "0", str(data.get("msg", "success")))
        detail = str(data.get("msg", ""))[:200]
        if code == RATE_LIMITED or status == 429:
            return Answer(False, str(code), detail, rate_limited=True)
        return Answer(False, str(code if code is not None else f"http {status}"), detail, retry=status >= 500)
