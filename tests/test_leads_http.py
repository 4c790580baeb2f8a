"""HTTP tests against a real receiver listening on 127.0.0.1 (threaded server, in-process)."""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

import pytest

from leads.app import LeadApp
from leads.config import Settings
from leads.harness import SITE, Reply, post_form, post_json, request, running, sample_lead

EVIL = "http://evil.example"


@dataclass
class Receiver:
    port: int
    db: Path

    def rows(self, where: str = "1", params: tuple = ()) -> list[sqlite3.Row]:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(f"SELECT * FROM leads WHERE {where} ORDER BY id", params).fetchall()
        finally:
            conn.close()

    def count(self) -> int:
        return len(self.rows())

    def events(self) -> dict[str, int]:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT kind, sum(count) FROM events GROUP BY kind").fetchall())
        finally:
            conn.close()


def start(tmp_path_factory, **overrides) -> tuple:
    db = tmp_path_factory.mktemp("leads") / "leads.sqlite3"
    settings = Settings(db_path=db, site_origins=(SITE, "https://www.maestrale.example"), **overrides)
    return running(LeadApp(settings)), db


@pytest.fixture(scope="module")
def receiver(tmp_path_factory):
    context, db = start(tmp_path_factory, rate_limit=0)
    with context as port:
        yield Receiver(port, db)


def assert_common_headers(reply: Reply) -> None:
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["cache-control"] == "no-store"
    assert "origin" in reply.headers["vary"].lower()


# --- accepted posts -----------------------------------------------------------------------

