"""Lead statistics: the numbers that matter more than likes.

Leads per landing page, per ``utm_source``, per ``utm_campaign`` and per day (UTC), counting
the stored leads and the anonymous counts left by erased and expired ones.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from .export import record
from .storage import DUPLICATE, ERASURE, SPAM, Store

NONE = "(none)"       # a lead that came without that campaign parameter
ERASED = "(erased)"   # the campaign of an erased lead is not kept

DIMENSIONS = (
    ("landing", "Leads per landing page"),
    ("utm_source", "Leads per utm_source"),
    ("utm_campaign", "Leads per utm_campaign"),
    ("day", "Leads per day (UTC)"),
)


@dataclass
class Stats:
    total: int = 0
    stored: int = 0
    marketing_consent: int = 0      # confirmed by double opt-in and not withdrawn
    consent_unconfirmed: int = 0    # box ticked, confirmation link not (yet) followed
    retired: int = 0
    spam: int = 0
    duplicates: int = 0
    erasure_requests: int = 0
    counts: dict[str, Counter] = field(default_factory=lambda: {name: Counter() for name, _ in DIMENSIONS})

    def table(self, dimension: str) -> list[tuple[str, int]]:
        """Most leads first; days in calendar order."""
        items = self.counts[dimension].items()
        if dimension == "day":
            return sorted(items)
        return sorted(items, key=lambda item: (-item[1], item[0]))

    def as_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "stored": self.stored,
            "marketing_consent": self.marketing_consent,
            "marketing_consent_unconfirmed": self.consent_unconfirmed,
            "erased_or_expired": self.retired,
            "spam": self.spam,
            "duplicates": self.duplicates,
            "erasure_requests": self.erasure_requests,
            **{f"by_{name}": dict(self.table(name)) for name, _ in DIMENSIONS},
        }


def compute(store: Store, landings: tuple[str, ...] = (), since: datetime | None = None,
            until: datetime | None = None) -> Stats:
    stats = Stats()
    for lead in store.leads(landings, since, until):
        stats.stored += 1
        # The same rule as the export: a ticked box alone is not a consent (leads/optin.py).
        confirmed = bool(record(lead)["marketing_consent"])
        stats.marketing_consent += confirmed
        stats.consent_unconfirmed += bool(lead["marketing_consent"]) and not confirmed
        _add(stats, lead["received_at"][:10], lead["landing"], lead["utm_source"], lead["utm_campaign"], 1)
    for row in store.retired(landings, since, until):
        stats.retired += row["count"]
        erased = row["reason"] == "erased"
        _add(stats, row["day"], row["landing"], ERASED if erased else row["utm_source"],
             ERASED if erased else row["utm_campaign"], row["count"])
    stats.total = stats.stored + stats.retired
    # Spam and duplicates are counted per day only: a landing filter cannot narrow them.
    events = store.events(since, until)
    stats.spam = events.get(SPAM, 0)
    stats.duplicates = events.get(DUPLICATE, 0)
    stats.erasure_requests = events.get(ERASURE, 0)
    return stats


def _add(stats: Stats, day: str, landing: str, source: str, campaign: str, count: int) -> None:
    stats.counts["day"][day] += count
    stats.counts["landing"][landing] += count
    stats.counts["utm_source"][source or NONE] += count
    stats.counts["utm_campaign"][campaign or NONE] += count


def render(stats: Stats) -> str:
    """A plain-text report for a terminal."""
    lines = [
        f"Leads: {stats.total}"
        + (f" ({stats.retired} erased or expired, kept as anonymous counts)" if stats.retired else ""),
        f"Marketing consent confirmed by double opt-in: {stats.marketing_consent} of {stats.stored} stored"
        f" leads ({stats.consent_unconfirmed} more ticked the box but have not confirmed)",
        f"Suspected spam (kept in quarantine): {stats.spam}; repeated posts merged: {stats.duplicates}; "
        f"erasure requests: {stats.erasure_requests}",
    ]
    for name, title in DIMENSIONS:
        rows = stats.table(name)
        lines += ["", title]
        if not rows:
            lines.append("  (no leads)")
            continue
        width = max(len(key) for key, _ in rows)
        count_width = max(len(str(count)) for _, count in rows)
        lines += [f"  {key.ljust(width)}  {str(count).rjust(count_width)}" for key, count in rows]
    return "\n".join(lines) + "\n"
