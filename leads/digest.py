"""The weekly digest: the week's funnel in a few Italian lines, the full report attached as one
HTML page, emailed to the owner (``approdo-leads digest``, run by cron).

Delivery follows the lead loop (issue #10): through its durable outbox when the receiver has
one (sent by the running receiver's worker, by SMTP or into its mail folder); otherwise the
email is written straight into the same folder of ``.eml`` files (``$APPRODO_MAIL_DIR``, by
default ``mail`` next to the database), whole or not at all.
"""

from __future__ import annotations

import argparse
import importlib
import os
import secrets
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import format_datetime, parseaddr
from pathlib import Path

from .config import SettingsError
from .report import Report
from .report_page import italian_day, italian_percent, render_html
from .storage import Store, utcnow

# The lead loop's names (leads/loop_settings.py), so both write to the same place.
ENV_MAIL_DIR = "APPRODO_MAIL_DIR"
ENV_SENDER = "APPRODO_MAIL_FROM"
ENV_TO = "APPRODO_DIGEST_TO"
DEFAULT_SENDER = "Approdo <noreply@localhost>"


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", action="append", metavar="ADDRESS",
                        help=f"the owner's address (repeatable; default: ${ENV_TO}, comma-separated)")
    parser.add_argument("--sender", metavar="ADDRESS",
                        help=f"the From address (default: ${ENV_SENDER} or {DEFAULT_SENDER})")
    parser.add_argument("--mail-dir", type=Path, metavar="DIR",
                        help=f"where .eml files go without an outbox (default: ${ENV_MAIL_DIR} "
                             "or 'mail' next to the database)")


def summary(report: Report) -> str:
    """The body: the week's funnel in a few lines of Italian."""
    t, before = report.totals, report.totals.previous
    last_day = report.period.end - timedelta(days=1)
    lines = [
        f"Ecco come è andata dal {italian_day(report.period.start)} al {italian_day(last_day)}",
        f"(tra parentesi i {report.period.days} giorni prima).",
        "",
        f"Clic sui link: {t.clicks} ({before.clicks})",
        f"Visite alle landing page: {t.views} ({before.views})",
        f"Lead: {t.leads} ({before.leads})",
        f"Consensi marketing confermati: {t.confirmed} ({before.confirmed})",
        f"Conversione visite → lead: {italian_percent(t.conversion)} ({italian_percent(before.conversion)})",
    ]
    best = [row for row in report.dimensions["channel"] if row.leads][:3]
    if best:
        lines += ["", "Canali che hanno portato lead:"]
        lines += [f"- {row.key}: {row.leads} lead su {row.views} visite ({italian_percent(row.conversion)})"
                  for row in best]
    idle = [(name, row) for name, row in report.not_converted if name == "channel"][:3]
    if idle:
        lines += ["", "Visite senza lead:"]
        lines += [f"- {row.key}: {row.views} visite, {row.clicks} clic" for _, row in idle]
    lines += ["", "Il rapporto completo, con i grafici, è nell'allegato (si apre nel browser, anche sul telefono).",
              "", "Conteggi aggregati, senza cookie né dati che identifichino i visitatori."]
    return "\n".join(lines) + "\n"


def message(report: Report, sender: str, to: list[str], now: datetime) -> EmailMessage:
    email = EmailMessage(policy=default)
    email["From"] = sender
    email["To"] = ", ".join(to)
    last_day = report.period.end - timedelta(days=1)
    email["Subject"] = (f"Approdo: {report.totals.leads} lead dal {italian_day(report.period.start)} "
                        f"al {italian_day(last_day)}")
    email["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    email["Message-ID"] = f"<digest.{now:%Y%m%d%H%M%S}.{secrets.token_hex(6)}@{domain}>"
    email.set_content(summary(report))
    email.add_attachment(render_html(report).encode("utf-8"), maintype="text", subtype="html",
                         filename=f"approdo-rapporto-{last_day.isoformat()}.html")
    return email


def payload(email: EmailMessage, now: datetime) -> dict:
    """The lead loop's email payload: envelope, file name and the RFC 5322 text."""
    return {
        "sender": parseaddr(str(email["From"]))[1],
        "to": [parseaddr(address)[1] for address in str(email["To"]).split(",")],
        "name": f"{now:%Y%m%dT%H%M%S}-digest-{secrets.token_hex(4)}",
        "message": email.as_bytes(policy=SMTP).decode("ascii"),
    }


def recipients(args: argparse.Namespace) -> list[str]:
    found = list(args.to or []) or os.environ.get(ENV_TO, "").replace(",", " ").split()
    if not found:
        raise SettingsError(f"digest: no recipient (pass --to ADDRESS or set ${ENV_TO})")
    for address in found:
        if "@" not in parseaddr(address)[1] or any(c in address for c in "\r\n"):
            raise SettingsError(f"digest: {address!r} is not an email address")
    return found


def send(report: Report, args: argparse.Namespace, db_path: Path) -> str:
    """Queue or write the digest; returns where it went, for the command's output."""
    now = utcnow()
    sender = args.sender or os.environ.get(ENV_SENDER) or DEFAULT_SENDER
    data = payload(message(report, sender, recipients(args), now), now)
    outbox = _outbox()
    if outbox is not None:
        store = Store(db_path)
        try:
            with store.write() as conn:
                number = outbox.enqueue(conn, outbox.EMAIL, data, now=now)
        finally:
            store.close()
        return f"queued in the outbox (message {number}), sent by the running receiver"
    folder = args.mail_dir or Path(os.environ.get(ENV_MAIL_DIR) or Path(db_path).parent / "mail")
    return f"written to {write_eml(folder, data)}"


def _outbox():
    """The lead loop's outbox module (issue #10), or None on a receiver without one."""
    try:
        module = importlib.import_module("leads.outbox")
    except ImportError:
        return None
    return module if hasattr(module, "enqueue") else None


def write_eml(folder: Path, data: dict) -> Path:
    """One ``.eml`` file, readable by its owner only, whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"{data['name']}.eml"
    temporary = target.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii", newline="") as out:
        out.write(data["message"])
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)
    return target
