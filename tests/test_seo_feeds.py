"""The sample blog's feeds read by a real feed parser: items, order, dates, content, images."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest

from approdo.frontmatter import parse
from conftest import AS_OF
from approdo.seo import page_dates
from test_seo_support import png_size, site_file

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = os.environ.get("APPRODO_SITE_URL", "http://127.0.0.1:8000/").rstrip("/") + "/"


def _published_posts() -> dict[str, dict]:
    """Front matter of the posts a build publishes (no drafts, no future dates), by title."""
    now = AS_OF   # the day the test builds are made as of (SOURCE_DATE_EPOCH)
    posts = {}
    for path in sorted((ROOT / "docs/blog/posts").glob("*.md")):
        data = parse(path.read_text(encoding="utf-8")).data or {}
        created, _ = page_dates(data)
        if data.get("draft") is True or created > now:
            continue
        posts[data["title"]] = data
    return posts


def _parse(path: Path):
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, f"{path}: {feed.get('bozo_exception')}"
    return feed


def _when(struct) -> datetime:
    return datetime(*struct[:6], tzinfo=timezone.utc)


@pytest.mark.parametrize("name,version", [("feed.xml", "rss20"), ("atom.xml", "atom10")])
def test_main_feed_lists_every_published_post_newest_first(real_site, name, version):
    feed = _parse(real_site.site / name)
    assert feed.version == version
    posts = _published_posts()
    titles = [entry.title for entry in feed.entries]
    assert sorted(titles) == sorted(posts)
    published = [_when(entry.published_parsed) for entry in feed.entries]
    assert published == sorted(published, reverse=True)
    for entry in feed.entries:
        created, updated = page_dates(posts[entry.title])
        assert _when(entry.published_parsed) == created
        assert _when(entry.updated_parsed) == (updated or created)
        assert entry.link.startswith(SITE_URL + "blog/")
        assert site_file(real_site.site, entry.link, SITE_URL).is_file()
        assert entry.summary == posts[entry.title]["description"]
        assert [tag.term for tag in entry.tags] == posts[entry.title]["categories"]
        (image,) = entry.media_content
        assert png_size(site_file(real_site.site, image["url"], SITE_URL)) == (1200, 630)


def test_feed_content_is_the_post_with_absolute_links(real_site):
    feed = _parse(real_site.site / "feed.xml")
    for entry in feed.entries:
        html = entry.content[0]["value"]
        assert len(html) > 500
        assert 'class="headerlink"' not in html and "<h1" not in html
        for attribute in ('href="', 'src="'):
            for value in html.split(attribute)[1:]:
                url = value.split('"', 1)[0]
                assert url.startswith(("http://", "https://", "#", "mailto:")), (entry.title, url)


def test_feed_dates_survive_the_two_date_forms(real_site):
    """At least one sample post uses `date: {created, updated}` and one `date: YYYY-MM-DD`."""
    posts = _published_posts()
    forms = {isinstance(data["date"], dict) for data in posts.values()}
    assert forms == {True, False}
    feed = _parse(real_site.site / "atom.xml")
    changed = [entry for entry in feed.entries if entry.updated_parsed != entry.published_parsed]
    assert changed, "a post with date.updated must show a later <updated>"


def test_channel_dates_are_the_newest_post_not_the_build_time(real_site):
    posts = _published_posts()
    newest = max((updated or created) for created, updated in map(page_dates, posts.values()))
    rss = _parse(real_site.site / "feed.xml")
    assert _when(rss.feed.updated_parsed) == newest
    atom = _parse(real_site.site / "atom.xml")
    assert _when(atom.feed.updated_parsed) == newest
    assert atom.feed.language == "it-it"


def test_each_category_has_feeds_with_only_its_posts(real_site):
    posts = _published_posts()
    categories = {category for data in posts.values() for category in data["categories"]}
    assert len(categories) > 1
    for category in categories:
        folder = real_site.site / "blog/category" / _slug(category)
        for name in ("feed.xml", "atom.xml"):
            feed = _parse(folder / name)
            expected = {title for title, data in posts.items() if category in data["categories"]}
            assert {entry.title for entry in feed.entries} == expected, (category, name)
            assert category in feed.feed.title
        data = json.loads((folder / "feed.json").read_text(encoding="utf-8"))
        assert {item["title"] for item in data["items"]} == expected


def _slug(name: str) -> str:
    from approdo.slugs import slugify

    return slugify(name)


def test_json_feed_is_json_feed_1_1(real_site):
    data = json.loads((real_site.site / "feed.json").read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == SITE_URL + "feed.json"
    assert data["home_page_url"] == SITE_URL + "blog/"
    assert data["language"] == "it-it"
    posts = _published_posts()
    assert [item["title"] for item in data["items"]] == [
        entry.title for entry in _parse(real_site.site / "feed.xml").entries]
    for item in data["items"]:
        created, updated = page_dates(posts[item["title"]])
        assert datetime.fromisoformat(item["date_published"]) == created
        assert datetime.fromisoformat(item["date_modified"]) == (updated or created)
        assert item["id"] == item["url"] and item["url"].startswith(SITE_URL)
        assert item["content_html"] and item["summary"]
        assert item["image"].startswith(SITE_URL + "assets/cards/")
        assert item["authors"][0]["name"]
