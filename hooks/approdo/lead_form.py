"""The lead form contract: the one definition of every field a landing page sends.

The landing-page renderer (``hooks/landing_pages.py`` and its templates) draws the form from
these definitions and the lead receiver (``leads``) validates posts against the same ones, so
neither side re-types a field name, a maximum length or an allowed value.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# A visitor-facing input, an attribution or consent value, or a spam trap.
VISITOR = "visitor"
CONSENT = "consent"
ATTRIBUTION = "attribution"
ROUTING = "routing"


@dataclass(frozen=True)
class Field:
    """One form field, as both the page and the receiver see it."""

    name: str
    group: str
    max_length: int
    # Visitor fields only: the Italian label, the HTML input type and the autocomplete token.
    label: str = ""
    input_type: str = "hidden"
    autocomplete: str = ""
    required: bool = False
    # When set, the only values the receiver accepts ("" stands for "not sent").
    allowed: tuple[str, ...] | None = None
    # When set, a full-match pattern the value must satisfy (empty values are checked apart).
    pattern: str | None = None


# Characters a UTM value may keep; the page script and the receiver cap to these.
UTM_PATTERN = r"[A-Za-z0-9 ._~+\-]*"
UTM_MAX_LENGTH = 100
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")

# A syntactic check only: deliverability is not something a form can prove.
EMAIL_PATTERN = r"[^@\s<>\"',;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
VERSION_PATTERN = r"[0-9a-f]{12}"
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"

# The value a ticked marketing checkbox sends.
CONSENT_GIVEN = "si"

# Spam trap: a field people never see or fill. "_gotcha" is also Formspree's own name for it,
# and Netlify is told the name through ``netlify-honeypot``.
HONEYPOT = "_gotcha"
# Where a plain (non-JavaScript) post is sent afterwards: the thank-you page. "_next" is also
# Formspree's name; the bundled receiver only follows it to an allowed origin.
NEXT = "_next"

ELAPSED = "_elapsed"
PROOF = "altcha"

FIELDS: tuple[Field, ...] = (
    Field("email", VISITOR, 254, "Email", "email", "email", required=True, pattern=EMAIL_PATTERN),
    Field("name", VISITOR, 100, "Nome e cognome", "text", "name"),
    Field("company", VISITOR, 120, "Azienda", "text", "organization"),
    Field("phone", VISITOR, 30, "Telefono", "tel", "tel", pattern=r"[0-9 +()./\-]*"),
    Field("message", VISITOR, 2000, "Messaggio", "textarea", "off"),
    Field("marketing_consent", CONSENT, 2, allowed=("", CONSENT_GIVEN)),
    Field("consent_version", CONSENT, 12, required=True, pattern=VERSION_PATTERN),
    Field("privacy_version", CONSENT, 12, required=True, pattern=VERSION_PATTERN),
    *(Field(name, ATTRIBUTION, UTM_MAX_LENGTH, pattern=UTM_PATTERN) for name in UTM_FIELDS),
    Field("landing", ATTRIBUTION, 80, required=True, pattern=SLUG_PATTERN),
    Field("page_url", ATTRIBUTION, 500),
    Field("referrer", ATTRIBUTION, 500),
    Field(NEXT, ROUTING, 500),
    Field(HONEYPOT, ROUTING, 200),
    # Netlify Forms routes a post by this name; other receivers ignore it.
    Field("form-name", ROUTING, 80),
    # Spam signals the page script adds (never stored): milliseconds from the page's loading to
    # its submission, and the solution of the receiver's proof-of-work challenge (ALTCHA).
    Field(ELAPSED, ROUTING, 12, pattern=r"[0-9]{1,12}"),
    Field(PROOF, ROUTING, 4000),
)

FIELDS_BY_NAME: dict[str, Field] = {field.name: field for field in FIELDS}

# Visitor fields an author may add to a form; email is always there.
OPTIONAL_VISITOR_FIELDS: tuple[str, ...] = tuple(
    field.name for field in FIELDS if field.group == VISITOR and not field.required
)


def visitor_fields(names: list[str] | tuple[str, ...]) -> list[Field]:
    """The visitor fields of a form, in contract order: email first, then ``names``."""
    chosen = set(names) | {"email"}
    return [field for field in FIELDS if field.group == VISITOR and field.name in chosen]


def text_version(text: str) -> str:
    """A short, stable fingerprint of a consent wording or of a privacy notice.

    Stored with every lead as proof of which exact text the visitor saw; the text itself lives
    in git, so the fingerprint finds it again.
    """
    normalised = " ".join(text.split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:12]


def is_valid(field: Field, value: str) -> bool:
    """Whether ``value`` fits ``field``: length, allowed values and pattern (not presence)."""
    if len(value) > field.max_length:
        return False
    if field.allowed is not None and value not in field.allowed:
        return False
    if value and field.pattern is not None and re.fullmatch(field.pattern, value) is None:
        return False
    return True
