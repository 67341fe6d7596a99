"""DingTalk (钉钉) custom group robot (自定义机器人).

Contract, from DingTalk's pages
(https://open.dingtalk.com/document/robots/custom-robot-access,
https://open.dingtalk.com/document/robots/customize-robot-security-settings,
https://open.dingtalk.com/document/orgapp/custom-bot-send-message-frequency-limit):

- POST JSON (UTF-8) to ``https://oapi.dingtalk.com/robot/send?access_token=TOKEN``.
- 加签: ``timestamp`` is the current time in milliseconds; ``sign`` is
  HMAC-SHA256 with the secret as key over ``timestamp + "\\n" + secret``, then
  Base64, then URL-encoded; both go in the query (``&timestamp=…&sign=…``).  The
  server refuses a timestamp more than one hour from its clock.
- 自定义关键词: a robot with keywords accepts only messages containing one of them.
- At most 20 messages a minute per robot; beyond that it is throttled for 10 minutes
  (errcode 130101 "send too fast").  The page advises summarising bulk alarms in
  markdown — which is what the dispatcher's batching does.
- A message body over 20000 bytes is refused (errcode 460101 "message too long").
- Answers ``{"errcode": 0, "errmsg": "ok"}``; errcode 310000 for a failed security
  check (sign not match, timestamp, keywords not in content, IP), 300001 for an
  unknown token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass, field

import httpx
from pydantic import SecretStr

from notify.channels.base import Answer, Clock, Outgoing, now_ms, utf8_len
from notify.channels.http import errcode_answer, post_json

PER_MINUTE = 20
MAX_BODY_BYTES = 20000
RATE_LIMITED = 130101
SECURITY = 310000


def sign(timestamp_ms: int, secret: str) -> str:
    """加签: URL-encoded Base64 of HMAC-SHA256(key=secret, msg="timestamp\\nsecret")."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


@dataclass
class DingTalk:
    name: str
    url: str = field(repr=False)
    secret: SecretStr | None = field(default=None, repr=False)
    keywords: tuple[str, ...] = ()
    at_mobiles: tuple[str, ...] = ()
    per_minute: int = PER_MINUTE
    clock: Clock = time.time
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10.0), repr=False)

    def body(self, message: Outgoing) -> dict[str, object]:
        title = message.title
        text = f"#### {message.title}\n\n{message.text}"
        if self.keywords and not any(k in text for k in self.keywords):
            title = f"{self.keywords[0]} {title}"
            text = f"#### {self.keywords[0]} {message.title}\n\n{message.text}"
        body: dict[str, object] = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        if self.at_mobiles:
            body["at"] = {"atMobiles": list(self.at_mobiles), "isAtAll": False}
            body["markdown"] = {"title": title, "text": text + "\n\n" + " ".join(f"@{m}" for m in self.at_mobiles)}
        return body

    def fits(self, message: Outgoing) -> bool:
        return utf8_len(json.dumps(self.body(message), ensure_ascii=False)) <= MAX_BODY_BYTES

    def signed_url(self) -> str:
        if self.secret is None:
            return self.url
        ts = now_ms(self.clock)
        sep = "&" if "?" in self.url else "?"
        # sign() already URL-encodes; append it verbatim so it is not encoded twice.
        return f"{self.url}{sep}timestamp={ts}&sign={sign(ts, self.secret.get_secret_value())}"

    def send(self, message: Outgoing) -> Answer:
        got = post_json(self.client, self.signed_url(), self.body(message))
        if isinstance(got, Answer):
            return got
        status, data = got
        return errcode_answer(status, data, RATE_LIMITED)
