"""The lines of a Markdown body that are prose, not code: where directives and links live."""

from __future__ import annotations

import re
from typing import Iterator

# Any indentation: fences nest in admonitions, lists and tabs (pymdownx.superfences).
_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")


def prose_lines(body: str, first_line: int = 1) -> Iterator[tuple[int, str]]:
    """(file line, text) of every line outside fenced code blocks.

    ``first_line`` is the file line of the body's first line, so numbers point into the file.
    """
    fence = ""
    for index, text in enumerate(body.splitlines()):
        opening = _FENCE.match(text)
        if fence:
            # A closing fence: the same character, at least as many times, nothing else.
            stripped = text.strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening.group("fence")
            continue
        yield first_line + index, text


def without_inline_code(text: str) -> str:
    """``text`` with `inline code` spans blanked out (examples, not links)."""
    return _INLINE_CODE.sub(lambda match: " " * len(match.group(0)), text)
