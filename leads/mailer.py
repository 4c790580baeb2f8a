"""Emails: build them safely, and deliver them by SMTP or into a folder of ``.eml`` files.

- ``build`` says what an email holds when it is queued (cheap: the visitor's post does not wait
  for MIME); ``render`` makes the message when it is sent, the same bytes on every retry
  (fixed Message-ID and date). Header values are stripped of control characters first and the
  standard library refuses any that still hold a line break: nothing a visitor typed can add
  a header.
- ``SmtpTransport`` speaks to the configured relay (STARTTLS, implicit TLS or plain), one
  connection per outbox batch. Its errors say what the server answered with the SMTP user and
  password removed; 5xx answers are permanent, everything else is retried by the outbox.
- ``FolderTransport`` is what runs with no SMTP host configured (``./dev serve``): each email
  becomes one file named after its Message-ID (a retry overwrites, never duplicates);
  ``listing`` and ``show`` serve the ``mail`` command.
"""

from __future__ import annotations

import base64
import email
import os
import re
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.policy import default as DEFAULT_POLICY
from email.utils import format_datetime, parseaddr
from pathlib import Path

from .outbox import DeliveryError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def header_text(value: str) -> str:
    """A visitor's value made fit for a header: control characters (CR, LF…) become spaces."""
    return _CONTROL.sub(" ", value).strip()


def mailbox(address: str, name: str = "") -> Address:
    """``Anna <anna@example.it>``, the display name quoted as needed by the library."""
    local, _, domain = address.strip().rpartition("@")
    return Address(display_name=header_text(name), username=local, domain=domain)


def build(*, sender: str, to: tuple[str, ...], subject: str, body: str, now: datetime,
          reply_to: tuple[str, str] | None = None, extra_headers: tuple[tuple[str, str], ...] = (),
          attachments: tuple[tuple[str, str, str], ...] = ()) -> dict:
    """An email as an outbox payload (``outbox.EMAIL``): what to say, not yet MIME.

    Cheap, so a post does not wait for it; ``render`` makes the message when it is sent, the
    same bytes on every attempt (the Message-ID and the date are fixed here).
    ``reply_to`` is (address, display name); ``attachments`` are (file name, MIME type, text),
    e.g. the weekly digest's HTML report (leads/digest.py).
    """
    key = secrets.token_hex(8)
    return {
        "sender": parseaddr(sender)[1],
        "to": list(to),
        "name": f"{now:%Y%m%dT%H%M%S}-{key}",
        "from": sender,
        "subject": subject,
        "body": body,
        "reply_to": list(reply_to) if reply_to else None,
        "headers": [list(pair) for pair in extra_headers],
        "attachments": [list(item) for item in attachments],
        "date": format_datetime(now),
        "message_id": f"<{now:%Y%m%d%H%M%S}.{key}@{parseaddr(sender)[1].rpartition('@')[2] or 'localhost'}>",
    }


def render(payload: dict) -> bytes:
    """The RFC 5322 message of an outbox payload. Every header value passes ``header_text``
    and the library refuses any line break left: a visitor's text cannot add a header."""
    message = EmailMessage(policy=DEFAULT_POLICY)
    message["From"] = payload["from"]
    message["To"] = ", ".join(payload["to"])
    if payload.get("reply_to"):
        address, name = payload["reply_to"]
        message["Reply-To"] = mailbox(address, name)
    message["Subject"] = header_text(payload["subject"])
    message["Date"] = payload["date"]
    message["Message-ID"] = payload["message_id"]
    for name, value in payload.get("headers") or ():
        message[name] = header_text(value)
    message.set_content(payload["body"])
    for filename, mime, text in payload.get("attachments") or ():
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(text.encode("utf-8"), maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=SMTP_POLICY)


class SmtpTransport:
    """Delivery through an SMTP relay. One connection serves a whole outbox batch (``finish``
    closes it): a connection costs a TCP and often a TLS handshake and a login per message
    otherwise. A kept connection is checked with NOOP before reuse and opened again if the
    server has closed it meanwhile."""

    def __init__(self, host: str, port: int, security: str = "starttls", user: str = "",
                 password: str = "", timeout: float = 20.0):
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.timeout = user, password, timeout
        self._client: smtplib.SMTP | None = None

    def __repr__(self) -> str:  # never show the credentials
        return f"SmtpTransport({self.host}:{self.port}, {self.security})"

    def _connect(self) -> smtplib.SMTP:
        client: smtplib.SMTP
        if self.security == "tls":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if self.user:
                client.login(self.user, self.password)
        except BaseException:
            client.close()
            raise
        return client

    def _connection(self) -> smtplib.SMTP:
        if self._client is not None:
            try:
                if self._client.noop()[0] == 250:
                    return self._client
            except (OSError, smtplib.SMTPException):
                pass
            self.finish()
        self._client = self._connect()
        return self._client

    def finish(self) -> None:
        """Close the kept connection (the end of an outbox batch)."""
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()

    def send(self, outbox_id: int, payload: dict) -> None:
        data = render(payload)
        try:
            # Recipients refused while others accepted are not retried: that would send the
            # message twice to the others.
            self._connection().sendmail(payload["sender"], payload["to"], data)
        except smtplib.SMTPRecipientsRefused as problem:
            codes = [code for code, _ in problem.recipients.values()]
            raise DeliveryError(self.redact(f"SMTP refused every recipient: {codes}"),
                                permanent=all(code >= 500 for code in codes)) from None
        except smtplib.SMTPResponseException as problem:
            self.finish()  # the conversation may be anywhere: start the next one afresh
            text = problem.smtp_error.decode("utf-8", "replace") if isinstance(problem.smtp_error, bytes) \
                else str(problem.smtp_error)
            raise DeliveryError(self.redact(f"SMTP {problem.smtp_code}: {text}"),
                                permanent=problem.smtp_code >= 500) from None
        except smtplib.SMTPServerDisconnected:
            self.finish()
            raise DeliveryError(f"SMTP server {self.host}:{self.port} closed the connection") from None
        except (OSError, smtplib.SMTPException) as problem:
            self.finish()
            raise DeliveryError(self.redact(f"SMTP {self.host}:{self.port}: {type(problem).__name__}: "
                                            f"{getattr(problem, 'strerror', None) or problem}")) from None

    def redact(self, text: str) -> str:
        """The text with the user, the password and their AUTH encodings removed."""
        secrets_seen = [self.password, self.user]
        if self.user or self.password:
            plain = f"\0{self.user}\0{self.password}".encode()
            secrets_seen += [base64.b64encode(plain).decode(), base64.b64encode(self.user.encode()).decode(),
                             base64.b64encode(self.password.encode()).decode()]
        for secret in sorted(filter(None, secrets_seen), key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


@dataclass(frozen=True)
class FolderTransport:
    folder: Path

    def send(self, outbox_id: int, payload: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self.folder / f"{payload['name']}.eml"
        temporary = target.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(render(payload))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)  # whole or not at all


def listing(folder: Path) -> list[tuple[Path, email.message.EmailMessage]]:
    """The emails in ``folder``, oldest first, parsed."""
    # In the order they were written (the outbox's), which names within one second do not give.
    files = sorted(folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name)) if folder.is_dir() else []
    return [(path, email.message_from_bytes(path.read_bytes(), policy=DEFAULT_POLICY)) for path in files]


def text_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content().replace("\r\n", "\n") if part is not None else ""
