"""The pure SEO functions: JSON-LD escaping, dates, descriptions, feed HTML, card drawing."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from PIL import Image, ImageFont

from approdo import cards, feeds, seo
from test_seo_support import read_head

ROOT = Path(__file__).resolve().parent.parent
FONTS = cards.Fonts(ROOT / "overrides/assets/fonts/DejaVuSans.ttf",
                    ROOT / "overrides/assets/fonts/DejaVuSans-Bold.ttf")
UTC = timezone.utc


# --- JSON-LD ----------------------------------------------------------------------------

@pytest.mark.parametrize("title", [
    'Il "titolo" </script><script>alert(1)</script>',
    "</SCRIPT >", "<!-- <script>", "a & b > c", "riga\u2028separata", "l'apostrofo",
])
def test_script_json_cannot_leave_its_element_and_round_trips(title):
    data = {"@type": "BlogPosting", "headline": title}
    text = seo.script_json(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data
    html = f'<html><head><script type="application/ld+json">{text}</script></head></html>'
    assert read_head(html).json_ld == [data]


def test_graph_skips_missing_objects():
    document = seo.graph({"@type": "WebPage"}, None, seo.breadcrumb_list([seo.Crumb("Home", "u")]))
    assert document == {"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}]}


def test_breadcrumb_positions_start_at_one():
    crumbs = seo.breadcrumb_list([seo.Crumb("Home", "https://x/"), seo.Crumb("Blog", "https://x/b/")])
    assert [item["position"] for item in crumbs["itemListElement"]] == [1, 2]


def test_blog_posting_has_what_search_engines_require():
    created = datetime(2025, 3, 4, tzinfo=UTC)
    post = seo.blog_posting(
        url="https://x/blog/a/", headline="Titolo", description="D", site_url="https://x/",
        published=created, modified=None, authors=[seo.Person("Giulia", "https://x/a/giulia/")],
        image=seo.Image("https://x/c.png", 1200, 630, "alt"), section="Strategia",
        keywords=["social"], publisher={"@type": "Organization", "name": "M"})
    assert post["datePublished"] == post["dateModified"] == "2025-03-04T00:00:00+00:00"
    assert post["author"] == [{"@type": "Person", "name": "Giulia", "url": "https://x/a/giulia/"}]
    assert post["image"]["width"] == 1200 and post["publisher"]["name"] == "M"


# --- dates --------------------------------------------------------------------------------

def test_page_dates_reads_both_forms_as_site_time():
    # Dates and times without a zone are Italian time (approdo.clock), in winter and summer.
    assert seo.page_dates({"date": date(2025, 3, 4)}) == (datetime(2025, 3, 3, 23, tzinfo=UTC), None)
    created, updated = seo.page_dates({"date": {"created": date(2025, 3, 4),
                                                "updated": datetime(2025, 4, 1, 10, 30)}})
    assert created == datetime(2025, 3, 3, 23, tzinfo=UTC)
    assert updated == datetime(2025, 4, 1, 8, 30, tzinfo=UTC)
    assert seo.page_dates({"date": "2025-03-04"})[0] == datetime(2025, 3, 3, 23, tzinfo=UTC)
    assert seo.page_dates({"date": "2025-03-04T10:00Z"})[0] == datetime(2025, 3, 4, 10, tzinfo=UTC)
    assert seo.page_dates({}) == (None, None)


def test_an_update_before_creation_is_not_believed():
    created, updated = seo.page_dates({"date": {"created": date(2025, 3, 4), "updated": date(2024, 1, 1)}})
    assert updated == created


def test_rfc822_dates_parse_back():
    when = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    assert feeds.rfc822(when) == "Tue, 04 Mar 2025 09:30:00 +0000"
    assert parsedate_to_datetime(feeds.rfc822(when)) == when


def test_feed_order_is_by_date_not_by_pin():
    def item(day: int) -> feeds.FeedItem:
        return feeds.FeedItem(f"https://x/{day}/", str(day), "", "", datetime(2025, 1, day, tzinfo=UTC))

    ordered = feeds.newest_first([item(3), item(9), item(1)], limit=2)
    assert [entry.title for entry in ordered] == ["9", "3"]


def test_modified_is_never_before_published():
    published = datetime(2025, 1, 2, tzinfo=UTC)
    entry = feeds.FeedItem("u", "t", "", "", published, published - timedelta(days=1))
    assert entry.modified == published


# --- descriptions and URLs ----------------------------------------------------------------

def test_description_from_first_paragraph_is_plain_and_short():
    html = '<h1>T</h1><p> </p><p>Un <a href="x">link</a> &amp; <em>testo</em>.</p>' + "<p>altro</p>"
    assert seo.description_from_html(html) == "Un link & testo."
    long = "<p>" + "parola " * 60 + "</p>"
    text = seo.description_from_html(long)
    assert len(text) <= seo.DESCRIPTION_LENGTH and text.endswith("…")


def test_absolute_urls():
    assert seo.absolute("https://x.it/sub/", "blog/") == "https://x.it/sub/blog/"
    assert seo.absolute("https://x.it/sub", "/blog/") == "https://x.it/sub/blog/"
    assert seo.absolute("https://x.it/", "https://y.it/a.png") == "https://y.it/a.png"


def test_url_prefixes():
    assert seo.url_prefixes("blog/2025/03/post/") == ["blog/", "blog/2025/", "blog/2025/03/"]
    assert seo.url_prefixes("") == []


# --- feed HTML ----------------------------------------------------------------------------

def test_feed_html_makes_links_absolute_and_drops_permalinks():
    html = ('<h2 id="a">Titolo<a class="headerlink" href="#a" title="Link">¶</a></h2>'
            '<p><a href="../../kb/x/">guida</a> <img alt="" src="../img/a.png" />'
            '<a href="#nota">nota</a> <a href="mailto:ciao@x.it">mail</a> &amp; 1 &lt; 2</p>'
            '<!-- more -->')
    out = feeds.feed_html(html, "https://x.it/blog/2025/03/post/")
    assert "headerlink" not in out and "¶" not in out and "more" not in out
    assert 'href="https://x.it/blog/2025/kb/x/"' in out
    assert 'src="https://x.it/blog/2025/03/img/a.png"' in out
    assert 'href="#nota"' in out and 'href="mailto:ciao@x.it"' in out
    assert "&amp; 1 &lt; 2" in out


def test_without_title_removes_only_the_leading_h1():
    assert feeds.without_title("<h1 id='t'>T</h1>\n<p>a</p><h1>b</h1>") == "<p>a</p><h1>b</h1>"


def test_json_feed_shape():
    item = feeds.FeedItem("https://x/a/", "A", "s", "<p>c</p>", datetime(2025, 1, 1, tzinfo=UTC),
                          datetime(2025, 2, 1, tzinfo=UTC), ["Giulia"], ["Strategia"], ["social"],
                          seo.Image("https://x/c.png"))
    feed = feeds.Feed("T", "D", "https://x/blog/", "https://x/feed.xml", "https://x/atom.xml",
                      "https://x/feed.json", "it-it", [item], author="M")
    data = json.loads(feeds.json_feed(feed))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    (entry,) = data["items"]
    assert entry["date_modified"] == "2025-02-01T00:00:00+00:00"
    assert entry["tags"] == ["Strategia", "social"] and entry["image"] == "https://x/c.png"
    assert feed.updated == datetime(2025, 2, 1, tzinfo=UTC)


# --- cards ---------------------------------------------------------------------------------

def test_card_is_a_1200x630_png_and_deterministic():
    card = cards.Card("Perché i social non vendono", "Strategia", "Maestrale Digitale", "x.it")
    first = cards.render(card, FONTS)
    assert first == cards.render(card, FONTS)
    with Image.open(io.BytesIO(first)) as image:
        assert image.format == "PNG" and image.size == (1200, 630)


def test_card_key_changes_with_what_the_card_shows():
    base = cards.Card("Titolo", "Strategia", "M", "x.it")
    keys = {cards.card_key(card, FONTS) for card in (
        base, cards.Card("Titolo!", "Strategia", "M", "x.it"), cards.Card("Titolo", "Metriche", "M", "x.it"),
        cards.Card("Titolo", "Strategia", "M", "y.it"), cards.Card("Titolo", "Strategia", "M", "x.it", "offerta"))}
    assert len(keys) == 5
    assert cards.card_key(base, FONTS) == cards.card_key(cards.Card("Titolo", "Strategia", "M", "x.it"), FONTS)


def test_ensure_draws_once_then_reuses_the_cache(tmp_path):
    card = cards.Card("Una guida", subtitle="L'offerta della pagina", brand="M")
    path, drawn = cards.ensure(card, FONTS, tmp_path, "una-guida")
    assert drawn and path.is_file() and path.name.startswith("una-guida-")
    again, drawn_again = cards.ensure(card, FONTS, tmp_path, "una-guida")
    assert again == path and not drawn_again
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("text", [
    "Breve", "Un titolo molto lungo " * 12, "Supercalifragilistichespiralidoso" * 3,
])
def test_title_lines_always_fit_the_card(text):
    width = cards.WIDTH - 160
    font, lines = cards.fit_title(text, FONTS.bold, width)
    assert 1 <= len(lines) <= 4
    assert all(font.getlength(line) <= width for line in lines)


def test_wrap_never_exceeds_the_width():
    font = ImageFont.truetype(str(FONTS.regular), 40)
    lines = cards.wrap("parola " * 30 + "x" * 80, font, 500)
    assert len(lines) > 1
    for line in lines:
        assert font.getlength(line) <= 500


def test_organization_with_every_brand_setting():
    org = seo.organization("M", "https://x.it/", logo="https://x.it/logo.png", email="a@x.it",
                           address={"streetAddress": "Via del Porto 12", "addressLocality": "Bologna"},
                           same_as=["https://www.instagram.com/m"], description="Slogan")
    assert org["@id"] == "https://x.it/#organization"
    assert org["address"] == {"@type": "PostalAddress", "streetAddress": "Via del Porto 12",
                              "addressLocality": "Bologna"}
    assert org["sameAs"] == ["https://www.instagram.com/m"]
    assert org["logo"] == {"@type": "ImageObject", "url": "https://x.it/logo.png"}


def test_offer_of_a_landing_page():
    closes = datetime(2027, 2, 10, 23, 59, 59, tzinfo=UTC)
    offer = seo.offer(seo.Offer("Workshop", "Mezza giornata", valid_through=closes),
                      "https://x.it/landing/w/", "https://x.it/", offered_by={"name": "M"})
    assert offer["price"] == "0" and offer["priceCurrency"] == "EUR"
    assert offer["validThrough"] == "2027-02-10T23:59:59+00:00"
    assert offer["offeredBy"] == {"name": "M"}
