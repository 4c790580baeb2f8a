"""Calls to action: which landing page an article leads to, and where in its body.

An article names its landing page in front matter (``landing: <slug>``, or ``landing: false``
to have none); otherwise the first of its categories with a site-wide default
(``extra.approdo.cta.by_category``) decides. A line ``[[cta: <slug>]]`` in the body places a
call to action mid-article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping
from urllib.parse import unquote

from approdo.lead_form import FIELDS_BY_NAME
from approdo.markdown_lines import prose_lines
from approdo.slugs import slugify
from approdo.utm import tracked_url

# The longest utm_content the lead form stores (the contract in approdo.lead_form).
UTM_MAX = FIELDS_BY_NAME["utm_content"].max_length

# A directive alone on its line: "[[cta: consulenza]]" (spaces around the parts allowed).
DIRECTIVE = re.compile(r"^[ \t]{0,3}\[\[[ \t]*cta[ \t]*:[ \t]*(?P<slug>[^\]\s]*)[ \t]*\]\][ \t]*$",
                       re.I)
# What an author most likely meant as a directive (a typo, or indented into a list or an
# admonition, where it cannot stand as a box): reported instead of shown as text.
_LOOKS_LIKE = re.compile(r"^[ \t]*\[\[[ \t]*cta\b", re.I)
SYNTAX = "[[cta: <landing slug>]]"
# What the error says the author should write instead.
EXPECTED = f"a line {SYNTAX} at the start of the line, outside lists and admonitions"


@dataclass(frozen=True)
class Directive:
    """One inline call to action: its 1-based line in the file and the slug it names."""

    line: int
    slug: str


@dataclass(frozen=True)
class Malformed:
    line: int
    text: str


def find_directives(body: str, body_line: int = 1) -> list[Directive | Malformed]:
    """The call-to-action directives in a Markdown body, skipping fenced code blocks.

    ``body_line`` is the file line of the body's first line, so lines point into the file.
    """
    found: list[Directive | Malformed] = []
    for line, text in prose_lines(body, body_line):
        match = DIRECTIVE.match(text)
        if match and match.group("slug"):
            found.append(Directive(line, match.group("slug")))
        elif _LOOKS_LIKE.match(text):
            found.append(Malformed(line, text.strip()))
    return found


def replace_directives(markdown: str, render: Any) -> str:
    """``markdown`` with each directive line replaced by ``render(slug)`` (fences left alone).

    ``render`` returns the replacement text, "" to drop the directive.
    """
    lines = markdown.splitlines(keepends=True)
    by_line = {item.line - 1: item.slug for item in find_directives(markdown)
               if isinstance(item, Directive)}
    for index, slug in by_line.items():
        ending = "\n" if lines[index].endswith("\n") else ""
        lines[index] = render(slug) + ending
    return "".join(lines)


def chosen_landing(meta: Mapping[str, Any], categories: Iterable[str],
                   by_category: Mapping[str, str]) -> str | None:
    """The landing slug an article's closing call to action leads to, or None.

    Front matter wins; ``landing: false`` means no closing call to action at all.
    """
    if "landing" in meta:
        value = meta["landing"]
        return value if isinstance(value, str) and value else None
    for category in categories:
        if category in by_category:
            return by_category[category]
    return None


def page_slug(url: str) -> str:
    """The slug that names a page in campaign reports: the last segment of its URL, as a UTM
    value the lead form can store (ASCII, at most ``UTM_MAX`` characters), whatever the file
    name or slug: a long title must not crash the links that carry it."""
    segments = [segment for segment in url.split("/") if segment]
    if not segments:
        return "home"
    last = unquote(segments[-1])
    last = last[:-5] if last.endswith(".html") else last
    return slugify(last)[:UTM_MAX].rstrip("-") or "page"


def cta_url(landing_url: str, landing_slug: str, article_slug: str) -> str:
    """The link of a call to action: the landing page, tagged as coming from this article."""
    return tracked_url(landing_url, "blog", "cta", landing_slug, article_slug)
