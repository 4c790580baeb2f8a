"""Where a post's excerpt ends in its Markdown, when cutting there cannot change the excerpt.

Material renders an excerpt by converting the whole post and cutting the HTML at the
separator. Converting only the Markdown before the separator gives the same HTML when nothing
after the separator reaches back (footnotes, link references and abbreviations are defined
anywhere in a document) and the separator is a block of its own at the top level (not inside a
fence, an HTML block, a paragraph or an indented block). ``excerpt_source`` says when that holds;
otherwise the caller converts the whole post as Material does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Definitions that apply to the whole document wherever they stand: link references
# ("[id]: url"), footnotes ("[^1]: ...") and abbreviations ("*[HTML]: ...").
_DEFINITION = re.compile(r"^ {0,3}\*?\[[^\]\n]+\]:", re.M)
# Lines that open a block whose end the cut could move: fences and raw HTML blocks.
_BLOCK_OPENER = re.compile(r"^\s*(?:`{3,}|~{3,}|<)", re.M)


@dataclass(frozen=True)
class ExcerptSource:
    """The Markdown before the separator, and whether anything follows it."""

    before: str
    has_more: bool


def excerpt_source(markdown: str, separator: str) -> ExcerptSource | None:
    """The part of ``markdown`` an excerpt is made of, or None when only the whole will do."""
    if not separator or markdown.count(separator) != 1 or "[^" in markdown:
        return None
    before, after = markdown.split(separator, 1)
    line_start = before.rfind("\n") + 1
    # The separator alone on its line, at column 0, after a blank line (or at the start).
    if before[line_start:].strip() or before[line_start:] != "":
        return None
    if before[:line_start].strip() and not before[:line_start].endswith("\n\n"):
        return None
    if after and not after.startswith(("\n", "\r\n")):
        return None
    if _DEFINITION.search(after) or _BLOCK_OPENER.search(before):
        return None
    return ExcerptSource(before=before, has_more=bool(after.strip()))
