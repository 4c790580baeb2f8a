"""The lead loop with real parts: the receiver over HTTP on 127.0.0.1, its SQLite file, and a real
SMTP server (aiosmtpd) in this process — one that accepts, one that refuses with a 5xx, one that
cuts the connection, one that is down for a while — plus a local webhook endpoint.

What a user would see is asserted: the emails as the SMTP server received them (headers, text,
links), the pages the links open, the export, the `outbox`, `mail` and `consent` commands.
"""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from leads import mailer, outbox
from leads.app import LeadApp
from leads.cli import main
from leads.config import Settings
from leads.harness import (CONSENT_TEXT, SITE, MailSink, free_port, post_form, post_json, request, running,
                           sample_lead, write_site_data)
from leads.loop_settings import LoopSettings
from leads.storage import Store, timestamp, utcnow

ROOT = Path(__file__).resolve().parent.parent
OWNER = "titolare@example.it"
LANDINGS = {
    "guida-gratuita": {
        "title": "Guida gratuita: dai social ai clienti", "url": f"{SITE}/landing/guida-gratuita/",
        "autoresponder": {"subject": "La tua guida", "text": "Ecco la guida che hai chiesto.",
                          "download": f"{SITE}/assets/guida.pdf", "download_label": "Scarica la guida (PDF)"},
    },
    "consulenza": {"title": "Consulenza\r\nBcc: evil@example.com", "url": f"{SITE}/landing/consulenza/",
                   "autoresponder": None},
}


