"""Links, anchors and images in Markdown, checked with the content errors, before rendering.

MkDocs reports a broken link as a warning without a line, and only once the content errors
are fixed (they stop the build first). Here every relative link and image of every page is
checked against the site's files and the anchors of the page it points at, so the author gets
``path:line: broken link 'x.md#y' (...)`` in the same list as the other content errors.

Anchors are computed as the ``toc`` extension makes them with Approdo's slugify (ASCII,
apostrophes as hyphens). A link written with Material's default anchors (accents kept or
dropped, apostrophes removed) gets a hint saying so. No MkDocs import.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from markdown.extensions.toc import slugify as default_slugify, slugify_unicode

from approdo.errors import ContentError
from approdo.markdown_lines import prose_lines, without_inline_code
from approdo.slugs import slugify

# [text](target "title") and ![alt](src): one level of nested brackets in the text.
_INLINE = re.compile(r"(?P<image>!?)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?(?P<target>[^)\s>]+)>?")
# [label]: target
_REFERENCE = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:[ \t]*<?(?P<target>[^\s>]+)")
_ATX = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(?P<text>.*?)[ \t]*$")
_SETEXT = re.compile(r"^[ \t]{0,3}(?:=+|-+)[ \t]*$")
# { #id .class } (attr_list) at the end of a heading or a block, id="..." in raw HTML.
_ATTR_ID = re.compile(r"\{[^}]*?#(?P<id>[\w:.-]+)[^}]*\}")
_HTML_ID = re.compile(r"""\bid=["'](?P<id>[^"']+)["']""")
_TRAILING_ATTRS = re.compile(r"[ \t]*\{[^}]*\}[ \t]*$")
_MARKS = re.compile(r"<[^>]+>|[*_`]")
_LINK_TEXT = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def headings(body: str) -> list[str]:
    """The plain text of every heading outside code blocks (ATX ``#`` and setext)."""
    found = []
    previous = ""
    for _, text in prose_lines(body):
        atx = _ATX.match(text)
        if atx:
            found.append(atx.group("text"))
        elif _SETEXT.match(text) and previous.strip() and not previous.lstrip().startswith(("-", "*", ">")):
            found.append(previous.strip())
        previous = text
    return found


def anchors(body: str) -> set[str]:
    """The ids a page's headings and attribute lists give it, as the toc extension does
    (a repeated heading gets ``_1``, ``_2``...)."""
    ids: set[str] = set()
    seen: dict[str, int] = {}
    for heading in headings(body):
        explicit = _ATTR_ID.search(heading)
        if explicit:
            ids.add(explicit.group("id"))
            continue
        slug = slugify(plain(heading))
        count = seen.get(slug, 0)
        ids.add(slug if count == 0 else f"{slug}_{count}")
        seen[slug] = count + 1
    for _, text in prose_lines(body):
        ids.update(match.group("id") for match in _ATTR_ID.finditer(text))
        ids.update(match.group("id") for match in _HTML_ID.finditer(text))
    return ids


def plain(heading: str) -> str:
    """A heading's text as the reader sees it: no attribute list, link syntax, tags or marks."""
    heading = _TRAILING_ATTRS.sub("", heading.rstrip("#").rstrip())
    return _MARKS.sub("", _LINK_TEXT.sub(r"\1", heading)).strip()


def targets(body: str, body_line: int) -> list[tuple[int, str, bool]]:
    """(file line, target, is an image) of every Markdown link and image in the prose."""
    found = []
    for line, text in prose_lines(body, body_line):
        text = without_inline_code(text)
        reference = _REFERENCE.match(text)
        if reference:
            found.append((line, reference.group("target"), False))
            continue
        for match in _INLINE.finditer(text):
            found.append((line, match.group("target"), bool(match.group("image"))))
    return found


def check_links(path: str, src_uri: str, body: str, body_line: int,
                pages: Mapping[str, str], files: set[str], docs_shown: str = "docs",
                no_anchor_check: frozenset[str] = frozenset()) -> list[ContentError]:
    """Every broken relative link, anchor and image in one page.

    Arguments:
        path: the page as errors name it ("docs/kb/x.md").
        src_uri: the page's path in docs/ ("kb/x.md").
        body, body_line: its Markdown after the front matter, and the file line it starts on.
        pages: the Markdown body of every page by ``src_uri`` (for their anchors).
        files: every other file of the site by ``src_uri`` (images, downloads).
        no_anchor_check: pages whose ids come from templates, not headings (landing pages).
    """
    errors = []
    cache: dict[str, set[str]] = {}
    for line, target, image in targets(body, body_line):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith("/"):
            continue  # another site, mailto:, or an absolute path: MkDocs' own validation
        kind = "image" if image else "link"
        linked = src_uri
        if parts.path:
            linked = posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), unquote(parts.path)))
            if parts.path.endswith("/") or ("." not in posixpath.basename(parts.path)):
                continue  # a folder URL: MkDocs' "unrecognized link" check
            if linked.startswith("../") or (linked not in pages and linked not in files):
                shown = posixpath.join(docs_shown, linked)
                hint = _close_file(linked, [*pages, *files])
                errors.append(ContentError(path, line, f"broken {kind} '{target}'",
                                           f"no file {shown}" + (f"; did you mean '{hint}'?" if hint else "")))
                continue
        if not parts.fragment or linked not in pages or linked in no_anchor_check:
            continue
        fragment = unquote(parts.fragment)
        if linked not in cache:
            cache[linked] = anchors(pages[linked])
        if fragment in cache[linked]:
            continue
        errors.append(ContentError(path, line, f"broken link '{target}'",
                                   _anchor_hint(fragment, pages[linked], cache[linked],
                                                posixpath.join(docs_shown, linked))))
    return errors


def _close_file(linked: str, known: list[str]) -> str:
    """A file in the same folder whose name is a likely typo of the one linked, as a link."""
    folder = posixpath.dirname(linked)
    names = [posixpath.basename(name) for name in known if posixpath.dirname(name) == folder]
    close = difflib.get_close_matches(posixpath.basename(linked), names, n=1, cutoff=0.8)
    return close[0] if close else ""


def _anchor_hint(fragment: str, body: str, ids: set[str], shown: str) -> str:
    """What the author probably meant: the heading whose default anchor they wrote, or the
    closest anchor of the page."""
    for heading in headings(body):
        text = plain(heading)
        if fragment not in (default_slugify(text, "-"), slugify_unicode(text, "-")):
            continue
        explicit = _ATTR_ID.search(heading)
        if explicit:
            return (f"{shown} has no anchor #{fragment}: that heading sets its own anchor, "
                    f"#{explicit.group('id')}")
        return (f"{shown} has no anchor #{fragment}: Approdo's anchors turn accents into plain "
                f"letters and apostrophes into hyphens, so that heading is #{slugify(text)}")
    close = difflib.get_close_matches(fragment, sorted(ids), n=1)
    return f"{shown} has no heading with the anchor #{fragment}" + (f"; did you mean #{close[0]}?" if close else "")
