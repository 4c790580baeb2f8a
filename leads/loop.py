"""The lead loop, wired together: what a new lead sets off, and the links its emails carry.

For each stored lead, in the same transaction: its consent row (``optin``), the owner's
notification, the double opt-in confirmation (marketing box ticked), the landing page's
autoresponder and the webhook call, all queued in the outbox. The outbox worker sends them
after the visitor has had the answer. ``LeadApp`` calls ``prepare`` before storing a lead
(everything slow happens there, outside the write lock) and serves the links with ``open_link``.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable
from urllib.parse import quote, urlsplit

from approdo import lead_form

from . import notify, optin, outbox, webhook
from .config import Settings
from .consent import SiteData
from .mailer import FolderTransport, SmtpTransport
from .pages import notice_page
from .storage import Store, timestamp
from .webhook import WebhookTransport

log = logging.getLogger("leads.loop")

CONFIRM_PATH = "/leads/conferma"
WITHDRAW_PATH = "/leads/revoca"
PATHS = {CONFIRM_PATH: optin.CONFIRM, WITHDRAW_PATH: optin.WITHDRAW}

# (status, title, message) of the page each outcome of a link shows.
OUTCOMES = {
    optin.CONFIRMED: (200, "Iscrizione confermata",
                      "Grazie: hai confermato il consenso a ricevere le nostre comunicazioni. "
                      "Puoi revocarlo in qualsiasi momento con il link in fondo a ogni nostra email."),
    optin.ALREADY_CONFIRMED: (409, "Iscrizione già confermata",
                              "Questo link è già stato usato: la tua iscrizione risulta confermata. "
                              "Non è cambiato nulla."),
    optin.EXPIRED: (410, "Link scaduto",
                    "Il link di conferma è scaduto e l'iscrizione non è stata confermata. "
                    "Se vuoi iscriverti, compila di nuovo il modulo sul sito. Non è cambiato nulla."),
    optin.INVALID: (400, "Link non valido",
                    "Questo link non è valido: forse è stato copiato solo in parte. Non è cambiato nulla."),
    optin.WITHDRAWN: (200, "Consenso revocato",
                      "Non riceverai più comunicazioni di marketing da noi. La tua richiesta resta "
                      "registrata solo per poterti rispondere."),
    optin.ALREADY_WITHDRAWN: (200, "Consenso già revocato",
                              "Il consenso risulta già revocato: non riceverai comunicazioni di "
                              "marketing. Non è cambiato nulla."),
}


@dataclass(frozen=True)
class Plan:
    """What one post will queue, gathered before its transaction (reading the site data may
    wait on the network); ``then`` runs inside it and queues the messages, whose links need the
    lead's consent token. A repeat merged into a stored lead (``Store.add_lead`` answering
    UPDATED) keeps that lead's token: the links of its earlier emails go on working."""

    loop: "LeadLoop"
    values: dict[str, str]
    landing: dict
    now: datetime

    def then(self, conn: sqlite3.Connection, lead_id: int) -> None:
        loop, values, now = self.loop, self.values, self.now
        settings = loop.settings
        marketing = values.get("marketing_consent") == lead_form.CONSENT_GIVEN
        stored = conn.execute("SELECT token, confirmed_at FROM consents WHERE lead_id = ?", (lead_id,)).fetchone()
        repeat = stored is not None
        if repeat:
            token = stored["token"]
            ask = marketing and not stored["confirmed_at"]
            if ask:  # consent given (again) in the repeat: a new confirmation request
                optin.renew_request(conn, lead_id, now, settings.optin_days)
        else:
            token = optin.new_token()
            ask = marketing
            optin.register_token(conn, lead_id, token, marketing, now, settings.optin_days)
        page = self.landing.get("title") or values["landing"]
        withdraw_url = loop.link(WITHDRAW_PATH, optin.WITHDRAW, token, None)
        emails = []
        recipients = settings.recipients(values["landing"])
        if recipients:
            emails.append(notify.owner_notification(values, page, settings.sender, recipients, now, repeat))
        if ask:
            confirm_url = loop.link(CONFIRM_PATH, optin.CONFIRM, token, now + timedelta(days=settings.optin_days))
            emails.append(notify.confirmation(values, page, loop.site.consent_text(values["consent_version"]),
                                              confirm_url, withdraw_url, settings.optin_days, settings.sender, now))
        if self.landing.get("autoresponder") and not repeat:
            emails.append(notify.autoresponder(values, self.landing["autoresponder"], withdraw_url,
                                               settings.sender, now))
        for message in emails:
            outbox.enqueue(conn, outbox.EMAIL, message, now=now, lead_id=lead_id)
        if settings.webhook_url:
            event = webhook.LEAD_UPDATED if repeat else webhook.LEAD
            data = {"id": lead_id, "received_at": timestamp(now), **values}
            outbox.enqueue(conn, outbox.WEBHOOK, webhook.payload(event, data, timestamp(now)),
                           now=now, lead_id=lead_id)


