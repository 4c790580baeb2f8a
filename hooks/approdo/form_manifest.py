"""What the lead receiver must know about each landing page's form, published by the build as
``leads/forms.json`` so that the receiver can refuse a post no form of the site could have sent.

For every landing page: the fields its form sends, which of them must not be empty, and the
values a field may take when they are fixed (the slug, the marketing checkbox). Consent and
privacy versions are checked by the contract's pattern, not pinned to today's texts: a visitor
who opened the page before a new version was published must still be able to send it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from . import lead_form
from .landing import Landing

# Next to leads/landings.json (approdo.consent_ledger): what the receiver reads from the built site.
FILE_NAME = "leads/forms.json"
FORMAT = 1

# Sent by every form of the bundled provider, whatever its visitor fields.
_HIDDEN = tuple(f.name for f in lead_form.FIELDS if f.group in (lead_form.CONSENT, lead_form.ATTRIBUTION)
                and f.name != "marketing_consent")
# Routing fields (thank-you page, spam signals); form-name only Netlify forms send.
_ROUTING = tuple(f.name for f in lead_form.FIELDS if f.group == lead_form.ROUTING and f.name != "form-name")


def form_fields(landing: Landing) -> dict[str, object]:
    """The form of one landing page, as the receiver checks it."""
    fields = [*landing.fields, *(("marketing_consent",) if landing.marketing else ()), *_HIDDEN, *_ROUTING]
    if landing.provider == "netlify":
        fields.append("form-name")
    required = [name for name in fields if name in landing.required or lead_form.FIELDS_BY_NAME[name].required]
    allowed: dict[str, list[str]] = {"landing": [landing.slug]}
    if landing.marketing:
        allowed["marketing_consent"] = list(lead_form.FIELDS_BY_NAME["marketing_consent"].allowed or ())
    return {
        "required": required,
        "optional": [name for name in fields if name not in required],
        "allowed": allowed,
    }


def manifest(landings: Iterable[Landing]) -> dict[str, object]:
    return {"format": FORMAT,
            "landings": {landing.slug: form_fields(landing) for landing in sorted(landings, key=lambda l: l.slug)}}


def manifest_json(landings: Iterable[Landing]) -> str:
    return json.dumps(manifest(landings), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
