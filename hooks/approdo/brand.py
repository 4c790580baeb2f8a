"""The brand's design tokens, read from the stylesheet every page loads.

``overrides/assets/stylesheets/brand.css`` is the single source of the brand's colours, font and
radius: browsers read it as CSS custom properties, and the social cards (drawn in Python) read it
through this module, so a card and the page it links to cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TOKENS_FILE = Path(__file__).resolve().parents[2] / "overrides/assets/stylesheets/brand.css"

_DECLARATION = re.compile(r"--brand-([a-z0-9-]+)\s*:\s*([^;]+);")
_LIGHT_DARK = re.compile(r"light-dark\(\s*(#[0-9a-fA-F]{6})\s*,\s*(#[0-9a-fA-F]{6})\s*\)")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


@dataclass(frozen=True)
class Colour:
    """One brand colour in the light and the dark scheme (#rrggbb)."""

    light: str
    dark: str


@dataclass(frozen=True)
class Tokens:
    colours: dict[str, Colour]
    other: dict[str, str]  # font stack, radius...


def parse(css: str) -> Tokens:
    """The ``--brand-*`` custom properties of ``css``; colours must be
    ``light-dark(#rrggbb, #rrggbb)``, anything else is kept as its raw value."""
    colours: dict[str, Colour] = {}
    other: dict[str, str] = {}
    for name, value in _DECLARATION.findall(_COMMENT.sub("", css)):
        value = " ".join(value.split())
        pair = _LIGHT_DARK.fullmatch(value)
        if pair:
            colours[name] = Colour(pair[1].lower(), pair[2].lower())
        elif "light-dark" in value or value.startswith("#"):
            raise ValueError(f"--brand-{name}: {value} (expected light-dark(#rrggbb, #rrggbb))")
        else:
            other[name] = value
    return Tokens(colours, other)


@cache
def load(path: Path = TOKENS_FILE) -> Tokens:
    """The tokens of the brand stylesheet (read once per process)."""
    return parse(path.read_text(encoding="utf-8"))
