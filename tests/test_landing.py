"""Landing pages: the schema, the built pages as a visitor or a crawler gets them, the thank-you
pages, the providers, escaping, and the path:line errors of invalid landing pages.

Builds are shared: the sample site once per session (``real_site``), one fixture site with the
valid variations and one with every invalid landing page (all errors are reported at once).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from approdo import form_view, landing_validation
from approdo import landing as model
from approdo import lead_form
from approdo.frontmatter import parse
from dom import Node, dom
from conftest import ROOT, make_project, run_build

DEFAULT_ACTION = "http://127.0.0.1:8001/leads"
SAMPLES = ("guida-gratuita", "consulenza", "workshop-bologna")


def sitemap_urls(site: Path) -> set[str]:
    tree = ElementTree.parse(site / "sitemap.xml")
    return {loc.text for loc in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}


def search_locations(site: Path) -> set[str]:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return {doc["location"].split("#")[0] for doc in index["docs"]}


def consent_versions(docs: Path = ROOT / "docs") -> tuple[str, str]:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_AnyTagLoader)
    wording = config["extra"]["approdo"]["consent"]["marketing"]
    privacy = parse((docs / "privacy.md").read_text(encoding="utf-8")).body
    return lead_form.text_version(wording), lead_form.text_version(privacy)


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml's !ENV and !!python/name tags as plain values."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: (
    loader.construct_sequence(node)[-1] if isinstance(node, yaml.SequenceNode) else None))


# --- pure schema ----------------------------------------------------------------------------

def landing_text(front: str, body: str = "Il testo della pagina.\n") -> str:
    return f"---\n{front}---\n\n{body}"


VALID = """\
title: Guida di prova
description: Una guida di prova.
offer:
  headline: La promessa
  benefits: [Uno, Due]
form:
  fields: [name, phone]
  required: [phone]
  submit: Scarica
thanks:
  title: Grazie
  text: Ecco la guida.
  download: /assets/landing/guida-dai-social-ai-clienti.pdf
