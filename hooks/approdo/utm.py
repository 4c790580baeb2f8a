"""Tracked links: the one place that puts UTM parameters on a URL.

Every link Approdo tags (calls to action, short links, share buttons, the link-in-bio page,
the social kit) is built by ``tracked_url``, so the vocabulary stays fixed and lowercase and a
campaign report never splits "Facebook" from "facebook".
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import re

from approdo.lead_form import FIELDS_BY_NAME, UTM_FIELDS, is_valid
from approdo.markdown_lines import prose_lines, without_inline_code

# Where a visitor comes from. "link" is a copied link pasted anywhere (the copy button).
SOURCES = ("facebook", "instagram", "linkedin", "x", "whatsapp", "telegram", "email",
           "newsletter", "blog", "link")
# How they come: a social post or profile, a call to action in an article, a reader's share,
# an email.
MEDIUMS = ("social", "cta", "share", "email")


def tracked_url(url: str, source: str, medium: str, campaign: str,
                content: str | None = None, term: str | None = None) -> str:
    """``url`` with the five UTM parameters set, keeping its other query parameters and fragment.

    Any UTM parameter already on ``url`` is replaced (a link is tagged once, by this function).
    Raises ValueError on a source or medium outside the vocabulary, and on a campaign, content
    or term the lead form would refuse to store (the form contract's UTM pattern and length).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown UTM source {source!r} (one of: {', '.join(SOURCES)})")
    if medium not in MEDIUMS:
        raise ValueError(f"unknown UTM medium {medium!r} (one of: {', '.join(MEDIUMS)})")
    values = {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign,
              "utm_content": content, "utm_term": term}
    if not campaign:
        raise ValueError("a tracked link needs a campaign")
    for name, value in values.items():
        if value is not None and not is_valid(FIELDS_BY_NAME[name], value):
            raise ValueError(f"{name} {value!r} cannot be stored by the lead form "
                             "(letters, digits, spaces and . _ ~ + -, at most "
                             f"{FIELDS_BY_NAME[name].max_length} characters)")
    parts = urlsplit(url)
    kept = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if key not in UTM_FIELDS]
    # UTM parameters first, in their usual order, so links read the same in every report.
    tagged = [(name, value) for name, value in values.items() if value] + kept
    return urlunsplit(parts._replace(query=urlencode(tagged)))


def has_utm(url: str) -> bool:
    """Whether ``url`` already carries any UTM parameter."""
    query = urlsplit(url).query
    return any(key in UTM_FIELDS for key, _ in parse_qsl(query, keep_blank_values=True))


def is_internal(url: str, site_url: str) -> bool:
    """Whether ``url`` is navigation inside this site (relative, or on the site's own origin).

    Internal navigation never carries UTM parameters: a visitor already on the site would be
    counted as a new visit from a campaign. Only the entry links Approdo builds on purpose
    (calls to action, link in bio, share and short links) are tagged.
    """
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        # "../landing/x/", "#top", "?q=": relative, so on this site. "mailto:" has a scheme.
        return True
    if parts.scheme not in ("http", "https"):
        return False
    site = urlsplit(site_url)
    return (parts.netloc.lower() == site.netloc.lower()
            and parts.path.startswith(site.path or "/"))


# Link targets in Markdown prose: [text](target "title"), <https://autolink>, href="target".
_LINK_TARGETS = re.compile(r"""\]\(\s*<?(?P<md>[^)\s>]+)|<(?P<auto>https?://[^>\s]+)>|href=["'](?P<href>[^"']+)["']""")


def internal_links_with_utm(body: str, body_line: int, site_url: str) -> list[tuple[int, str]]:
    """(file line, URL) of every link in a Markdown body that stays on the site but carries
    UTM parameters (code blocks and `inline code` are examples, not links)."""
    found = []
    for line, text in prose_lines(body, body_line):
        for match in _LINK_TARGETS.finditer(without_inline_code(text)):
            url = match.group("md") or match.group("auto") or match.group("href")
            if has_utm(url) and is_internal(url, site_url):
                found.append((line, url))
    return found