class LeadLoop:
    def __init__(self, settings: Settings, store: Store, clock: Callable[[], datetime]):
        self.settings = settings.loop
        self.site_origin = settings.primary_origin
        self.store = store
        self.clock = clock
        loop = self.settings
        self.key = loop.signing_key(settings.db_path)
        self.site = SiteData(loop.site_data, store)
        self.mail_dir = loop.resolved_mail_dir(settings.db_path)
        transport = (SmtpTransport(loop.smtp_host, loop.smtp_port, loop.smtp_security, loop.smtp_user,
                                   loop.smtp_password, loop.smtp_timeout)
                     if loop.smtp_host else FolderTransport(self.mail_dir))
        senders: dict[str, outbox.Sender] = {outbox.EMAIL: transport.send}
        if loop.webhook_url:
            senders[outbox.WEBHOOK] = WebhookTransport(loop.webhook_url, loop.webhook_secret).send
        self.worker = outbox.OutboxWorker(
            store, senders, retry_base=loop.retry_base, retry_max=loop.retry_max,
            max_attempts=loop.max_attempts, poll_interval=loop.poll_interval, clock=clock,
            housekeeping=(lambda now: optin.expire(store, now),),
            finishers=(transport.finish,) if isinstance(transport, SmtpTransport) else ())

    def start(self) -> None:
        if self.site.checking:
            self.site.load(self.clock())
        if _is_loopback(self.settings.public_url) and not _is_loopback(self.site_origin):
            log.warning("links in emails point to %s, which visitors cannot reach: set "
                        "APPRODO_LEADS_PUBLIC_URL (or --public-url)", self.settings.public_url)
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    def wake(self) -> None:
        self.worker.wake()

    # --- a new lead -----------------------------------------------------------------------

    def versions_known(self, values: dict[str, str], now: datetime) -> bool | None:
        return self.site.known(values["consent_version"], values["privacy_version"], now)

    def link(self, path: str, action: bytes, token: str, expires: datetime | None) -> str:
        return f"{self.settings.public_url}{path}?t={quote(optin.sign(self.key, action, token, expires))}"

    def prepare(self, values: dict[str, str], now: datetime) -> Plan:
        return Plan(self, values, self.site.landing(values["landing"], now), now)

    # --- links from the emails ------------------------------------------------------------

    def open_link(self, path: str, signed: str, now: datetime) -> tuple[int, bytes, str]:
        """(status, page, outcome) of opening a confirmation or withdrawal link."""
        action = PATHS[path]
        outcome, token = optin.verify(self.key, action, signed, now)
        if not outcome:
            with self.store.write() as conn:
                change = optin.confirm if action == optin.CONFIRM else optin.withdraw
                outcome, row = change(conn, token, now)
                event = {optin.CONFIRMED: webhook.CONSENT_CONFIRMED,
                         optin.WITHDRAWN: webhook.CONSENT_WITHDRAWN}.get(outcome)
                if event and row is not None and self.settings.webhook_url:
                    data = {"id": row["lead_id"], "email": row["email"], "landing": row["landing"]}
                    outbox.enqueue(conn, outbox.WEBHOOK, webhook.payload(event, data, timestamp(now)),
                                   now=now, lead_id=row["lead_id"])
            self.wake()
        status, title, message = OUTCOMES[outcome]
        return status, notice_page(title, message, self.site_origin + "/"), outcome


def _is_loopback(url: str) -> bool:
    return urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")
