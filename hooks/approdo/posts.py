"""Blog posts as the home page lists them: newest first, each with a short plain-text excerpt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from html import unescape
from html.parser import HTMLParser

# Words in a home-page excerpt: enough for two or three lines of a card.
EXCERPT_WORDS = 40
DEFAULT_LIMIT = 6


@dataclass(frozen=True)
class Link:
    """A category, an author or a guide: a name, a site URL ("" when it has no page) and,
    for guides, their description."""

    name: str
    url: str = ""
    description: str = ""


@dataclass(frozen=True)
class PostCard:
    """What the home page shows of one published post."""

    title: str
    url: str
    created: datetime
    updated: datetime | None = None
    excerpt: str = ""
    description: str = ""
    categories: tuple[Link, ...] = ()
    authors: tuple[Link, ...] = ()
    readtime: int | None = None
    draft: bool = False
    pinned: bool = False

    @property
    def date_iso(self) -> str:
        """The publication date for a ``<time datetime>`` attribute."""
        return self.created.date().isoformat()


def newest_first(cards: list[PostCard], limit: int = DEFAULT_LIMIT) -> list[PostCard]:
    """The ``limit`` most recent posts, newest first (pinning does not reorder the home).

    Ties keep a stable order by title so two builds of the same content list the same posts.
    """
    ordered = sorted(cards, key=lambda card: card.title)
    ordered.sort(key=lambda card: _timestamp(card.created), reverse=True)
    return ordered[:max(limit, 0)]


def _timestamp(moment: datetime) -> float:
    # Material gives aware datetimes; a naive one (a hand-made card) is taken as UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


class _TextExtractor(HTMLParser):
    """The readable text of rendered HTML, minus the title and the permalink symbols."""

    _SKIPPED = {"h1", "script", "style", "template", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        skip = tag in self._SKIPPED or "headerlink" in classes
        if tag in {"br", "img", "hr", "input", "meta", "link", "wbr"}:
            if tag in {"br", "hr"}:
                self.parts.append(" ")
            return
        self._stack.append(skip)
        if skip:
            self._skip_depth += 1
        if tag in {"p", "li", "div", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "dd",
                   "dt"}:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in {"br", "img", "hr", "input", "meta", "link", "wbr"}:
            return
        if self._stack and self._stack.pop():
            self._skip_depth -= 1
        self.parts.append(" " if tag in {"p", "li", "div", "td", "th"} else "")

    def handle_data(self, data):
        if not self._skip_depth:
            self.parts.append(data)

    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def html_text(html: str) -> str:
    """Plain text of rendered post HTML: tags removed, entities decoded, spaces collapsed."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return unescape(parser.text())


def shorten(text: str, words: int = EXCERPT_WORDS) -> str:
    """At most ``words`` words, ending with an ellipsis when something was cut."""
    tokens = text.split()
    if len(tokens) <= words:
        return " ".join(tokens)
    cut = " ".join(tokens[:words])
    # Do not end on a dangling punctuation mark before the ellipsis.
    return re.sub(r"[\s,;:.\-–—(«\"']+$", "", cut) + "…"


def excerpt(html: str, separator: str = "<!-- more -->", words: int = EXCERPT_WORDS) -> str:
    """The plain-text excerpt of a rendered post: what comes before the separator, shortened.

    Without a separator the opening of the whole post is used.
    """
    head = html.split(separator, 1)[0]
    return shorten(html_text(head), words)
