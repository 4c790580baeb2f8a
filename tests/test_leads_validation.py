"""Unit tests of the receiver's pure parts: body decoding, field validation against the form
contract, origins and settings, the rate limiter and CSV formula neutralisation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

from approdo import lead_form
from leads.config import Settings, SettingsError, normalise_origin, origin_of, parse_rate
from leads.export import neutralise
from leads.harness import sample_lead
from leads.ratelimit import RateLimiter
from leads.validation import UNKNOWN_KEY, RequestError, decode_body, label, validate

FORM = "application/x-www-form-urlencoded"


def errors_of(fields: dict) -> dict[str, str]:
    with pytest.raises(RequestError) as caught:
        validate(fields)
    assert caught.value.status == 400
    return caught.value.errors


def test_valid_lead_keeps_every_contract_value():
    fields = sample_lead("anna@example.it", company="Forno Rossi", phone="+39 051 123456",
                         message="Riga uno\nRiga due\tcon tab")
    submission = validate(fields)
    stored = submission.stored()
    # Routing fields are not stored; every other contract field is.
    expected = {f.name for f in lead_form.FIELDS if f.group != lead_form.ROUTING}
    assert set(stored) == expected
    assert stored["message"] == "Riga uno\nRiga due\tcon tab"
    assert stored["utm_source"] == "facebook"
    assert not submission.is_spam
    assert submission.next_url.endswith("/landing/guida-gratuita/grazie/")


def test_visitor_fields_are_trimmed_but_unicode_kept_intact():
    submission = validate(sample_lead("  zoë@example.it ", name="  Zoë Dell'Acqua 😀 ", message="Più è meglio ✓"))
    assert submission.values["email"] == "zoë@example.it"
    assert submission.values["name"] == "Zoë Dell'Acqua 😀"
    assert submission.values["message"] == "Più è meglio ✓"


@pytest.mark.parametrize("email", ["", "   ", "anna", "anna@", "@example.it", "anna@example", "a b@example.it",
                                   "anna@exa_mple.it", "<anna@example.it>", "x" * 65 + "@example.it"])
def test_bad_or_missing_email_is_named(email):
    errors = errors_of(sample_lead(email))
    assert set(errors) == {"email"}
    assert "email" in errors["email"].lower()


@pytest.mark.parametrize(("field", "value"), [
    ("name", "x" * 101),
    ("message", "x" * 2001),
    ("phone", "051-ABC"),
    ("marketing_consent", "yes"),
    ("marketing_consent", "on"),
    ("consent_version", "not-a-version"),
    ("privacy_version", ""),
    ("landing", ""),
    ("landing", "../etc/passwd"),
    ("utm_source", "<script>"),
    ("utm_campaign", "x" * 101),
    ("page_url", "javascript:alert(1)"),
    ("referrer", "ftp://example.it/"),
    ("_next", "not a url"),
    ("name", "Anna\r\nBcc: x@example.it"),
    ("message", "null\x00byte"),
])
def test_each_contract_rule_is_enforced(field, value):
    errors = errors_of(sample_lead("anna@example.it", **{field: value}))
    assert list(errors) == [field]


def test_all_errors_are_reported_at_once_in_italian():
    errors = errors_of({"email": "nope", "landing": "x", "name": "y" * 500})
    assert set(errors) == {"email", "name", "consent_version", "privacy_version"}
    assert errors["name"] == "Il testo è troppo lungo: al massimo 100 caratteri."
    assert errors["consent_version"] == "Campo obbligatorio mancante."


def test_unknown_fields_are_refused_without_echoing_their_names():
    errors = errors_of({**sample_lead("anna@example.it"), "<img src=x onerror=alert(1)>": "1"})
    assert errors == {UNKNOWN_KEY: "La richiesta contiene campi non previsti dal modulo."}


def test_non_string_json_values_are_refused():
    errors = errors_of({**sample_lead("anna@example.it"), "marketing_consent": True, "name": ["a"]})
    assert set(errors) == {"marketing_consent", "name"}


def test_filled_honeypot_is_judged_like_any_post():
    """A bot must not tell from the answer that the trap was seen: invalid fields are refused
    as for a person, a valid post is flagged as spam (and quarantined by the receiver)."""
    errors = errors_of({"_gotcha": "http://spam.example", "email": "nope", "bogus": "1"})
    assert set(errors) == {"email", "_unknown", "consent_version", "privacy_version", "landing"}
    assert validate(sample_lead("anna@example.it", _gotcha="http://spam.example")).is_spam


def test_labels_are_italian_for_every_field():
    for spec in lead_form.FIELDS:
        assert label(spec.name) and label(spec.name) != spec.name or spec.name in lead_form.UTM_FIELDS
    assert label("email") == "Email"
    assert label("utm_source") == "parametro di campagna utm_source"


# --- body decoding ------------------------------------------------------------------------

def test_form_json_and_multipart_bodies_decode_to_the_same_fields():
    fields = sample_lead("anna@example.it", message="È così & più = ✓")
    form = decode_body(FORM, urlencode(fields).encode())
    as_json = decode_body("application/json; charset=utf-8", json.dumps(fields).encode())
    boundary = "----approdo"
    parts = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                    for k, v in fields.items())
    multipart = decode_body(f"multipart/form-data; boundary={boundary}",
                            (parts + f"--{boundary}--\r\n").encode("utf-8"))
    assert form == as_json == multipart == fields


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "", "multipart/mixed; boundary=x",
                                          f"{FORM}; charset=latin-1"])
def test_other_content_types_are_415(content_type):
    with pytest.raises(RequestError) as caught:
        decode_body(content_type, b"email=a@b.it")
    assert caught.value.status == 415


@pytest.mark.parametrize(("content_type", "body"), [
    (FORM, b"email=%FF%FE"),                         # not UTF-8
    (FORM, b"email=a@b.it&email=c@d.it"),             # a field twice
    (FORM, b"email"),                                 # no "="
    ("application/json", b"{not json"),
    ("application/json", b"[1, 2]"),                  # not an object
    ("application/json", b"[" * 15_000),               # nesting deeper than the parser goes
    ("multipart/form-data; boundary=b",
     b'--b\r\nContent-Disposition: form-data; name="f"; filename="x.exe"\r\n\r\nMZ\r\n--b--\r\n'),
])
def test_malformed_bodies_are_400(content_type, body):
    with pytest.raises(RequestError) as caught:
        decode_body(content_type, body)
    assert caught.value.status == 400


# --- settings, origins, rate limit, CSV ---------------------------------------------------

def test_origins_are_normalised_and_paths_refused():
    assert normalise_origin("HTTPS://Www.Example.it:443/") == "https://www.example.it"
    assert normalise_origin("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert origin_of("http://localhost:80/landing/x/") == "http://localhost"
    assert origin_of("null") is None and origin_of("javascript:alert(1)") is None
    with pytest.raises(SettingsError, match="scheme://host"):
        normalise_origin("https://www.example.it/blog/")


def test_settings_from_environment():
    settings = Settings.from_env({
        "APPRODO_LEADS_DB": "/srv/leads.db", "APPRODO_LEADS_ORIGINS": "https://a.example, https://b.example/",
        "APPRODO_LEADS_RATE_LIMIT": "3/10", "APPRODO_LEADS_REQUIRE_ORIGIN": "1",
    })
    assert str(settings.db_path) == "/srv/leads.db"
    assert settings.site_origins == ("https://a.example", "https://b.example")
    assert (settings.rate_limit, settings.rate_window, settings.require_origin) == (3, 10.0, True)
    assert parse_rate("0") == (0, 60.0)
    with pytest.raises(SettingsError):
        parse_rate("ten")


def test_rate_limiter_slides_per_client():
    now = [0.0]
    limiter = RateLimiter(limit=3, window=10, clock=lambda: now[0])
    assert [limiter.hit("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.hit("a") == pytest.approx(10)
    assert limiter.hit("b") == 0  # another client is not affected
    now[0] = 9.5
    assert limiter.hit("a") == pytest.approx(0.5)
    now[0] = 10.0  # the first three hits slid out of the window
    assert limiter.hit("a") == 0
    assert RateLimiter(limit=0, window=1).hit("a") == 0


def test_rate_limiter_forgets_idle_clients_beyond_its_cap():
    limiter = RateLimiter(limit=1, window=100, max_clients=2)
    for client in ("a", "b", "c"):
        limiter.hit(client)
    assert limiter.hit("a") == 0  # "a" was the oldest and was dropped
    assert limiter.hit("c") > 0


@pytest.mark.parametrize("value", ["=1+1", "+39 051 123", "-2", "@SUM(A1)", "\tx", "\rx",
                                   '=HYPERLINK("http://evil.example","x")'])
def test_formula_cells_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Anna", "", "a=b", "051 123", "'già"])
def test_plain_cells_are_unchanged(value):
    assert neutralise(value) == value


def test_a_loopback_site_is_allowed_under_each_loopback_name():
    settings = Settings(site_origins=("http://127.0.0.1:8000", "https://www.example.it"))
    assert settings.site_origins == ("http://127.0.0.1:8000", "https://www.example.it",
                                     "http://localhost:8000", "http://[::1]:8000")
    assert settings.primary_origin == "http://127.0.0.1:8000"
    assert origin_of("http://[::1]:8000/landing/") in settings.site_origins
    assert Settings(site_origins=("https://www.example.it",)).site_origins == ("https://www.example.it",)


def test_wsgi_entry_point_reads_the_environment(tmp_path):
    """`waitress-serve leads.wsgi:application` has no command line: the environment configures it."""
    code = ("from leads.wsgi import application as a; import json; "
            "print(json.dumps([str(a.settings.db_path), a.settings.site_origins, a.settings.rate_limit]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={
        "PATH": "/usr/bin:/bin", "PYTHONPATH": "hooks:.",
        "APPRODO_LEADS_DB": str(tmp_path / "prod.sqlite3"), "APPRODO_LEADS_ORIGINS": "https://www.example.it",
        "APPRODO_LEADS_RATE_LIMIT": "20/60"}, cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [str(tmp_path / "prod.sqlite3"), ["https://www.example.it"], 20]
    assert (tmp_path / "prod.sqlite3").exists()
