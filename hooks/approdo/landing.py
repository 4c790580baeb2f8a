"""Landing pages: the front-matter schema of ``docs/landing/<slug>.md`` and its validation.

A landing page is one Markdown file whose front matter describes the offer, the lead form and
the thank-you content; its body is the pitch. ``parse_landing`` turns one file into a frozen
``Landing`` (or errors pointing at the line to fix), ``load_landings`` reads a whole docs folder.
Other parts of Approdo (calls to action, short links, link in bio, SEO metadata) consume
``Landing`` objects, so they never re-read a landing page's front matter themselves.

No MkDocs import here: the hook ``hooks/landing_pages.py`` is the thin layer over this module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from . import clock, events, lead_form
from .errors import ContentError, did_you_mean
from .frontmatter import FrontMatter, parse

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
AUTORESPONDER_KEYS = ("subject", "text")
AUTORESPONDER_REQUIRED = AUTORESPONDER_KEYS
# An email subject stays on one line and short enough to read on a phone.
SUBJECT_MAX_LENGTH = 120
ADDRESS_REQUIRED = ADDRESS_KEYS

# Hosts to which a form may post over plain http: the bundled receiver during development.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")

# What each required key is for, said in the error when it is missing.
_PURPOSE = {
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
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return 1


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


def action_problem(action: str) -> str:
    """Why a form action is not acceptable, or "" if it is.

    https:// anywhere; http:// only to this machine (the bundled receiver during development);
    a path beginning with "/" posts to the site's own origin.
    """
    if action.startswith("/") and not action.startswith("//"):
        return ""
    try:
        parts = urlsplit(action)
    except ValueError:
        return f"form action '{action}' is not a valid URL"
    if parts.scheme == "https" and parts.hostname:
        return ""
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return ""
    return f"form action '{action}' is not https://"


ACTION_EXPECTED = "an https:// URL, http://localhost or http://127.0.0.1 for local tests, or a /path on this site"


# --- small validators: each returns the value (or None) and adds errors to ``out`` ---------------

def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a date"
    if value is None:
        return "nothing"
    return "text"


class _Checker:
    """Collects the errors of one file; every method reports at the line of its key."""

    def __init__(self, path: str, fm: FrontMatter) -> None:
        self.path = path
        self.fm = fm
        self.errors: list[ContentError] = []

    def error(self, key: str, problem: str, expected: str = "") -> None:
        self.errors.append(ContentError(self.path, self.fm.line(key), problem, expected))

    def keys(self, mapping: Mapping[str, Any], prefix: str, allowed: tuple[str, ...],
             required: tuple[str, ...]) -> None:
        for key in mapping:
            name = str(key)
            if name in allowed:
                continue
            where = f"{prefix}{name}"
            hint = did_you_mean(name, allowed) or "one of: " + ", ".join(allowed)
            scope = f" in '{prefix[:-1]}'" if prefix else ""
            self.error(where, f"unknown key '{name}'{scope}", hint)
        for key in required:
            if key not in mapping or mapping[key] is None or mapping[key] == "":
                where = f"{prefix}{key}"
                parent = prefix[:-1]
                self.error(where if key in mapping else parent,
                           f"missing required key '{where}'", _PURPOSE.get(where, ""))

    def text(self, mapping: Mapping[str, Any], key: str, prefix: str = "",
             default: str = "") -> str:
        value = mapping.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            return value.strip()
        self.error(prefix + key, f"'{prefix}{key}' is {_kind(value)}", "expected text")
        return default

    def flag(self, mapping: Mapping[str, Any], key: str, prefix: str, default: bool) -> bool:
        value = mapping.get(key)
        if value is None:
            return default
        # YAML 1.1 also reads yes/no/on/off as booleans: accept only what reads unambiguously.
        if isinstance(value, bool) and self.fm.raw.get(prefix + key, "").lower() in ("true", "false"):
            return value
        self.error(prefix + key, f"'{prefix}{key}' is {self.fm.raw.get(prefix + key) or _kind(value)!r}",
                   "expected true or false")
        return default

    def mapping(self, mapping: Mapping[str, Any], key: str, prefix: str = "") -> dict:
        value = mapping.get(key)
        if value is None:
            return {}
        if isinstance(value, Mapping):
            return dict(value)
        self.error(prefix + key, f"'{prefix}{key}' is {_kind(value)}", "expected a mapping of keys to values")
        return {}

    def texts(self, mapping: Mapping[str, Any], key: str, prefix: str = "") -> tuple[str, ...]:
        value = mapping.get(key)
        if value is None:
            return ()
        where = prefix + key
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(where, f"'{where}' is {_kind(value)}", "expected a list of texts")
            return ()
        out = []
        for index, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                out.append(item.strip())
            else:
                self.error(f"{where}.{index}", f"item {index + 1} of '{where}' is {_kind(item)}",
                           "expected non-empty text")
        return tuple(out)

    def field_names(self, names: tuple[str, ...], where: str,
                    allowed: tuple[str, ...]) -> tuple[str, ...]:
        good = []
        for index, name in enumerate(names):
            if name == "email" or name in allowed:
                if name in good:
                    self.error(f"{where}.{index}", f"field '{name}' listed twice in '{where}'")
                good.append(name)
                continue
            # Authors often write the Italian label ("telefono") instead of the field name.
            by_label = {lead_form.FIELDS_BY_NAME[n].label.split()[0].lower(): n for n in allowed}
            hint = (did_you_mean(name, allowed)
                    or (f"did you mean '{by_label[name.lower()]}'?" if name.lower() in by_label else "")
                    or "one of: " + ", ".join(allowed))
            self.error(f"{where}.{index}", f"unknown field '{name}' in '{where}'", hint)
        return tuple(good)

    def date(self, mapping: Mapping[str, Any], key: str) -> dt.date | None:
        value = mapping.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(key, f"'{key}' is not a date: {value!r}", "YYYY-MM-DD, e.g. 2027-02-10")
        return None


def _event(check: _Checker, data: Mapping[str, Any]) -> events.Event | None:
    """The ``event:`` block: start (and end) in Italian time, a venue with its address, an
    online address, or both."""
    if "event" not in data:
        return None
    block = check.mapping(data, "event")
    if not isinstance(data.get("event"), Mapping):
        if data.get("event") is None:
            check.error("event", "'event' is empty", "a mapping with start, end, place, address, online")
        return None
    check.keys(block, "event.", EVENT_KEYS, EVENT_REQUIRED)
    moments = {}
    for key in ("start", "end"):
        if block.get(key) in (None, ""):
            continue
        moment, problem = events.parse_datetime(block[key])
        if problem:
            check.error(f"event.{key}", f"'event.{key}' {problem}", events.DATETIME_EXPECTED)
        moments[key] = moment
    start, end = moments.get("start"), moments.get("end")
    if start and end and end <= start:
        check.error("event.end", f"the event ends ({events.html_datetime(end)}) "
                    f"{'before' if end < start else 'when'} it starts ({events.html_datetime(start)})",
                    "an end after the start")
    place = check.text(block, "place", "event.")
    address = _address(check, block)
    online = check.text(block, "online", "event.")
    if online and not online.startswith("https://"):
        check.error("event.online", f"online address '{online}' is not https://",
                    "the https:// address where people join the event")
    if place and address is None and "address" not in block:
        check.error("event", "missing required key 'event.address'", _PURPOSE["event.address"])
    if address is not None and not place:
        check.error("event", "missing required key 'event.place'", _PURPOSE["event.place"])
    if not (place or "address" in block or online):
        check.error("event", "the event has neither a venue nor an online address",
                    "place and address, or online: https://...")
    if start is None:
        return None
    return events.Event(start=start, end=end, place=place, address=address, online=online)


def _address(check: _Checker, block: Mapping[str, Any]) -> events.Address | None:
    if "address" not in block:
        return None
    if block.get("address") is None:
        check.error("event.address", "'event.address' is empty", _PURPOSE["event.address"])
        return None
    found = check.mapping(block, "address", "event.")
    if not isinstance(block.get("address"), Mapping):
        return None
    check.keys(found, "event.address.", ADDRESS_KEYS, ADDRESS_REQUIRED)
    # YAML reads 40122 as a number: a CAP is five digits either way.
    code = found.get("postal_code")
    code = str(code).strip() if isinstance(code, (int, str)) and not isinstance(code, bool) else code
    if code not in (None, "") and not (isinstance(code, str) and re.fullmatch(r"\d{5}", code)):
        check.error("event.address.postal_code", f"postal code {code!r} is not five digits",
                    _PURPOSE["event.address.postal_code"])
    street = check.text(found, "street", "event.address.")
    city = check.text(found, "city", "event.address.")
    if not (street and city and isinstance(code, str) and code):
        return None
    return events.Address(street=street, postal_code=code, city=city)


def _bad_date_line(text: str) -> int:
    """The line of the first date-looking value that is not a real date (1 if none)."""
    for number, line in enumerate(text.splitlines(), start=1):
        for found in re.findall(r"\b\d{4}-\d{1,2}-\d{1,2}\b", line):
            try:
                dt.date(*map(int, found.split("-")))
            except ValueError:
                return number
    return 1


def _resolve_action(check: _Checker, form: Mapping[str, Any], provider: str,
                    defaults: LandingDefaults, slug: str) -> str:
    action = check.text(form, "action", "form.")
    if action:
        problem = action_problem(action)
        if problem:
            check.error("form.action", problem, ACTION_EXPECTED)
        return action
    if provider == "netlify":
        # Netlify stores the post and redirects to the form's action path: the thank-you page.
        return defaults.site_path + thanks_url(slug)
    if provider == "formspree":
        check.error("form", "missing required key 'form.action' for provider 'formspree'",
                    "your form's https://formspree.io/f/... address")
        return ""
    if provider in PROVIDERS and provider != defaults.provider and provider != "approdo":
        check.error("form", f"missing required key 'form.action' for provider '{provider}'",
                    "the https:// address that receives the form")
        return ""
    return defaults.action


def parse_landing(path: str, text: str, defaults: LandingDefaults | Mapping[str, Any] | None = None,
                  src_path: str | None = None) -> tuple[Landing | None, list[ContentError]]:
    """Validate one landing page and build its ``Landing``.

    Arguments:
        path: the file as errors name it (relative to the project root: "docs/landing/x.md").
        text: the whole Markdown file.
        defaults: the site-wide form settings (``LandingDefaults`` or ``extra.approdo.leads``).
        src_path: the docs-relative path ("landing/x.md"); derived from ``path`` when omitted.

    Returns:
        The landing (None if anything is wrong) and every error found, all at once. Front
        matter that is not valid YAML or not a mapping returns no error here: the general
        content validator reports it for every file.
    """
    if not isinstance(defaults, LandingDefaults):
        defaults = LandingDefaults.from_mapping(defaults)
    try:
        fm = parse(text)
    except ValueError as exc:
        # PyYAML builds dates itself and raises a bare ValueError for 2027-02-30.
        return None, [ContentError(path, _bad_date_line(text), f"invalid date in front matter: {exc}",
                                   "a real date, YYYY-MM-DD")]
    if fm.data is None:
        return None, []
    check = _Checker(path, fm)
    data = fm.data
    if src_path is None:
        src_path = f"{LANDING_DIR}/{PurePosixPath(path).name}"
    slug = PurePosixPath(src_path).stem
    if not re.fullmatch(lead_form.SLUG_PATTERN, slug) or len(slug) > lead_form.FIELDS_BY_NAME[LANDING_FIELD].max_length:
        check.errors.append(ContentError(
            path, 1, f"landing file name '{slug}' is not an ASCII slug",
            "lowercase letters, digits and hyphens, e.g. 'guida-gratuita.md'"))

    check.keys(data, "", TOP_KEYS, TOP_REQUIRED)
    title = check.text(data, "title")
    description = check.text(data, "description")

    offer_data = check.mapping(data, "offer")
    if "offer" in data and isinstance(data.get("offer"), Mapping):
        check.keys(offer_data, "offer.", OFFER_KEYS, OFFER_REQUIRED)
    offer = Offer(
        headline=check.text(offer_data, "headline", "offer."),
        subheadline=check.text(offer_data, "subheadline", "offer."),
        benefits=check.texts(offer_data, "benefits", "offer."),
        difference=check.text(offer_data, "difference", "offer."),
    )

    form = check.mapping(data, "form")
    if "form" in data and isinstance(data.get("form"), Mapping):
        check.keys(form, "form.", FORM_KEYS, FORM_REQUIRED)
    optional = lead_form.OPTIONAL_VISITOR_FIELDS
    listed = check.field_names(check.texts(form, "fields", "form."), "form.fields", optional)
    fields = tuple(f.name for f in lead_form.visitor_fields(listed))
    wanted = check.field_names(check.texts(form, "required", "form."), "form.required", optional)
    for index, name in enumerate(wanted):
        if name not in fields:
            check.error(f"form.required.{index}", f"required field '{name}' is not in 'form.fields'",
                        "list it in form.fields too")
    required = tuple(name for name in fields if name == "email" or name in wanted)
    labels: dict[str, str] = {}
    for name, label in check.mapping(form, "labels", "form.").items():
        where = f"form.labels.{name}"
        if name not in fields:
            check.error(where, f"label for '{name}', which is not a field of this form",
                        "one of: " + ", ".join(fields))
        elif not isinstance(label, str) or not label.strip():
            check.error(where, f"'{where}' is {_kind(label)}", "expected non-empty text")
        else:
            labels[name] = label.strip()
    provider = check.text(form, "provider", "form.") or defaults.provider
    if provider not in PROVIDERS:
        hint = did_you_mean(provider, PROVIDERS) or "one of: " + ", ".join(PROVIDERS)
        check.error("form.provider" if "provider" in form else "form",
                    f"unknown form provider '{provider}'", hint)
    action = _resolve_action(check, form, provider, defaults, slug)

    thanks_data = check.mapping(data, "thanks")
    if "thanks" in data and isinstance(data.get("thanks"), Mapping):
        check.keys(thanks_data, "thanks.", THANKS_KEYS, THANKS_REQUIRED)
    download = check.text(thanks_data, "download", "thanks.") or None
    if download and not (download.startswith("/") or download.startswith("https://")):
        check.error("thanks.download", f"download '{download}' is neither a site path nor https://",
                    "a path such as /assets/landing/guida.pdf, or an https:// URL")
    thanks = Thanks(
        title=check.text(thanks_data, "title", "thanks."),
        text=check.text(thanks_data, "text", "thanks."),
        download=download,
        download_label=check.text(thanks_data, "download_label", "thanks.", Thanks.download_label),
    )

    closes = check.date(data, "closes")
    event = _event(check, data)
    if closes and event and closes > event.start.date():
        check.error("closes", f"'closes' {closes.isoformat()} is after the event starts "
                    f"({event.start.date().isoformat()})",
                    "the last day of sign-ups, on or before the day of the event (or leave it out: "
                    "sign-ups then close when the event starts)")
    noindex = check.flag(data, "noindex", "", False)
    image = check.text(data, "image") or None
    short_links = check.mapping(data, "short_links")
    social = check.mapping(data, "social")
    tags = check.texts(data, "tags")
    autoresponder = _autoresponder(check, data)

    if check.errors:
        return None, check.errors
    return Landing(
        slug=slug, src_path=src_path, url=landing_url(slug), thanks_url=thanks_url(slug),
        title=title, description=description, offer=offer,
        fields=fields, required=required, labels=labels,
        submit=check.text(form, "submit", "form."), action=action, provider=provider,
        marketing=check.flag(form, "marketing", "form.", True), thanks=thanks,
        closes=closes, event=event, noindex=noindex, image=image, short_links=short_links, social=social,
        tags=tags, autoresponder=autoresponder, lines=dict(fm.lines),
    ), []


def _autoresponder(check: _Checker, data: Mapping[str, Any]) -> Autoresponder | None:
    """The ``autoresponder:`` block: a one-line subject and a text."""
    if "autoresponder" not in data:
        return None
    block = check.mapping(data, "autoresponder")
    if not isinstance(data.get("autoresponder"), Mapping):
        if data.get("autoresponder") is None:
            check.error("autoresponder", "'autoresponder' is empty", "a mapping with subject and text")
        return None
    check.keys(block, "autoresponder.", AUTORESPONDER_KEYS, AUTORESPONDER_REQUIRED)
    subject = check.text(block, "subject", "autoresponder.")
    text = check.text(block, "text", "autoresponder.")
    if re.search(r"[\x00-\x1f\x7f]", subject) or len(subject) > SUBJECT_MAX_LENGTH:
        check.error("autoresponder.subject", "'autoresponder.subject' is not one short line",
                    f"one line of at most {SUBJECT_MAX_LENGTH} characters")
    return Autoresponder(subject, text) if subject and text else None


def load_landings(docs_dir: str | Path, defaults: LandingDefaults | Mapping[str, Any] | None = None,
                  root: str | Path | None = None) -> tuple[dict[str, Landing], list[ContentError]]:
    """Every landing page under ``docs_dir/landing/``, by slug, and every error found.

    ``root`` is the folder error paths are relative to (default: the parent of ``docs_dir``,
    which is the project root in a standard layout).
    """
    docs = Path(docs_dir)
    base = Path(root) if root is not None else docs.parent
    landings: dict[str, Landing] = {}
    errors: list[ContentError] = []
    folder = docs / LANDING_DIR
    if not folder.is_dir():
        return landings, errors
    for file in sorted(folder.glob("*.md")):
        src_path = file.relative_to(docs).as_posix()
        if not is_landing_path(src_path):
            continue
        try:
            shown = file.relative_to(base).as_posix()
        except ValueError:
            shown = file.as_posix()
        landing, found = parse_landing(shown, file.read_text(encoding="utf-8-sig"), defaults,
                                       src_path=src_path)
        errors.extend(found)
        if landing is not None:
            landings[landing.slug] = landing
    return landings, errors


# --- what the form template needs: data only, the markup is in overrides/ -------------------------

def _contract(name: str) -> str:
    """A field name checked against the contract at import: a rename there fails here at once."""
    return lead_form.FIELDS_BY_NAME[name].name


MARKETING_CONSENT = _contract("marketing_consent")
CONSENT_VERSION = _contract("consent_version")
PRIVACY_VERSION = _contract("privacy_version")
LANDING_FIELD = _contract("landing")
PAGE_URL = _contract("page_url")
REFERRER = _contract("referrer")
FORM_NAME = _contract("form-name")


@dataclass(frozen=True)
class Control:
    """One visible form control, drawn from the contract with this page's label and flags."""

    name: str
    label: str
    input_type: str
    autocomplete: str
    required: bool
    max_length: int


