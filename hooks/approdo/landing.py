"""Landing pages: the front-matter schema of ``docs/landing/<slug>.md`` and the ``Landing`` it becomes.

A landing page is one Markdown file whose front matter describes the offer, the lead form and
the thank-you content; its body is the pitch. This module says which keys exist and what they are
for, and defines the frozen ``Landing`` and its URLs. ``approdo.landing_validation`` turns a file
into a ``Landing`` (or errors pointing at the line to fix); ``approdo.form_view`` computes what
the form template prints. Other parts of Approdo (calls to action, short links, link in bio, SEO
metadata) consume ``Landing`` objects from ``load_landings`` (most through
``approdo.social.site_landings``, cached by file versions); none parses a landing page's front
matter itself.

No MkDocs import here: the hook ``hooks/landing_pages.py`` is the thin layer over these modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from . import clock, events, lead_form
from .errors import key_line

# Where landing pages live, relative to the docs folder, and the URL of their thank-you page.
LANDING_DIR = "landing"
THANKS_SEGMENT = "grazie"

PROVIDERS = ("approdo", "generic", "netlify", "formspree")

TOP_KEYS = ("title", "description", "offer", "form", "thanks", "event", "closes", "noindex", "image",
            "short_links", "social", "tags", "autoresponder")
TOP_REQUIRED = ("title", "description", "offer", "form", "thanks")
OFFER_KEYS = ("headline", "subheadline", "benefits", "difference")
OFFER_REQUIRED = ("headline",)
FORM_KEYS = ("fields", "required", "labels", "submit", "action", "provider", "marketing")
FORM_REQUIRED = ("submit",)
THANKS_KEYS = ("title", "text", "download", "download_label")
THANKS_REQUIRED = ("title", "text")
EVENT_KEYS = ("start", "end", "place", "address", "online")
EVENT_REQUIRED = ("start",)
ADDRESS_KEYS = ("street", "postal_code", "city")
ADDRESS_REQUIRED = ADDRESS_KEYS
AUTORESPONDER_KEYS = ("subject", "text")
AUTORESPONDER_REQUIRED = AUTORESPONDER_KEYS
# An email subject stays on one line and short enough to read on a phone.
SUBJECT_MAX_LENGTH = 120


# What each required key is for, said in the error when it is missing.
PURPOSE = {
    "title": "the page title, shown in the browser tab and in search results",
    "description": "one or two sentences for search results and social previews",
    "offer": "a mapping with headline, subheadline, benefits, difference",
    "form": "a mapping with at least submit: the text of the button",
    "thanks": "a mapping with title and text for the thank-you page",
    "offer.headline": "the promise shown as the page heading",
    "form.submit": "the text of the button, e.g. 'Scarica la guida'",
    "thanks.title": "the heading of the thank-you page",
    "thanks.text": "what happens next, in Markdown, shown on the thank-you page",
    "event.start": "when the event begins, in Italian time, e.g. 2027-02-12T09:30",
    "event.place": "the name of the venue, e.g. Spazio Darsena",
    "event.address": "a mapping with street, postal_code and city",
    "event.address.street": "street and number, e.g. Via del Porto 12",
    "event.address.postal_code": "the CAP, e.g. '40122'",
    "event.address.city": "the city, e.g. Bologna",
    "autoresponder.subject": "the subject of the email sent to the visitor, e.g. 'La tua guida'",
    "autoresponder.text": "the email's text; the thank-you page's download link is added below it",
}


@dataclass(frozen=True)
class Offer:
    """What the page promises: the heading, its explanation and the reasons to choose it."""

    headline: str
    subheadline: str = ""
    benefits: tuple[str, ...] = ()
    # What makes the business different: why a customer should choose it.
    difference: str = ""


@dataclass(frozen=True)
class Thanks:
    """What a visitor sees after submitting; the download is never linked from the landing."""

    title: str
    text: str
    download: str | None = None
    download_label: str = "Scarica il file"


@dataclass(frozen=True)
class Autoresponder:
    """The optional email the receiver sends the visitor after a sign-up (plain text)."""

    subject: str
    text: str


@dataclass(frozen=True)
class LandingDefaults:
    """Site-wide form settings (``extra.approdo.leads`` in mkdocs.yml)."""

    action: str = ""
    provider: str = "approdo"
    # The path the site is published under ("/" or "/sito/"), for same-origin actions.
    site_path: str = "/"

    @classmethod
    def from_mapping(cls, leads: Mapping[str, Any] | None, site_url: str = "") -> LandingDefaults:
        leads = leads or {}
        path = urlsplit(site_url).path if site_url else "/"
        return cls(action=str(leads.get("action") or ""),
                   provider=str(leads.get("provider") or "approdo"),
                   site_path=path.rstrip("/") + "/")


@dataclass(frozen=True)
class Landing:
    """One valid landing page, as every part of the site sees it."""

    slug: str
    # Relative to the docs folder, POSIX separators: "landing/guida-gratuita.md".
    src_path: str
    url: str
    thanks_url: str
    title: str
    description: str
    offer: Offer
    # Visitor fields in contract order; "email" is always first.
    fields: tuple[str, ...]
    # The subset of ``fields`` the visitor must fill ("email" always).
    required: tuple[str, ...]
    # Per-page label overrides (field name -> Italian label); the contract gives the rest.
    labels: Mapping[str, str]
    submit: str
    action: str
    provider: str
    # Whether the form offers the separate, optional marketing-consent checkbox.
    marketing: bool
    thanks: Thanks
    closes: dt.date | None = None
    # When and where, for an event registration (None for other offers).
    event: events.Event | None = None
    noindex: bool = False
    image: str | None = None
    # Contents validated by the social part (channel -> code, and per-channel post texts).
    short_links: Mapping[str, Any] = field(default_factory=dict)
    social: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    autoresponder: Autoresponder | None = None
    # The 1-based line of every front-matter key (dotted paths), for errors found later.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def closes_at(self) -> dt.datetime | None:
        """The instant the offer stops taking sign-ups: the midnight (site time, Italian by
        default) after ``closes``, or else the start of the event; None if it never closes."""
        if self.closes is not None:
            return clock.localize(self.closes + dt.timedelta(days=1))
        return self.event.start if self.event is not None else None

    def is_closed(self, today: dt.date) -> bool:
        """Whether the offer has ended: ``closes`` is the last day it is open; without it an
        event closes when it starts. Given an aware datetime, the answer is to the minute; given
        a date, an event without ``closes`` counts as open on its own day."""
        if isinstance(today, dt.datetime):
            closes_at = self.closes_at
            return closes_at is not None and today >= closes_at
        last_day = self.closes or (self.event.start.date() if self.event is not None else None)
        return last_day is not None and last_day < today

    def label(self, name: str) -> str:
        """The Italian label of a visitor field on this page."""
        return self.labels.get(name) or lead_form.FIELDS_BY_NAME[name].label

    def line(self, key: str) -> int:
        """The line of a dotted front-matter key (or of its nearest parent; 1 if none)."""
        return key_line(self.lines, key)


def landing_url(slug: str) -> str:
    return f"{LANDING_DIR}/{slug}/"


def thanks_url(slug: str) -> str:
    return f"{LANDING_DIR}/{slug}/{THANKS_SEGMENT}/"


def ics_url(slug: str) -> str:
    """The calendar file of an event landing page, next to its thank-you page."""
    return f"{LANDING_DIR}/{slug}/{slug}.ics"


def is_landing_path(src_path: str) -> bool:
    """Whether a docs-relative path is a landing page (``landing/<slug>.md``, not an index)."""
    parts = PurePosixPath(src_path).parts
    return (len(parts) == 2 and parts[0] == LANDING_DIR and parts[1].endswith(".md")
            and parts[1] not in ("index.md", "README.md"))
