"""Landing pages: validate the front matter of ``docs/landing/<slug>.md`` into a ``Landing``.

``parse_landing`` checks one file against the schema in ``approdo.landing`` and reports every
error at once, each at the line of its key; ``load_landings`` reads a whole docs folder.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from . import events, lead_form
from .errors import ContentError, did_you_mean
from .frontmatter import FrontMatter, parse
from .landing import (
    ADDRESS_KEYS, ADDRESS_REQUIRED, AUTORESPONDER_KEYS, AUTORESPONDER_REQUIRED, EVENT_KEYS,
    EVENT_REQUIRED, FORM_KEYS, FORM_REQUIRED, LANDING_DIR, OFFER_KEYS, OFFER_REQUIRED, PROVIDERS,
    PURPOSE, SUBJECT_MAX_LENGTH, THANKS_KEYS, THANKS_REQUIRED, TOP_KEYS, TOP_REQUIRED,
    Autoresponder, Landing, LandingDefaults, Offer, Thanks, is_landing_path, landing_url,
    thanks_url,
)
from .paths import display_path

# Hosts to which a form may post over plain http: the bundled receiver during development.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


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
                           f"missing required key '{where}'", PURPOSE.get(where, ""))

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

    def block(self, mapping: Mapping[str, Any], key: str, prefix: str, allowed: tuple[str, ...],
              required: tuple[str, ...], empty: str = "") -> dict | None:
        """A nested mapping checked against its keys; None when it is absent or not a mapping.
        ``empty`` is what an optional block given with no value should have been (a required
        one left empty is reported as missing by its parent)."""
        if key not in mapping:
            return None
        if mapping[key] is None and empty:
            self.error(prefix + key, f"'{prefix}{key}' is empty", empty)
        if not isinstance(mapping[key], Mapping):
            self.mapping(mapping, key, prefix)  # reports what it is instead
            return None
        found = dict(mapping[key])
        self.keys(found, f"{prefix}{key}.", allowed, required)
        return found

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
    block = check.block(data, "event", "", EVENT_KEYS, EVENT_REQUIRED,
                        empty="a mapping with start, end, place, address, online")
    if block is None:
        return None
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
        check.error("event", "missing required key 'event.address'", PURPOSE["event.address"])
    if address is not None and not place:
        check.error("event", "missing required key 'event.place'", PURPOSE["event.place"])
    if not (place or "address" in block or online):
        check.error("event", "the event has neither a venue nor an online address",
                    "place and address, or online: https://...")
    if start is None:
        return None
    return events.Event(start=start, end=end, place=place, address=address, online=online)


def _address(check: _Checker, block: Mapping[str, Any]) -> events.Address | None:
    found = check.block(block, "address", "event.", ADDRESS_KEYS, ADDRESS_REQUIRED,
                        empty=PURPOSE["event.address"])
    if found is None:
        return None
    # YAML reads 40122 as a number: a CAP is five digits either way.
    code = found.get("postal_code")
    code = str(code).strip() if isinstance(code, (int, str)) and not isinstance(code, bool) else code
    if code not in (None, "") and not (isinstance(code, str) and re.fullmatch(r"\d{5}", code)):
        check.error("event.address.postal_code", f"postal code {code!r} is not five digits",
                    PURPOSE["event.address.postal_code"])
    street = check.text(found, "street", "event.address.")
    city = check.text(found, "city", "event.address.")
    if not (street and city and isinstance(code, str) and code):
        return None
    return events.Address(street=street, postal_code=code, city=city)


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
    fm = parse(text)
    if fm.data is None:
        return None, []
    check = _Checker(path, fm)
    data = fm.data
    if src_path is None:
        src_path = f"{LANDING_DIR}/{PurePosixPath(path).name}"
    slug = PurePosixPath(src_path).stem
    if not re.fullmatch(lead_form.SLUG_PATTERN, slug) or len(slug) > lead_form.FIELDS_BY_NAME["landing"].max_length:
        check.errors.append(ContentError(
            path, 1, f"landing file name '{slug}' is not an ASCII slug",
            "lowercase letters, digits and hyphens, e.g. 'guida-gratuita.md'"))

    check.keys(data, "", TOP_KEYS, TOP_REQUIRED)
    title = check.text(data, "title")
    description = check.text(data, "description")

    offer_data = check.block(data, "offer", "", OFFER_KEYS, OFFER_REQUIRED) or {}
    offer = Offer(
        headline=check.text(offer_data, "headline", "offer."),
        subheadline=check.text(offer_data, "subheadline", "offer."),
        benefits=check.texts(offer_data, "benefits", "offer."),
        difference=check.text(offer_data, "difference", "offer."),
    )

    form = check.block(data, "form", "", FORM_KEYS, FORM_REQUIRED) or {}
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

    thanks_data = check.block(data, "thanks", "", THANKS_KEYS, THANKS_REQUIRED) or {}
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
    block = check.block(data, "autoresponder", "", AUTORESPONDER_KEYS, AUTORESPONDER_REQUIRED,
                        empty="a mapping with subject and text")
    if block is None:
        return None
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
        landing, found = parse_landing(display_path(file, base), file.read_text(encoding="utf-8-sig"), defaults,
                                       src_path=src_path)
        errors.extend(found)
        if landing is not None:
            landings[landing.slug] = landing
    return landings, errors