def test_plain_form_post_is_stored_and_redirected_to_next(receiver):
    fields = sample_lead("plain@example.it", company="Forno Rossi", phone="+39 051 123456",
                         message="Vorrei la guida.", utm_content="post-1", utm_term="pane",
                         referrer="https://l.facebook.com/")
    reply = post_form(receiver.port, fields)
    assert reply.status == 303
    assert reply.headers["location"] == f"{SITE}/landing/guida-gratuita/grazie/"
    assert reply.headers["access-control-allow-origin"] == SITE
    assert_common_headers(reply)
    (row,) = receiver.rows("email = ?", ("plain@example.it",))
    for name in ("name", "company", "phone", "message", "landing", "page_url", "referrer", "consent_version",
                 "privacy_version", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"):
        assert row[name] == fields[name], name
    assert row["marketing_consent"] == 1
    assert row["received_at"].endswith("Z")


def test_marketing_consent_absent_is_stored_as_no(receiver):
    fields = sample_lead("noconsent@example.it")
    del fields["marketing_consent"]
    assert post_form(receiver.port, fields).status == 303
    assert receiver.rows("email = ?", ("noconsent@example.it",))[0]["marketing_consent"] == 0


@pytest.mark.parametrize("next_url", ["http://evil.example/phish", "javascript:alert(1)", ""])
def test_next_outside_the_site_falls_back_to_the_thank_you_page(receiver, next_url):
    fields = sample_lead(f"next{len(next_url)}@example.it", "consulenza", _next=next_url)
    if next_url.startswith("javascript"):
        # Refused by validation (not a web address): nothing stored, no redirect at all.
        reply = post_form(receiver.port, fields)
        assert reply.status == 400
        return
    reply = post_form(receiver.port, fields, origin="https://www.maestrale.example")
    assert reply.status == 303
    assert reply.headers["location"] == "https://www.maestrale.example/landing/consulenza/grazie/"


def test_json_post_gets_json_and_cors(receiver):
    reply = post_json(receiver.port, sample_lead("json@example.it"))
    assert reply.status == 201
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json() == {"ok": True, "next": f"{SITE}/landing/guida-gratuita/grazie/"}
    assert reply.headers["access-control-allow-origin"] == SITE
    assert_common_headers(reply)
    assert len(receiver.rows("email = ?", ("json@example.it",))) == 1


def test_fetch_with_form_data_or_urlencoded_and_accept_json(receiver):
    fields = sample_lead("fetch1@example.it")
    reply = post_form(receiver.port, fields, headers={"Accept": "application/json"})
    assert (reply.status, reply.json()["ok"]) == (201, True)
    boundary = "----WebKitFormBoundaryApprodo"
    fields = sample_lead("fetch2@example.it", name="Zoë")
    body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                   for k, v in fields.items()) + f"--{boundary}--\r\n"
    reply = request(receiver.port, "POST", "/leads", body.encode(), {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json", "Origin": SITE})
    assert reply.status == 201
    assert receiver.rows("email = ?", ("fetch2@example.it",))[0]["name"] == "Zoë"


def test_honeypot_is_answered_as_accepted_stored_nowhere_and_counted(receiver):
    before, spam = receiver.count(), receiver.events().get("spam", 0)
    reply = post_form(receiver.port, sample_lead("bot@example.it", _gotcha="http://buy.example"))
    assert reply.status == 303
    assert reply.headers["location"].endswith("/grazie/") or reply.headers["location"] == f"{SITE}/"
    json_reply = post_json(receiver.port, sample_lead("bot2@example.it", _gotcha="x"))
    assert json_reply.status == 201 and json_reply.json()["ok"] is True
    assert receiver.count() == before
    assert receiver.events()["spam"] == spam + 2


def test_repeated_post_is_stored_once_with_the_same_answer(receiver):
    first = post_form(receiver.port, sample_lead("twice@example.it"))
    second = post_form(receiver.port, sample_lead("TWICE@example.it", name="Altro nome"))
    assert first.status == second.status == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(receiver.rows("email = ? COLLATE NOCASE", ("twice@example.it",))) == 1


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Zoë Ñúñez 李小龍 😀"),
    ("message", "Righe\nmultiple — con «virgolette» e l'apostrofo ✓"),
    ("name", "Robert'); DROP TABLE leads;--"),
    ("message", "1' OR '1'='1"),
    ("name", '"><script>alert(1)</script>'),
    ("company", "<img src=x onerror=alert(1)>"),
])
def test_unicode_sql_and_html_are_stored_intact_as_inert_text(receiver, field, value):
    email = f"payload{abs(hash((field, value))) % 10**8}@example.it"
    reply = post_json(receiver.port, sample_lead(email, **{field: value}))
    assert reply.status == 201
    assert value.encode() not in reply.body  # the answer does not echo input
    (row,) = receiver.rows("email = ?", (email,))
    assert row[field] == value
    assert len(receiver.rows()) >= 1  # the table is still there


def test_missing_origin_and_referer_is_accepted_by_default(receiver):
    """Browsers always send Origin on POST; a client without it (curl, a server) is let in."""
    assert post_form(receiver.port, sample_lead("noorigin@example.it"), origin=None).status == 303
    reply = post_form(receiver.port, sample_lead("referer@example.it"), origin=None,
                      headers={"Referer": f"{SITE}/landing/guida-gratuita/"})
    assert reply.status == 303
    assert len(receiver.rows("email IN ('noorigin@example.it', 'referer@example.it')")) == 2


def test_require_origin_refuses_posts_without_it(tmp_path_factory):
    context, db = start(tmp_path_factory, require_origin=True)
    with context as port:
        assert post_form(port, sample_lead("a@example.it"), origin=None).status == 403
        assert post_form(port, sample_lead("b@example.it")).status == 303
    assert Receiver(port, db).count() == 1


# --- refused posts: expected status, nothing stored, nothing echoed ------------------------

def raw_post(body: bytes, content_type: str, origin: str | None = SITE, **headers: str) -> Callable[[int], Reply]:
    def send(port: int) -> Reply:
        sent = {"Content-Type": content_type, **headers}
        if origin:
            sent["Origin"] = origin
        return request(port, "POST", "/leads", body, sent)
    return send


