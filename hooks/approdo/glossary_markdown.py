"""A Python-Markdown extension that links glossary terms to their definition.

The first time a page uses a term, the word becomes a link to the glossary entry whose
``title`` is the short definition (Material's ``content.tooltips`` shows it as a tooltip). The
author writes nothing special. Headings, code, links, abbreviations and buttons are left alone,
and so is any term the author already linked to the glossary by hand (that link only gains the
definition as its tooltip).
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from urllib.parse import urlsplit

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from approdo.glossary import Matcher

CSS_CLASS = "approdo-glossary"
# Text inside these elements is never linked: it is already a link, code, a heading (which
# also feeds the table of contents) or a control.
_SKIP_TAGS = frozenset({
    "a", "abbr", "button", "code", "h1", "h2", "h3", "h4", "h5", "h6", "kbd", "label", "pre",
    "script", "style", "summary", "svg", "textarea", "title",
})
# After the inline processor (20), ``abbr`` (7), ``toc`` (5) and MkDocs' anchor extraction (5);
# before MkDocs' title extraction (1) and relative-link resolution (0), which turns the
# ``.md`` link into the page URL and checks it like any link an author writes.
PRIORITY = 3


@dataclass(frozen=True)
class Target:
    """The page being converted: where its source lives and where the glossary lives."""

    src_uri: str
    glossary_uri: str

    def href(self, anchor: str) -> str:
        """A Markdown-style link from this page's source to a glossary entry."""
        base = posixpath.dirname(self.src_uri) or "."
        return f"{posixpath.relpath(self.glossary_uri, base)}#{anchor}"

    def links_to_glossary(self, href: str) -> str | None:
        """The glossary anchor a hand-written ``href`` points to, if it points to one."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.fragment:
            return None
        if not parts.path:
            return parts.fragment if self.src_uri == self.glossary_uri else None
        base = posixpath.dirname(self.src_uri)
        path = posixpath.normpath(posixpath.join(base, parts.path))
        return parts.fragment if path == self.glossary_uri else None


def dependencies(target: Target | None, matcher: Matcher, markdown: str) -> dict | None:
    """What the glossary links in the HTML of ``markdown`` depend on: the page they link from
    and the terms the text may contain, nothing else (a page cache keys pages on it)."""
    if target is None or not matcher:
        return None
    terms = [[term.name, term.anchor, term.definition, list(term.synonyms)]
             for term in matcher.terms_possibly_in(markdown)]
    return {"page": target.src_uri, "glossary": target.glossary_uri, "terms": terms}


class GlossaryTreeprocessor(Treeprocessor):
    def __init__(self, md: Markdown, matcher: Matcher, target: Target) -> None:
        super().__init__(md)
        self.matcher = matcher
        self.target = target

    def cache_key(self, markdown: str) -> dict | None:
        """What this converter's glossary links depend on (read by the page cache)."""
        return dependencies(self.target, self.matcher, markdown)

    def run(self, root: etree.Element) -> None:
        # One converter may render several documents (Material reuses it for excerpts).
        used = self._linked_by_hand(root)
        self._walk(root, used)

    def _linked_by_hand(self, root: etree.Element) -> set[str]:
        """Anchors the author already links to; those links get the definition as tooltip and
        the class of the links the build adds, so both kinds look and behave the same."""
        used: set[str] = set()
        for link in root.iter("a"):
            anchor = self.target.links_to_glossary(link.get("href") or "")
            if not anchor:
                continue
            used.add(anchor)
            term = self.matcher.term_for_anchor(anchor)
            if term is None:
                continue
            if not link.get("title"):
                link.set("title", term.definition)
            classes = (link.get("class") or "").split()
            if CSS_CLASS not in classes:
                link.set("class", " ".join([*classes, CSS_CLASS]))
        return used

    def _walk(self, parent: etree.Element, used: set[str]) -> None:
        if parent.tag in _SKIP_TAGS or CSS_CLASS in (parent.get("class") or ""):
            return
        # Text before the first child, then each child and the text that follows it; the
        # children are listed first so the links inserted here are not walked again.
        children = list(parent)
        if parent.text and not isinstance(parent.text, AtomicString):
            self._link_text(parent, parent.text, None, used)
        for child in children:
            self._walk(child, used)
            if child.tail and not isinstance(child.tail, AtomicString):
                self._link_text(parent, child.tail, child, used)

    def _link_text(self, parent: etree.Element, text: str, after: etree.Element | None,
                   used: set[str]) -> None:
        parts = self.matcher.split(text, used)
        if len(parts) == 1 and isinstance(parts[0], str):
            return
        # Rebuild the text run: leading text stays where it was, each term becomes a link
        # followed (as its tail) by the text up to the next term.
        leading = parts[0] if isinstance(parts[0], str) else ""
        if after is None:
            parent.text = leading
            position = 0
        else:
            after.tail = leading
            position = list(parent).index(after) + 1
        last: etree.Element | None = None
        for part in parts:
            if isinstance(part, str):
                if last is not None:
                    last.tail = part
                continue
            term, matched = part
            link = etree.Element("a", {
                "href": self.target.href(term.anchor),
                "class": CSS_CLASS,
                "title": term.definition,
            })
            link.text = AtomicString(matched)
            parent.insert(position, link)
            position += 1
            last = link


class GlossaryExtension(Extension):
    """Registered once per build; links terms only while a page has been ``select``-ed.

    MkDocs creates a new converter for each page (and Material one per post excerpt) from the
    same extension list, so the page to link from is chosen just before that happens and
    cleared right after: converters made for anything else get no glossary.
    """

    def __init__(self, matcher: Matcher, glossary_uri: str) -> None:
        super().__init__()
        self.matcher = matcher
        self.glossary_uri = glossary_uri
        self.target: Target | None = None

    def select(self, src_uri: str | None) -> None:
        self.target = Target(src_uri, self.glossary_uri) if src_uri else None

    def cache_key(self, markdown: str) -> dict | None:
        """What the next converter's glossary links depend on (read by the page cache)."""
        return dependencies(self.target, self.matcher, markdown)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        if self.target is None or not self.matcher:
            return
        md.treeprocessors.register(
            GlossaryTreeprocessor(md, self.matcher, self.target), "approdo_glossary", PRIORITY)
