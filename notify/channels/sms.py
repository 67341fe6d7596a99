"""SMS through a generic HTTP gateway: the request is a template (providers differ).

Chinese SMS providers (Aliyun, Tencent Cloud, carriers' own gateways) all take an
HTTP request naming the number and the text, authenticated by a key, and answer
with a code; they differ in field names and signing.  Rather than one module per
provider, the configuration gives the request as a template (see
``notify.config.SmsConfig``): one request per number, the text shortened to
``max_chars`` (a long SMS is split by the carrier into 67-character parts under
the GSM 03.40 concatenation rules, and billed per part — keep it short).
"""

from __future__ import annotations

import json
import string
import time
from dataclasses import dataclass, field

import httpx
from pydantic import SecretStr

from notify.channels.base import Answer, Clock, Outgoing

PER_MINUTE = 10


class _Template(string.Formatter):
    """Fill ``{to}``, ``{text}`` …; JSON-escape values when the template is JSON."""

    def __init__(self, escape_json: bool) -> None:
        self.escape_json = escape_json

    def format_field(self, value: object, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        return json.dumps(text, ensure_ascii=False)[1:-1] if self.escape_json else text


@dataclass
class Sms:
    name: str
    url: str = field(repr=False)
    to: tuple[str, ...] = ()
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)
    body: str = '{"to": "{to}", "text": "{text}"}'
    content_type: str = "application/json"
    secret: SecretStr | None = field(default=None, repr=False)
    max_chars: int = 300
    ok_status: tuple[int, ...] = (200,)
    ok_field: str | None = None
    ok_value: str | int | None = None
    per_minute: int = PER_MINUTE
    clock: Clock = time.time
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10.0), repr=False)

    def text(self, message: Outgoing) -> str:
        return f"{message.title} {message.text}".replace("\n", " ").replace("**", "")

    def fits(self, message: Outgoing) -> bool:
        return len(self.text(message)) <= self.max_chars

    def _fill(self, template: str, values: dict[str, str], escape_json: bool) -> str:
        # Literal braces of a JSON template are kept: only known names are placeholders.
        out = template
        fmt = _Template(escape_json)
        for name, value in values.items():
            out = out.replace("{" + name + "}", fmt.format_field(value, ""))
        return out

    def send(self, message: Outgoing) -> Answer:
        text = self.text(message)
        answers = []
        for number in self.to:
            values = {
                "to": number,
                "text": text,
                "title": message.title,
                "severity": message.severity,
                "timestamp": str(int(self.clock())),
                "secret": self.secret.get_secret_value() if self.secret else "",
            }
            url = self._fill(
                self.url, {k: v for k, v in values.items() if k != "secret"} | {"secret": values["secret"]}, False
            )
            headers = {k: self._fill(v, values, False) for k, v in self.headers.items()}
            is_json = "json" in self.content_type
            body = self._fill(self.body, values, is_json)
            try:
                if self.method == "GET":
                    resp = self.client.get(url, headers=headers)
                else:
                    resp = self.client.post(
                        url, content=body.encode("utf-8"), headers={"Content-Type": self.content_type, **headers}
                    )
            except httpx.HTTPError as exc:
                return Answer(False, "network", f"{exc.__class__.__name__}: no answer from the gateway")
            answers.append(self._judge(resp))
            if not answers[-1].ok:
                return answers[-1]
        return answers[-1] if answers else Answer(False, "config", "no numbers", retry=False)

    def _judge(self, resp: httpx.Response) -> Answer:
        if resp.status_code not in self.ok_status:
            retry = resp.status_code >= 500 or resp.status_code in (408, 429)
            return Answer(
                False, f"http {resp.status_code}", resp.text[:200], retry=retry, rate_limited=resp.status_code == 429
            )
        if self.ok_field is None:
            return Answer(True, str(resp.status_code), resp.text[:200])
        try:
            data = resp.json()
        except ValueError:
            return Answer(False, f"http {resp.status_code}", "answer is not JSON", retry=False)
        value = data.get(self.ok_field) if isinstance(data, dict) else None
        if str(value) == str(self.ok_value):
            return Answer(True, str(value), resp.text[:200])
        return Answer(False, str(value), resp.text[:200], retry=False)
