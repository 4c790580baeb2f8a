"""Short links for social posts: ``/go/<code>/`` leads to a landing page, tagged by channel.

A code is derived from the landing slug and the channel (the same on every build, so a link
already posted keeps working) unless the landing page sets its own in ``short_links:``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from approdo.errors import ContentError
from approdo.utm import tracked_url

# The channels a social-media manager posts on; each gets its own short link per landing page.
# Newsletters are email, everything else a social post (WhatsApp Business included).
CHANNELS: dict[str, str] = {
    "facebook": "social",
    "instagram": "social",
    "linkedin": "social",
    "x": "social",
    "whatsapp": "social",
    "newsletter": "email",
}
GO_DIR = "go"
CODE_LENGTH = 6
# An author's own code: short, lowercase, readable aloud ("webinar25").
CODE_PATTERN = r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?"
CODE_EXPECTED = "2 to 32 lowercase letters, digits or inner hyphens, e.g. 'guida25'"


def derived_code(slug: str, channel: str) -> str:
    """The default code of a landing page on a channel: 6 base32 characters of a hash."""
    digest = hashlib.sha256(f"{slug}\n{channel}".encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii")[:CODE_LENGTH].lower()


def go_url(code: str) -> str:
    """The site-relative URL of a short link."""
    return f"{GO_DIR}/{code}/"


@dataclass(frozen=True)
class ShortLink:
    """One short link: which landing page and channel it stands for, and where it leads."""

    code: str
    slug: str
    channel: str
    # The landing page URL with the channel's UTM parameters (site-relative).
    target: str
    # Whether the code was set by the author (so a collision points at their line).
    custom: bool = False

    @property
    def url(self) -> str:
        return go_url(self.code)


def check_overrides(path: str, short_links: Mapping[str, Any],
                    line_of: Callable[[str], int]) -> list[ContentError]:
    """What is wrong in one landing page's ``short_links:`` mapping (channel -> code);
    ``line_of("short_links.x")`` gives the line of a key in ``path``."""
    problems = []
    for channel, code in short_links.items():
        key = f"short_links.{channel}"
        if channel not in CHANNELS:
            problems.append(ContentError(path, line_of(key), f"unknown short-link channel '{channel}'",
                                         "one of: " + ", ".join(CHANNELS)))
        elif not isinstance(code, str) or not re.fullmatch(CODE_PATTERN, code) or len(code) < 2:
            problems.append(ContentError(path, line_of(key),
                                         f"short-link code {code!r} for '{channel}' is not valid",
                                         CODE_EXPECTED))
    return problems


def short_links_for(slug: str, landing_url: str, overrides: Mapping[str, Any]) -> list[ShortLink]:
    """One short link per channel for a landing page; valid overrides replace derived codes."""
    links = []
    for channel, medium in CHANNELS.items():
        custom = overrides.get(channel)
        usable = isinstance(custom, str) and re.fullmatch(CODE_PATTERN, custom) is not None
        code = custom if isinstance(custom, str) and usable else derived_code(slug, channel)
        target = tracked_url(landing_url, channel, medium, slug)
        links.append(ShortLink(code, slug, channel, target, custom=usable))
    return links


def collisions(links: Iterable[ShortLink]) -> list[tuple[ShortLink, ShortLink]]:
    """Every pair of short links sharing a code: (first seen, the one that clashes with it)."""
    seen: dict[str, ShortLink] = {}
    pairs = []
    for link in links:
        if link.code in seen:
            pairs.append((seen[link.code], link))
        else:
            seen[link.code] = link
    return pairs


def merge_query(target_query: list[tuple[str, str]], visitor_query: list[tuple[str, str]],
                fixed: Iterable[str] = ("utm_source", "utm_medium", "utm_campaign")) -> list[tuple[str, str]]:
    """The query a short link redirects to: the target's, plus what the visitor's URL adds.

    The channel, medium and campaign are what the code stands for and always win; any other
    parameter of the short link URL (utm_content, utm_term, fbclid, ...) is kept and replaces
    the target's value of the same name. ``go.html`` does the same in the browser; this is the
    reference the tests hold it to.
    """
    fixed = set(fixed)
    extra = [(key, value) for key, value in visitor_query if key not in fixed]
    names = {key for key, _ in extra}
    return [(key, value) for key, value in target_query if key not in names] + extra
