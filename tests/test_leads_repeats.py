"""Nothing a person sends is lost or silently altered: a repeated post within the duplicate
window is merged into the first lead, a JSON key sent twice is refused like a form field sent
twice, and single-line fields refuse invisible control and bidirectional-override characters."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from leads.app import LeadApp
from leads.config import Settings
from leads.harness import SITE, post_form, post_json, request, running, sample_lead
from leads.storage import DUPLICATE, STORED, UPDATED, Store
from leads.validation import RequestError, decode_body, validate

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def stored(fields: dict[str, str]) -> dict[str, str]:
    return validate(fields).stored()


def test_a_repeat_keeps_the_newer_phone_and_both_messages(tmp_path):
    store = Store(tmp_path / "leads.sqlite3")
    try:
        first = sample_lead("anna@example.it", phone="051 111111", message="Vorrei la guida.", marketing_consent="")
        assert store.add_lead(stored(first), T0, 600) == STORED
        second = sample_lead("ANNA@example.it", phone="333 2222222", message="Scusate, il numero giusto è questo.",
                             utm_campaign="altra", marketing_consent="si")
        assert store.add_lead(stored(second), T0 + timedelta(minutes=3), 600) == UPDATED
        # The very same post again changes nothing.
        assert store.add_lead(stored(second), T0 + timedelta(minutes=4), 600) == DUPLICATE
        (row,) = store.leads()
        assert row["phone"] == "333 2222222"
        assert row["message"] == ("Vorrei la guida.\n\n[2026-11-20T09:03:00.000000Z]\n"
                                  "Scusate, il numero giusto è questo.")
        assert row["marketing_consent"] == 1  # given the second time: recorded
        assert row["utm_campaign"] == "guida"  # the campaign that brought the person stays
        assert row["received_at"] == "2026-11-20T09:00:00.000000Z"
        assert store.events()["duplicate"] == 2
    finally:
        store.close()


def test_a_repeat_over_http_gets_the_same_answer_and_is_merged(tmp_path):
    db = tmp_path / "leads.sqlite3"
    with running(LeadApp(Settings(db_path=db, site_origins=(SITE,), rate_limit=0))) as port:
        first = post_form(port, sample_lead("bruno@example.it", message="Prima domanda"))
        second = post_json(port, sample_lead("bruno@example.it", phone="+39 333 1234567", message="Seconda domanda"))
        assert (first.status, second.status) == (303, 201)
    store = Store(db)
    try:
        (row,) = store.leads()
    finally:
        store.close()
    assert row["phone"] == "+39 333 1234567"
    assert "Prima domanda" in row["message"] and "Seconda domanda" in row["message"]


def test_a_json_key_sent_twice_is_refused_like_a_form_field_sent_twice(tmp_path):
    body = b'{"email": "vero@example.it", "email": "falso@example.it"}'
    with pytest.raises(RequestError) as caught:
        decode_body("application/json", body)
    assert caught.value.status == 400 and caught.value.errors == {"email": "Campo inviato più di una volta."}
    db = tmp_path / "leads.sqlite3"
    with running(LeadApp(Settings(db_path=db, site_origins=(SITE,), rate_limit=0))) as port:
        fields = sample_lead("primo@example.it")
        text = json.dumps(fields)[:-1] + ', "email": "secondo@example.it"}'
        reply = request(port, "POST", "/leads", text.encode(), {
            "Content-Type": "application/json", "Accept": "application/json", "Origin": SITE})
        assert reply.status == 400 and "email" in reply.json()["errors"]
    store = Store(db)
    try:
        assert store.leads() == []
    finally:
        store.close()


FORBIDDEN = (
    "\u202e",  # right-to-left override: "moc.elpmaxe" shown for "example.com"
    "\u202a", "\u2066", "\u2069",  # embeddings and isolates
    "\x85", "\x9b",  # C1 controls (next line, control sequence introducer)
    "\u2028",  # line separator
    "\x1b",  # escape
)
# The message may hold line breaks; every other character is refused in every field.
CASES = [(field, character) for field in ("name", "company", "utm_campaign", "message") for character in FORBIDDEN
         if not (field == "message" and character == "\u2028")]


@pytest.mark.parametrize(("field", "character"), CASES)
def test_invisible_controls_and_bidi_overrides_are_refused(field, character):
    value = f"Anna{character}Verdi" if field != "utm_campaign" else f"a{character}b"
    with pytest.raises(RequestError) as caught:
        validate(sample_lead("anna@example.it", **{field: value}))
    assert list(caught.value.errors) == [field]


def test_ordinary_text_in_any_script_still_passes():
    submission = validate(sample_lead("anna@example.it", name="Zoë עברית العربية 李", message="Riga\nRiga\tTab"))
    assert submission.values["name"] == "Zoë עברית العربية 李"
