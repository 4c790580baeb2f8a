"""The glossary: its terms, read from one Markdown page, and where they occur in a text.

Format of the glossary page (after its front matter): each term is a level-2 heading
``## Term``, optionally followed by ``<!-- sinonimi: a, b -->``, then one paragraph that is the
short definition (it becomes the reader's tooltip), then any further paragraphs. The anchor of a
term is the ASCII slug of its heading, the same one the ``toc`` extension gives the heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from approdo.errors import ContentError
from approdo.slugs import slugify

# A tooltip is read at a glance: longer definitions belong in the paragraphs that follow.
MAX_DEFINITION = 300

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_SYNONYMS = re.compile(r"^<!--\s*sinonimi\s*:(.*?)-->\s*$", re.I)
# A first line that starts something other than a plain paragraph.
_NOT_PARAGRAPH = re.compile(r"^(?:[-*+][ \t]|\d+[.)][ \t]|>|\||!!!|\?\?\?|<|`{3}|~{3}|#)")

# Inline Markdown a definition may still carry; the tooltip shows plain text.
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_REF_LINK = re.compile(r"\[([^\]]*)\]\[[^\]]*\]")
_HTML_TAG = re.compile(r"<[^>]+>")
_MD_MARKS = re.compile(r"(\*\*|__|\*|`|(?<!\w)_|_(?!\w))")
# Only what attr_list itself reads ({: ...}, {#id}, {.class}, {key=value}): other braces are text.
_ATTR_LIST = re.compile(r"\{:[^}]*\}|\{\s*[#.][\w-][^}]*\}|\{\s*[\w-]+=[^}]*\}")


@dataclass(frozen=True)
class Term:
    """One glossary entry."""

    name: str
    anchor: str
    definition: str
    synonyms: tuple[str, ...] = ()
    line: int = 1

    @property
    def forms(self) -> tuple[str, ...]:
        """Every way an article may write the term: its name, then its synonyms."""
        return (self.name, *self.synonyms)


def plain_text(markdown: str) -> str:
    """Inline Markdown reduced to the plain text a tooltip can show."""
    text = _MD_LINK.sub(r"\1", markdown)
    text = _MD_REF_LINK.sub(r"\1", text)
    text = _ATTR_LIST.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _MD_MARKS.sub("", text)
    return " ".join(text.split())


def parse(path: str, body: str, first_line: int = 1) -> tuple[list[Term], list[ContentError]]:
    """Read the terms of a glossary page body (the Markdown after its front matter).

    ``path`` names the file in errors; ``first_line`` is the file line of the body's first
    line, so errors point at the file.
    Returns the terms in page order and every problem found (never raises on bad input).
    """
    lines = body.splitlines()
    terms: list[Term] = []
    problems: list[ContentError] = []
    seen: dict[str, tuple[str, int]] = {}
    fence = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if not fence:
                fence = marker
            elif marker.startswith(fence[0]) and len(marker) >= len(fence):
                fence = ""
            index += 1
            continue
        heading = None if fence else _HEADING.match(line)
        if heading is None or len(heading.group(1)) != 2:
            index += 1
            continue
        name = plain_text(heading.group(2))
        file_line = first_line + index
        term, index = _read_term(path, lines, index + 1, name, file_line, first_line, problems)
        if term is None:
            continue
        anchors = {other.anchor: other for other in terms}
        if term.anchor in anchors:
            other = anchors[term.anchor]
            problems.append(ContentError(
                path, file_line, f"glossary term '{term.name}' has the same anchor '#{term.anchor}' "
                f"as '{other.name}' at line {other.line}", "headings that differ in letters"))
            continue
        for form in term.forms:
            key = _key(form)
            if key in seen:
                owner, owner_line = seen[key]
                problems.append(ContentError(
                    path, file_line, f"glossary term '{form}' is already defined",
                    f"each term and synonym once; see '{owner}' at line {owner_line}"))
            else:
                seen[key] = (term.name, file_line)
        terms.append(term)
    return terms, problems


def _read_term(path: str, lines: list[str], index: int, name: str, file_line: int, first_line: int,
               problems: list[ContentError]) -> tuple[Term | None, int]:
    """Read the synonyms and the definition paragraph that follow a ``## Term`` heading."""
    synonyms: tuple[str, ...] = ()
    index = _skip_blank(lines, index)
    if index < len(lines):
        match = _SYNONYMS.match(lines[index].strip())
        if match:
            synonyms = tuple(
                form for form in (" ".join(part.split()) for part in match.group(1).split(","))
                if form)
            index = _skip_blank(lines, index + 1)
    paragraph: list[str] = []
    start = index
    while index < len(lines) and lines[index].strip() and not _HEADING.match(lines[index]):
        if not paragraph and _NOT_PARAGRAPH.match(lines[index].strip()):
            break
        paragraph.append(lines[index].strip())
        index += 1
    definition = plain_text(" ".join(paragraph))
    if not definition:
        problems.append(ContentError(
            path, first_line + min(start, len(lines) - 1) if lines else file_line,
            f"glossary term '{name}' has no definition",
            "a plain paragraph of one or two sentences right after the heading"))
        return None, max(index, start)
    if len(definition) > MAX_DEFINITION:
        problems.append(ContentError(
            path, first_line + start,
            f"definition of '{name}' is {len(definition)} characters long",
            f"at most {MAX_DEFINITION}: it is shown as a tooltip; move the rest to a second "
            "paragraph"))
    return Term(name, slugify(name), definition, synonyms, file_line), index


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _key(form: str) -> str:
    """How two spellings of a term compare: any case, spacing or apostrophe."""
    return " ".join(form.replace("’", "'").split()).casefold()


