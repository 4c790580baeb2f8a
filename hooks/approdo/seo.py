"""Search-engine and social-preview metadata: pure functions, no MkDocs import.

The ``seo`` hook gathers facts about a page (title, dates, authors, image...) and these
functions turn them into Open Graph values and schema.org JSON-LD objects; the template
``partials/approdo/head.html`` prints them.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from . import clock
from .events import Event

# Longest meta description search engines show without cutting it.
DESCRIPTION_LENGTH = 160

_TAG = re.compile(r"<[^>]+>")
# Tags that separate words; inline ones (<a>, <em>...) do not ("testo</em>." stays "testo.").
_BLOCK_TAG = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|br|hr|tr|td|th|table|blockquote|pre|"
                        r"section|article|header|footer|figure|figcaption|dd|dt|dl)\b[^>]*>", re.I)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Image:
    """An image for previews: absolute URL, pixel size (0 when unknown), alt text, MIME type."""

    url: str
    width: int = 0
    height: int = 0
    alt: str = ""
    type: str = ""


@dataclass
class Crumb:
    name: str
    url: str


@dataclass
class Person:
    name: str
    url: str = ""


@dataclass
class Offer:
    """What a landing page offers, as schema.org ``Offer`` wants it."""

    name: str
    description: str = ""
    price: str = "0"
    currency: str = "EUR"
    valid_through: datetime | None = None
    event: dict[str, Any] = field(default_factory=dict)


def to_datetime(value: Any) -> datetime | None:
    """A timezone-aware datetime from a front-matter value (date, datetime or ISO text).

    A date alone means midnight and a naive datetime is local time, both in the site's time
    zone (``approdo.clock``): an Italian author writing 09:30 means 09:30 in Italy.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, (date, datetime)):
        return clock.localize(value)
    return None