def form(origin: str | None = SITE, json_reply: bool = False, **fields: str) -> Callable[[int], Reply]:
    data = sample_lead(fields.pop("email", "refused@example.it"), **fields)
    headers = {"Accept": "application/json"} if json_reply else {}
    return lambda port: post_form(port, data, origin=origin, headers=headers)


XSS = '<script>alert("x")</script>'
BAD_INPUTS = {
    "oversized body": (raw_post(urlencode(sample_lead("big@example.it", message="x" * 20_000)).encode(),
                                "application/x-www-form-urlencoded"), 413, None),
    "wrong content type": (raw_post(b"email=a@example.it", "text/plain"), 415, None),
    "xml body": (raw_post(b"<lead><email>a@example.it</email></lead>", "application/xml"), 415, None),
    "bad email": (form(email="not-an-email", json_reply=True), 400, "email"),
    "missing email": (form(email="", json_reply=True), 400, "email"),
    "sql in email": (form(email="x'; DROP TABLE leads;--@example.it", json_reply=True), 400, "email"),
    "huge field": (form(message="é" * 2_001, json_reply=True), 400, "message"),
    "html in campaign": (form(utm_campaign=XSS), 400, None),
    "html in landing": (form(landing=XSS), 400, None),
    "unknown field": (raw_post(urlencode({**sample_lead("u@example.it"), XSS: "1"}).encode(),
                               "application/x-www-form-urlencoded", Accept="application/json"), 400, "_unknown"),
    "field sent twice": (raw_post(urlencode(sample_lead("d@example.it")).encode() + b"&email=e@example.it",
                                  "application/x-www-form-urlencoded"), 400, None),
    "invalid json": (raw_post(b'{"email": ', "application/json"), 400, None),
    "json list": (raw_post(b"[]", "application/json"), 400, None),
    "consent not si": (form(marketing_consent="true", json_reply=True), 400, "marketing_consent"),
    "forged consent version": (form(consent_version=XSS, json_reply=True), 400, "consent_version"),
    "forged origin": (form(origin=EVIL), 403, None),
    "null origin": (form(origin="null"), 403, None),
    "look-alike origin": (form(origin="http://127.0.0.1:8000.evil.example"), 403, None),
    "foreign referer, no origin": (raw_post(urlencode(sample_lead("r@example.it")).encode(),
                                            "application/x-www-form-urlencoded", origin=None,
                                            Referer=f"{EVIL}/form"), 403, None),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_is_refused_and_nothing_is_stored(receiver, case):
    send, status, error_field = BAD_INPUTS[case]
    before = receiver.count()
    reply = send(receiver.port)
    assert reply.status == status
    assert_common_headers(reply)
    assert receiver.count() == before
    assert XSS.encode() not in reply.body and b"<script" not in reply.body
    if reply.headers["content-type"].startswith("application/json"):
        data = reply.json()
        assert data["ok"] is False and data["message"]
        if error_field:
            assert error_field in data["errors"]
    else:
        assert reply.headers["content-type"] == "text/html; charset=utf-8"
        assert '<html lang="it">' in reply.text and "Torna al modulo" in reply.text
        assert "default-src 'none'" in reply.headers["content-security-policy"]
    if status == 403:
        assert "access-control-allow-origin" not in reply.headers


def test_html_error_page_names_fields_in_italian_and_links_back(receiver):
    fields = sample_lead("", "consulenza", phone="abc", page_url=f"{SITE}/landing/consulenza/?utm_source=x")
    reply = post_form(receiver.port, fields)
    assert reply.status == 400
    assert "Richiesta non inviata" in reply.text
    assert "<strong>Email</strong>: Inserisci il tuo indirizzo email." in reply.text
    assert "<strong>Telefono</strong>" in reply.text
    assert f'href="{SITE}/landing/consulenza/?utm_source=x"' in reply.text


def test_body_without_length_is_refused(receiver):
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=10) as sock:
        sock.sendall(b"POST /leads HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: " + SITE.encode()
                     + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n")
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.0 411")


def test_flood_from_one_client_is_429_and_not_stored(tmp_path_factory):
    context, db = start(tmp_path_factory, rate_limit=5, rate_window=60)
    with context as port:
        replies = [post_form(port, sample_lead(f"flood{i}@example.it")) for i in range(12)]
        statuses = [r.status for r in replies]
        assert statuses == [303] * 5 + [429] * 7
        assert int(replies[-1].headers["retry-after"]) > 0
        assert "troppe richieste" in replies[-1].text
        json_reply = post_json(port, sample_lead("flood-json@example.it"))
        assert json_reply.status == 429 and json_reply.json()["ok"] is False
    assert Receiver(port, db).count() == 5


# --- other methods and paths --------------------------------------------------------------

def test_preflight_only_for_allowed_origins(receiver):
    allowed = request(receiver.port, "OPTIONS", "/leads", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert allowed.status == 204
    assert allowed.headers["access-control-allow-origin"] == SITE
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "content-type" in allowed.headers["access-control-allow-headers"].lower()
    refused = request(receiver.port, "OPTIONS", "/leads", headers={
        "Origin": EVIL, "Access-Control-Request-Method": "POST"})
    assert refused.status == 403
    assert "access-control-allow-origin" not in refused.headers
    assert_common_headers(refused)


def test_health_and_other_paths(receiver):
    health = request(receiver.port, "GET", "/health")
    assert health.status == 200 and health.json()["ok"] is True
    assert_common_headers(health)
    get = request(receiver.port, "GET", "/leads")
    assert get.status == 405 and get.headers["allow"] == "POST, OPTIONS"
    assert request(receiver.port, "GET", "/admin").status == 404


def test_logs_carry_no_personal_data(receiver, caplog):
    caplog.set_level(logging.DEBUG, logger="leads")
    fields = sample_lead("privata@example.it", name="Mario Privato", phone="+39 333 0000000", message="Segreto")
    post_form(receiver.port, fields)
    post_form(receiver.port, {**fields, "email": "sbagliata"})
    post_form(receiver.port, fields, origin=EVIL)
    request(receiver.port, "GET", "/privata@example.it?email=privata@example.it")
    text = caplog.text
    assert "GET (other path) 404" in text
    assert "POST /leads 303 stored landing=guida-gratuita" in text
    assert "POST /leads 400 invalid:email" in text
    for secret in ("privata@example.it", "sbagliata", "Mario Privato", "333 0000000", "Segreto", "127.0.0.1"):
        assert secret not in text
    assert json.dumps("privata") not in text


def test_plain_post_from_the_same_origin_keeps_the_campaign_from_the_referer(receiver):
    """No JavaScript, receiver under the site's domain: the full Referer carries the UTM values."""
    fields = sample_lead("nojs@example.it", page_url="")
    for name in ("utm_source", "utm_medium", "utm_campaign"):
        fields[name] = ""
    page = f"{SITE}/landing/guida-gratuita/?utm_source=instagram&utm_medium=social&utm_campaign=bio&x=<b>"
    assert post_form(receiver.port, fields, headers={"Referer": page}).status == 303
    (row,) = receiver.rows("email = ?", ("nojs@example.it",))
    assert (row["utm_source"], row["utm_medium"], row["utm_campaign"], row["page_url"]) == (
        "instagram", "social", "bio", page)
    # Values the page did send win; a Referer from another site is never used.
    fields = sample_lead("nojs2@example.it", utm_campaign="dal-modulo")
    post_form(receiver.port, fields, headers={"Referer": page})
    assert receiver.rows("email = ?", ("nojs2@example.it",))[0]["utm_campaign"] == "dal-modulo"
    fields = sample_lead("nojs3@example.it", utm_source="", utm_medium="", utm_campaign="")
    post_form(receiver.port, fields, headers={"Referer": f"{EVIL}/x?utm_source=evil"})
    (row,) = receiver.rows("email = ?", ("nojs3@example.it",))
    assert (row["utm_source"], row["page_url"]) == ("", fields["page_url"])
