"""The e-mail channel against a real SMTP server (aiosmtpd) over TLS, with authentication."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from devstack.procs import free_port
from notify.channels.base import Outgoing
from notify.channels.email import Email


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def _auth(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"pdcs" and auth_data.password == b"mail-secret"
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_tls(tmp_path: Path) -> Iterator[tuple[Mailbox, int, Path, str]]:
    cert, key = _self_signed(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    box = Mailbox()
    port = free_port()
    # Implicit TLS (RFC 8314): the whole session is TLS, as on port 465.
    ctl = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        ssl_context=ctx,
        authenticator=_auth,
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN"],  # smtplib would retry LOGIN after a refused PLAIN
    )
    ctl.start()
    yield box, port, cert, "ssl"
    ctl.stop()


@pytest.fixture
def smtp_starttls(tmp_path: Path) -> Iterator[tuple[Mailbox, int, Path, str]]:
    cert, key = _self_signed(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    box = Mailbox()
    port = free_port()
    ctl = Controller(box, hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True, authenticator=_auth)
    ctl.start()
    yield box, port, cert, "starttls"
    ctl.stop()


@pytest.mark.parametrize("server", ["smtp_tls", "smtp_starttls"])
def test_email_over_tls_with_login(server: str, request: pytest.FixtureRequest) -> None:
    box, port, cert, tls = request.getfixturevalue(server)
    ch = Email(
        "ops-mail",
        "127.0.0.1",
        port,
        "pdcs@example.org",
        ("oncall@example.org",),
        tls,
        "pdcs",
        SecretStr("mail-secret"),
        str(cert),
    )
    answer = ch.send(Outgoing("【严重】设施离线：金堂县文化馆", "金堂县文化馆 的全部 4 台设备离线\n已持续 12 分钟"))
    assert answer.ok, answer
    rcpt, mail = box.messages[0]
    assert rcpt == ["oncall@example.org"]
    assert "金堂县文化馆" in str(mail["Subject"])
    assert isinstance(mail, EmailMessage)
    body = mail.get_body()
    assert body is not None and "已持续 12 分钟" in body.get_content()


def test_email_wrong_password_is_not_retried(smtp_tls: tuple[Mailbox, int, Path, str]) -> None:
    box, port, cert, tls = smtp_tls
    ch = Email("m", "127.0.0.1", port, "pdcs@example.org", ("a@example.org",), tls, "pdcs", SecretStr("bad"), str(cert))
    answer = ch.send(Outgoing("t", "x"))
    assert not answer.ok and answer.code == "535" and not answer.retry
    assert box.messages == []


def test_email_untrusted_certificate_is_refused(smtp_tls: tuple[Mailbox, int, Path, str]) -> None:
    _box, port, _cert, tls = smtp_tls
    ch = Email("m", "127.0.0.1", port, "pdcs@example.org", ("a@example.org",), tls, "pdcs", SecretStr("mail-secret"))
    answer = ch.send(Outgoing("t", "x"))
    assert not answer.ok and answer.retry and "SSL" in answer.detail