@dataclass(frozen=True)
class FormView:
    """Everything ``partials/approdo/landing-form.html`` prints, computed once per page."""

    action: str
    provider: str
    # How the page script posts: JSON where the receiver answers JSON to JSON, else form-encoded.
    encoding: str
    controls: tuple[Control, ...]
    # Hidden fields with their build-time values; the page script fills the empty ones.
    hidden: tuple[tuple[str, str], ...]
    marketing: bool
    marketing_name: str = MARKETING_CONSENT
    marketing_value: str = lead_form.CONSENT_GIVEN
    honeypot: str = lead_form.HONEYPOT
    utm_fields: tuple[str, ...] = lead_form.UTM_FIELDS
    utm_pattern: str = lead_form.UTM_PATTERN
    utm_max_length: int = lead_form.UTM_MAX_LENGTH
    page_url_field: str = PAGE_URL
    referrer_field: str = REFERRER
    next_field: str = lead_form.NEXT
    page_url_max_length: int = lead_form.FIELDS_BY_NAME[PAGE_URL].max_length
    referrer_max_length: int = lead_form.FIELDS_BY_NAME[REFERRER].max_length
    # Spam signals the page script adds (leads/spam.py): the time the page was open and the
    # proof of work solving the challenge at ``challenge_url`` (bundled receiver only).
    elapsed_field: str = lead_form.ELAPSED
    proof_field: str = lead_form.PROOF
    challenge_url: str = ""

    @property
    def netlify(self) -> bool:
        return self.provider == "netlify"


