"""What the lead form of a landing page prints: data only, the markup is in
``overrides/partials/approdo/landing-form.html``. Every field name comes from the contract
(``approdo.lead_form``), so the page, its script and the receiver agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from . import lead_form
from .landing import Landing


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
