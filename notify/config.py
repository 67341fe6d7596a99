"""The notification configuration: channels, routes, escalation, quiet hours — one YAML file.

Secrets (robot URLs carry tokens, signing secrets, SMTP passwords) are never
written in the file: they are ``{env: VARIABLE}`` or ``{file: secrets.yaml,
key: NAME}`` references, the inventory's ``SecretRef`` (a relative secrets file
is taken from the configuration's folder).  Every problem is reported as
``file:line: field: message`` (``pdcs notify check FILE``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from alert_rules.model import Links, Severity, parse_duration
from inventory.models import FacilityKind, SecretRef
from pdcs.yaml_lines import YamlDocument, YamlFileError, read_document

CONFIG_ENV = "PDCS_NOTIFY_CONFIG"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# "30s", "5m", "1h", "1d" or seconds (alert_rules.model.parse_duration, the rules' own syntax).
Duration = Annotated[float, BeforeValidator(parse_duration)]
# A value that may be written plainly or, when it is a secret, as a reference.
MaybeSecret = SecretRef | str


class _ChannelBase(_Model):
    # At most this many messages a minute; never above the service's documented limit (checked per type).
    per_minute: int | None = Field(default=None, ge=1)


class DingTalkConfig(_ChannelBase):
    type: Literal["dingtalk"]
    url: MaybeSecret  # https://oapi.dingtalk.com/robot/send?access_token=… (the token is a secret)
    secret: SecretRef | None = None  # 加签 (SEC…): the robot's signing secret
    keywords: tuple[str, ...] = ()  # 自定义关键词: every message must contain one
    at_mobiles: tuple[str, ...] = ()


class WeComConfig(_ChannelBase):
    type: Literal["wecom"]
    url: MaybeSecret  # https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
    mentioned_mobiles: tuple[str, ...] = ()


class FeishuConfig(_ChannelBase):
    type: Literal["feishu"]
    url: MaybeSecret  # https://open.feishu.cn/open-apis/bot/v2/hook/…
    secret: SecretRef | None = None  # 签名校验
    keywords: tuple[str, ...] = ()


class SmsConfig(_ChannelBase):
    """A generic HTTP SMS gateway: the request is a template over the message fields.

    Placeholders in ``url``, ``headers`` and ``body``: ``{to}`` (one number; one request
    per number), ``{text}``, ``{title}``, ``{severity}``, ``{secret}`` (the gateway key),
    ``{timestamp}``.  In a JSON ``body`` the values are JSON-escaped.
    """

    type: Literal["sms"]
    url: MaybeSecret
    method: Literal["POST", "GET"] = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    body: str = '{"to": "{to}", "text": "{text}"}'
    content_type: str = "application/json"
    secret: SecretRef | None = None
    to: tuple[str, ...] = Field(min_length=1)
    max_chars: int = Field(default=300, ge=20, le=1000)  # long SMS are split by carriers at 67/70 chars
    ok_status: tuple[int, ...] = (200,)
    # When the gateway answers JSON with a code: the field and the value that means success.
    ok_field: str | None = None
    ok_value: str | int | None = None


class EmailConfig(_ChannelBase):
    type: Literal["email"]
    host: str
    port: int = Field(default=465, ge=1, le=65535)
    tls: Literal["ssl", "starttls", "none"] = "ssl"  # implicit TLS (465), STARTTLS (587), or none (tests only)
    username: str | None = None
    password: SecretRef | None = None
    sender: str
    to: tuple[str, ...] = Field(min_length=1)
    ca_file: str | None = None  # a private CA for the server's certificate
    timeout_s: float = Field(default=15.0, gt=0, le=120)


class WebhookConfig(_ChannelBase):
    type: Literal["webhook"]
    url: MaybeSecret
    secret: SecretRef | None = None  # HMAC-SHA256 over "timestamp.body" in X-PDCS-Signature


ChannelConfig = Annotated[
    DingTalkConfig | WeComConfig | FeishuConfig | SmsConfig | EmailConfig | WebhookConfig,
    Field(discriminator="type"),
]


class Match(_Model):
    """Which alerts a route takes; every given field must match (lists: any of them)."""

    region: tuple[str, ...] = ()  # GB/T 2260 codes: a province, city or county and everything below
    severity: tuple[Severity, ...] = ()
    rule: tuple[str, ...] = ()
    facility_kind: tuple[FacilityKind, ...] = ()
    facility: tuple[str, ...] = ()

    @field_validator("region", "rule", "facility", "severity", "facility_kind", mode="before")
    @classmethod
    def _listify(cls, v: object) -> object:
        return (v,) if isinstance(v, str | int) and not isinstance(v, bool) else v

    @field_validator("region", mode="before")
    @classmethod
    def _codes(cls, v: object) -> object:
        if isinstance(v, str | int) and not isinstance(v, bool):
            v = (v,)
        if isinstance(v, list | tuple):
            v = tuple(str(c) for c in v)
            for c in v:
                if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", c):
                    raise ValueError(f"{c!r} is not a GB/T 2260 code of 2, 4 or 6 digits")
        return v


def _clock(text: str) -> int:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not m or int(m.group(1)) > 24 or int(m.group(2)) > 59:
        raise ValueError(f"{text!r} is not a time of day such as 22:00")
    return int(m.group(1)) * 60 + int(m.group(2))


class QuietHours(_Model):
    """Hold notifications between ``start`` and ``end`` (local time), unless the facility is open then.

    A facility open at night (a 24-hour reading room) still gets its alerts at night:
    quiet hours never hide a fault while the public is being served.
    """

    start: str
    end: str
    timezone: str = "Asia/Shanghai"
    except_severity: tuple[Severity, ...] = (Severity.CRITICAL,)
    unless_open: bool = True

    @field_validator("start", "end")
    @classmethod
    def _time(cls, v: str) -> str:
        _clock(v)
        return v

    @property
    def start_minute(self) -> int:
        return _clock(self.start)

    @property
    def end_minute(self) -> int:
        return _clock(self.end)


class Escalation(_Model):
    """After ``after`` open and unacknowledged in Alerta, also tell ``channels``."""

    after_s: Duration = Field(alias="after")
    channels: tuple[str, ...] = Field(min_length=1)


class Route(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    name: str
    match: Match = Field(default_factory=Match)
    channels: tuple[str, ...] = Field(min_length=1)
    quiet_hours: QuietHours | None = None
    # Roll-up: hold this route's notices and send them together at most once per period
    # (a province group reading its counties' faults as one digest).
    digest_s: Duration = Field(default=0.0, alias="digest")
    escalate: tuple[Escalation, ...] = ()
    resolved: bool = True  # also send 已恢复


class Health(_Model):
    """A channel failing this long raises its own alert on the ``channels`` given here."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    failing_s: Duration = Field(default=600.0, alias="failing_for")
    channels: tuple[str, ...] = ()