def poll(condition, timeout: float = 15.0, what: str = "condition"):
    """Wait for ``condition()`` to be truthy (no fixed sleeps); returns its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class Clock:
    """The real time plus a shift a test can move forward (link expiry)."""

    def __init__(self):
        self.shift = timedelta()

    def __call__(self):
        return utcnow() + self.shift


def make_settings(tmp_path: Path, **loop) -> Settings:
    defaults = dict(notify=(OWNER,), site_data=write_site_data(tmp_path / "site", landings=LANDINGS),
                    public_url="http://127.0.0.1:8001", retry_base=0.05, retry_max=0.2, poll_interval=0.1,
                    sender="Agenzia Approdo <noreply@approdo.example>")
    return Settings(db_path=tmp_path / "leads.sqlite3", rate_limit=0, loop=LoopSettings(**{**defaults, **loop}))


def smtp(sink: MailSink, **extra) -> dict:
    return dict(smtp_host="127.0.0.1", smtp_port=sink.port, smtp_security="none", **extra)


def outbox_rows(db: Path) -> list:
    store = Store(db)
    try:
        with store.connection() as conn:
            return conn.execute("SELECT * FROM outbox ORDER BY id").fetchall()
    finally:
        store.close()


def by_subject(messages: list[dict], start: str) -> dict:
    found = [m for m in messages if str(m["message"]["Subject"]).startswith(start)]
    assert len(found) == 1, [str(m["message"]["Subject"]) for m in messages]
    return found[0]


def link(text: str, path: str) -> str:
    found = re.findall(rf"http://127\.0\.0\.1:8001{path}\?t=[A-Za-z0-9_.%-]+", text)
    assert found, text
    return found[0]


def open_link(port: int, url: str, method: str = "GET", body: bytes = b""):
    parts = urlsplit(url)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    return request(port, method, f"{parts.path}?{parts.query}", body, headers)


def export(db: Path, capsys, *args: str) -> list[dict]:
    capsys.readouterr()
    assert main(["export", "--db", str(db), "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


# --- notification and double opt-in ---------------------------------------------------------

def test_owner_is_notified_in_italian_with_reply_to_campaign_and_consent(tmp_path):
    with MailSink() as sink, running(LeadApp(make_settings(tmp_path, **smtp(sink)))) as port:
        fields = sample_lead("anna@example.it", utm_content="video", message="Vorrei un preventivo.\nGrazie")
        assert post_json(port, fields).status == 201
        messages = sink.wait_for(3)
    assert len(messages) == 3  # owner, confirmation, autoresponder
    owner = by_subject(messages, "Nuovo contatto")
    assert owner["to"] == [OWNER] and owner["from"] == "noreply@approdo.example"
    message = owner["message"]
    assert message["Subject"] == "Nuovo contatto da «Guida gratuita: dai social ai clienti»: Anna Verdi"
    assert message["Reply-To"].addresses[0].addr_spec == "anna@example.it"
    assert message["Reply-To"].addresses[0].display_name == "Anna Verdi"
    text = mailer.text_of(message)
    for expected in ("utm_source: facebook", "utm_medium: social", "utm_campaign: guida", "utm_content: video",
                     "Vorrei un preventivo.\nGrazie", "Consenso al marketing: richiesto, in attesa di conferma",
                     "Email: anna@example.it", "Nome e cognome: Anna Verdi", "ora italiana"):
        assert expected in text, expected
    rows = outbox_rows(tmp_path / "leads.sqlite3")
    assert rows and all(row["state"] == outbox.SENT and row["payload"] == "{}" for row in rows)


def test_recipients_per_landing_page_and_no_consent_no_confirmation(tmp_path):
    loop = smtp(MailSink(), notify_by_landing=(("consulenza", ("studio@example.it", "socio@example.it")),))
    with MailSink(port=loop["smtp_port"]) as sink, running(LeadApp(make_settings(tmp_path, **loop))) as port:
        assert post_json(port, sample_lead("bruno@example.it", "consulenza", marketing_consent="")).status == 201
        messages = sink.wait_for(1)
        assert post_json(port, sample_lead("carla@example.it", marketing_consent="")).status == 201
        messages = sink.wait_for(3)
    assert len(messages) == 3  # studio's notification; the default owner's and Carla's autoresponder
    assert messages[0]["to"] == ["studio@example.it", "socio@example.it"]
    # The landing title published with a line break stays inside the subject.
    assert messages[0]["message"]["Subject"].startswith("Nuovo contatto da «Consulenza Bcc: evil@example.com»")
    assert messages[0]["message"]["Bcc"] is None
    assert "Consenso al marketing: non dato" in mailer.text_of(messages[0]["message"])
    assert not [m for m in messages if m["message"]["Subject"] == "Conferma la tua iscrizione"]


def test_confirmation_link_confirms_once_and_export_shows_only_confirmed(tmp_path, capsys):
    db = tmp_path / "leads.sqlite3"
    with MailSink() as sink, running(LeadApp(make_settings(tmp_path, **smtp(sink)))) as port:
        assert post_json(port, sample_lead("anna@example.it")).status == 201
        confirmation = by_subject(sink.wait_for(3), "Conferma la tua iscrizione")
        assert confirmation["to"] == ["anna@example.it"]
        text = mailer.text_of(confirmation["message"])
        assert CONSENT_TEXT in text
        assert export(db, capsys)[0]["marketing_consent"] is False  # ticked, not yet confirmed
        url = link(text, "/leads/conferma")
        page = open_link(port, url)
        assert page.status == 200 and "Iscrizione confermata" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'none'")
        [lead] = export(db, capsys)
        assert lead["marketing_consent"] is True and lead["consent_confirmed_at"]
        again = open_link(port, url)
        assert again.status == 409 and "già confermata" in again.text and "Non è cambiato nulla" in again.text
        assert export(db, capsys)[0]["consent_confirmed_at"] == lead["consent_confirmed_at"]


def test_tampered_and_expired_links_change_nothing(tmp_path, capsys):
    db = tmp_path / "leads.sqlite3"
    clock = Clock()
    with MailSink() as sink, running(LeadApp(make_settings(tmp_path, **smtp(sink)), clock=clock)) as port:
        assert post_json(port, sample_lead("anna@example.it")).status == 201
        url = link(mailer.text_of(by_subject(sink.wait_for(3), "Conferma")["message"]), "/leads/conferma")
        body, _, mac = url.partition("?t=")[2].partition(".")
        flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
        for bad in (f"{flipped}.{mac}", f"{body}.{mac[:-1]}", "", "abc", f"{body}."):
            page = open_link(port, f"http://127.0.0.1:8001/leads/conferma?t={bad}")
            assert page.status == 400 and "Link non valido" in page.text, bad
        # A withdrawal link is no confirmation link (and the other way round).
        withdraw = link(mailer.text_of(by_subject(sink.received, "Conferma")["message"]), "/leads/revoca")
        assert open_link(port, withdraw.replace("/revoca", "/conferma")).status == 400
        clock.shift = timedelta(days=8)
        page = open_link(port, url)
        assert page.status == 410 and "Link scaduto" in page.text
        [lead] = export(db, capsys)
        assert lead["marketing_consent"] is False and lead["consent_confirmed_at"] == ""
        capsys.readouterr()
        assert main(["consent", "--db", str(db), "--email", "ANNA@example.it"]) == 0
        assert "confirmed:       no" in capsys.readouterr().out


def test_withdrawal_by_link_and_by_rfc8058_one_click_keeps_the_lead(tmp_path, capsys):
    db = tmp_path / "leads.sqlite3"
    with MailSink() as sink, running(LeadApp(make_settings(tmp_path, **smtp(sink)))) as port:
        assert post_json(port, sample_lead("anna@example.it")).status == 201
        assert post_json(port, sample_lead("bruno@example.it")).status == 201
        messages = sink.wait_for(6)
        to_visitors = [m for m in messages if m["to"] != [OWNER]]
        assert len(to_visitors) == 4
        for message in to_visitors:  # confirmation and autoresponder alike
            assert message["message"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert re.fullmatch(r"<http://127\.0\.0\.1:8001/leads/revoca\?t=\S+>",
                                message["message"]["List-Unsubscribe"])
            assert link(mailer.text_of(message["message"]), "/leads/revoca")
        anna = [m for m in to_visitors if m["to"] == ["anna@example.it"]]
        confirm = link(mailer.text_of(by_subject(anna, "Conferma")["message"]), "/leads/conferma")
        assert open_link(port, confirm).status == 200
        page = open_link(port, link(mailer.text_of(anna[0]["message"]), "/leads/revoca"))
        assert page.status == 200 and "Consenso revocato" in page.text
        bruno = [m for m in to_visitors if m["to"] == ["bruno@example.it"]][0]["message"]
        one_click = bruno["List-Unsubscribe"].strip("<>")
        assert open_link(port, one_click, "POST", b"List-Unsubscribe=One-Click").status == 200
        assert "già revocato" in open_link(port, one_click, "POST", b"List-Unsubscribe=One-Click").text
    leads = {lead["email"]: lead for lead in export(db, capsys)}
    assert set(leads) == {"anna@example.it", "bruno@example.it"}  # withdrawing erases nothing
    assert leads["anna@example.it"]["consent_confirmed_at"] and leads["anna@example.it"]["consent_withdrawn_at"]
    assert not any(lead["marketing_consent"] for lead in leads.values())
    capsys.readouterr()
    assert main(["consent", "--db", str(db), "--email", "anna@example.it", "--json"]) == 0
    [proof] = json.loads(capsys.readouterr().out)
    assert proof["consent_text"] == CONSENT_TEXT and proof["landing"] == "guida-gratuita"
    assert proof["confirmed_at"] and proof["withdrawn_at"] and proof["campaign"]["utm_source"] == "facebook"


def test_autoresponder_sends_the_download_link(tmp_path):
    with MailSink() as sink, running(LeadApp(make_settings(tmp_path, **smtp(sink)))) as port:
        assert post_json(port, sample_lead("anna@example.it", marketing_consent="")).status == 201
        reply = by_subject(sink.wait_for(2), "La tua guida")
    assert reply["to"] == ["anna@example.it"]
    text = mailer.text_of(reply["message"])
    assert "Ecco la guida che hai chiesto." in text
    assert f"Scarica la guida (PDF): {SITE}/assets/guida.pdf" in text


# --- the consent ledger -----------------------------------------------------------------------

def test_unknown_consent_version_is_refused_and_nothing_stored(tmp_path):
    db = tmp_path / "leads.sqlite3"
    with running(LeadApp(make_settings(tmp_path))) as port:
        for field in ("consent_version", "privacy_version"):
            reply = post_json(port, sample_lead("anna@example.it", **{field: "0123456789ab"}))
            assert reply.status == 400 and "ricarica la pagina" in reply.json()["message"]
        page = post_form(port, sample_lead("anna@example.it", consent_version="0123456789ab"))
        assert page.status == 400 and "non è aggiornato" in page.text
        assert post_json(port, sample_lead("ok@example.it")).status == 201
    store = Store(db)
    try:
        assert [row["email"] for row in store.leads()] == ["ok@example.it"]
    finally:
        store.close()
    rows = outbox_rows(db)
    assert rows and all(row["lead_id"] is not None for row in rows)


def test_a_newly_published_wording_is_accepted_without_restart(tmp_path):
    settings = make_settings(tmp_path)
    with running(LeadApp(settings)) as port:
        assert post_json(port, sample_lead("a@example.it", consent_version="0123456789ab")).status == 400
        from approdo.lead_form import text_version
        new_text = "Nuovo testo del consenso."
        write_site_data(Path(settings.loop.site_data), consent_text=new_text, landings=LANDINGS)
        reply = poll(lambda: (r := post_json(port, sample_lead("b@example.it", consent_version=text_version(
            new_text)))).status == 201 and r, what="the new wording to be accepted")
        assert reply.status == 201


# --- SMTP failures ----------------------------------------------------------------------------

def test_refusing_server_marks_failed_and_outbox_retry_sends_again(tmp_path, capsys):
    db = tmp_path / "leads.sqlite3"
    with MailSink(behaviour="refuse") as sink, \
            running(LeadApp(make_settings(tmp_path, **smtp(sink), notify=(OWNER,)))) as port:
        assert post_json(port, sample_lead("anna@example.it", marketing_consent="")).status == 201
        rows = poll(lambda: (rows := outbox_rows(db)) and all(r["state"] == outbox.FAILED for r in rows) and rows,
                    what="failure")
        assert len(rows) == 2 and all(r["attempts"] == 1 and "554" in r["last_error"] for r in rows)  # 5xx
        capsys.readouterr()
        assert main(["outbox", "list", "--db", str(db), "--failed"]) == 0
        listed = capsys.readouterr().out
        assert "failed" in listed and "554" in listed
        sink.behaviour = "accept"
        assert main(["outbox", "retry", "--db", str(db)]) == 0
        messages = sink.wait_for(2)
        assert len(messages) == 2
    rows = outbox_rows(db)
    assert rows and all(r["state"] == outbox.SENT for r in rows)


def test_dropped_connections_are_retried_with_back_off_and_sent_once(tmp_path):
    db = tmp_path / "leads.sqlite3"
    with MailSink(behaviour="drop") as sink, \
            running(LeadApp(make_settings(tmp_path, **smtp(sink)))) as port:
        assert post_json(port, sample_lead("anna@example.it", marketing_consent="")).status == 201
        rows = poll(lambda: (rows := outbox_rows(db)) and all(r["attempts"] >= 2 for r in rows) and rows,
                    what="retries")
        # Waiting for the next attempt, or in it (claimed): never failed, never sent.
        assert all(r["state"] in (outbox.PENDING, outbox.SENDING) and "closed the connection" in r["last_error"]
                   for r in rows)
        sink.behaviour = "accept"
        messages = sink.wait_for(2)
        poll(lambda: all(r["state"] == outbox.SENT for r in outbox_rows(db)), what="sent")
        assert len(sink.received) == 2 == len({m["message"]["Message-ID"] for m in messages})


def test_server_down_for_a_while_then_up(tmp_path):
    db = tmp_path / "leads.sqlite3"
    sink = MailSink()  # not started: nothing listens on its port
    with running(LeadApp(make_settings(tmp_path, **smtp(sink)))) as port:
        assert post_json(port, sample_lead("anna@example.it")).status == 201
        poll(lambda: (rows := outbox_rows(db)) and all(r["attempts"] >= 3 for r in rows), what="retries")
        with sink:
            messages = sink.wait_for(3)
            poll(lambda: all(r["state"] == outbox.SENT for r in outbox_rows(db)), what="sent")
    assert len(messages) == 3 and len(sink.received) == 3


def test_credentials_never_appear_in_errors_or_logs(tmp_path, caplog, capsys):
    db = tmp_path / "leads.sqlite3"
    password = "S3greto-Password"
    with MailSink(auth=("approdo", "another-password")) as sink, \
            running(LeadApp(make_settings(tmp_path, **smtp(sink, smtp_user="approdo", smtp_password=password)))) \
            as port:
        caplog.set_level("DEBUG")
        assert post_json(port, sample_lead("anna@example.it", marketing_consent="")).status == 201
        rows = poll(lambda: (rows := outbox_rows(db)) and all(r["state"] == outbox.FAILED for r in rows) and rows,
                    what="failure")
    assert rows and all("535" in r["last_error"] for r in rows)  # authentication refused: permanent
    capsys.readouterr()
    main(["outbox", "list", "--db", str(db)])
    # The receiver's own log (the test server's "mail.log" quotes what it was sent, on purpose).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("leads"))
    shown = capsys.readouterr().out + logged + "".join(r["last_error"] for r in outbox_rows(db))
    assert "535" in shown and "Credentials rejected: ***" in shown
    assert password not in shown and "S3greto" not in shown
    assert password not in repr(make_settings(tmp_path, smtp_password=password))


def test_header_injection_never_reaches_a_header(tmp_path):
    with MailSink() as sink, running(LeadApp(make_settings(tmp_path, **smtp(sink)))) as port:
        for field in ("name", "company", "email"):
            bad = {**sample_lead("anna@example.it"), field: "anna@example.it\r\nBcc: evil@example.com"}
            assert post_json(port, bad).status == 400, field
        sneaky = sample_lead("anna@example.it", name='Anna "Bcc: evil@example.com" <x@y>',
                             message="Ciao\r\nBcc: evil@example.com\r\n\r\nfine")
        assert post_json(port, sneaky).status == 201
        messages = sink.wait_for(3)
    assert messages and all(m["to"] in ([OWNER], ["anna@example.it"]) for m in messages)
    for received in messages:
        head = received["data"].split(b"\r\n\r\n", 1)[0]
        assert not re.search(rb"^Bcc:", head, re.MULTILINE | re.IGNORECASE)
        assert received["message"]["Bcc"] is None
    owner = by_subject(messages, "Nuovo contatto")["message"]
    assert owner["Reply-To"].addresses[0].addr_spec == "anna@example.it"


# --- durability: kill the receiver with messages pending -----------------------------------------

def serve_process(db: Path, sink: MailSink, site_data: str) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "APPRODO_SMTP_HOST": "127.0.0.1", "APPRODO_SMTP_PORT": str(sink.port),
           "APPRODO_SMTP_SECURITY": "none", "APPRODO_LEADS_NOTIFY": OWNER}
    process = subprocess.Popen(
        [sys.executable, "-m", "leads", "serve", "--port", "0", "--db", str(db), "--site-origin", SITE,
         "--rate-limit", "0", "--site-data", site_data],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    found = re.search(r":(\d+)/leads", line)
    assert found, line
    return process, int(found.group(1))


def test_killed_receiver_loses_no_message_and_sends_each_once(tmp_path):
    db = tmp_path / "leads.sqlite3"
    site_data = write_site_data(tmp_path / "site", landings=LANDINGS)
    sink = MailSink()  # down while the first receiver runs
    process, port = serve_process(db, sink, site_data)
    try:
        for number in range(5):
            assert post_json(port, sample_lead(f"lead{number}@example.it", "consulenza",
                                               marketing_consent="")).status == 201
        poll(lambda: len(outbox_rows(db)) == 5 and all(r["attempts"] >= 1 for r in outbox_rows(db)),
             what="failed attempts")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
    assert [r["state"] for r in outbox_rows(db)] == [outbox.PENDING] * 5
    # The first receiver's back-off (30 s by default) is brought forward to 2 s from now, as if
    # the receiver came back later: the new one must still wait for it ("outbox retry" is for
    # failed messages only), and the test need not wait half a minute.
    due = utcnow() + timedelta(seconds=2)
    store = Store(db)
    try:
        with store.connection() as conn:
            moved = conn.execute("UPDATE outbox SET due_at = ? WHERE state = ?", (timestamp(due), outbox.PENDING))
            assert moved.rowcount == 5
    finally:
        store.close()
    with sink:
        process, _ = serve_process(db, sink, site_data)
        try:
            messages = sink.wait_for(5, timeout=60)
            poll(lambda: all(r["state"] == outbox.SENT for r in outbox_rows(db)), timeout=30, what="sent")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            process.stdout.close()
    assert len(sink.received) == 5
    sent = sorted(r["sent_at"] for r in outbox_rows(db))
    assert sent and sent[0] >= timestamp(due), (sent, due)   # not before the back-off ended
    assert sorted(m["message"]["Reply-To"].addresses[0].addr_spec for m in messages) == [
        f"lead{n}@example.it" for n in range(5)]


# --- local mail folder (nothing configured) and the webhook ------------------------------------

def test_without_smtp_emails_go_to_a_folder_listed_by_mail_command(tmp_path, capsys):
    db = tmp_path / "leads.sqlite3"
    with running(LeadApp(make_settings(tmp_path))) as port:
        assert post_json(port, sample_lead("anna@example.it")).status == 201
        files = poll(lambda: len(list((tmp_path / "mail").glob("*.eml"))) == 3 and
                     sorted((tmp_path / "mail").glob("*.eml")), what="three .eml files")
        assert files and all(f.stat().st_mode & 0o777 == 0o600 for f in files)
        capsys.readouterr()
        assert main(["mail", "list", "--db", str(db)]) == 0
        listed = capsys.readouterr().out
        assert "Conferma la tua iscrizione" in listed and "Nuovo contatto" in listed and "La tua guida" in listed
        number = next(line.split()[0] for line in listed.splitlines() if "Conferma la tua" in line)
        assert main(["mail", "show", "--db", str(db), number]) == 0
        url = link(capsys.readouterr().out, "/leads/conferma")
        assert open_link(port, url).status == 200
    assert export(db, capsys)[0]["marketing_consent"] is True


class Hooked(http.server.BaseHTTPRequestHandler):
    calls: list[tuple[dict, bytes]] = []
    failures_left = 1

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Hooked.failures_left > 0:
            Hooked.failures_left -= 1
            self.send_response(503)
        else:
            Hooked.calls.append((dict(self.headers), body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_is_signed_retried_and_covers_consent_changes(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hooked)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = "webhook-secret"
    settings = make_settings(tmp_path, notify=(), webhook_url=f"http://127.0.0.1:{server.server_port}/hook",
                             webhook_secret=secret)
    try:
        with running(LeadApp(settings)) as port:
            assert post_json(port, sample_lead("anna@example.it")).status == 201
            poll(lambda: Hooked.calls, what="the webhook call")
            confirmation = poll(lambda: [p for p in (tmp_path / "mail").glob("*.eml")
                                         if "Conferma" in p.read_text()], what="confirmation")
            url = link(mailer.text_of(mailer.listing(confirmation[0].parent)[0][1]) + "".join(
                mailer.text_of(m) for _, m in mailer.listing(confirmation[0].parent)), "/leads/conferma")
            assert open_link(port, url).status == 200
            poll(lambda: len(Hooked.calls) == 2, what="the consent webhook call")
    finally:
        server.shutdown()
        server.server_close()
    events = []
    for headers, body in Hooked.calls:
        stamp = headers["X-Approdo-Timestamp"]
        expected = "sha256=" + hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Approdo-Signature"], expected)
        events.append(json.loads(body))
    assert [e["event"] for e in events] == ["lead.created", "consent.confirmed"]
    assert events[0]["data"]["email"] == "anna@example.it" and events[0]["data"]["utm_source"] == "facebook"
    assert events[1]["data"]["email"] == "anna@example.it"
    rows = outbox_rows(tmp_path / "leads.sqlite3")
    assert [r["attempts"] for r in rows if r["kind"] == outbox.WEBHOOK][0] == 1  # the 503, retried


def test_erasure_removes_unsent_messages_and_consent_state(tmp_path):
    db = tmp_path / "leads.sqlite3"
    sink = MailSink()  # down: everything stays queued
    with running(LeadApp(make_settings(tmp_path, **smtp(sink)))) as port:
        assert post_json(port, sample_lead("anna@example.it")).status == 201
        assert len(outbox_rows(db)) == 3
    store = Store(db)
    try:
        assert store.erase("anna@example.it") == 1
        with store.connection() as conn:
            assert conn.execute("SELECT count(*) FROM consents").fetchone()[0] == 0
    finally:
        store.close()
    assert outbox_rows(db) == []


def test_loop_settings_from_environment():
    settings = Settings.from_env({"APPRODO_SMTP_HOST": "smtp.example.it", "APPRODO_SMTP_SECURITY": "tls",
                                  "APPRODO_SMTP_PASSWORD": "pw", "APPRODO_LEADS_NOTIFY":
                                  "a@example.it; consulenza=b@example.it,c@example.it"})
    loop = settings.loop
    assert (loop.smtp_host, loop.smtp_port, loop.smtp_security) == ("smtp.example.it", 465, "tls")
    assert loop.recipients("consulenza") == ("b@example.it", "c@example.it")
    assert loop.recipients("guida-gratuita") == ("a@example.it",)
    assert "pw" not in repr(settings)
    with pytest.raises(ValueError, match="not an email address"):
        replace(loop, notify=("not-an-address",))


# --- the build's side: the autoresponder front matter and what is published -------------------

GUIDE = (ROOT / "docs" / "landing" / "guida-gratuita.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("block", "message"), [
    ("autoresponder:\n  subject: Ciao\n", "missing required key 'autoresponder.text'"),
    ("autoresponder:\n  subject: Ciao\n  text: Testo\n  from: x@y.it\n", "unknown key 'from' in 'autoresponder'"),
    ("autoresponder: [Ciao]\n", "'autoresponder' is a list"),
    ("autoresponder:\n  subject: \"Ciao\\r\\nBcc: evil@example.com\"\n  text: Testo\n",
     "'autoresponder.subject' is not one short line"),
    ("autoresponder:\n  subject: " + "x" * 121 + "\n  text: Testo\n", "is not one short line"),
])
def test_autoresponder_front_matter_is_validated(block, message):
    from approdo.landing_validation import parse_landing
    text = re.sub(r"autoresponder:\n(  .*\n|\n)+", "", GUIDE).replace("tags: [guide, social]\n",
                                                                       "tags: [guide, social]\n" + block)
    landing, errors = parse_landing("docs/landing/guida-gratuita.md", text)
    assert landing is None and errors
    assert any(message in str(error) for error in errors), [str(e) for e in errors]
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("autoresponder"))
    assert any(error.line >= line for error in errors)


def test_landings_document_carries_the_autoresponder_and_download():
    from approdo.consent_ledger import landings_document, versions_document
    from approdo.landing_validation import parse_landing
    from approdo.lead_form import text_version
    landing, errors = parse_landing("docs/landing/guida-gratuita.md", GUIDE)
    assert not errors and landing.autoresponder is not None
    document = json.loads(landings_document([landing], "https://www.example.it/"))
    reply = document["landings"]["guida-gratuita"]["autoresponder"]
    assert reply["subject"] == "La tua guida «Dai social ai clienti»"
    assert reply["download"] == "https://www.example.it/assets/landing/guida-dai-social-ai-clienti.pdf"
    versions = json.loads(versions_document("Testo  del\nconsenso", "Informativa", "https://x.it/privacy/"))
    assert versions["consent"] == {"version": text_version("Testo del consenso"), "text": "Testo  del\nconsenso"}


def test_unconfirmed_consents_expire_and_never_count(tmp_path, capsys):
    db = tmp_path / "leads.sqlite3"
    with running(LeadApp(make_settings(tmp_path))) as port:
        assert post_json(port, sample_lead("anna@example.it")).status == 201
        assert post_json(port, sample_lead("bruno@example.it", marketing_consent="")).status == 201
    from leads import optin
    store = Store(db)
    try:
        assert optin.expire(store, utcnow() + timedelta(days=6)) == 0
        assert optin.expire(store, utcnow() + timedelta(days=8)) == 1  # Anna's; Bruno never asked
    finally:
        store.close()
    capsys.readouterr()
    assert main(["consent", "--db", str(db), "--email", "anna@example.it"]) == 0
    assert "(never confirmed)" in capsys.readouterr().out


def test_site_data_unreachable_and_nothing_known_is_a_503_and_nothing_stored(tmp_path):
    settings = make_settings(tmp_path, site_data=f"http://127.0.0.1:{free_port()}/")
    with running(LeadApp(settings)) as port:
        reply = post_json(port, sample_lead("anna@example.it"))
        assert reply.status == 503 and reply.headers["retry-after"] == "5"
    store = Store(tmp_path / "leads.sqlite3")
    try:
        assert store.leads() == []
    finally:
        store.close()


def test_a_repeat_merged_into_a_lead_notifies_the_owner_and_asks_for_the_new_consent(tmp_path, capsys):
    db = tmp_path / "leads.sqlite3"
    with MailSink() as sink, running(LeadApp(make_settings(tmp_path, **smtp(sink)))) as port:
        first = sample_lead("anna@example.it", marketing_consent="", message="Prima domanda")
        assert post_json(port, first).status == 201
        first_emails = sink.wait_for(2)  # owner, autoresponder
        assert post_json(port, {**first, "message": "Seconda domanda", "marketing_consent": "si"}).status == 201
        messages = sink.wait_for(4)
        assert len(messages) == 4  # the owner again and the confirmation; no second autoresponder
        again = by_subject(messages, "Contatto aggiornato")
        assert "Seconda domanda" in mailer.text_of(again["message"]) and again["to"] == [OWNER]
        confirmation = by_subject(messages, "Conferma la tua iscrizione")
        assert open_link(port, link(mailer.text_of(confirmation["message"]), "/leads/conferma")).status == 200
        [lead] = export(db, capsys)
        assert lead["marketing_consent"] is True and "Prima domanda" in lead["message"]
        # The withdrawal link of the first email still works: the lead kept its token.
        first_reply = by_subject(first_emails, "La tua guida")
        page = open_link(port, link(mailer.text_of(first_reply["message"]), "/leads/revoca"))
        assert page.status == 200 and "Consenso revocato" in page.text
    assert export(db, capsys)[0]["marketing_consent"] is False


def test_a_post_released_from_quarantine_gets_the_lead_loop(tmp_path, capsys, monkeypatch):
    db = tmp_path / "leads.sqlite3"
    settings = make_settings(tmp_path)
    with running(LeadApp(settings)) as port:
        assert post_json(port, sample_lead("fretta@example.it", _elapsed="900")).status == 201  # too fast
    assert outbox_rows(db) == []  # a suspect is told nothing, and nobody is told of it
    monkeypatch.setenv("APPRODO_LEADS_NOTIFY", OWNER)
    monkeypatch.setenv("APPRODO_LEADS_SITE_DATA", settings.loop.site_data)
    assert main(["spam", "release", "--db", str(db), "1"]) == 0
    assert "released into the leads (stored)" in capsys.readouterr().out
    assert len(outbox_rows(db)) == 3  # owner, confirmation, autoresponder: sent by the running receiver
    with running(LeadApp(settings)):
        poll(lambda: all(r["state"] == outbox.SENT for r in outbox_rows(db)), what="sent")
    subjects = sorted(str(m["Subject"]) for _, m in mailer.listing(tmp_path / "mail"))
    assert subjects[0] == "Conferma la tua iscrizione" and subjects[2].startswith("Nuovo contatto")
