"""A social post's short link, followed in headless Chromium, lands on the landing page with the
channel's UTM values in the form and delivers a lead stored with them; a call to action does the
same from a post; the copy-link button copies the tagged URL.

The sample site is built once for this module with its form posting to a lead receiver started
here; everything runs on 127.0.0.1 and any other request is aborted and fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
from urllib.parse import parse_qsl, urlsplit

import pytest

from approdo.short_codes import merge_query
from browser import serve_directory
from conftest import MKDOCS, ROOT
from leads.app import create_app
from leads.config import Settings
from leads.harness import running

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A static server for the built site, a lead receiver, and the site built for both."""
    base = tmp_path_factory.mktemp("social-browser")
    site = base / "site"
    with serve_directory(site) as site_url:
        origin = site_url.rstrip("/")
        settings = Settings(db_path=base / "leads.sqlite3", site_origins=(origin,), rate_limit=0)
        app = create_app(settings)
        with running(app) as port:
            build = subprocess.run(
                [*MKDOCS, "build", "--strict", "--site-dir", str(site)], cwd=ROOT,
                capture_output=True, text=True, timeout=600,
                env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "APPRODO_SITE_URL": site_url,
                     "APPRODO_LEAD_ACTION": f"http://127.0.0.1:{port}/leads"})
            assert build.returncode == 0, build.stdout + build.stderr
            yield {"origin": origin, "site": site, "store": app.store}


def kit_row(stack, kind, slug, channel):
    kit = json.loads((stack["site"] / "social-kit.json").read_text(encoding="utf-8"))
    return next(row for row in kit["rows"]
                if (row["kind"], row["slug"], row["channel"]) == (kind, slug, channel))


def hidden_fields(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "form[data-landing-form] input[type=hidden]",
        "inputs => Object.fromEntries(inputs.map(i => [i.name, i.value]))")


def test_short_link_lands_with_channel_utm_and_delivers_the_lead(stack, open_page):
    row = kit_row(stack, "landing", "consulenza", "instagram")
    short = urlsplit(row["short_url"])
    assert f"{short.scheme}://{short.netloc}" == stack["origin"]
    visitor = [("utm_content", "reel-12"), ("utm_source", "falso"), ("fbclid", "abc123")]
    page = open_page()
    # The page's clock moves only when the test says so: the receiver quarantines a form sent
    # faster than a person fills it in (leads/spam.py), and a person takes a while.
    page.clock.install()
    page.goto(row["short_url"] + "?utm_content=reel-12&utm_source=falso&fbclid=abc123")
    page.wait_for_url("**/landing/consulenza/?**")
    landed = urlsplit(page.url)
    assert landed.path == "/landing/consulenza/"
    # The browser does what the reference function says.
    target = parse_qsl(urlsplit(row["url"]).query)
    assert parse_qsl(landed.query) == merge_query(target, visitor)
    fields = hidden_fields(page)
    assert {name: fields[name] for name in ("utm_source", "utm_medium", "utm_campaign", "utm_content")} == {
        "utm_source": "instagram", "utm_medium": "social", "utm_campaign": "consulenza",
        "utm_content": "reel-12"}
    assert fields["landing"] == "consulenza"

    page.fill("input[name=email]", "anna.verdi@example.org")
    page.fill("input[name=name]", "Anna Verdi")
    page.clock.fast_forward(30_000)
    page.click("form[data-landing-form] button[type=submit]")
    page.wait_for_selector("[data-landing-thanks]")
    leads = [dict(lead) for lead in stack["store"].leads(("consulenza",))]
    assert len(leads) == 1
    lead = leads[0]
    assert (lead["utm_source"], lead["utm_medium"], lead["utm_campaign"], lead["utm_content"]) == (
        "instagram", "social", "consulenza", "reel-12")
    assert lead["email"] == "anna.verdi@example.org"


def test_short_link_without_javascript_uses_the_meta_refresh(stack, open_page):
    row = kit_row(stack, "landing", "guida-gratuita", "newsletter")
    page = open_page(java_script_enabled=False)
    page.goto(row["short_url"])
    page.wait_for_url("**/landing/guida-gratuita/?**")
    assert dict(parse_qsl(urlsplit(page.url).query)) == {
        "utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "guida-gratuita"}


def test_call_to_action_click_reaches_the_landing_form(stack, open_page):
    post = next(row for row in json.loads(
        (stack["site"] / "social-kit.json").read_text(encoding="utf-8"))["rows"] if row["kind"] == "post")
    page = open_page()
    page.goto(f"{stack['origin']}/{urlsplit(post['url']).path.lstrip('/')}")
    page.click(".approdo-cta--end .approdo-cta__button")
    page.wait_for_url("**/landing/**")
    fields = hidden_fields(page)
    assert fields["utm_source"] == "blog" and fields["utm_medium"] == "cta"
    assert fields["utm_content"] == post["slug"]
    assert fields["utm_campaign"] == urlsplit(page.url).path.strip("/").split("/")[-1]


def test_copy_link_button_copies_the_tagged_url(stack, open_page):
    post = next(row for row in json.loads(
        (stack["site"] / "social-kit.json").read_text(encoding="utf-8"))["rows"] if row["kind"] == "post")
    page = open_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(f"{stack['origin']}/{urlsplit(post['url']).path.lstrip('/')}")
    button = page.locator(".approdo-share__copy")
    assert button.is_visible()
    button.click()
    page.wait_for_function(
        "document.querySelector('.approdo-share__status').textContent.length > 0")
    assert page.text_content(".approdo-share__status") == "Link copiato negli appunti."
    copied = page.evaluate("navigator.clipboard.readText()")
    canonical = page.get_attribute("link[rel=canonical]", "href")
    assert copied == f"{canonical}?utm_source=link&utm_medium=share&utm_campaign={post['slug']}"


def test_copy_link_button_shows_on_landing_pages(stack, open_page):
    page = open_page()
    page.goto(f"{stack['origin']}/landing/workshop-bologna/")
    assert page.locator(".approdo-share__copy").is_visible()
    href = page.get_attribute(".approdo-share a[data-approdo-share=linkedin]", "href")
    assert "utm_campaign%3Dworkshop-bologna" in href
