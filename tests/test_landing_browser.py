"""Landing pages in a real browser (Playwright driving Debian's Chromium, headless).

The site is built once with its lead action pointing at a tiny endpoint in this test (one path
that accepts, one that fails with 500, one that rejects a field) and served by a stdlib static
server; both listen on 127.0.0.1 only. Every request to any other origin is aborted, recorded and
fails the test.
"""

from __future__ import annotations

import http.server
import json
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest

from approdo import lead_form
from browser import serve_directory
from conftest import AS_OF, make_project, run_build
from test_landing import MINIMAL_NAV, SAMPLE_FILES

pytestmark = pytest.mark.browser

UTM_QUERY = "?utm_source=facebook&utm_medium=social&utm_campaign=guida"
SAMPLES = ("guida-gratuita", "consulenza", "workshop-bologna")
FIELD_ERROR = "Questo indirizzo email non sembra valido."


class Endpoint(http.server.BaseHTTPRequestHandler):
    """A stand-in lead receiver: /ok accepts (JSON for fetch, 303 for a plain form post),
    /fail answers 500, /invalid rejects the email. Every post is recorded."""

    posts: list[dict] = []

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _cors(self):
        origin = self.headers.get("Origin")
        if origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")

    def do_OPTIONS(self):
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.end_headers()

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
        kind = self.headers.get("Content-Type", "").split(";")[0]
        fields = json.loads(raw) if kind == "application/json" else dict(parse_qsl(raw, keep_blank_values=True))
        path = urlsplit(self.path).path
        if path == "/metrics":  # the page's cookie-free view beacon (handbook: metrics), not a lead
            return self._reply(204, b"", "text/plain")
        self.posts.append({"path": path, "type": kind, "fields": fields,
                           "accept": self.headers.get("Accept", "")})
        if path == "/fail":
            return self._reply(500, b"Internal Server Error", "text/plain")
        if path == "/invalid":
            body = {"ok": False, "message": "Il modulo contiene un errore.", "errors": {"email": FIELD_ERROR}}
            return self._reply(400, json.dumps(body).encode(), "application/json")
        if kind == "application/json":
            return self._reply(201, b'{"ok": true}', "application/json")
        self.send_response(303)
        self.send_header("Location", fields[lead_form.NEXT])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _reply(self, status, body, kind):
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def failing_landing(slug: str, action: str) -> str:
    text = SAMPLE_FILES["landing/guida-gratuita.md"]
    return text.replace("  submit: Scarica la guida\n", f"  submit: Scarica la guida\n  action: {action}\n")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    endpoint = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=endpoint.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{endpoint.server_port}"
    files = {**SAMPLE_FILES,
             "landing/prova-errore.md": failing_landing("prova-errore", f"{base}/fail"),
             "landing/prova-campo.md": failing_landing("prova-campo", f"{base}/invalid")}
    project = make_project(tmp_path_factory.mktemp("landing-browser"), files, MINIMAL_NAV)
    try:
        # Serve the site before building it: the build needs its address for the thank-you URL.
        with serve_directory(project / "site") as site_url:
            build = run_build(project, env={"APPRODO_LEAD_ACTION": f"{base}/ok",
                                            "APPRODO_SITE_URL": site_url})
            assert build.returncode == 0, build.output
            yield {"site": site_url, "endpoint": base}
    finally:
        endpoint.shutdown()
        endpoint.server_close()


@pytest.fixture(autouse=True)
def fresh_posts():
    """Each test sees only the posts it made."""
    Endpoint.posts.clear()


def fill_form(page):
    """Fill every visible field the way a visitor would."""
    page.fill("input[name=email]", "anna.rossi@example.org")
    values = {"name": "Anna Rossi", "company": "Forno Rossi", "phone": "051 123456",
              "message": "Vorrei capire da dove partire."}
    for name, value in values.items():
        if page.locator(f"[name={name}]").count():
            page.fill(f"[name={name}]", value)