closes: 2027-02-10
"""


def test_parse_valid_landing():
    landing, errors = landing_validation.parse_landing("docs/landing/prova.md", landing_text(VALID),
                                          {"action": DEFAULT_ACTION, "provider": "approdo"})
    assert errors == []
    assert landing.slug == "prova"
    assert landing.url == "landing/prova/" and landing.thanks_url == "landing/prova/grazie/"
    assert landing.fields == ("email", "name", "phone")
    assert landing.required == ("email", "phone")
    assert landing.offer.benefits == ("Uno", "Due")
    assert landing.action == DEFAULT_ACTION and landing.provider == "approdo"
    assert landing.marketing is True and landing.noindex is False
    assert landing.closes == dt.date(2027, 2, 10)
    assert not landing.is_closed(dt.date(2027, 2, 10))
    assert landing.is_closed(dt.date(2027, 2, 11))
    assert landing.line("offer.benefits.1") == 6


def test_form_view_takes_every_name_from_the_contract():
    landing, _ = landing_validation.parse_landing("docs/landing/prova.md", landing_text(VALID),
                                     {"action": DEFAULT_ACTION})
    view = form_view.form_view(landing, "a" * 12, "b" * 12, "https://x.example/landing/prova/grazie/")
    hidden = dict(view.hidden)
    assert set(hidden) <= set(lead_form.FIELDS_BY_NAME)
    assert set(lead_form.UTM_FIELDS) <= set(hidden)
    assert hidden["landing"] == "prova" and hidden[lead_form.NEXT].endswith("/grazie/")
    assert [c.name for c in view.controls] == ["email", "name", "phone"]
    assert [c.required for c in view.controls] == [True, False, True]
    assert view.controls[2].input_type == "tel" and view.controls[0].autocomplete == "email"
    assert view.encoding == "json"


@pytest.mark.parametrize("action, ok", [
    ("https://leads.example.org/x", True),
    ("http://127.0.0.1:8001/leads", True),
    ("http://localhost/leads", True),
    ("http://[::1]:8001/leads", True),
    ("/api/leads", True),
    ("http://leads.example.org/x", False),
    ("//evil.example/x", False),
    ("ftp://127.0.0.1/x", False),
    ("javascript:alert(1)", False),
    ("http://127.0.0.1.evil.example/x", False),
])
def test_action_rule(action, ok):
    assert (landing_validation.action_problem(action) == "") is ok


def test_netlify_posts_to_the_thank_you_page_under_the_site_path():
    text = replace_line(GOOD, "  submit: Invia\n", "  submit: Invia\n  provider: netlify\n")
    defaults = model.LandingDefaults.from_mapping({"action": DEFAULT_ACTION}, "https://x.example/sito/")
    landing, errors = landing_validation.parse_landing("docs/landing/prova.md", text, defaults)
    assert errors == [] and landing.action == "/sito/landing/prova/grazie/"


def test_load_landings_reads_the_samples():
    landings, errors = landing_validation.load_landings(ROOT / "docs", {"action": DEFAULT_ACTION})
    assert errors == []
    assert set(SAMPLES) <= set(landings)
    assert landings["workshop-bologna"].closes == dt.date(2027, 2, 10)
    assert landings["guida-gratuita"].thanks.download


# --- the sample site ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def samples(real_site):
    return {slug: dom(real_site.read(f"landing/{slug}/")) for slug in SAMPLES}


@pytest.mark.parametrize("slug", SAMPLES)
def test_sample_form_posts_to_the_configured_action(real_site, samples, slug):
    page = samples[slug]
    forms = page.find_all("form")
    assert len(forms) == 1
    form = forms[0]
    assert form.get("method") == "post"
    assert form.get("action") == os.environ.get("APPRODO_LEAD_ACTION", DEFAULT_ACTION)


@pytest.mark.parametrize("slug", SAMPLES)
def test_sample_fields_labels_and_required_flags(samples, slug):
    landing = landing_validation.load_landings(ROOT / "docs", {"action": DEFAULT_ACTION})[0][slug]
    form = samples[slug].find("form")
    labels = {label.get("for"): label.text() for label in form.find_all("label")}
    visible = [node for node in form.iter() if node.tag in ("input", "textarea")
               and node.get("type") not in ("hidden", "checkbox") and node.get("name") != lead_form.HONEYPOT]
    assert [node.get("name") for node in visible] == list(landing.fields)
    for node in visible:
        field = lead_form.FIELDS_BY_NAME[node.get("name")]
        assert labels[node.get("id")].startswith(landing.label(field.name))
        assert node.get("autocomplete") == field.autocomplete
        assert node.get("maxlength") == str(field.max_length)
        if node.tag == "input":
            assert node.get("type") == field.input_type
        assert node.has("required") is (field.name in landing.required)
        if not node.has("required"):
            assert "(facoltativo)" in labels[node.get("id")]
    assert form.find("input", name="email").get("type") == "email"
    assert form.find("input", name="email").has("required")


def test_sample_phone_field_is_tel(samples):
    phone = samples["consulenza"].find("input", name="phone")
    assert phone.get("type") == "tel" and phone.get("autocomplete") == "tel"
    assert samples["consulenza"].find("input", name="name").has("required")
    assert samples["consulenza"].find("label", **{"for": "ld-message"}).text().startswith("Di cosa vorresti parlare?")


@pytest.mark.parametrize("slug", SAMPLES)
def test_sample_hidden_fields_consent_and_honeypot(real_site, samples, slug):
    form = samples[slug].find("form")
    hidden = {node.get("name"): node.get("value") for node in form.find_all("input", type="hidden")}
    consent_version, privacy_version = consent_versions()
    assert hidden["landing"] == slug
    assert hidden["consent_version"] == consent_version
    assert hidden["privacy_version"] == privacy_version
    for name in lead_form.UTM_FIELDS + ("referrer",):
        assert hidden[name] == ""
    # A post without JavaScript still says which page it came from; the script adds the query.
    assert hidden["page_url"] == f"http://127.0.0.1:8000/landing/{slug}/"
    assert hidden[lead_form.NEXT] == f"http://127.0.0.1:8000/landing/{slug}/grazie/"
    assert "form-name" not in hidden
    assert set(hidden) <= set(lead_form.FIELDS_BY_NAME)
    # The UTM rules the script applies come from the contract.
    assert form.get("data-utm-pattern") == lead_form.UTM_PATTERN
    assert form.get("data-utm-max") == str(lead_form.UTM_MAX_LENGTH)

    consent = form.find("input", type="checkbox")
    assert consent.get("name") == "marketing_consent" and consent.get("value") == lead_form.CONSENT_GIVEN
    assert not consent.has("checked") and not consent.has("required")
    wording = form.find("label", **{"for": consent.get("id")}).text()
    assert "newsletter" in wording

    trap = form.find("input", name=lead_form.HONEYPOT)
    assert trap.get("tabindex") == "-1" and trap.get("autocomplete") == "off"
    assert trap.get("type") == "text" and not trap.get("value")
    assert any(node.get("aria-hidden") == "true" for node in trap.ancestors())
    assert form.find("label", **{"for": trap.get("id")}).text() == "Lascia vuoto questo campo"


@pytest.mark.parametrize("slug", SAMPLES)
def test_sample_privacy_link_next_to_the_button(real_site, samples, slug):
    form = samples[slug].find("form")
    children = [node for node in form.children if isinstance(node, Node)]   # elements, not text
    button = form.find("button", type="submit")
    after = children[children.index(button) + 1]
    link = after.find("a")
    assert link.get("href") == "../../privacy/"
    assert (real_site.site / "privacy" / "index.html").exists()
    assert "Informativa privacy" in real_site.read("privacy/")


@pytest.mark.parametrize("slug", SAMPLES)
def test_sample_page_is_lean_and_first_party(real_site, samples, slug):
    page = samples[slug]
    html = real_site.read(f"landing/{slug}/")
    # No Material chrome and none of its bundle.
    for marker in ("md-tabs", "md-sidebar", "md-search", "data-md-component", "bundle.", "main."):
        assert marker not in html, marker
    # The only <nav> is the row of share links, never the site's navigation.
    assert [node.get("class") for node in page.find_all("nav")] in ([], ["approdo-share"])
    assert page.find_all("input", type="search") == []
    # Every resource the page loads is local.
    for node in page.iter():
        loads = node.tag == "link" and node.get("rel") in ("stylesheet", "icon", "preload", "modulepreload")
        for attr in ("src",) + (("href",) if loads else ()):
            value = node.get(attr)
            if value:
                assert not re.match(r"^(https?:)?//", value), value
    # The download is offered only after submitting.
    download = landing_validation.load_landings(ROOT / "docs", {"action": DEFAULT_ACTION})[0][slug].thanks.download
    if download:
        assert Path(download).name not in html
    assert html.count("<h1") == 1


def test_sample_workshop_shows_its_closing_date(samples):
    form = samples["workshop-bologna"].find("form")
    assert form.get("data-closes") == "2027-02-10"
    assert "Adesioni aperte fino al 10 febbraio 2027." in form.text()


@pytest.mark.parametrize("slug", SAMPLES)
def test_thank_you_page(real_site, slug):
    page = dom(real_site.read(f"landing/{slug}/grazie/"))
    assert page.find("meta", name="robots").get("content") == "noindex"
    section = page.find("section")
    assert section.has("data-landing-thanks")
    landing = landing_validation.load_landings(ROOT / "docs", {"action": DEFAULT_ACTION})[0][slug]
    assert page.find("h1").text() == landing.thanks.title
    if landing.thanks.download:
        link = next(a for a in page.find_all("a") if a.has("download"))
        target = real_site.site / "landing" / slug / "grazie" / link.get("href")
        assert target.resolve().is_file()
        assert target.read_bytes().startswith(b"%PDF-")
    assert page.find_all("form") == []


def test_thank_you_pages_stay_out_of_sitemap_and_search(real_site):
    urls = sitemap_urls(real_site.site)
    locations = search_locations(real_site.site)
    for slug in SAMPLES:
        assert f"http://127.0.0.1:8000/landing/{slug}/" in urls
        assert f"http://127.0.0.1:8000/landing/{slug}/grazie/" not in urls
        assert f"landing/{slug}/grazie/" not in locations


def test_landing_pages_are_not_blog_posts(real_site):
    blog = dom(real_site.read("blog/"))
    titles = {node.text() for node in blog.find_all("h2")}
    for slug in SAMPLES:
        landing = landing_validation.load_landings(ROOT / "docs", {"action": DEFAULT_ACTION})[0][slug]
        assert landing.title not in titles and landing.offer.headline not in titles
    assert not (real_site.site / "blog" / "landing").exists()


# --- fixture site: valid variations ---------------------------------------------------------

XSS = '"><script>alert(1)</script>'
# The sample landing pages: mkdocs.yml's site-wide calls to action name them.
# The pages of conftest's minimal site, whatever the sample site's navigation lists.
MINIMAL_NAV = {"nav": [{"Home": "index.md"}, {"Blog & News": ["blog/index.md"]},
                       {"Guide": ["kb/index.md"]}, {"Tag": "tags.md"}]}
SAMPLE_FILES = {f"landing/{path.name}": path.read_text(encoding="utf-8")
                for path in (ROOT / "docs" / "landing").glob("*.md")}


def fixture_landing(title="Offerta di prova", headline="Una promessa", form_extra="",
                    extra="", thanks_title="Grazie"):
    return landing_text(
        f"title: {json.dumps(title)}\n"
        "description: Una pagina di prova.\n"
        "offer:\n"
        f"  headline: {json.dumps(headline)}\n"
        f"  subheadline: {json.dumps(XSS)}\n"
        f"  benefits: [{json.dumps(XSS)}]\n"
        f"  difference: {json.dumps(XSS)}\n"
        "form:\n"
        "  fields: [name]\n"
        "  submit: Invia\n"
        f"{form_extra}"
        "thanks:\n"
        f"  title: {json.dumps(thanks_title)}\n"
        "  text: Ti ricontattiamo presto.\n"
        f"{extra}")


VARIANTS = {
    "landing/xss.md": fixture_landing(title=XSS, headline=XSS, thanks_title=XSS),
    "landing/netlify.md": fixture_landing(form_extra="  provider: netlify\n"),
    "landing/formspree.md": fixture_landing(
        form_extra="  provider: formspree\n  action: https://formspree.io/f/xyzabcd\n"),
    "landing/chiusa.md": fixture_landing(extra="closes: 2020-01-01\n"),
    "landing/nascosta.md": fixture_landing(extra="noindex: true\n"),
    "landing/senza-newsletter.md": fixture_landing(form_extra="  marketing: false\n"),
}
ENV_ACTION = "https://leads.example.org/leads"


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("landing-variants"), {**SAMPLE_FILES, **VARIANTS}, MINIMAL_NAV)
    build = run_build(project, env={"APPRODO_LEAD_ACTION": ENV_ACTION})
    assert build.returncode == 0, build.output
    return build


def test_env_variable_sets_the_default_action(variants):
    form = dom(variants.read("landing/xss/")).find("form")
    assert form.get("action") == ENV_ACTION


def test_title_and_headline_are_text_not_markup(variants):
    for url in ("landing/xss/", "landing/xss/grazie/"):
        html = variants.read(url)
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        page = dom(html)
        assert page.find("h1").text() == XSS
        assert XSS in page.find("title").text()
        # The only scripts are the landing script and JSON data, never the author's text.
        for script in page.find_all("script"):
            assert "alert(1)" not in script.text() or script.get("type") == "application/ld+json"


def test_netlify_form(variants):
    form = dom(variants.read("landing/netlify/")).find("form")
    assert form.get("data-netlify") == "true"
    assert form.get("name") == "netlify"
    assert form.get("netlify-honeypot") == lead_form.HONEYPOT
    assert form.get("action") == "/landing/netlify/grazie/"
    assert form.find("input", name="form-name").get("value") == "netlify"
    assert form.get("data-encoding") == "form"


def test_formspree_form(variants):
    form = dom(variants.read("landing/formspree/")).find("form")
    assert form.get("action") == "https://formspree.io/f/xyzabcd"
    assert form.find("input", name=lead_form.NEXT).get("value").endswith("/landing/formspree/grazie/")
    assert form.find("input", name=lead_form.HONEYPOT)
    assert not form.has("data-netlify")


def test_closed_offer_has_no_form(variants):
    page = dom(variants.read("landing/chiusa/"))
    assert page.find_all("form") == []
    closed = next(node for node in page.iter() if node.has("data-landing-closed"))
    assert not closed.has("hidden")
    assert "Le adesioni si sono chiuse il 1 gennaio 2020." in closed.text()
    assert 'href="#modulo"' not in variants.read("landing/chiusa/")


def test_noindex_landing(variants):
    page = dom(variants.read("landing/nascosta/"))
    assert page.find("meta", name="robots").get("content") == "noindex"
    assert page.find_all("form")
    assert "landing/nascosta/" not in search_locations(variants.site)
    if (variants.site / "sitemap.xml").exists():
        assert not any(url.endswith("/landing/nascosta/") for url in sitemap_urls(variants.site))
    assert any(url.endswith("/landing/xss/") for url in sitemap_urls(variants.site))


def test_marketing_checkbox_can_be_left_out(variants):
    form = dom(variants.read("landing/senza-newsletter/")).find("form")
    assert form.find_all("input", type="checkbox") == []
    # The consent version still travels: it proves which wording was (not) offered.
    assert form.find("input", name="consent_version").get("value")


# --- fixture site: invalid landing pages ----------------------------------------------------

def replace_line(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


GOOD = fixture_landing()
INVALID_FILES = {
    "landing/chiave-sconosciuta.md": replace_line(GOOD, "description:", "descrption:"),
    "landing/senza-titolo.md": replace_line(GOOD, 'title: "Offerta di prova"\n', ""),
    "landing/campo-sconosciuto.md": replace_line(GOOD, "fields: [name]", "fields: [name, telefono]"),
    "landing/azione-http.md": replace_line(GOOD, "  submit: Invia\n",
                                           "  submit: Invia\n  action: http://leads.example.org/x\n"),
    "landing/data-sbagliata.md": GOOD.replace("---\n\nIl testo", "closes: domani\n---\n\nIl testo"),
    "landing/tipo-sbagliato.md": replace_line(GOOD, "  benefits: [", "  benefits: {a: 1}\n  x: ["),
    "landing/provider.md": replace_line(GOOD, "  submit: Invia\n", "  submit: Invia\n  provider: netlfy\n"),
    "landing/offerta.md": replace_line(GOOD, '  headline: "Una promessa"\n', ""),
    "landing/download.md": replace_line(GOOD, "  text: Ti ricontattiamo presto.\n",
                                        "  text: Ti ricontattiamo presto.\n  download: /assets/landing/manca.pdf\n"),
    "landing/noindex.md": GOOD.replace("---\n\nIl testo", "noindex: yes\n---\n\nIl testo"),
    "landing/Maiuscole.md": GOOD,
}
# Lines: 1 ---, 2 title, 3 description, 4 offer, 5 headline, 6 subheadline, 7 benefits,
# 8 difference, 9 form, 10 fields, 11 submit, 12 thanks, 13 title, 14 text.
EXPECTED_ERRORS = [
    "docs/landing/chiave-sconosciuta.md:3: unknown key 'descrption' (did you mean 'description'?)",
    "docs/landing/chiave-sconosciuta.md:1: missing required key 'description'",
    "docs/landing/senza-titolo.md:1: missing required key 'title' (the page title",
    "docs/landing/campo-sconosciuto.md:10: unknown field 'telefono' in 'form.fields' (did you mean 'phone'?)",
    "docs/landing/azione-http.md:12: form action 'http://leads.example.org/x' is not https://",
    "docs/landing/tipo-sbagliato.md:7: 'offer.benefits' is a mapping (expected a list of texts)",
    "docs/landing/tipo-sbagliato.md:8: unknown key 'x' in 'offer' (one of: headline, subheadline, benefits, difference)",
    "docs/landing/provider.md:12: unknown form provider 'netlfy' (did you mean 'netlify'?)",
    "docs/landing/offerta.md:4: missing required key 'offer.headline'",
    "docs/landing/download.md:15: download '/assets/landing/manca.pdf' is not a file of this site",
    "docs/landing/noindex.md:15: 'noindex' is 'yes' (expected true or false)",
    "docs/landing/Maiuscole.md:1: landing file name 'Maiuscole' is not an ASCII slug",
]


@pytest.fixture(scope="module")
def invalid_build(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("landing-invalid"), {**SAMPLE_FILES, **INVALID_FILES}, MINIMAL_NAV)
    return run_build(project)


def test_invalid_landings_fail_the_build(invalid_build):
    assert invalid_build.returncode != 0
    assert "Traceback" not in invalid_build.output


@pytest.mark.parametrize("expected", EXPECTED_ERRORS)
def test_invalid_landing_message(invalid_build, expected):
    assert expected in invalid_build.output, invalid_build.output


def test_invalid_date_message(invalid_build):
    assert "docs/landing/data-sbagliata.md:15: 'closes' is not a date: 'domani' (YYYY-MM-DD" in invalid_build.output


def test_every_invalid_file_reported_in_one_build(invalid_build):
    reported = set(re.findall(r"docs/landing/([\w-]+)\.md:\d+:", invalid_build.output))
    assert reported == {Path(path).stem for path in INVALID_FILES}


def test_bad_site_wide_action_is_an_error(tmp_path):
    project = make_project(tmp_path, {**SAMPLE_FILES, "landing/prova.md": GOOD}, MINIMAL_NAV)
    build = run_build(project, env={"APPRODO_LEAD_ACTION": "http://leads.example.org/leads"})
    assert build.returncode != 0
    line = next(number for number, text in enumerate(
        (ROOT / "mkdocs.yml").read_text(encoding="utf-8").splitlines(), 1) if text.strip().startswith("action: !ENV"))
    assert (f"mkdocs.yml:{line}: extra.approdo.leads.action 'http://leads.example.org/leads' is not https:// "
            "(set here or by APPRODO_LEAD_ACTION)") in build.output, build.output


# --- schema rules, checked directly (no build) ----------------------------------------------

def with_changes(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        text = replace_line(text, old, new)
    return text


SCHEMA_CASES = [
    ("formspree-without-action", [("  submit: Invia\n", "  submit: Invia\n  provider: formspree\n")],
     "9: missing required key 'form.action' for provider 'formspree'"),
    ("generic-without-action", [("  submit: Invia\n", "  submit: Invia\n  provider: generic\n")],
     "9: missing required key 'form.action' for provider 'generic'"),
    ("required-not-listed", [("  fields: [name]\n", "  fields: [name]\n  required: [phone]\n")],
     "11: required field 'phone' is not in 'form.fields' (list it in form.fields too)"),
    ("label-for-missing-field", [("  fields: [name]\n", "  fields: [name]\n  labels: {phone: Cellulare}\n")],
     "11: label for 'phone', which is not a field of this form (one of: email, name)"),
    ("field-twice", [("fields: [name]", "fields: [name, name]")],
     "10: field 'name' listed twice in 'form.fields'"),
    ("download-over-http", [("  text: Ti ricontattiamo presto.\n",
                             "  text: Ti ricontattiamo presto.\n  download: http://example.org/a.pdf\n")],
     "15: download 'http://example.org/a.pdf' is neither a site path nor https://"),
    ("title-is-a-list", [('title: "Offerta di prova"', "title: [Offerta, prova]")],
     "2: 'title' is a list (expected text)"),
    ("offer-is-text", [('offer:\n  headline: "Una promessa"\n', "offer: Una promessa\n"),
                       (f"  subheadline: {json.dumps(XSS)}\n", ""), (f"  benefits: [{json.dumps(XSS)}]\n", ""),
                       (f"  difference: {json.dumps(XSS)}\n", "")],
     "4: 'offer' is text (expected a mapping of keys to values)"),
    ("short-links-list", [("---\n\nIl testo", "short_links: [fb]\n---\n\nIl testo")],
     "15: 'short_links' is a list (expected a mapping of keys to values)"),
    ("impossible-date", [("---\n\nIl testo", "closes: 2027-02-30\n---\n\nIl testo")],
     "15: 'closes' is not a date: '2027-02-30' (YYYY-MM-DD"),
    ("submit-missing", [("  submit: Invia\n", "")],
     "9: missing required key 'form.submit'"),
    ("email-listed-is-fine-but-unknown-is-not", [("fields: [name]", "fields: [email, nome]")],
     "10: unknown field 'nome' in 'form.fields' (did you mean 'name'?)"),
]


@pytest.mark.parametrize("changes, expected", [case[1:] for case in SCHEMA_CASES],
                         ids=[case[0] for case in SCHEMA_CASES])
def test_schema_rule(changes, expected):
    text = with_changes(GOOD, *changes)
    landing, errors = landing_validation.parse_landing("docs/landing/prova.md", text, {"action": DEFAULT_ACTION})
    assert landing is None
    messages = [str(error) for error in errors]
    assert any(message.startswith("docs/landing/prova.md:" + expected) for message in messages), messages


def test_invalid_yaml_is_left_to_the_general_validator():
    landing, errors = landing_validation.parse_landing("docs/landing/prova.md", "---\ntitle: [rotto\n---\n", {})
    assert landing is None and errors == []


def test_only_direct_children_of_landing_are_landing_pages():
    assert model.is_landing_path("landing/guida.md")
    assert not model.is_landing_path("landing/index.md")
    assert not model.is_landing_path("landing/vecchie/guida.md")
    assert not model.is_landing_path("blog/posts/guida.md")


# --- the event: block (more in tests/test_events.py) ------------------------------------------

VENUE = "  place: Sala\n  address: {street: Via Roma 1, postal_code: '40100', city: Bologna}\n"
# The event block starts at line 15 of GOOD; its first key is on line 16.
EVENT_CASES = [
    ("missing-start", "event:\n  end: 2027-02-12T13:00\n" + VENUE,
     "15: missing required key 'event.start' (when the event begins, in Italian time, e.g. 2027-02-12T09:30)"),
    ("end-before-start", "event:\n  start: 2027-02-12T09:30\n  end: 2027-02-12T08:00\n" + VENUE,
     "17: the event ends (2027-02-12T08:00+01:00) before it starts (2027-02-12T09:30+01:00) (an end after the start)"),
    ("not-a-datetime", "event:\n  start: 12/02/2027 9:30\n" + VENUE,
     "16: 'event.start' '12/02/2027 9:30' is not a date and time (date and time in Italian time (Europe/Rome), e.g. 2027-02-12T09:30)"),
    ("date-without-time", "event:\n  start: 2027-02-12\n" + VENUE, "16: 'event.start' 2027-02-12 has no time"),
    ("impossible-datetime", "event:\n  start: 2027-02-30T09:30\n" + VENUE,
     "16: 'event.start' '2027-02-30T09:30' is not a real date and time"),
    ("skipped-hour", "event:\n  start: 2027-03-28T02:30\n" + VENUE,
     "16: 'event.start' 2027-03-28T02:30 does not exist in Italy (clocks go forward)"),
    ("unknown-key", "event:\n  start: 2027-02-12T09:30\n  plcae: Sala\n",
     "17: unknown key 'plcae' in 'event' (did you mean 'place'?)"),
    ("unknown-address-key", "event:\n  start: 2027-02-12T09:30\n  place: Sala\n"
     "  address: {street: Via Roma 1, postal_code: '40100', city: Bologna, provincia: BO}\n",
     "18: unknown key 'provincia' in 'event.address' (one of: street, postal_code, city)"),
    ("postal-code", "event:\n  start: 2027-02-12T09:30\n  place: Sala\n"
     "  address:\n    street: Via Roma 1\n    postal_code: 4010\n    city: Bologna\n",
     "20: postal code '4010' is not five digits"),
    ("missing-city", "event:\n  start: 2027-02-12T09:30\n  place: Sala\n"
     "  address:\n    street: Via Roma 1\n    postal_code: '40100'\n",
     "18: missing required key 'event.address.city'"),
    ("place-without-address", "event:\n  start: 2027-02-12T09:30\n  place: Sala\n",
     "15: missing required key 'event.address'"),
    ("no-venue-no-online", "event:\n  start: 2027-02-12T09:30\n",
     "15: the event has neither a venue nor an online address"),
    ("online-over-http", "event:\n  start: 2027-02-12T09:30\n  online: http://meet.example.org/x\n",
     "17: online address 'http://meet.example.org/x' is not https://"),
    ("empty-event", "event:\n", "15: 'event' is empty"),
    ("closes-after-the-event", "event:\n  start: 2027-02-12T09:30\n" + VENUE + "closes: 2027-02-13\n",
     "19: 'closes' 2027-02-13 is after the event starts (2027-02-12)"),
]


@pytest.mark.parametrize("extra, expected", [case[1:] for case in EVENT_CASES],
                         ids=[case[0] for case in EVENT_CASES])
def test_event_rule(extra, expected):
    landing, errors = landing_validation.parse_landing("docs/landing/prova.md", fixture_landing(extra=extra),
                                          {"action": DEFAULT_ACTION})
    assert landing is None
    messages = [str(error) for error in errors]
    assert any(message.startswith("docs/landing/prova.md:" + expected) for message in messages), messages


def test_sample_workshop_event():
    event = landing_validation.load_landings(ROOT / "docs", {"action": DEFAULT_ACTION})[0]["workshop-bologna"].event
    assert (event.start.isoformat(), event.end.isoformat()) == ("2027-02-12T09:30:00+01:00", "2027-02-12T13:00:00+01:00")
    assert (event.place, str(event.address)) == ("Spazio Darsena", "Via del Porto 12, 40122 Bologna")