class Matcher:
    """Finds glossary terms in running text: whole words, any letter case, longest form first."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = list(terms)
        self._by_form: dict[str, Term] = {}
        self._by_anchor = {term.anchor: term for term in self.terms}
        for term in self.terms:
            for form in term.forms:
                self._by_form.setdefault(_key(form), term)
        forms = sorted(self._by_form, key=len, reverse=True)
        # Flexible whitespace inside multi-word terms ("landing\npage" is still the term), and
        # either apostrophe ("all'azione", "all’azione").
        alternatives = "|".join(
            r"\s+".join(re.escape(word).replace("'", "['’]") for word in form.split())
            for form in forms)
        self._pattern = (
            re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.I) if forms else None)

    def __bool__(self) -> bool:
        return self._pattern is not None

    def terms_possibly_in(self, text: str) -> list[Term]:
        """Every term ``text`` might mention or link to (a superset of what ``split`` finds).

        A term is listed when each word of one of its forms occurs somewhere in the text (any
        case, either apostrophe) or its anchor does: a page cache keys a page on these terms, so
        editing any other term leaves the page's cached HTML valid.
        """
        folded = _key(text)
        return [term for term in self.terms
                if term.anchor in text
                or any(all(word in folded for word in _key(form).split()) for form in term.forms)]

    def term_for_anchor(self, anchor: str) -> Term | None:
        """The term whose glossary heading has this anchor."""
        return self._by_anchor.get(anchor)

    def term_for(self, text: str) -> Term | None:
        """The term that ``text`` (a name or synonym, any case) stands for."""
        return self._by_form.get(_key(text))

    def split(self, text: str, used: set[str]) -> list[str | tuple[Term, str]]:
        """Cut ``text`` around the first occurrence of each term not yet in ``used``.

        Returns plain strings and ``(term, matched text)`` pairs in order; the anchors of the
        terms found are added to ``used``, so each term is marked once per page.
        """
        if self._pattern is None or not text:
            return [text]
        parts: list[str | tuple[Term, str]] = []
        position = 0
        for match in self._pattern.finditer(text):
            term = self.term_for(match.group(0))
            if term is None or term.anchor in used:
                continue
            used.add(term.anchor)
            if match.start() > position:
                parts.append(text[position:match.start()])
            parts.append((term, match.group(0)))
            position = match.end()
        if position < len(text):
            parts.append(text[position:])
        return parts