def hidden(page, name):
    return page.locator(f"input[type=hidden][name='{name}']").input_value()


@pytest.mark.parametrize("slug", SAMPLES)
def test_fetch_submission_keeps_the_campaign(servers, open_page, slug):
    page = open_page()
    # The page's own clock closes an offer after its last day: read it on the day the site was
    # built (conftest.AS_OF), whatever day the test runs.
    page.clock.set_fixed_time(AS_OF.isoformat())
    page.goto(f"{servers['site']}landing/{slug}/{UTM_QUERY}")
    assert hidden(page, "utm_source") == "facebook"
    assert hidden(page, "utm_medium") == "social"
    assert hidden(page, "utm_campaign") == "guida"
    assert hidden(page, "utm_content") == "" and hidden(page, "utm_term") == ""
    assert hidden(page, "page_url") == f"{servers['site']}landing/{slug}/{UTM_QUERY}"
    assert hidden(page, "landing") == slug
    consent_version, privacy_version = hidden(page, "consent_version"), hidden(page, "privacy_version")

    fill_form(page)
    page.check("input[name=marketing_consent]")
    page.click("button[type=submit]")
    thanks = page.locator("main [data-landing-thanks]")
    thanks.wait_for()
    assert page.url == f"{servers['site']}landing/{slug}/{UTM_QUERY}"
    assert page.locator("form").count() == 0
    assert thanks.locator("h1").is_visible()

    [post] = Endpoint.posts
    assert post["path"] == "/ok" and post["type"] == "application/json"
    assert "application/json" in post["accept"]
    fields = post["fields"]
    assert fields["email"] == "anna.rossi@example.org"
    assert fields["utm_source"] == "facebook" and fields["utm_medium"] == "social"
    assert fields["utm_campaign"] == "guida"
    assert fields["landing"] == slug
    assert fields["consent_version"] == consent_version and len(consent_version) == 12
    assert fields["privacy_version"] == privacy_version and len(privacy_version) == 12
    assert fields["marketing_consent"] == lead_form.CONSENT_GIVEN
    assert fields[lead_form.HONEYPOT] == ""
    assert fields[lead_form.NEXT] == f"{servers['site']}landing/{slug}/grazie/"
    assert set(fields) <= set(lead_form.FIELDS_BY_NAME)
    for name, value in fields.items():
        assert lead_form.is_valid(lead_form.FIELDS_BY_NAME[name], value), name


def test_download_appears_only_after_submitting(servers, open_page):
    page = open_page(f"{servers['site']}landing/guida-gratuita/")
    assert page.locator("a[download]").count() == 0
    fill_form(page)
    page.click("button[type=submit]")
    link = page.locator("main [data-landing-thanks] a[download]")
    link.wait_for()
    # Rebased on the thank-you page, so the link works from the landing page too.
    href = link.get_attribute("href")
    assert href == f"{servers['site']}assets/landing/guida-dai-social-ai-clienti.pdf"
    assert page.request.get(href).body().startswith(b"%PDF-")
    # Without marketing consent the box sends nothing.
    assert "marketing_consent" not in Endpoint.posts[0]["fields"]


def test_plain_post_without_javascript(servers, open_page):
    page = open_page(f"{servers['site']}landing/guida-gratuita/{UTM_QUERY}", java_script_enabled=False)
    fill_form(page)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == f"{servers['site']}landing/guida-gratuita/grazie/"
    assert page.locator("h1").inner_text() == "La guida è pronta"
    assert page.locator("a[download]").count() == 1
    [post] = Endpoint.posts
    assert post["type"] == "application/x-www-form-urlencoded"
    fields = post["fields"]
    assert fields["email"] == "anna.rossi@example.org" and fields["landing"] == "guida-gratuita"
    assert len(fields["consent_version"]) == 12 and len(fields["privacy_version"]) == 12
    # No script, no attribution: the fields are there, empty.
    assert all(fields[name] == "" for name in lead_form.UTM_FIELDS)
    assert "marketing_consent" not in fields