def page_dates(meta: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """(created, updated) from front matter in either form: ``date: 2025-03-04`` or
    ``date: {created: ..., updated: ...}``; a top-level ``updated:`` also counts.
    ``updated`` is never earlier than ``created``."""
    raw = meta.get("date")
    if isinstance(raw, dict):
        created = to_datetime(raw.get("created"))
        updated = to_datetime(raw.get("updated"))
    else:
        created = to_datetime(raw)
        updated = None
    updated = updated or to_datetime(meta.get("updated"))
    if created and updated and updated < created:
        updated = created
    return created, updated


def iso(value: datetime | None) -> str:
    """ISO 8601 with seconds and offset (``2025-03-04T00:00:00+00:00``), or ''."""
    return value.isoformat(timespec="seconds") if value else ""


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment on one line (tags dropped, entities decoded)."""
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", fragment or ""))
    return _SPACE.sub(" ", html.unescape(text)).strip()


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with '…' if cut."""
    text = _SPACE.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–—")
    return cut + "…"


_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


def description_from_html(content: str) -> str:
    """A description from the first non-empty paragraph of rendered page content."""
    for match in _FIRST_PARAGRAPH.finditer(content or ""):
        text = plain_text(match.group(1))
        if text:
            return shorten(text)
    return ""


def absolute(site_url: str, url: str) -> str:
    """``url`` (site-relative like ``blog/`` or already absolute) as an absolute URL."""
    if urlsplit(url).scheme:
        return url
    base = site_url if site_url.endswith("/") else site_url + "/"
    return urljoin(base, url.lstrip("/"))


def host(site_url: str) -> str:
    """The host name to print on cards (``maestrale.example``): no port, so that ``mkdocs
    serve`` on another port does not draw every card again."""
    parts = urlsplit(site_url)
    return parts.hostname or site_url


def script_json(data: Any) -> str:
    """JSON for a ``<script type="application/ld+json">`` element that no value can close.

    ``<``, ``>`` and ``&`` become ``\\u003c``-style escapes (still the same JSON string), so
    ``</script>`` or ``<!--`` in a title cannot end the element or start a comment.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --- schema.org objects -------------------------------------------------------------------

def _image_object(image: Image | None) -> dict[str, Any] | None:
    if image is None:
        return None
    obj: dict[str, Any] = {"@type": "ImageObject", "url": image.url}
    if image.width and image.height:
        obj["width"] = image.width
        obj["height"] = image.height
    if image.alt:
        obj["caption"] = image.alt
    return obj


def organization(name: str, site_url: str, *, logo: str = "", email: str = "",
                 address: dict[str, str] | None = None, same_as: list[str] | None = None,
                 description: str = "") -> dict[str, Any]:
    """The site owner; ``@id`` lets every other object point at it."""
    obj: dict[str, Any] = {
        "@type": "Organization",
        "@id": absolute(site_url, "#organization"),
        "name": name,
        "url": absolute(site_url, ""),
    }
    if description:
        obj["description"] = description
    if logo:
        obj["logo"] = {"@type": "ImageObject", "url": logo}
    if email:
        obj["email"] = email
    if address:
        obj["address"] = {"@type": "PostalAddress", **address}
    if same_as:
        obj["sameAs"] = list(same_as)
    return obj


def website(name: str, site_url: str, description: str = "", language: str = "it-IT",
            search: bool = False) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "@type": "WebSite",
        "@id": absolute(site_url, "#website"),
        "name": name,
        "url": absolute(site_url, ""),
        "inLanguage": language,
        "publisher": {"@id": absolute(site_url, "#organization")},
    }
    if description:
        obj["description"] = description
    if search:
        # Material's search reads ?q= on any page, so the home page is the search target.
        obj["potentialAction"] = {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint",
                       "urlTemplate": absolute(site_url, "?q={search_term_string}")},
            "query-input": "required name=search_term_string",
        }
    return obj


def blog_posting(*, url: str, headline: str, description: str, site_url: str,
                 published: datetime | None, modified: datetime | None,
                 authors: list[Person], image: Image | None, section: str = "",
                 keywords: list[str] | None = None, language: str = "it-IT",
                 word_count: int = 0, publisher: dict[str, Any] | None = None) -> dict[str, Any]:
    """A post. ``publisher`` is the organization, given whole: a post page does not carry the
    home page's Organization object, and search engines do not follow an ``@id`` elsewhere."""
    obj: dict[str, Any] = {
        "@type": "BlogPosting",
        "@id": url + "#article",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": shorten(headline, 110),
        "description": description,
        "inLanguage": language,
        "datePublished": iso(published),
        "dateModified": iso(modified or published),
        "author": [_person(author) for author in authors],
        "publisher": publisher or {"@id": absolute(site_url, "#organization")},
        "isPartOf": {"@id": absolute(site_url, "#website")},
    }
    image_obj = _image_object(image)
    if image_obj:
        obj["image"] = image_obj
    if section:
        obj["articleSection"] = section
    if keywords:
        obj["keywords"] = list(keywords)
    if word_count:
        obj["wordCount"] = word_count
    return {key: value for key, value in obj.items() if value not in ("", [], None)}


def _person(person: Person) -> dict[str, Any]:
    obj = {"@type": "Person", "name": person.name}
    if person.url:
        obj["url"] = person.url
    return obj


def web_page(*, url: str, name: str, description: str, site_url: str, kind: str = "WebPage",
             image: Image | None = None, modified: datetime | None = None,
             language: str = "it-IT") -> dict[str, Any]:
    obj: dict[str, Any] = {
        "@type": kind,
        "@id": url,
        "url": url,
        "name": name,
        "description": description,
        "inLanguage": language,
        "isPartOf": {"@id": absolute(site_url, "#website")},
    }
    image_obj = _image_object(image)
    if image_obj:
        obj["primaryImageOfPage"] = image_obj
    if modified:
        obj["dateModified"] = iso(modified)
    return {key: value for key, value in obj.items() if value not in ("", None)}


def offer(item: Offer, url: str, site_url: str,
          offered_by: dict[str, Any] | None = None) -> dict[str, Any]:
    """A free offer (guide, consultation, event seat) made by the organization."""
    obj: dict[str, Any] = {
        "@type": "Offer",
        "name": item.name,
        "url": url,
        "price": item.price,
        "priceCurrency": item.currency,
        "availability": "https://schema.org/InStock",
        "offeredBy": offered_by or {"@id": absolute(site_url, "#organization")},
    }
    if item.description:
        obj["description"] = item.description
    if item.valid_through:
        obj["validThrough"] = iso(item.valid_through)
    if item.event:
        obj["itemOffered"] = item.event
    return obj


_ATTENDANCE = {"offline": "https://schema.org/OfflineEventAttendanceMode",
               "online": "https://schema.org/OnlineEventAttendanceMode",
               "mixed": "https://schema.org/MixedEventAttendanceMode"}


def event(item: Event, *, url: str, name: str, description: str, organizer: dict[str, Any],
          offers: dict[str, Any] | None = None, image: Image | None = None,
          language: str = "it-IT") -> dict[str, Any]:
    """A schema.org ``Event`` (``approdo.events.Event``) held by the organization.

    An online event's ``VirtualLocation`` is the landing page itself: the address where people
    join is given only to those who sign up.
    """
    places: list[dict[str, Any]] = []
    if item.place:
        place: dict[str, Any] = {"@type": "Place", "name": item.place}
        if item.address:
            place["address"] = {"@type": "PostalAddress", "streetAddress": item.address.street,
                                "postalCode": item.address.postal_code,
                                "addressLocality": item.address.city,
                                "addressCountry": item.address.country}
        places.append(place)
    if item.online:
        places.append({"@type": "VirtualLocation", "url": url})
    obj: dict[str, Any] = {
        "@type": "Event",
        "@id": url + "#event",
        "name": name,
        "description": description,
        "url": url,
        "inLanguage": language,
        "startDate": iso(item.start),
        "endDate": iso(item.end),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": _ATTENDANCE[item.attendance],
        "location": places[0] if len(places) == 1 else places,
        "organizer": organizer,
        "offers": offers,
        "image": [image.url] if image else None,
    }
    return {key: value for key, value in obj.items() if value not in ("", [], None)}


def breadcrumb_list(crumbs: list[Crumb]) -> dict[str, Any] | None:
    """``BreadcrumbList`` for two or more crumbs (a lone home page needs none)."""
    if len(crumbs) < 2:
        return None
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": index, "name": crumb.name, "item": crumb.url}
            for index, crumb in enumerate(crumbs, start=1)
        ],
    }


def graph(*objects: dict[str, Any] | None) -> dict[str, Any]:
    """One JSON-LD document holding every object (``@graph``), skipping the missing ones."""
    return {"@context": "https://schema.org", "@graph": [obj for obj in objects if obj]}


def url_prefixes(url: str) -> list[str]:
    """Site-relative URLs of the folders above ``url``: ``blog/2025/x/`` ->
    ``['blog/', 'blog/2025/']`` (candidates for breadcrumbs)."""
    parts = [part for part in url.strip("/").split("/") if part]
    return ["/".join(parts[:end]) + "/" for end in range(1, len(parts))]
