"""Double opt-in: signed links that confirm or withdraw a lead's marketing consent.

Each lead gets a row in ``consents`` with a random 128-bit ``token`` (never its row id). A link
carries ``base64url(action, expiry, token) . base64url(HMAC-SHA256(secret, that))``: without
the server's secret nobody can make one, change its action or stretch its expiry.

- Confirmation links expire (``LoopSettings.optin_days``); an unconfirmed consent is then
  marked expired (``expire``) and never counts as given.
- Withdrawal links never expire: every email to a lead carries one, and withdrawing keeps the
  lead (only its marketing consent ends).
- A link that is tampered with, expired or already used changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import sqlite3
import struct
from datetime import datetime, timedelta

from .storage import Store, timestamp

CONFIRM = b"c"
WITHDRAW = b"w"
_LAYOUT = struct.Struct(">cQ16s")  # action, expiry (Unix seconds, 0 = never), token
_MAC_BYTES = 16

# Outcomes of opening a link (each has its Italian page in leads/optin_pages.py).
CONFIRMED = "confirmed"
ALREADY_CONFIRMED = "already-confirmed"
WITHDRAWN = "withdrawn"
ALREADY_WITHDRAWN = "already-withdrawn"
INVALID = "invalid"
EXPIRED = "expired"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_token() -> str:
    return secrets.token_hex(16)


def sign(key: bytes, action: bytes, token: str, expires: datetime | None) -> str:
    """The link parameter for ``action`` on the consent ``token``."""
    body = _LAYOUT.pack(action, int(expires.timestamp()) if expires else 0, bytes.fromhex(token))
    mac = hmac.new(key, body, hashlib.sha256).digest()[:_MAC_BYTES]
    return f"{_b64(body)}.{_b64(mac)}"


def verify(key: bytes, action: bytes, signed: str, now: datetime) -> tuple[str, str]:
    """(INVALID or EXPIRED or "", token) for a link parameter of ``action``."""
    try:
        body_text, _, mac_text = signed.partition(".")
        body, mac = _unb64(body_text), _unb64(mac_text)
        found_action, expires, token = _LAYOUT.unpack(body)
    except (ValueError, binascii.Error, struct.error):
        return INVALID, ""
    expected = hmac.new(key, body, hashlib.sha256).digest()[:_MAC_BYTES]
    if not hmac.compare_digest(mac, expected) or found_action != action:
        return INVALID, ""
    if expires and now.timestamp() >= expires:
        return EXPIRED, token.hex()
    return "", token.hex()


def register_token(conn: sqlite3.Connection, lead_id: int, token: str, marketing: bool, now: datetime,
                   days: float) -> None:
    """The consent row of a new lead, in the lead's transaction (``token`` from ``new_token``)."""
    expires = timestamp(now + timedelta(days=days)) if marketing else ""
    conn.execute("INSERT INTO consents (lead_id, token, requested_at, expires_at) VALUES (?, ?, ?, ?)",
                 (lead_id, token, timestamp(now), expires))


def renew_request(conn: sqlite3.Connection, lead_id: int, now: datetime, days: float) -> None:
    """A repeated post gives marketing consent again before it was confirmed: a fresh request
    (the token, hence every link already sent, stays)."""
    conn.execute("UPDATE consents SET requested_at = ?, expires_at = ?, expired_at = '', withdrawn_at = ''"
                 " WHERE lead_id = ?", (timestamp(now), timestamp(now + timedelta(days=days)), lead_id))


def confirm(conn: sqlite3.Connection, token: str, now: datetime) -> tuple[str, sqlite3.Row | None]:
    """Record a confirmation (in the caller's transaction); the outcome and the lead."""
    row = _consent(conn, token)
    if row is None or not row["marketing_consent"] or row["withdrawn_at"]:
        return INVALID, row
    if row["confirmed_at"]:
        return ALREADY_CONFIRMED, row
    if row["expired_at"] or row["expires_at"] <= timestamp(now):
        return EXPIRED, row
    conn.execute("UPDATE consents SET confirmed_at = ? WHERE token = ?", (timestamp(now), token))
    return CONFIRMED, row


def withdraw(conn: sqlite3.Connection, token: str, now: datetime) -> tuple[str, sqlite3.Row | None]:
    """Record a withdrawal of marketing consent; the lead itself stays."""
    row = _consent(conn, token)
    if row is None:
        return INVALID, None
    if row["withdrawn_at"]:
        return ALREADY_WITHDRAWN, row
    conn.execute("UPDATE consents SET withdrawn_at = ? WHERE token = ?", (timestamp(now), token))
    return WITHDRAWN, row


def _consent(conn: sqlite3.Connection, token: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT c.*, l.email, l.landing, l.marketing_consent FROM consents AS c"
        " JOIN leads AS l ON l.id = c.lead_id WHERE c.token = ?", (token,)).fetchone()


def expire(store: Store, now: datetime) -> int:
    """Mark unconfirmed marketing consents whose link has expired; returns how many."""
    stamp = timestamp(now)
    with store.write() as conn:
        return conn.execute(
            "UPDATE consents SET expired_at = ? WHERE expires_at != '' AND expires_at <= ?"
            " AND confirmed_at = '' AND withdrawn_at = '' AND expired_at = ''",
            (stamp, stamp)).rowcount
