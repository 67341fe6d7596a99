"""WeCom (企业微信) group robot (群机器人).

Contract, from https://developer.work.weixin.qq.com/document/path/91770 (群机器人配置说明)
and the global error codes (https://developer.work.weixin.qq.com/document/path/90313):

- POST JSON to ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY`` (the key is
  the robot's only credential: no signing).
- ``{"msgtype": "markdown", "markdown": {"content": …}}``; markdown content at most
  4096 bytes UTF-8 (text: 2048).
- Each robot sends at most 20 messages a minute.
- Answers ``{"errcode": 0, "errmsg": "ok"}``; 45009 when over the frequency limit,
  93000 for an invalid webhook key, 40058 for a field out of range (content too long).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from notify.channels.base import Answer, Outgoing, utf8_len
from notify.channels.http import errcode_answer, post_json

PER_MINUTE = 20
MAX_MARKDOWN_BYTES = 4096
RATE_LIMITED = 45009


@dataclass
class WeCom:
    name: str
    url: str = field(repr=False)
    mentioned_mobiles: tuple[str, ...] = ()
    per_minute: int = PER_MINUTE
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10.0), repr=False)

    def content(self, message: Outgoing) -> str:
        return f"### {message.title}\n{message.text}"

    def fits(self, message: Outgoing) -> bool:
        return utf8_len(self.content(message)) <= MAX_MARKDOWN_BYTES

    def send(self, message: Outgoing) -> Answer:
        body: dict[str, object] = {"msgtype": "markdown", "markdown": {"content": self.content(message)}}
        got = post_json(self.client, self.url, body)
        if isinstance(got, Answer):
            return got
        status, data = got
        return errcode_answer(status, data, RATE_LIMITED)
