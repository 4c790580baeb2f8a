"""Blog feeds (RSS 2.0, Atom 1.0 and JSON Feed 1.1): items, dates and content, no MkDocs import.

The ``feeds`` hook turns Material's blog posts into ``FeedItem`` objects; the templates
``overrides/feeds/rss.xml`` and ``atom.xml`` and ``json_feed`` serialise them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from approdo.seo import Image, iso


@dataclass
class FeedItem:
    """One post as a feed entry. Dates are timezone-aware."""

    url: str
    title: str
    summary: str
    content_html: str
    published: datetime
    updated: datetime | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    image: Image | None = None

    @property
    def modified(self) -> datetime:
        """The last change: the update date if there is one, else the publication."""
        return max(self.published, self.updated or self.published)


@dataclass
class Feed:
    """A channel: the whole blog or one category."""

    title: str
    description: str
    home_url: str
    rss_url: str
    atom_url: str
    json_url: str
    language: str
    items: list[FeedItem]
    image: Image | None = None
    author: str = ""

    @property
    def updated(self) -> datetime | None:
        """The newest change among the items (never the build time: feeds stay stable)."""
        return max((item.modified for item in self.items), default=None)


def newest_first(items: list[FeedItem], limit: int = 0) -> list[FeedItem]:
    """Items by publication date, newest first (ties by URL, for a stable order); pinned
    posts are not special in a feed."""
    ordered = sorted(items, key=lambda item: (item.published, item.url), reverse=True)
    return ordered[:limit] if limit else ordered


def rfc822(value: datetime | None) -> str:
    """RSS 2.0 date: ``Tue, 04 Mar 2025 00:00:00 +0000``."""
    return format_datetime(value) if value else ""


# --- content --------------------------------------------------------------------------

_URL_ATTRIBUTES = {"href", "src", "poster"}


class _Absolutizer(HTMLParser):
    """Re-emits HTML with every link and image made absolute (feed readers have no base
    URL) and without the permalink anchors (``¶``) of headings."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=False)
        self.base = base
        self.out: list[str] = []
        self.skip_depth = 0

    def _attrs(self, attrs: list[tuple[str, str | None]]) -> str:
        parts = []
        for name, value in attrs:
            if value is None:
                parts.append(f" {name}")
                continue
            if name in _URL_ATTRIBUTES and not value.startswith(("#", "mailto:", "tel:", "data:")):
                value = urljoin(self.base, value)
            elif name == "srcset":
                value = ", ".join(
                    " ".join([urljoin(self.base, bits[0]), *bits[1:]])
                    for bits in (candidate.split() for candidate in value.split(","))
                    if bits
                )
            escaped = value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            parts.append(f' {name}="{escaped}"')
        return "".join(parts)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.skip_depth or (tag == "a" and "headerlink" in classes):
            self.skip_depth += 1
            return
        self.out.append(f"<{tag}{self._attrs(attrs)}>")

    def handle_startendtag(self, tag, attrs):
        if not self.skip_depth:
            self.out.append(f"<{tag}{self._attrs(attrs)} />")

    def handle_endtag(self, tag):
        if self.skip_depth:
            self.skip_depth -= 1
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.skip_depth:
            self.out.append(data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))

    def handle_entityref(self, name):
        if not self.skip_depth:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self.skip_depth:
            self.out.append(f"&#{name};")

    def handle_comment(self, data):
        # Comments (e.g. the excerpt separator) mean nothing to a feed reader.
        pass


def feed_html(content: str, base_url: str) -> str:
    """Rendered post HTML ready for a feed: absolute URLs, no heading permalinks."""
    parser = _Absolutizer(base_url)
    parser.feed(content or "")
    parser.close()
    return "".join(parser.out).strip()


_FIRST_HEADING = re.compile(r"\A\s*<h1\b[^>]*>.*?</h1>\s*", re.S)


def without_title(content: str) -> str:
    """Post HTML without its leading ``<h1>``: the feed item already carries the title."""
    return _FIRST_HEADING.sub("", content or "", count=1)


# --- JSON Feed ------------------------------------------------------------------------

def json_feed(feed: Feed) -> str:
    """The feed as JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""
    data: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.json_url,
        "description": feed.description,
        "language": feed.language,
    }
    if feed.author:
        data["authors"] = [{"name": feed.author}]
    if feed.image:
        data["icon"] = feed.image.url
    data["items"] = [_json_item(item) for item in feed.items]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _json_item(item: FeedItem) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": item.url,
        "url": item.url,
        "title": item.title,
        "summary": item.summary,
        "content_html": item.content_html,
        "date_published": iso(item.published),
        "date_modified": iso(item.modified),
    }
    if item.image:
        entry["image"] = item.image.url
    if item.authors:
        entry["authors"] = [{"name": name} for name in item.authors]
    if item.categories or item.tags:
        entry["tags"] = list(dict.fromkeys([*item.categories, *item.tags]))
    return entry
