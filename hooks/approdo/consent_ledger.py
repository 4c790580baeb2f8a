"""What the build publishes for the lead receiver: the consent ledger and the landing pages' emails.

- ``consent/versions.json``: the exact wording of the marketing checkbox and the text of the
  privacy notice, each with the version (``lead_form.text_version``) every lead stores. The
  receiver accepts only posts that claim a published version and keeps the texts as proof.
- ``leads/landings.json``: per landing page, its title and address and the optional
  autoresponder (subject, text, and the download link of the thank-you page).

Pure functions, no MkDocs import; ``hooks/landing_pages.py`` adds the files to the build.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from . import lead_form, seo

VERSIONS_PATH = "consent/versions.json"
LANDINGS_PATH = "leads/landings.json"


def versions_document(consent_text: str, privacy_text: str, privacy_url: str) -> str:
    """``consent/versions.json``: each text with the version its fingerprint gives."""
    document = {
        "consent": {"version": lead_form.text_version(consent_text), "text": consent_text},
        "privacy": {"version": lead_form.text_version(privacy_text), "text": privacy_text,
                    "url": privacy_url},
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def absolute(site_url: str, path: str) -> str:
    """A site path or URL as a full address ("" stays "": no download, no privacy page)."""
    return seo.absolute(site_url, path) if path else ""


def landings_document(landings: Iterable, site_url: str) -> str:
    """``leads/landings.json``: what the receiver's emails say about each landing page."""
    entries = {}
    for landing in landings:
        reply = landing.autoresponder
        entries[landing.slug] = {
            "title": landing.title,
            "url": absolute(site_url, landing.url),
            "autoresponder": None if reply is None else {
                "subject": reply.subject,
                "text": reply.text,
                "download": absolute(site_url, landing.thanks.download or ""),
                "download_label": landing.thanks.download_label,
            },
        }
    return json.dumps({"landings": entries}, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
