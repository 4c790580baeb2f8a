"""Spam without a third party: a proof of work, a time-to-submit check and the honeypot, with
every suspect kept in a reviewable quarantine instead of being dropped.

- Proof of work (ALTCHA's protocol, the ``altcha`` library): the page script asks this receiver
  for a challenge (``GET /leads/challenge``), finds the number whose SHA-256 matches, and sends
  the solution with the form. Costless for one visitor (a fraction of a second), costly for a
  sender of thousands. Challenges are signed with a key held in memory only, expire after
  ``CHALLENGE_TTL`` seconds and are accepted once (a solution cannot be replayed).
  The page script solves it itself with the browser's ``crypto.subtle`` rather than loading
  ALTCHA's widget: the protocol is the same and the form keeps its look and weight.
- Time to submit: the script sends how long the page was open; a person does not fill a form
  in under ``MIN_FILL_MS``.
- A post without JavaScript (or from a client that skips the script) carries neither signal;
  it is accepted unless ``require_proof`` is set, which quarantines it (reviewable, never lost):
  turn it on when the honeypot and rate limit let too much through.
- The answer to a suspect post is exactly the answer to a real one: nothing to probe.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from datetime import datetime, timedelta
from typing import Any, Callable

import altcha

from approdo.lead_form import ELAPSED, HONEYPOT, PROOF

from .storage import SPAM, Store, timestamp

# Reasons a post is quarantined.
HONEYPOT_FILLED = "honeypot"
TOO_FAST = "too-fast"
NO_PROOF = "no-proof-of-work"
BAD_PROOF = "bad-proof-of-work"

MIN_FILL_MS = 2000
# A visitor may read the page for a while; the page script asks again after 20 minutes.
CHALLENGE_TTL = 3600
# Numbers tried on average: half of this. ~10 000 SHA-256 take well under a second in a browser.
MAX_NUMBER = 20_000


class ProofOfWork:
    """Signed, expiring, single-use ALTCHA challenges."""

    def __init__(self, max_number: int = MAX_NUMBER, ttl: float = CHALLENGE_TTL,
                 clock: Callable[[], float] = time.time):
        self.key = secrets.token_hex(32)
        self.max_number = max_number
        self.ttl = ttl
        self.clock = clock
        self._used: dict[str, float] = {}  # challenge -> when it expires
        self._lock = threading.Lock()

    def challenge(self) -> dict[str, object]:
        expires = datetime.fromtimestamp(self.clock() + self.ttl).astimezone()
        options = altcha.ChallengeOptionsV1(hmac_key=self.key, max_number=self.max_number, expires=expires)
        return altcha.create_challenge_v1(options).to_dict()

    def problem(self, payload: str) -> str:
        """"" if ``payload`` solves one of our challenges for the first time, else the reason."""
        if not payload:
            return NO_PROOF
        try:
            ok, _ = altcha.verify_solution_v1(payload, self.key, check_expires=True)
            challenge = altcha.PayloadV1.from_base64(payload).challenge if ok else ""
        except Exception:  # any malformed payload (the library checks types only in part)
            ok = False
        if not ok:
            return BAD_PROOF
        now = self.clock()
        with self._lock:
            for seen, expires in list(self._used.items()):
                if expires < now:
                    del self._used[seen]
            if challenge in self._used:
                return BAD_PROOF  # replayed
            self._used[challenge] = now + self.ttl
        return ""


def suspicion(fields: dict[str, str], pow_check: ProofOfWork | None, require_proof: bool) -> str:
    """Why a valid post looks like spam ("" if it does not): a filled honeypot, a form sent
    faster than a person types, a wrong or replayed proof of work, or (``require_proof``) none."""
    if fields.get(HONEYPOT, "").strip():
        return HONEYPOT_FILLED
    elapsed = fields.get(ELAPSED, "")
    if elapsed and int(elapsed) < MIN_FILL_MS:
        return TOO_FAST
    if pow_check is not None:
        proof = fields.get(PROOF, "")
        if proof or require_proof:
            return pow_check.problem(proof)
    return ""


# --- the quarantine -------------------------------------------------------------------------

def quarantine(store: Store, values: dict[str, str], reason: str, moment: datetime, keep_days: float) -> None:
    """Keep a suspect post for review; posts older than ``keep_days`` go at the same time."""
    when, cutoff = timestamp(moment), timestamp(moment - timedelta(days=keep_days))

    def work(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM quarantine WHERE received_at < ?", (cutoff,))
        conn.execute("INSERT INTO quarantine (received_at, reason, email, lead) VALUES (?, ?, ?, ?)",
                     (when, reason, values.get("email", ""), json.dumps(values, ensure_ascii=False)))
        store.count(conn, SPAM, when[:10])

    store.commit(work)


def quarantined(store: Store) -> list[dict[str, Any]]:
    """Every post in quarantine, oldest first: id, time, reason and the lead as it came."""
    with store.connection() as conn:
        rows = conn.execute("SELECT id, received_at, reason, lead FROM quarantine ORDER BY id").fetchall()
    return [{"id": row["id"], "received_at": row["received_at"], "reason": row["reason"],
             "lead": json.loads(row["lead"])} for row in rows]


def release(store: Store, quarantine_id: int, dedupe_window: float,
            then: Callable[[dict], Callable[[sqlite3.Connection, int], None]] | None = None) -> str | None:
    """Move a post out of quarantine into the leads (as received then); its outcome
    (stored, updated, duplicate), or None if there is no such post. ``then(values)`` gives what
    ``Store.add_lead`` runs with the lead (the lead loop: notification, double opt-in)."""
    with store.connection() as conn:
        row = conn.execute("SELECT received_at, lead FROM quarantine WHERE id = ?", (quarantine_id,)).fetchone()
    if row is None:
        return None
    received = datetime.fromisoformat(row["received_at"].replace("Z", "+00:00"))
    values = json.loads(row["lead"])
    outcome = store.add_lead(values, received, dedupe_window, then=then(values) if then else None)
    with store.write() as conn:
        conn.execute("DELETE FROM quarantine WHERE id = ?", (quarantine_id,))
    return outcome