def test_failing_endpoint_shows_an_italian_error_and_keeps_the_values(servers, open_page):
    page = open_page(f"{servers['site']}landing/prova-errore/{UTM_QUERY}")
    fill_form(page)
    page.check("input[name=marketing_consent]")
    page.click("button[type=submit]")
    error = page.locator("[data-landing-error]")
    error.wait_for(state="visible")
    assert "Non siamo riusciti a inviare il modulo" in error.inner_text()
    assert page.locator("input[name=email]").input_value() == "anna.rossi@example.org"
    assert page.locator("input[name=name]").input_value() == "Anna Rossi"
    assert page.locator("input[name=marketing_consent]").is_checked()
    assert page.locator("button[type=submit]").is_enabled()
    assert page.locator("button[type=submit]").inner_text() == "Scarica la guida"
    assert len(Endpoint.posts) == 1 and Endpoint.posts[0]["path"] == "/fail"
    # A second try posts again.
    page.click("button[type=submit]")
    page.wait_for_function("document.querySelector('[data-landing-error]').textContent.length > 0")
    assert len(Endpoint.posts) == 2


def test_field_errors_from_the_receiver_are_shown_next_to_the_field(servers, open_page):
    page = open_page(f"{servers['site']}landing/prova-campo/")
    fill_form(page)
    page.click("button[type=submit]")
    slot = page.locator("#ld-email-error")
    slot.wait_for(state="visible")
    assert slot.inner_text() == FIELD_ERROR
    assert page.locator("input[name=email]").get_attribute("aria-invalid") == "true"
    assert page.locator("[data-landing-error]").inner_text() == "Il modulo contiene un errore."
    assert page.locator("input[name=name]").input_value() == "Anna Rossi"


def test_attribution_values_are_capped_and_cleaned(servers, open_page):
    long_campaign = "a" * 300
    page = open_page(f"{servers['site']}landing/guida-gratuita/?utm_source=%3Cscript%3Eface%22book"
                     f"&utm_campaign={long_campaign}&utm_term=saldi+estivi&utm_content=x%00y")
    assert hidden(page, "utm_source") == "scriptfacebook"
    assert hidden(page, "utm_campaign") == "a" * lead_form.UTM_MAX_LENGTH
    assert hidden(page, "utm_term") == "saldi estivi"
    assert hidden(page, "utm_content") == "xy"
    for name in lead_form.UTM_FIELDS:
        assert lead_form.is_valid(lead_form.FIELDS_BY_NAME[name], hidden(page, name))
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0


@pytest.mark.parametrize("slug", SAMPLES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_call_to_action_visible_on_a_phone(servers, open_page, slug, scheme):
    page = open_page(viewport={"width": 360, "height": 640}, color_scheme=scheme, is_mobile=True,
                     has_touch=True)
    page.clock.set_fixed_time(AS_OF.isoformat())  # the offers are open on the day of the build
    page.goto(f"{servers['site']}landing/{slug}/")
    cta = page.locator("a.ld-button[href='#modulo'], button[type=submit]").first
    assert cta.is_visible()
    box = cta.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 640
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    cta.click()
    page.locator("input[name=email]").scroll_into_view_if_needed()
    assert page.locator("input[name=email]").is_visible()


def test_form_closes_in_the_browser_after_the_closing_date(servers, open_page):
    page = open_page()
    page.clock.set_fixed_time("2027-02-11T09:00:00")
    page.goto(f"{servers['site']}landing/workshop-bologna/")
    assert page.locator("[data-landing-closed]").is_visible()
    assert not page.locator("form").is_visible()
    assert "Le adesioni si sono chiuse" in page.locator("[data-landing-closed]").inner_text()
    page.clock.set_fixed_time("2027-02-10T18:00:00")
    page.reload()
    assert page.locator("form").is_visible()
