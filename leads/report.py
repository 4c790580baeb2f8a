"""The campaign funnel: short-link and call-to-action clicks -> landing views -> leads ->
confirmed marketing consents, per channel (``utm_source``), campaign, social post
(``utm_content`` of a social link), article (``utm_content`` of a call to action) and landing
page, for a period compared with the one before it.

Reads the anonymous counters (``metrics``, leads/metrics.py) and the stored leads; writes
nothing. Rates are ``None`` where there is nothing to divide by.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Iterable

from approdo import metrics as contract

from .storage import Store

NO_SOURCE = "(diretto)"     # a visit or a lead that came without utm_source
NO_CAMPAIGN = "(nessuna)"
OTHERS = "altri"            # channels past the ones a chart shows one by one
CHART_CHANNELS = 5

def confirmed_marketing_sql(conn: sqlite3.Connection) -> str:
    """The SQL expression (1 or 0 per row of ``leads``) for "marketing consent confirmed".

    With issue #10's double opt-in (a ``consents`` table: ``lead_id``, ``confirmed_at``,
    ``withdrawn_at``), a ticked box counts once confirmed by email and not withdrawn since;
    without it the ticked box is all there is, so it is counted as given.
    """
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "consents" in tables:
        return ("(marketing_consent = 1 AND EXISTS (SELECT 1 FROM consents AS c WHERE c.lead_id = leads.id"
                " AND coalesce(c.confirmed_at, '') != '' AND coalesce(c.withdrawn_at, '') = ''))")
    return "(marketing_consent = 1)"


@dataclass
class Row:
    """One line of the funnel."""

    key: str
    clicks: int = 0
    views: int = 0
    leads: int = 0
    confirmed: int = 0
    previous: "Row | None" = None

    @property
    def conversion(self) -> float | None:
        """Leads per landing view."""
        return _rate(self.leads, self.views)

    @property
    def click_through(self) -> float | None:
        """Landing views per click (above 100% when visitors also come by other links)."""
        return _rate(self.views, self.clicks)

    @property
    def confirmation(self) -> float | None:
        """Confirmed marketing consents per lead."""
        return _rate(self.confirmed, self.leads)

    def add(self, kind: str, count: int) -> None:
        if kind in (contract.GO, contract.CTA):
            self.clicks += count
        elif kind == contract.VIEW:
            self.views += count
        elif kind == LEAD:
            self.leads += count
        elif kind == CONFIRMED:
            self.confirmed += count

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "key": self.key, "clicks": self.clicks, "views": self.views, "leads": self.leads,
            "confirmed": self.confirmed, "conversion": _round(self.conversion),
            "click_through": _round(self.click_through), "confirmation": _round(self.confirmation),
        }
        if self.previous is not None:
            data["previous"] = {name: value for name, value in self.previous.as_dict().items()
                                if name not in ("key", "previous")}
        return data


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


LEAD = "lead"
CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Fact:
    """A count of one kind (click, view, lead, confirmed) for one page and campaign."""

    day: str
    kind: str
    page: str
    source: str
    medium: str
    campaign: str
    content: str
    count: int


def _channel(fact: Fact) -> str | None:
    return fact.source or NO_SOURCE


def _campaign(fact: Fact) -> str | None:
    return fact.campaign or NO_CAMPAIGN


def _post(fact: Fact) -> str | None:
    """A social post is the utm_content of any link but a call to action."""
    return fact.content if fact.content and fact.medium != contract.CTA else None


def _article(fact: Fact) -> str | None:
    """The article whose call to action was followed: its utm_content (approdo.cta.cta_url)."""
    return fact.content if fact.content and fact.medium == contract.CTA else None


def _page(fact: Fact) -> str | None:
    return fact.page


# (name in JSON, Italian title, how a fact is keyed)
DIMENSIONS: tuple[tuple[str, str, Callable[[Fact], str | None]], ...] = (
    ("channel", "Canale", _channel),
    ("campaign", "Campagna", _campaign),
    ("post", "Post social", _post),
    ("article", "Articolo", _article),
    ("page", "Landing page", _page),
)


@dataclass
class Period:
    start: date   # first day
    end: date     # first day after

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def as_dict(self) -> dict[str, object]:
        return {"first_day": self.start.isoformat(), "last_day": self.last_day.isoformat(), "days": self.days}


@dataclass
class Report:
    period: Period
    previous_period: Period
    totals: Row
    dimensions: dict[str, list[Row]]
    # Week start -> channel -> leads (channels past CHART_CHANNELS in OTHERS).
    weekly: list[tuple[date, dict[str, int]]]
    channels: list[str]   # in the weekly chart's order
    not_converted: list[tuple[str, Row]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "period": self.period.as_dict(),
            "previous_period": self.previous_period.as_dict(),
            "totals": self.totals.as_dict(),
            **{f"by_{name}": [row.as_dict() for row in rows] for name, rows in self.dimensions.items()},
            "weekly_leads": [{"week": week.isoformat(), "leads": leads} for week, leads in self.weekly],
            "not_converted": [{"dimension": name, **row.as_dict()} for name, row in self.not_converted],
        }


def period_ending(last_day: date, days: int) -> tuple[Period, Period]:
    """The ``days`` days up to ``last_day`` included, and as many days before them."""
    current = Period(last_day + timedelta(days=1) - timedelta(days=days), last_day + timedelta(days=1))
    return current, Period(current.start - timedelta(days=days), current.start)


def facts(store: Store, period: Period) -> list[Fact]:
    """The counters and the leads of ``period`` as facts."""
    start, end = period.start.isoformat(), period.end.isoformat()
    found: list[Fact] = []
    with store.connection() as conn:
        rows = conn.execute(
            "SELECT day, kind, page, utm_source, utm_medium, utm_campaign, utm_content, sum(count)"
            " FROM metrics WHERE day >= ? AND day < ? GROUP BY 1, 2, 3, 4, 5, 6, 7", (start, end)).fetchall()
        found += [Fact(*row) for row in rows]
        confirmed = confirmed_marketing_sql(conn)
        rows = conn.execute(
            f"SELECT substr(received_at, 1, 10), landing, utm_source, utm_medium, utm_campaign, utm_content,"
            f" count(*), sum({confirmed}) FROM leads WHERE received_at >= ? AND received_at < ?"
            " GROUP BY 1, 2, 3, 4, 5, 6", (start, end)).fetchall()
    for day, page, source, medium, campaign, content, leads, confirmed_count in rows:
        found.append(Fact(day, LEAD, page, source, medium, campaign, content, leads))
        if confirmed_count:
            found.append(Fact(day, CONFIRMED, page, source, medium, campaign, content, confirmed_count))
    return found


def group(found: Iterable[Fact], key: Callable[[Fact], str | None]) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for fact in found:
        name = key(fact)
        if name is None:
            continue
        rows.setdefault(name, Row(name)).add(fact.kind, fact.count)
    return rows


def _ordered(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (-row.leads, -row.views, -row.clicks, row.key))


def build(store: Store, last_day: date, days: int = 30) -> Report:
    """The report of the ``days`` days up to ``last_day`` included, against the days before."""
    period, previous_period = period_ending(last_day, days)
    current, before = facts(store, period), facts(store, previous_period)
    totals = group(current, lambda fact: "totale").get("totale", Row("totale"))
    totals.previous = group(before, lambda fact: "totale").get("totale", Row("totale"))
    dimensions: dict[str, list[Row]] = {}
    for name, _title, key in DIMENSIONS:
        rows, earlier = group(current, key), group(before, key)
        for row in rows.values():
            row.previous = earlier.get(row.key, Row(row.key))
        dimensions[name] = _ordered(rows.values())
    channels = [row.key for row in dimensions["channel"] if row.leads][:CHART_CHANNELS]
    weekly = _weekly(current, period, channels)
    if any(OTHERS in leads for _, leads in weekly):
        channels.append(OTHERS)
    not_converted = [(name, row) for name, _title, _key in DIMENSIONS for row in dimensions[name]
                     if row.leads == 0 and (row.views or row.clicks)]
    not_converted.sort(key=lambda item: (-item[1].views, -item[1].clicks, item[0], item[1].key))
    return Report(period, previous_period, totals, dimensions, weekly, channels, not_converted)


def _weekly(found: list[Fact], period: Period, channels: list[str]) -> list[tuple[date, dict[str, int]]]:
    """Leads per week (weeks start on Monday) and channel, every week of the period listed."""
    first = period.start - timedelta(days=period.start.weekday())
    weeks: dict[date, Counter] = defaultdict(Counter)
    week = first
    while week < period.end:
        weeks[week] = Counter()
        week += timedelta(days=7)
    for fact in found:
        if fact.kind != LEAD:
            continue
        day = date.fromisoformat(fact.day)
        channel = _channel(fact) or NO_SOURCE
        weeks[day - timedelta(days=day.weekday())][channel if channel in channels else OTHERS] += fact.count
    return [(week, dict(leads)) for week, leads in sorted(weeks.items())]


# --- terminal -------------------------------------------------------------------------------

def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def render_text(report: Report) -> str:
    """A plain-text report for a terminal."""
    t = report.totals
    p = t.previous or Row("")
    lines = [
        f"Funnel {report.period.start} .. {report.period.end - timedelta(days=1)} ({report.period.days} days), "
        f"compared with {report.previous_period.start} .. {report.previous_period.end - timedelta(days=1)}",
        f"  clicks {t.clicks} (before {p.clicks}) -> views {t.views} (before {p.views}) -> leads {t.leads} "
        f"(before {p.leads}) -> confirmed consents {t.confirmed} (before {p.confirmed})",
        f"  leads per view {percent(t.conversion)} (before {percent(p.conversion)}); "
        f"confirmed per lead {percent(t.confirmation)}",
    ]
    header = ("", "clicks", "views", "leads", "confirmed", "lead/view", "conf/lead", "leads before")
    titles = {"channel": "Per channel (utm_source)", "campaign": "Per campaign (utm_campaign)",
              "post": "Per social post (utm_content)", "article": "Per article (call to action)",
              "page": "Per landing page"}
    for name, _title, _key in DIMENSIONS:
        rows = report.dimensions[name]
        lines += ["", titles[name]]
        if not rows:
            lines.append("  (nothing counted)")
            continue
        table = [header] + [
            (row.key, str(row.clicks), str(row.views), str(row.leads), str(row.confirmed),
             percent(row.conversion), percent(row.confirmation), str(row.previous.leads if row.previous else 0))
            for row in rows]
        widths = [max(len(line[i]) for line in table) for i in range(len(header))]
        for line in table:
            cells = [line[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)]
            lines.append("  " + "  ".join(cells).rstrip())
    if report.not_converted:
        lines += ["", "Visited but no lead"]
        lines += [f"  {name}: {row.key} ({row.views} views, {row.clicks} clicks)"
                  for name, row in report.not_converted]
    return "\n".join(lines) + "\n"
