"""The sample site as a crawler and a social network see it: meta tags and JSON-LD of every
page kind, social cards, sitemap.xml and robots.txt (built once: the session's real_site)."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from approdo.frontmatter import parse
from conftest import AS_OF
from approdo.seo import page_dates
from test_seo_support import Head, png_size, read_head, site_file

ROOT = Path(__file__).resolve().parent.parent
# The address the site is built for (mkdocs.yml: APPRODO_SITE_URL or the local default).
SITE_URL = os.environ.get("APPRODO_SITE_URL", "http://127.0.0.1:8000/").rstrip("/") + "/"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# Pages with their own minimal template and no preview of their own: the redirects of short
# links (noindex). The link-in-bio page has its own template too, but a full preview.
OWN_TEMPLATES = ("go/",)


def _posts_front_matter() -> dict[str, dict]:
    """Front matter of every published post, by title."""
    posts = {}
    for path in sorted((ROOT / "docs/blog/posts").glob("*.md")):
        data = parse(path.read_text(encoding="utf-8")).data or {}
        if data.get("draft") is True:
            continue
        posts[data["title"]] = data
    return posts


@pytest.fixture(scope="module")
def heads(real_site) -> dict[str, Head]:
    """The <head> of every built HTML page, by site-relative path."""
    result = {}
    for path in sorted(real_site.site.rglob("*.html")):
        relative = path.relative_to(real_site.site).as_posix()
        result[relative] = read_head(path.read_text(encoding="utf-8"))
    return result


def _kind(path: str) -> str:
    if path == "index.html":
        return "home"
    if path == "404.html":
        return "404"
    if re.match(r"blog/\d{4}/\d{2}/[^/]+/index\.html$", path):
        return "post"
    if path.startswith(OWN_TEMPLATES):
        return "own"
    if re.match(r"landing/[^/]+/grazie/index\.html$", path):
        return "thanks"
    if re.match(r"landing/[^/]+/index\.html$", path):
        return "landing"
    if path.startswith("blog/"):
        return "blog"
    return "page"


def test_every_page_kind_is_present(heads):
    kinds = {_kind(path) for path in heads}
    assert {"home", "post", "blog", "landing", "thanks", "page", "404"} <= kinds


def test_every_page_has_complete_social_metadata(real_site, heads):
    checked = 0
    for path, head in heads.items():
        kind = _kind(path)
        if kind in ("own", "404"):
            continue
        checked += 1
        canonical = head.link("canonical")
        assert len(canonical) == 1, path
        url = canonical[0]["href"]
        assert url.startswith(SITE_URL) and head.one("og:url") == url, path
        assert site_file(real_site.site, url, SITE_URL).is_file(), path
        description = head.one("description")
        assert description and head.one("og:description") == description, path
        assert head.one("twitter:description") == description, path
        assert head.one("og:title") and head.one("twitter:title") == head.one("og:title"), path
        assert head.one("og:type") == ("article" if kind == "post" else "website"), path
        assert head.one("og:locale") == "it_IT", path
        assert head.one("og:site_name") == "Maestrale Digitale", path
        assert head.one("twitter:card") == "summary_large_image", path
        image = head.one("og:image")
        assert head.one("twitter:image") == image, path
        assert head.one("og:image:alt") and head.one("twitter:image:alt") == head.one("og:image:alt")
        width, height = int(head.one("og:image:width")), int(head.one("og:image:height"))
        image_file = site_file(real_site.site, image, SITE_URL)
        assert png_size(image_file) == (width, height), path
        # Every page links the blog's feeds, and each link points at a built file.
        alternates = {link["type"]: link["href"] for link in head.link("alternate")}
        assert {"application/rss+xml", "application/atom+xml", "application/feed+json"} <= set(alternates)
        for href in alternates.values():
            assert site_file(real_site.site, href, SITE_URL).is_file(), (path, href)
        # JSON-LD: valid JSON, nothing that could close the <script> element.
        assert head.json_ld_raw, path
        for raw in head.json_ld_raw:
            assert "<" not in raw and ">" not in raw, path
        assert head.json_ld, path
    assert checked > 30


def test_cards_are_1200x630_pngs_for_posts_and_landing_pages(real_site, heads):
    for path, head in heads.items():
        if _kind(path) in ("post", "landing"):
            image = head.one("og:image")
            assert "/assets/cards/" in image, path
            assert png_size(site_file(real_site.site, image, SITE_URL)) == (1200, 630)
            assert head.one("og:image:type") == "image/png"


def test_card_fonts_are_not_published(real_site):
    assert not list(real_site.site.rglob("*.ttf"))
    assert not (real_site.site / "feeds").exists()  # feed templates stay in the theme


def test_home_page_describes_organization_and_website(heads):
    head = heads["index.html"]
    (org,) = head.of_type("Organization")
    assert org["name"] == "Maestrale Digitale"
    assert org["url"] == SITE_URL
    assert org["email"] == "ciao@maestrale.example"
    assert org["address"]["addressLocality"] == "Bologna"
    assert org["logo"]["url"].startswith(SITE_URL)
    (site,) = head.of_type("WebSite")
    assert site["url"] == SITE_URL and site["inLanguage"] == "it-IT"
    assert site["publisher"]["@id"] == org["@id"]
    assert site["potentialAction"]["target"]["urlTemplate"].startswith(SITE_URL)
    assert not head.of_type("BreadcrumbList")


def test_posts_have_article_metadata_and_blog_posting(heads):
    posts = _posts_front_matter()
    seen = set()
    for path, head in heads.items():
        if _kind(path) != "post":
            continue
        title = head.one("og:title")
        data = posts[title]
        seen.add(title)
        created, updated = page_dates(data)
        assert head.one("article:published_time") == created.isoformat()
        assert head.one("article:modified_time") == (updated or created).isoformat()
        assert head.one("article:section") == data["categories"][0]
        assert head.all("article:tag") == [str(tag) for tag in data.get("tags", [])]
        authors = head.all("article:author")
        assert len(authors) == len(data["authors"])
        assert all(author.startswith(SITE_URL + "blog/author/") for author in authors)
        (post,) = head.of_type("BlogPosting")
        assert post["headline"] == title
        assert post["description"] == data["description"]
        assert post["datePublished"] == created.isoformat()
        assert post["dateModified"] == (updated or created).isoformat()
        assert post["image"]["url"] == head.one("og:image")
        assert post["image"]["width"] == 1200 and post["image"]["height"] == 630
        assert [author["@type"] for author in post["author"]] == ["Person"] * len(authors)
        assert post["publisher"]["name"] == "Maestrale Digitale"
        assert post["publisher"]["logo"]["url"].startswith(SITE_URL)
        assert post["mainEntityOfPage"]["@id"] == head.one("og:url")
        (crumbs,) = head.of_type("BreadcrumbList")
        names = [item["name"] for item in crumbs["itemListElement"]]
        assert names[0] == "Maestrale Digitale" and names[-1] == title
        assert data["categories"][0] in names
        assert [item["position"] for item in crumbs["itemListElement"]] == list(range(1, len(names) + 1))
    assert seen == set(posts)


def test_breadcrumb_items_are_built_pages(real_site, heads):
    items = [(path, item) for path, head in heads.items()
             for crumbs in head.of_type("BreadcrumbList") for item in crumbs["itemListElement"]]
    assert items
    for path, item in items:
        assert site_file(real_site.site, item["item"], SITE_URL).is_file(), (path, item)


def test_landing_pages_are_web_pages_with_their_offer(heads):
    landings = {}
    for path in sorted((ROOT / "docs/landing").glob("*.md")):
        landings[path.stem] = parse(path.read_text(encoding="utf-8")).data
    assert {"guida-gratuita", "consulenza", "workshop-bologna"} <= set(landings)
    for slug, data in landings.items():
        head = heads[f"landing/{slug}/index.html"]
        (page,) = head.of_type("WebPage")
        assert page["name"] == data["title"] == head.one("og:title")
        offer = page["mainEntity"]
        assert offer["@type"] == "Offer"
        assert offer["name"] == data["offer"]["headline"]
        assert offer["url"] == head.one("og:url")
        assert offer["offeredBy"]["name"] == "Maestrale Digitale"
        if data.get("closes"):
            # The last second of the closing day in Italy (a sample offer closes in winter).
            assert offer["validThrough"] == f"{data['closes'].isoformat()}T23:59:59+01:00"
        assert head.of_type("BreadcrumbList")
    workshop = heads["landing/workshop-bologna/index.html"].of_type("Offer")[0]
    assert workshop["validThrough"].startswith("2027-02-10")


def test_blog_views_are_collection_pages_with_category_feeds(heads):
    head = heads["blog/category/strategia/index.html"]
    (page,) = head.of_type("CollectionPage")
    assert "Strategia" in page["description"]
    hrefs = [link["href"] for link in head.link("alternate")]
    assert SITE_URL + "blog/category/strategia/feed.xml" in hrefs
    assert SITE_URL + "blog/category/strategia/atom.xml" in hrefs


def test_thank_you_and_redirect_pages_are_noindex(heads):
    hidden = [path for path in heads if _kind(path) in ("thanks", "own")]
    assert any(_kind(path) == "thanks" for path in hidden)
    for path in hidden:
        assert heads[path].one("robots") == "noindex", path


def test_404_page_still_has_a_preview(heads):
    head = heads["404.html"]
    assert head.one("og:site_name") == "Maestrale Digitale"
    assert "/assets/cards/" in head.one("og:image")


# --- sitemap and robots -------------------------------------------------------------------

@pytest.fixture(scope="module")
def sitemap(real_site) -> dict[str, str]:
    tree = ET.parse(real_site.site / "sitemap.xml")
    entries = {}
    for url in tree.getroot().findall(f"{SM}url"):
        loc = url.findtext(f"{SM}loc")
        assert loc not in entries, f"{loc} twice"
        entries[loc] = url.findtext(f"{SM}lastmod") or ""
    return entries


def test_sitemap_lists_only_indexable_built_pages(real_site, heads, sitemap):
    assert SITE_URL in sitemap
    for loc in sitemap:
        path = site_file(real_site.site, loc, SITE_URL)
        assert path.is_file(), loc
        relative = path.relative_to(real_site.site).as_posix()
        assert "noindex" not in heads[relative].all("robots"), loc
        assert not re.search(r"/(go|bio)/|/grazie/", loc), loc
    # Every indexable page with a canonical URL is listed.
    for path, head in heads.items():
        if _kind(path) in ("own", "404", "thanks") or head.all("robots"):
            continue
        assert head.link("canonical")[0]["href"] in sitemap, path


def test_sitemap_lastmod_comes_from_front_matter_not_build_time(heads, sitemap):
    posts = _posts_front_matter()
    today = AS_OF.date().isoformat()   # the build's day (SOURCE_DATE_EPOCH)
    for path, head in heads.items():
        if _kind(path) != "post":
            continue
        created, updated = page_dates(posts[head.one("og:title")])
        assert sitemap[head.one("og:url")] == (updated or created).date().isoformat()
    newest = max((updated or created) for created, updated in map(page_dates, posts.values()))
    assert sitemap[SITE_URL + "blog/"] == newest.date().isoformat()
    # Pages without any date have no lastmod rather than the build date.
    undated = [loc for loc in sitemap if loc.startswith(SITE_URL + "landing/")]
    assert undated and all(sitemap[loc] == "" for loc in undated)
    assert today not in sitemap.values() or today in {
        (updated or created).date().isoformat() for created, updated in map(page_dates, posts.values())}


def test_gzipped_sitemap_matches(real_site):
    import gzip

    plain = (real_site.site / "sitemap.xml").read_bytes()
    assert gzip.decompress((real_site.site / "sitemap.xml.gz").read_bytes()) == plain


def test_robots_txt_points_to_the_sitemap(real_site):
    lines = (real_site.site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {SITE_URL}sitemap.xml" in lines
    assert not any(line.startswith("Disallow: /") for line in lines)



def test_real_site_builds_with_the_network_cut_off(real_site):
    """The sample site, cards drawn from scratch, in a process that cannot reach the network
    (the shared ``real_site`` is built that way: see conftest.py)."""
    assert real_site.network == []
    drawn = re.search(r"social cards: (\d+) used, (\d+) drawn", real_site.output)
    assert drawn and int(drawn.group(1)) > 0 and drawn.group(1) == drawn.group(2)
    assert (real_site.site / "feed.xml").is_file() and (real_site.site / "sitemap.xml").is_file()