# Netlify Forms needs form-encoded posts; the bundled receiver and Formspree answer JSON to JSON.
_ENCODING = {"approdo": "json", "formspree": "json", "netlify": "form", "generic": "form"}


def form_view(landing: Landing, consent_version: str, privacy_version: str,
              next_url: str, page_url: str = "") -> FormView:
    """The form of ``landing``: visible controls in contract order, then the hidden fields.

    ``next_url`` is the absolute thank-you URL a plain (non-JavaScript) post is redirected to;
    ``page_url`` the landing page's own address, which such a post records as its page (a
    cross-origin Referer names only the site; the page script replaces it with the full one).
    """
    controls = tuple(
        Control(f.name, landing.label(f.name), f.input_type, f.autocomplete,
                f.name in landing.required, f.max_length)
        for f in lead_form.visitor_fields(landing.fields)
    )
    hidden: list[tuple[str, str]] = [
        (LANDING_FIELD, landing.slug),
        (CONSENT_VERSION, consent_version),
        (PRIVACY_VERSION, privacy_version),
        *((name, "") for name in lead_form.UTM_FIELDS),
        (PAGE_URL, page_url),
        (REFERRER, ""),
        (lead_form.NEXT, next_url),
    ]
    if landing.provider == "netlify":
        hidden.append((FORM_NAME, landing.slug))
    return FormView(
        action=landing.action, provider=landing.provider,
        encoding=_ENCODING.get(landing.provider, "form"),
        controls=controls, hidden=tuple(hidden), marketing=landing.marketing,
        challenge_url=challenge_url(landing.action) if landing.provider == "approdo" else "",
    )


def challenge_url(action: str) -> str:
    """Where the bundled receiver at ``action`` hands out proof-of-work challenges."""
    parts = urlsplit(action)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/challenge", "", ""))


_MONTHS = events.MONTHS


def italian_date(day: dt.date) -> str:
    """"10 febbraio 2027": how a closing date reads on the page."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
