"""The emails of the lead loop, in Italian: the owner's notification, the visitor's double opt-in
confirmation and the landing page's autoresponder. Each is built as an outbox payload.

Plain text only: nothing a visitor typed is ever interpreted as markup, and every value that
goes into a header passes through ``mailer.header_text``.
"""

from __future__ import annotations

from datetime import datetime
from string import Template

from approdo import lead_form
from approdo.events import ROME

from . import mailer

OWNER_SUBJECT = Template("$what da «$page»: $who")
OWNER_BODY = Template("""$intro «$page».
Per rispondere usa «Rispondi»: la risposta arriva direttamente a $email.

$visitor

Messaggio:
$message

Consenso al marketing: $marketing
Versione del testo del consenso: $consent_version
Versione dell'informativa privacy: $privacy_version

Campagna:
$campaign

Pagina del modulo: $page_url
Pagina di provenienza: $referrer
Ricevuto il $received (ora italiana)
""")

CONFIRM_SUBJECT = "Conferma la tua iscrizione"
CONFIRM_BODY = Template("""Ciao$name,

dalla pagina «$page» hai chiesto di ricevere le nostre comunicazioni. Per confermare,
apri questo link entro $days giorni:

$confirm

Finché non confermi non ti scriviamo. Se non sei stato tu, ignora questa email.

Hai accettato questo testo:
«$consent_text»

Puoi revocare il consenso in qualsiasi momento, con un clic:
$withdraw
""")

AUTORESPONDER_BODY = Template("""$text
$download
--
Non vuoi ricevere altre email da noi? Revoca il consenso con un clic:
$withdraw
""")

MARKETING = {True: "richiesto, in attesa di conferma via email (doppio opt-in)", False: "non dato"}


def italian_time(moment: datetime) -> str:
    return moment.astimezone(ROME).strftime("%d/%m/%Y alle %H:%M")


def unsubscribe_headers(withdraw_url: str) -> tuple[tuple[str, str], ...]:
    """RFC 8058 one-click unsubscribe: mail programs show their own «Annulla iscrizione»."""
    return (("List-Unsubscribe", f"<{withdraw_url}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))


# A new lead, or a repeat merged into a recent one (its new message is appended there).
OWNER_KIND = {False: ("Nuovo contatto", "Hai ricevuto un nuovo contatto dalla pagina"),
              True: ("Contatto aggiornato", "Una persona che ti aveva già scritto ha inviato di nuovo il "
                                            "modulo della pagina")}


def owner_notification(lead: dict[str, str], page: str, sender: str, to: tuple[str, ...],
                       now: datetime, repeat: bool = False) -> dict:
    visitor = [f"{field.label}: {lead[field.name]}" for field in lead_form.FIELDS
               if field.group == lead_form.VISITOR and field.name != "message" and lead.get(field.name)]
    campaign = [f"  {name}: {lead[name]}" for name in lead_form.UTM_FIELDS if lead.get(name)]
    what, intro = OWNER_KIND[repeat]
    body = OWNER_BODY.substitute(
        intro=intro, page=page, email=lead["email"], visitor="\n".join(visitor),
        message=lead.get("message") or "(nessun messaggio)",
        marketing=MARKETING[lead.get("marketing_consent") == lead_form.CONSENT_GIVEN],
        consent_version=lead.get("consent_version", ""), privacy_version=lead.get("privacy_version", ""),
        campaign="\n".join(campaign) or "  (nessun parametro utm: visita diretta o link non tracciato)",
        page_url=lead.get("page_url") or "(non indicata)", referrer=lead.get("referrer") or "(nessuna)",
        received=italian_time(now),
    )
    subject = OWNER_SUBJECT.substitute(what=what, page=page, who=lead.get("name") or lead["email"])
    return mailer.build(sender=sender, to=to, subject=subject, body=body, now=now,
                        reply_to=(lead["email"], lead.get("name", "")))


def confirmation(lead: dict[str, str], page: str, consent_text: str, confirm_url: str, withdraw_url: str,
                 days: float, sender: str, now: datetime) -> dict:
    name = lead.get("name", "")
    body = CONFIRM_BODY.substitute(
        name=f" {name}" if name else "", page=page, days=f"{days:g}", confirm=confirm_url,
        consent_text=consent_text or "(testo non disponibile)", withdraw=withdraw_url,
    )
    return mailer.build(sender=sender, to=(lead["email"],), subject=CONFIRM_SUBJECT, body=body, now=now,
                        extra_headers=unsubscribe_headers(withdraw_url))


def autoresponder(lead: dict[str, str], reply: dict, withdraw_url: str, sender: str, now: datetime) -> dict:
    download = f"\n{reply.get('download_label') or 'Scarica'}: {reply['download']}\n" if reply.get("download") else ""
    body = AUTORESPONDER_BODY.substitute(text=reply["text"], download=download, withdraw=withdraw_url)
    return mailer.build(sender=sender, to=(lead["email"],), subject=reply["subject"], body=body, now=now,
                        extra_headers=unsubscribe_headers(withdraw_url))
