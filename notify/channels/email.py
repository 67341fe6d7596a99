"""E-mail over SMTP with TLS (implicit TLS on 465 per RFC 8314, or STARTTLS per RFC 3207).

The certificate is verified (the system's CAs, or ``ca_file``); ``tls: none`` exists
only for a local test relay.  A 4xx reply or a dropped connection is retried, a 5xx
(mailbox refused, authentication failed) needs the configuration fixed (RFC 5321 §4.2.1).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pydantic import SecretStr

from notify.channels.base import Answer, Outgoing

PER_MINUTE = 30
MAX_CHARS = 100_000


@dataclass
class Email:
    name: str
    host: str
    port: int
    sender: str
    to: tuple[str, ...]
    tls: str = "ssl"
    username: str | None = None
    password: SecretStr | None = field(default=None, repr=False)
    ca_file: str | None = None
    timeout_s: float = 15.0
    per_minute: int = PER_MINUTE

    def fits(self, message: Outgoing) -> bool:
        return len(message.text) <= MAX_CHARS

    def build(self, message: Outgoing) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = message.title
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.to)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        mail.set_content(message.text.replace("**", ""), charset="utf-8")
        return mail

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def send(self, message: Outgoing) -> Answer:
        mail = self.build(message)
        try:
            smtp: smtplib.SMTP
            if self.tls == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s, context=self._context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            with smtp:
                if self.tls == "starttls":
                    smtp.starttls(context=self._context())
                if self.username and self.password is not None:
                    smtp.login(self.username, self.password.get_secret_value())
                refused = smtp.send_message(mail)
        except smtplib.SMTPResponseException as exc:
            return Answer(False, str(exc.smtp_code), _text(exc.smtp_error), retry=400 <= exc.smtp_code < 500)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({c for c, _ in exc.recipients.values()})
            return Answer(
                False, ",".join(map(str, codes)), "every recipient refused", retry=all(400 <= c < 500 for c in codes)
            )
        except (OSError, smtplib.SMTPException) as exc:
            return Answer(False, "network", f"{exc.__class__.__name__}: {exc}"[:200])
        if refused:
            return Answer(True, "250", f"accepted, but refused for {', '.join(sorted(refused))}")
        return Answer(True, "250", f"accepted for {len(self.to)} recipient(s)")


def _text(value: bytes | str) -> str:
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else value)[:200]
