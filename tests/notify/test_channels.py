"""Each channel against a stand-in that checks the service's documented contract strictly."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

from pydantic import SecretStr

from devstack.robots import Robot, RobotServer
from notify.channels import dingtalk, feishu
from notify.channels.base import Outgoing
from notify.channels.dingtalk import DingTalk
from notify.channels.feishu import Feishu
from notify.channels.sms import Sms
from notify.channels.webhook import Webhook
from notify.channels.wecom import WeCom
from tests.notify.conftest import FakeClock

MSG = Outgoing("设备离线", "金堂县文化馆 的 核心交换机 离线 23 分钟", "major")


def test_dingtalk_sign_is_the_documented_one() -> None:
    # The page's recipe, written out independently: HMAC-SHA256(key=secret, msg="ts\nsecret"), Base64, URL-encode.
    ts, secret = 1577262236757, "SECxyz"
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    assert dingtalk.sign(ts, secret) == urllib.parse.quote_plus(base64.b64encode(digest))


def test_dingtalk_signed_message_keywords_and_refusals(robots: RobotServer, clock: FakeClock) -> None:
    url = robots.add(Robot("dingtalk", "tok1", secret="SECgood", keywords=("告警",)))
    ok = DingTalk("jt", url, SecretStr("SECgood"), keywords=("告警",), clock=clock)
    answer = ok.send(MSG)
    assert answer.ok, answer
    got = robots.of("dingtalk")[0]
    assert got.body["msgtype"] == "markdown" and "告警" in got.text and "核心交换机" in got.text

    wrong = DingTalk("jt", url, SecretStr("SECbad"), keywords=("告警",), clock=clock).send(MSG)
    assert not wrong.ok and wrong.code == "310000" and "sign" in wrong.detail and not wrong.retry

    late = FakeClock(clock.t - 3700)  # our clock an hour and more behind the server's
    stale = DingTalk("jt", url, SecretStr("SECgood"), keywords=("告警",), clock=late).send(MSG)
    assert not stale.ok and stale.code == "310000" and "timestamp" in stale.detail

    # Without the keyword configured on our side the text lacks it: refused as the service does.
    nokw = DingTalk("jt", url, SecretStr("SECgood"), clock=clock).send(Outgoing("设备离线", "离线"))
    assert not nokw.ok and nokw.detail == "keywords not in content"

    unknown = DingTalk("jt", url.replace("tok1", "nope"), SecretStr("SECgood"), clock=clock).send(MSG)
    assert unknown.code == "300001"


def test_dingtalk_rate_limit_then_throttled_ten_minutes(robots: RobotServer, clock: FakeClock) -> None:
    url = robots.add(Robot("dingtalk", "tok2", secret="S"))
    ch = DingTalk("jt", url, SecretStr("S"), clock=clock)
    answers = [ch.send(MSG) for _ in range(21)]
    assert all(a.ok for a in answers[:20])
    assert answers[20].rate_limited and answers[20].code == "130101"
    clock.advance(120)
    assert ch.send(MSG).rate_limited  # still throttled: 10 minutes
    clock.advance(600)
    assert ch.send(MSG).ok


def test_dingtalk_length_limit(robots: RobotServer, clock: FakeClock) -> None:
    url = robots.add(Robot("dingtalk", "tok3", secret="S"))
    ch = DingTalk("jt", url, SecretStr("S"), clock=clock)
    huge = Outgoing("汇总", "设备离线\n" * 3000)
    assert not ch.fits(huge)
    answer = ch.send(huge)
    assert answer.code == "460101" and not answer.retry


def test_wecom_markdown_limit_and_key(robots: RobotServer) -> None:
    url = robots.add(Robot("wecom", "k-1"))
    ch = WeCom("sc", url)
    assert ch.send(MSG).ok
    assert "### 设备离线" in robots.of("wecom")[0].text
    long = Outgoing("汇总", "离" * 1400)  # 4200 bytes of UTF-8
    assert not ch.fits(long) and ch.send(long).code == "40058"
    assert WeCom("sc", url.replace("k-1", "k-2")).send(MSG).code == "93000"
    for _ in range(19):
        assert ch.send(MSG).ok
    assert ch.send(MSG).code == "45009"


def test_feishu_signing_is_its_own(robots: RobotServer, clock: FakeClock) -> None:
    # Feishu's recipe differs from DingTalk's: "ts\nsecret" is the KEY and the message is empty.
    ts, secret = 1599360473, "abc"
    expect = base64.b64encode(hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()
    assert feishu.sign(ts, secret) == expect
    url = robots.add(Robot("feishu", "hook-1", secret="fs-secret", keywords=("告警",)))
    ch = Feishu("ops", url, SecretStr("fs-secret"), keywords=("告警",), clock=clock)
    assert ch.send(MSG).ok
    bad = Feishu("ops", url, SecretStr("other"), keywords=("告警",), clock=clock).send(MSG)
    assert bad.code == "19021" and not bad.retry
    nokw = Feishu("ops", url, SecretStr("fs-secret"), clock=clock).send(Outgoing("x", "y"))
    assert nokw.code == "19024"
    # 5 a second: the sixth within the same second is refused with 11232.
    answers = [ch.send(MSG) for _ in range(5)]
    assert [a.ok for a in answers] == [True, True, True, True, False] and answers[-1].rate_limited


def test_webhook_signature(robots: RobotServer, clock: FakeClock) -> None:
    url = robots.add(Robot("webhook", "w1", secret="hook-secret"))
    data: tuple[dict[str, object], ...] = ({"rule": "device_down", "resource": "F2-SW"},)
    ok = Webhook("hook", url, SecretStr("hook-secret"), clock=clock).send(Outgoing("t", "x", data=data))
    assert ok.ok
    assert robots.of("webhook")[0].body["alerts"][0]["resource"] == "F2-SW"
    bad = Webhook("hook", url, SecretStr("nope"), clock=clock).send(MSG)
    assert bad.code == "401" and not bad.retry


def test_sms_template(robots: RobotServer) -> None:
    url = robots.add(Robot("sms", "gw", secret="gw-key"))
    ch = Sms(
        "oncall",
        url,
        to=("13800000000", "13900000000"),
        headers={"Authorization": "Bearer {secret}"},
        secret=SecretStr("gw-key"),
        ok_field="code",
        ok_value=0,
        max_chars=70,
    )
    assert ch.send(Outgoing("设备离线", '金堂县 "核心交换机" 离线')).ok
    sent = robots.of("sms")
    assert [m.body["to"] for m in sent] == ["13800000000", "13900000000"]
    assert '"核心交换机"' in sent[0].body["text"]
    assert not ch.fits(Outgoing("x", "字" * 80))
    refused = Sms(
        "oncall", url, to=("13800000000",), headers={"Authorization": "Bearer {secret}"}, secret=SecretStr("x")
    )
    assert refused.send(MSG).code == "http 401"


def test_service_down_is_retryable(robots: RobotServer, clock: FakeClock) -> None:
    url = robots.add(Robot("dingtalk", "tok9", secret="S"))
    robots.down = True
    answer = DingTalk("jt", url, SecretStr("S"), clock=clock).send(MSG)
    assert not answer.ok and answer.retry