class Delivery(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    # After a message carrying several alerts, the next to the same channel waits this long,
    # so a storm becomes a few summaries a minute.
    batch_gap_s: Duration = Field(default=60.0, alias="batch_gap")
    retry_min_s: Duration = Field(default=10.0, alias="retry_min")
    retry_max_s: Duration = Field(default=300.0, alias="retry_max")
    list_max: int = Field(default=500, ge=1, le=2000)  # alerts named per message at most (the rest: next message)
    # While summarising (several alerts waiting), at most this many messages a minute to one channel.
    storm_per_minute: int = Field(default=5, ge=1, le=100)


class NotifyConfig(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    language: Literal["zh", "en"] = "zh"
    timezone: str = "Asia/Shanghai"  # times in messages
    links: Links = Field(default_factory=Links)
    channels: dict[str, ChannelConfig]
    routes: tuple[Route, ...] = ()
    health: Health = Field(default_factory=Health)
    delivery: Delivery = Field(default_factory=Delivery)
    base_dir: Path | None = Field(default=None, exclude=True)  # where relative secrets files are read from

    @model_validator(mode="after")
    def _names(self) -> NotifyConfig:
        for i, route in enumerate(self.routes):
            for name in route.channels:
                if name not in self.channels:
                    raise ValueError(f"routes.{i}.channels: no channel named {name!r}")
            for j, esc in enumerate(route.escalate):
                for name in esc.channels:
                    if name not in self.channels:
                        raise ValueError(f"routes.{i}.escalate.{j}.channels: no channel named {name!r}")
        for name in self.health.channels:
            if name not in self.channels:
                raise ValueError(f"health.channels: no channel named {name!r}")
        return self

    def resolve(self, value: MaybeSecret) -> str:
        """A plain value as it is; a reference's secret (raises ``LookupError`` naming the reference)."""
        if isinstance(value, SecretRef):
            return value.resolve(self.base_dir).get_secret_value()
        return value

    def secret(self, ref: SecretRef | None) -> SecretStr | None:
        return ref.resolve(self.base_dir) if ref is not None else None


class NotifyConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def config_path(explicit: Path | None) -> Path | None:
    """``--config`` first, then ``PDCS_NOTIFY_CONFIG``; None when neither is given."""
    if explicit is not None:
        return explicit
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else None


_SECRET_FIELDS = ("url", "secret", "password")


def _plain_secret_problems(path: Path, doc: YamlDocument) -> list[str]:
    """A signing secret or password written in plain text is refused (like the inventory does)."""
    out: list[str] = []
    channels = doc.data.get("channels") if isinstance(doc.data, dict) else None
    if not isinstance(channels, dict):
        return out
    for name, ch in channels.items():
        if not isinstance(ch, dict):
            continue
        for field in ("secret", "password"):
            if isinstance(ch.get(field), str):
                line = doc.line_of(("channels", name, field))
                out.append(
                    f"{path}:{line}: channels.{name}.{field}: secrets must not be written in the file: "
                    "give {env: VARIABLE} or {file: secrets.yaml, key: NAME}"
                )
        url = ch.get("url")
        if isinstance(url, str) and re.search(r"(access_token|key)=[^&{]", url):
            line = doc.line_of(("channels", name, "url"))
            out.append(
                f"{path}:{line}: channels.{name}.url: the robot URL carries its token: "
                "give it as {env: VARIABLE} or {file: secrets.yaml, key: NAME}"
            )
    return out


def load_config(path: Path) -> NotifyConfig:
    """Read and validate one file; ``NotifyConfigError`` lists every problem as file:line: field: message."""
    try:
        doc = read_document(path)
    except YamlFileError as exc:
        raise NotifyConfigError([exc.problem]) from None
    if not isinstance(doc.data, dict):
        raise NotifyConfigError([f"{path}:1: file: must be a mapping with channels: and routes:"])
    problems = _plain_secret_problems(path, doc)
    try:
        config = NotifyConfig.model_validate({**doc.data, "base_dir": path.resolve().parent})
    except ValidationError as exc:
        for err in exc.errors():
            loc: tuple[str | int, ...] = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if not loc and ": " in msg:  # cross-field problems name their field
                field, msg = msg.split(": ", 1)
                loc = tuple(int(p) if p.isdigit() else p for p in field.split("."))
            # A discriminated union adds the type tag to the path: channels.x.dingtalk.url → channels.x.url
            shown = [
                p
                for i, p in enumerate(loc)
                if not (i == 2 and loc[0] == "channels" and isinstance(p, str) and p in _TYPES)
            ]
            line = doc.line_of(tuple(shown))
            problems.append(f"{path}:{line}: {'.'.join(str(p) for p in shown) or 'file'}: {msg}")
        raise NotifyConfigError(problems) from None
    if problems:
        raise NotifyConfigError(problems)
    return config


_TYPES = {"dingtalk", "wecom", "feishu", "sms", "email", "webhook"}


def local_time(when: float, tz: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.fromtimestamp(when, ZoneInfo(tz))
