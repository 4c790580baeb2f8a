"""The weekly digest: the week's funnel in a few Italian lines, the full report attached as one
HTML page, emailed to the owner (``approdo-leads digest``, run by cron).

It goes through the lead loop's durable outbox (``leads/outbox.py``), like every email of the
receiver: the running receiver sends it by SMTP, or writes it into its folder of ``.eml`` files
when no SMTP host is configured (``approdo-leads mail`` lists them). Queued while the receiver is
stopped, it leaves when the receiver starts again.
"""

from __future__ import annotations

import argparse
import os
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

from approdo.events import italian_date

from . import mailer, outbox
from .config import SettingsError
from .loop_settings import ENV_NOTIFY, ENV_SENDER, LoopSettings
from .report import Report, Row
from .report_page import italian_percent, render_html
from .storage import Store, utcnow

ENV_TO = "APPRODO_DIGEST_TO"


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", action="append", metavar="ADDRESS",
                        help=f"the owner's address (repeatable; default: ${ENV_TO}, else the site-wide "
                             f"notification addresses of ${ENV_NOTIFY})")
    parser.add_argument("--sender", metavar="ADDRESS",
                        help=f"the From address (default: ${ENV_SENDER}, as for every email of the receiver)")


def summary(report: Report) -> str:
    """The body: the week's funnel in a few lines of Italian."""
    t = report.totals
    # The report always compares with the period before; an empty row reads as zeros.
    before = t.previous if t.previous is not None else Row(t.key)
    last_day = report.period.end - timedelta(days=1)
    lines = [
        f"Ecco come è andata dal {italian_date(report.period.start)} al {italian_date(last_day)}",
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


def recipients(args: argparse.Namespace, loop: LoopSettings) -> tuple[str, ...]:
    found = tuple(args.to or ()) or tuple(os.environ.get(ENV_TO, "").replace(",", " ").split()) or loop.notify
    if not found:
        raise SettingsError(f"digest: no recipient (pass --to ADDRESS, or set ${ENV_TO} or ${ENV_NOTIFY})")
    for address in found:
        if "@" not in parseaddr(address)[1] or any(c in address for c in "\r\n,;<>"):
            raise SettingsError(f"digest: {address!r} is not an email address")
    return found


def send(report: Report, args: argparse.Namespace, db_path: Path) -> str:
    """Queue the digest in the outbox; returns what happened, for the command's output."""
    now = utcnow()
    loop = LoopSettings.from_env()
    last_day = report.period.end - timedelta(days=1)
    payload = mailer.build(
        sender=args.sender or loop.sender, to=recipients(args, loop), now=now,
        subject=f"Approdo: {report.totals.leads} lead dal {italian_date(report.period.start)} al {italian_date(last_day)}",
        body=summary(report),
        attachments=((f"approdo-rapporto-{last_day.isoformat()}.html", "text/html", render_html(report)),))
    store = Store(db_path)
    try:
        with store.write() as conn:
            number = outbox.enqueue(conn, outbox.EMAIL, payload, now=now)
    finally:
        store.close()
    return f"queued in the outbox (message {number}); the running receiver sends it"
