"""The consent ledger: which consent and privacy texts are valid, and the proof of each consent.

The build publishes the exact texts with their versions (``consent/versions.json``, see
``approdo.consent_ledger``) and what each landing page's emails need (``leads/landings.json``).
``SiteData`` reads both from the built site (a folder) or from the site's URL, keeps every text
it ever saw in the table ``consent_texts`` (a lead of last year keeps the proof of the text it
was shown, after the wording changed) and answers whether a posted version is one of them. A
version it does not know makes it read the site again, at most every ``refresh`` seconds, so a
new wording is accepted as soon as it is published.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

from approdo.consent_ledger import LANDINGS_PATH, VERSIONS_PATH

from .storage import Store, timestamp

log = logging.getLogger("leads.consent")

CONSENT, PRIVACY = "consent", "privacy"
FETCH_TIMEOUT = 5.0


class SiteData:
    def __init__(self, source: str, store: Store, refresh: float = 5.0):
        self.source = source
        self.store = store
        self.refresh = refresh
        self._lock = threading.Lock()
        self._loaded_at = float("-inf")
        self._reachable = False
        self._landings: dict[str, dict] = {}
        self._consent_texts: dict[str, str] = {}
        self._known = self._stored_versions()

    @property
    def checking(self) -> bool:
        return bool(self.source)

    def _read(self, relative: str) -> dict:
        if self.source.startswith(("http://", "https://")):
            url = urljoin(self.source.rstrip("/") + "/", relative)
            # The site's own address: never through a proxy from the environment.
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(url, timeout=FETCH_TIMEOUT) as response:
                return json.loads(response.read().decode("utf-8"))
        return json.loads((Path(self.source) / relative).read_text(encoding="utf-8"))

    def load(self, now: datetime) -> bool:
        """Read the site's published files; False if they cannot be read now."""
        try:
            versions = self._read(VERSIONS_PATH)
            landings = self._read(LANDINGS_PATH)
        except (OSError, ValueError) as problem:
            log.warning("consent ledger: cannot read %s from %s (%s)", VERSIONS_PATH, self.source,
                        type(problem).__name__)
            return False
        texts = [(entry["version"], kind, entry["text"]) for kind in (CONSENT, PRIVACY)
                 for entry in [versions.get(kind) or {}] if entry.get("version")]
        with self.store.write() as conn:
            conn.executemany("INSERT OR IGNORE INTO consent_texts (version, kind, text, first_seen)"
                             " VALUES (?, ?, ?, ?)", [(*t, timestamp(now)) for t in texts])
        self._known = self._stored_versions()
        self._landings = dict(landings.get("landings") or {})
        return True

    def _stored_versions(self) -> dict[str, set[str]]:
        with self.store.connection() as conn:
            rows = conn.execute("SELECT kind, version, text FROM consent_texts").fetchall()
        known: dict[str, set[str]] = {CONSENT: set(), PRIVACY: set()}
        for kind, version, text in rows:
            known.setdefault(kind, set()).add(version)
            if kind == CONSENT:
                self._consent_texts[version] = text
        return known

    def consent_text(self, version: str) -> str:
        """The marketing wording of ``version`` ("" if it was never published)."""
        return self._consent_texts.get(version, "")

    def _maybe_reload(self, now: datetime, force: bool = False) -> None:
        with self._lock:
            if force or time.monotonic() - self._loaded_at >= self.refresh:
                self._loaded_at = time.monotonic()
                self._reachable = self.load(now)

    def known(self, consent_version: str, privacy_version: str, now: datetime) -> bool | None:
        """Whether both versions were published; None if that cannot be told right now."""
        if not self.checking:
            return True

        def seen() -> bool:
            return consent_version in self._known[CONSENT] and privacy_version in self._known[PRIVACY]

        if seen():
            return True
        self._maybe_reload(now)
        if seen():
            return True
        return False if self._reachable or self._known[CONSENT] else None

    def landing(self, slug: str, now: datetime) -> dict:
        """What the build published for one landing page (title, url, autoresponder), or {}."""
        if self.checking and slug not in self._landings:
            self._maybe_reload(now)
        return self._landings.get(slug) or {}


def proof(store: Store, email: str) -> list[dict]:
    """Every lead of ``email`` with the consent it gave: what it was shown, when, where, and
    when the marketing consent was confirmed, withdrawn or expired."""
    with store.connection() as conn:
        rows = conn.execute(
            "SELECT l.*, c.requested_at, c.expires_at, c.confirmed_at, c.withdrawn_at, c.expired_at,"
            " ct.text AS consent_text, pt.text AS privacy_text"
            " FROM leads AS l LEFT JOIN consents AS c ON c.lead_id = l.id"
            " LEFT JOIN consent_texts AS ct ON ct.version = l.consent_version"
            " LEFT JOIN consent_texts AS pt ON pt.version = l.privacy_version"
            " WHERE l.email = ? COLLATE NOCASE ORDER BY l.received_at, l.id", (email.strip(),)).fetchall()
    return [{
        "lead": row["id"],
        "email": row["email"],
        "received_at": row["received_at"],
        "landing": row["landing"],
        "page_url": row["page_url"],
        "campaign": {name: row[name] for name in ("utm_source", "utm_medium", "utm_campaign",
                                                  "utm_content", "utm_term") if row[name]},
        "marketing_box_ticked": bool(row["marketing_consent"]),
        "consent_version": row["consent_version"],
        "consent_text": row["consent_text"],
        "privacy_version": row["privacy_version"],
        "privacy_text_known": row["privacy_text"] is not None,
        "confirmation_sent_at": row["requested_at"] if row["marketing_consent"] else None,
        "confirmed_at": row["confirmed_at"] or None,
        "withdrawn_at": row["withdrawn_at"] or None,
        "expired_at": row["expired_at"] or None,
    } for row in rows]


def render_proof(records: list[dict]) -> str:
    """The proof as a person reads it (English: the command's audience is the operator)."""
    if not records:
        return "No lead of that address is stored.\n"
    out = []
    for record in records:
        out += [
            f"Lead {record['lead']} <{record['email']}>",
            f"  received:        {record['received_at']} on landing page '{record['landing']}'",
            f"  page:            {record['page_url'] or '(not sent)'}",
            "  campaign:        " + (", ".join(f"{k}={v}" for k, v in record["campaign"].items()) or "(none)"),
            f"  privacy notice:  version {record['privacy_version']}"
            + ("" if record["privacy_text_known"] else " (text not in the ledger)"),
            f"  marketing box:   {'ticked' if record['marketing_box_ticked'] else 'not ticked'}",
            f"  consent text:    version {record['consent_version']}: "
            + (f"\u00ab{record['consent_text']}\u00bb" if record["consent_text"] else "(text not in the ledger)"),
        ]
        if record["marketing_box_ticked"]:
            out += [f"  confirmation:    sent {record['confirmation_sent_at']}",
                    f"  confirmed:       {record['confirmed_at'] or 'no'}"]
            if record["expired_at"]:
                out.append(f"  expired:         {record['expired_at']} (never confirmed)")
        out.append(f"  withdrawn:       {record['withdrawn_at'] or 'no'}")
        out.append("")
    return "\n".join(out)
