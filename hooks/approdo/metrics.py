"""Cookie-free counting: the one contract between the pages' beacons and the lead receiver.

A landing page reports a view, a short link (``/go/<code>/``) and a call to action in an article
report a click. Each report names only the landing page and the campaign values of the link
(``utm_source``, ``utm_medium``, ``utm_campaign``, ``utm_content``); the receiver adds them to a
counter per day and keeps nothing else (see ``leads/metrics.py``). The article a call to action
sits in travels as ``utm_content`` (``approdo.cta.cta_url``), so it reaches the lead too.
"""

from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

from approdo.lead_form import FIELDS_BY_NAME, SLUG_PATTERN, UTM_MAX_LENGTH, UTM_PATTERN

# What is counted.
VIEW = "view"   # a landing page was shown
GO = "go"       # a short link was followed
CTA = "cta"     # a call to action in an article was clicked
KINDS = (VIEW, GO, CTA)

# The fields of a beacon (a URL-encoded body) and of the no-script redirect's query.
KIND_FIELD = "kind"
PAGE_FIELD = "page"
TARGET_FIELD = "to"
# utm_term is left out on purpose: it is a free search phrase, the least aggregate of the five.
UTM_DIMENSIONS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
# A counter's key, after the day and the kind.
DIMENSIONS = (PAGE_FIELD, *UTM_DIMENSIONS)

# The landing page is named by its slug, exactly as the lead form names it.
PAGE_PATTERN = SLUG_PATTERN
PAGE_MAX_LENGTH = FIELDS_BY_NAME["landing"].max_length
VALUE_PATTERN = UTM_PATTERN
VALUE_MAX_LENGTH = UTM_MAX_LENGTH
# A beacon is a few hundred bytes; anything longer is not one of ours.
MAX_BODY_BYTES = 1024

# Where the bundled receiver listens, next to its ``/leads``.
BEACON_PATH = "metrics"
REDIRECT_PATH = "go"


def receiver_base(extra: Mapping[str, Any] | None) -> str | None:
    """The URL prefix of the bundled receiver (``http://127.0.0.1:8001/``), or None.

    ``extra.approdo.metrics.receiver`` names it (``false`` turns counting off); otherwise it is
    the folder of the lead form's action when that action is the bundled receiver (a hosted form
    service counts nothing for us).
    """
    approdo = (extra or {}).get("approdo") or {}
    metrics = approdo.get("metrics")
    metrics = metrics if isinstance(metrics, Mapping) else {}
    if "receiver" in metrics:
        chosen = metrics["receiver"]
        if not chosen:
            return None
        return str(chosen).rstrip("/") + "/"
    leads = approdo.get("leads")
    leads = leads if isinstance(leads, Mapping) else {}
    action = leads.get("action")
    if not isinstance(action, str) or not action or leads.get("provider", "approdo") != "approdo":
        return None
    parts = urlsplit(action)
    folder = parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit(parts._replace(path=folder, query="", fragment=""))


def beacon_url(extra: Mapping[str, Any] | None) -> str | None:
    """Where pages send their view and click beacons, or None when nothing is counted."""
    base = receiver_base(extra)
    return base + BEACON_PATH if base else None


def redirect_url(extra: Mapping[str, Any] | None) -> str | None:
    """The receiver's counting redirect for short links followed without JavaScript."""
    base = receiver_base(extra)
    return base + REDIRECT_PATH if base else None
