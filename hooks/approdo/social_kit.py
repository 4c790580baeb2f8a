"""The social kit: one row per item (open landing page or recent post) and channel, with the
tracked link, the short link and a suggested post text, ready to paste or to bulk-import into a
scheduling tool. Also the checks of the ``social:`` front-matter mapping it reads.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urljoin

from approdo.errors import ContentError
from approdo.short_codes import CHANNELS
from approdo.spreadsheet import neutralise
from approdo.utm import tracked_url

# Keys of ``social:``: a default text, then one override per channel.
SOCIAL_KEYS = ("text", *CHANNELS)
# How long a text may be on a channel, leaving room for the link a post adds (a space and the
# URL; X counts every link as 23 characters). Channels not listed have limits no one reaches.
TEXT_LIMITS = {"x": 280 - 24, "instagram": 2200 - 40, "linkedin": 3000 - 24}
# Instagram captions cannot hold a link: the post points at the link in bio instead.
INSTAGRAM_LINK_NOTE = "Trovi il link nella bio."

COLUMNS = ("kind", "slug", "channel", "title", "description", "text", "post", "url",
           "short_url", "image", "date", "closes")


# What a page migrated from Material's social plugin may carry under `social:`.
MATERIAL_SOCIAL_KEYS = ("cards", "cards_layout", "cards_layout_dir", "cards_layout_options")


def check_social(path: str, social: Any, line_of: Callable[[str], int]) -> list[ContentError]:
    """What is wrong in a ``social:`` mapping (keys, non-empty texts, channel lengths);
    ``line_of("social.x")`` gives the line of a key in ``path``."""
    def problem(key: str, text: str, expected: str) -> ContentError:
        return ContentError(path, line_of(key), text, expected)

    if not isinstance(social, Mapping):
        return [problem("social", "'social' is not a mapping",
                        "text: and optional per-channel texts (" + ", ".join(CHANNELS) + ")")]
    problems = []
    for key, value in social.items():
        where = f"social.{key}"
        if key in MATERIAL_SOCIAL_KEYS:
            problems.append(problem(where, f"'{where}' is a setting of Material's social plugin; in "
                                    "Approdo 'social:' holds the suggested text of social posts",
                                    "remove it: Approdo draws each page's card from its title, "
                                    "and image: sets your own picture"))
            continue
        if key not in SOCIAL_KEYS:
            problems.append(problem(where, f"unknown key '{key}' in 'social'",
                                    "one of: " + ", ".join(SOCIAL_KEYS)))
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(problem(where, f"'{where}' is not text", "the suggested post text"))
            continue
        channels = [key] if key in CHANNELS else [c for c in TEXT_LIMITS if c not in social]
        for channel in channels:
            limit = TEXT_LIMITS.get(channel)
            if limit and len(value.strip()) > limit:
                fix = "shorten it" if key == channel else f"shorten it or add social.{channel}"
                problems.append(problem(where, f"'{where}' is {len(value.strip())} characters, too "
                                        f"long for {channel}", f"at most {limit} with the link; {fix}"))
    return problems


def suggested_text(social: Mapping[str, Any] | None, channel: str, description: str) -> str:
    """The text to post on ``channel``: its own override, else ``social.text``, else the
    description."""
    social = social if isinstance(social, Mapping) else {}
    for key in (channel, "text"):
        value = social.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return description.strip()


@dataclass(frozen=True)
class Item:
    """One thing to post about: an open landing page or a recent post."""

    kind: str  # "landing" or "post"
    slug: str
    url: str  # absolute, canonical
    title: str
    description: str
    image: str = ""  # absolute, or ""
    social: Mapping[str, Any] = field(default_factory=dict)
    date: str = ""  # posts: ISO date of publication
    closes: str = ""  # landing pages: ISO date of the last open day
    short_urls: Mapping[str, str] = field(default_factory=dict)  # channel -> absolute URL


def absolute_image(image: str | None, site_url: str) -> str:
    """An image as an absolute URL: site paths ("/assets/x.png" or "assets/x.png") on the site."""
    if not image:
        return ""
    if image.startswith(("http://", "https://")):
        return image
    return urljoin(site_url if site_url.endswith("/") else site_url + "/", image.lstrip("/"))


def rows(items: Iterable[Item]) -> list[dict[str, str]]:
    """One row per item and channel, with the COLUMNS keys."""
    out = []
    for item in items:
        for channel, medium in CHANNELS.items():
            url = tracked_url(item.url, channel, medium, item.slug)
            short = item.short_urls.get(channel, "")
            text = suggested_text(item.social, channel, item.description)
            link = INSTAGRAM_LINK_NOTE if channel == "instagram" else (short or url)
            out.append({
                "kind": item.kind, "slug": item.slug, "channel": channel, "title": item.title,
                "description": item.description, "text": text, "post": f"{text}\n\n{link}",
                "url": url, "short_url": short, "image": item.image, "date": item.date,
                "closes": item.closes,
            })
    return out


def to_csv(kit_rows: list[dict[str, str]]) -> str:
    """The kit as CSV: a header row, comma-separated, quoted where needed, CRLF line ends.
    A text that a spreadsheet would run as a formula starts with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({key: neutralise(str(value)) for key, value in row.items()} for row in kit_rows)
    return buffer.getvalue()


def to_json(kit_rows: list[dict[str, str]], site_url: str) -> str:
    """The kit as JSON: the site, the column names and the same rows as the CSV."""
    return json.dumps({"site_url": site_url, "columns": list(COLUMNS), "rows": kit_rows},
                      ensure_ascii=False, indent=2) + "\n"
