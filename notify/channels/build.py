"""Make the channel a configuration entry describes (secrets resolved here, only in memory)."""

from __future__ import annotations

import time

from notify.channels import dingtalk, email, feishu, sms, webhook, wecom
from notify.channels.base import Channel, Clock
from notify.config import (
    ChannelConfig,
    DingTalkConfig,
    EmailConfig,
    FeishuConfig,
    NotifyConfig,
    SmsConfig,
    WebhookConfig,
    WeComConfig,
)

# The service's documented ceiling per type; a configuration may only go lower.
SERVICE_LIMIT = {
    "dingtalk": dingtalk.PER_MINUTE,
    "wecom": wecom.PER_MINUTE,
    "feishu": feishu.PER_MINUTE,
    "sms": sms.PER_MINUTE,
    "email": email.PER_MINUTE,
    "webhook": webhook.PER_MINUTE,
}


def per_minute(entry: ChannelConfig) -> int:
    limit = SERVICE_LIMIT[entry.type]
    return min(limit, entry.per_minute) if entry.per_minute else limit


def build_channel(name: str, config: NotifyConfig, clock: Clock | None = None) -> Channel:
    """The channel ``name``; raises ``LookupError`` (naming the reference, not the value) when a secret is missing."""
    entry = config.channels[name]
    rate = per_minute(entry)
    kw = clock or time.time
    if isinstance(entry, DingTalkConfig):
        return dingtalk.DingTalk(
            name,
            config.resolve(entry.url),
            config.secret(entry.secret),
            entry.keywords,
            entry.at_mobiles,
            rate,
            clock=kw,
        )
    if isinstance(entry, WeComConfig):
        return wecom.WeCom(name, config.resolve(entry.url), entry.mentioned_mobiles, rate)
    if isinstance(entry, FeishuConfig):
        return feishu.Feishu(
            name, config.resolve(entry.url), config.secret(entry.secret), entry.keywords, rate, clock=kw
        )
    if isinstance(entry, SmsConfig):
        return sms.Sms(
            name,
            config.resolve(entry.url),
            entry.to,
            entry.method,
            dict(entry.headers),
            entry.body,
            entry.content_type,
            config.secret(entry.secret),
            entry.max_chars,
            entry.ok_status,
            entry.ok_field,
            entry.ok_value,
            rate,
            clock=kw,
        )
    if isinstance(entry, EmailConfig):
        return email.Email(
            name,
            entry.host,
            entry.port,
            entry.sender,
            entry.to,
            entry.tls,
            entry.username,
            config.secret(entry.password),
            entry.ca_file,
            entry.timeout_s,
            rate,
        )
    if isinstance(entry, WebhookConfig):
        return webhook.Webhook(name, config.resolve(entry.url), config.secret(entry.secret), rate, clock=kw)
    raise AssertionError(entry)
