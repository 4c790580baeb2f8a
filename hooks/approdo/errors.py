"""Content errors: every mistake an author can fix, with the file and line to look at."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ContentError:
    """One mistake in one file, printed as ``path:line: what is wrong (what was expected)``."""

    path: str
    line: int
    problem: str
    expected: str = ""

    def __str__(self) -> str:
        suffix = f" ({self.expected})" if self.expected else ""
        return f"{self.path}:{self.line}: {self.problem}{suffix}"


class ErrorReport:
    """Collects the content errors of one build so that all of them are reported at once.

    Every validating hook adds to the shared ``REPORT`` during ``on_files``; the
    ``content_errors`` hook prints them and fails the build before any page is rendered.
    """

    def __init__(self) -> None:
        self.errors: list[ContentError] = []

    def add(self, path: str, line: int, problem: str, expected: str = "") -> None:
        self.errors.append(ContentError(path, line, problem, expected))

    def extend(self, errors: list[ContentError]) -> None:
        self.errors.extend(errors)

    def clear(self) -> None:
        self.errors.clear()

    def sorted(self) -> list[ContentError]:
        return sorted(set(self.errors))


# One report per process; ``content_errors.on_config`` clears it at the start of every build
# because ``mkdocs serve`` keeps hook modules (and so this object) between rebuilds.
REPORT = ErrorReport()


def key_line(lines: Mapping[str, int], key: str, default: int = 1) -> int:
    """The line of a dotted front-matter key ("offer.benefits.2") in ``lines``, or of its
    nearest parent, or ``default``: where an error about that key points."""
    while key:
        if key in lines:
            return lines[key]
        key = key.rpartition(".")[0]
    return default


def did_you_mean(name: str, choices) -> str:
    """A "did you mean 'x'?" hint for a misspelt key or value, or "" when nothing is close."""
    close = difflib.get_close_matches(str(name), [str(choice) for choice in choices], n=1)
    return f"did you mean '{close[0]}'?" if close else ""
