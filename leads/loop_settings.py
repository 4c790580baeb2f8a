"""Settings of the lead loop: owner notifications, double opt-in, consent ledger, webhook.

One frozen object, part of ``Settings`` (``settings.loop``), built from the command line or
from the environment. Nothing here is required: with no SMTP host the emails are written as
``.eml`` files into ``mail_dir``; with no secret a random one is kept next to the database.
The SMTP password is read only from the environment and never printed (``repr=False``).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from approdo import lead_form

ENV_SMTP_HOST = "APPRODO_SMTP_HOST"
ENV_SMTP_PORT = "APPRODO_SMTP_PORT"
ENV_SMTP_SECURITY = "APPRODO_SMTP_SECURITY"
ENV_SMTP_USER = "APPRODO_SMTP_USER"
ENV_SMTP_PASSWORD = "APPRODO_SMTP_PASSWORD"
ENV_SENDER = "APPRODO_MAIL_FROM"
ENV_MAIL_DIR = "APPRODO_MAIL_DIR"
ENV_NOTIFY = "APPRODO_LEADS_NOTIFY"
ENV_SECRET = "APPRODO_LEADS_SECRET"
ENV_PUBLIC_URL = "APPRODO_LEADS_PUBLIC_URL"
ENV_SITE_DATA = "APPRODO_LEADS_SITE_DATA"
ENV_OPTIN_DAYS = "APPRODO_LEADS_OPTIN_DAYS"
ENV_WEBHOOK_URL = "APPRODO_LEADS_WEBHOOK_URL"
ENV_WEBHOOK_SECRET = "APPRODO_LEADS_WEBHOOK_SECRET"

SECURITY_MODES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
SECRET_FILE = "leads-secret"
_ADDRESS = re.compile(lead_form.EMAIL_PATTERN)


class LoopSettingsError(ValueError):
    """A lead-loop setting that cannot work (said in terms of the option or variable)."""


@dataclass(frozen=True)
class LoopSettings:
    # False: leads are only stored, as before the lead loop (benchmarks compare both).
    enabled: bool = True
    # SMTP relay; empty host = write each email as a .eml file into ``mail_dir`` instead.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_timeout: float = 20.0
    sender: str = "Approdo <noreply@localhost>"
    # None: "mail" next to the database.
    mail_dir: Path | None = None
    # Who is told of a new lead: the site default, and per landing page (slug -> addresses).
    notify: tuple[str, ...] = ()
    notify_by_landing: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Signs the confirmation and withdrawal links; "" = a random one kept next to the database.
    secret: str = field(default="", repr=False)
    # Where visitors reach this receiver (the links in emails point here).
    public_url: str = "http://127.0.0.1:8001"
    # The built site (a folder or a URL) whose consent/versions.json and leads/landings.json
    # say which consent texts are valid and what each landing page's autoresponder sends.
    # "" = versions are not checked (a warning at start-up says so).
    site_data: str = ""
    # An unconfirmed marketing consent expires after this many days.
    optin_days: float = 7.0
    webhook_url: str = ""
    webhook_secret: str = field(default="", repr=False)
    # Outbox retries: first retry after ``retry_base`` seconds, doubling up to ``retry_max``;
    # after ``max_attempts`` failures a message is marked failed (``outbox retry`` re-queues it).
    retry_base: float = 30.0
    retry_max: float = 3600.0
    max_attempts: int = 12
    # How often the worker looks for due messages when nobody wakes it (other processes, CLI).
    poll_interval: float = 5.0

    def __post_init__(self) -> None:
        if self.smtp_security not in SECURITY_MODES:
            raise LoopSettingsError(f"SMTP security {self.smtp_security!r} (expected one of "
                                    f"{', '.join(SECURITY_MODES)})")
        for address in (*self.notify, *(a for _, group in self.notify_by_landing for a in group)):
            if not _ADDRESS.fullmatch(address):
                raise LoopSettingsError(f"notification address {address!r} is not an email address")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "LoopSettings":
        env = os.environ if environ is None else environ
        security = env.get(ENV_SMTP_SECURITY, "starttls").strip().lower() or "starttls"
        notify, by_landing = parse_notify(env.get(ENV_NOTIFY, ""))
        base = cls()
        try:
            port = int(env.get(ENV_SMTP_PORT) or DEFAULT_PORTS.get(security, 587))
            days = float(env.get(ENV_OPTIN_DAYS) or base.optin_days)
        except ValueError:
            raise LoopSettingsError(f"{ENV_SMTP_PORT} / {ENV_OPTIN_DAYS}: expected a number") from None
        mail_dir = env.get(ENV_MAIL_DIR)
        return cls(
            smtp_host=env.get(ENV_SMTP_HOST, "").strip(),
            smtp_port=port,
            smtp_security=security,
            smtp_user=env.get(ENV_SMTP_USER, ""),
            smtp_password=env.get(ENV_SMTP_PASSWORD, ""),
            sender=env.get(ENV_SENDER) or base.sender,
            mail_dir=Path(mail_dir) if mail_dir else None,
            notify=notify,
            notify_by_landing=by_landing,
            secret=env.get(ENV_SECRET, ""),
            public_url=(env.get(ENV_PUBLIC_URL) or base.public_url).rstrip("/"),
            site_data=env.get(ENV_SITE_DATA, ""),
            optin_days=days,
            webhook_url=env.get(ENV_WEBHOOK_URL, ""),
            webhook_secret=env.get(ENV_WEBHOOK_SECRET, ""),
        )

    def recipients(self, landing: str) -> tuple[str, ...]:
        """Who is told of a lead on ``landing``: its own list, else the site default."""
        return dict(self.notify_by_landing).get(landing) or self.notify

    def resolved_mail_dir(self, db_path: Path) -> Path:
        return self.mail_dir or Path(db_path).parent / "mail"

    def signing_key(self, db_path: Path) -> bytes:
        """The configured secret, or one made at random on first use and kept (mode 0600) next
        to the database: links stay valid across restarts with nothing configured."""
        if self.secret:
            return self.secret.encode("utf-8")
        path = Path(db_path).parent / SECRET_FILE
        try:
            return path.read_bytes().strip()
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode("ascii")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        return key


def parse_notify(text: str) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """``"owner@x.it; guida-gratuita=a@x.it,b@x.it"`` -> (default, per landing)."""
    default: list[str] = []
    by_landing: dict[str, list[str]] = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        slug, sep, addresses = part.partition("=")
        target = by_landing.setdefault(slug.strip(), []) if sep else default
        target.extend(a.strip() for a in (addresses if sep else part).split(",") if a.strip())
    return tuple(default), tuple((slug, tuple(group)) for slug, group in by_landing.items())
