"""Cookie-free campaign counting: views of landing pages and clicks on short links and calls to
action, kept only as counters per day, kind, landing page and campaign values.

What a beacon carries is checked against the contract (``approdo.metrics``), then reduced to a
key; nothing about the request is kept: no address, no user agent, no time finer than the day.
The user agent and the prefetch headers are read in memory to leave bots and prefetches out,
then dropped.

Bounded on every side:
- a body of at most ``approdo.metrics.MAX_BODY_BYTES``; values of the lead form's character set
  and length, else the beacon is refused;
- per day at most ``max_values`` distinct values of each dimension and ``max_keys`` distinct
  keys: anything beyond is counted in the ``altro`` bucket, so forged values can neither fill
  the database nor the report;
- counts are added in memory and written in one transaction every ``flush_interval`` seconds
  (durable within that time); the pending keys are bounded by ``max_keys`` too.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Mapping
from urllib.parse import parse_qsl, urlsplit

from approdo import metrics as contract

from .storage import Store, timestamp

log = logging.getLogger("leads")

OTHER = "altro"
# Counter kinds in the ``events`` table for what was left out (how many, per day, nothing else).
BOT = "beacon-bot"
REFUSED = "beacon-refused"

# Case-insensitive substrings of the user agents of crawlers, link previewers, monitors and
# scripts. Checked in memory, never stored. Not the in-app browsers of the social apps (FBAN,
# Instagram, LinkedInApp, Pinterest for Android...): those are people following a post.
BOT_AGENTS = re.compile(
    r"bot|crawl|spider|slurp|archiver|preview|facebookexternalhit|facebookcatalog|meta-external"
    r"|whatsapp/|telegrambot|skypeuripreview|embedly|quora link|vkshare|w3c_validator"
    r"|headless|phantomjs|selenium|puppeteer|playwright|lighthouse|pagespeed|gtmetrix|pingdom"
    r"|uptime|monitor|curl|wget|python|java/|go-http-client|okhttp|axios|node-fetch|libwww"
    r"|httpclient|scrapy|feedfetcher|feed|rss",
    re.I,
)
# Request headers by which browsers announce a prefetch or prerender: not a visit (yet).
PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


def not_a_visit(environ: Mapping[str, str]) -> bool:
    """Whether a request comes from a bot or a prefetch (both are answered, neither counted)."""
    for header in PREFETCH_HEADERS:
        value = environ.get(header, "").lower()
        if "prefetch" in value or "prerender" in value or "preview" in value:
            return True
    agent = environ.get("HTTP_USER_AGENT", "")
    return not agent or BOT_AGENTS.search(agent) is not None


class BeaconError(ValueError):
    """A beacon that is not one of ours (a name of the offending field in ``field``)."""

    def __init__(self, field: str):
        super().__init__(f"invalid {field}")
        self.field = field


@dataclass(frozen=True)
class Hit:
    kind: str
    page: str
    utm: tuple[str, str, str, str]   # in the order of approdo.metrics.UTM_DIMENSIONS

    @property
    def values(self) -> tuple[str, ...]:
        return (self.page, *self.utm)


def parse_beacon(body: bytes) -> Hit:
    """A beacon body (``kind=view&page=...&utm_source=...``) checked against the contract."""
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        raise BeaconError("encoding") from None
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=8)
    except ValueError:
        raise BeaconError("format") from None
    fields = dict(pairs)
    if len(fields) != len(pairs) or set(fields) - {contract.KIND_FIELD, *contract.DIMENSIONS}:
        raise BeaconError("format")
    return checked_hit(fields.get(contract.KIND_FIELD, ""), fields.get(contract.PAGE_FIELD, ""), fields)


def hit_from_target(kind: str, page: str, target: str) -> Hit:
    """The hit of the no-script short-link redirect: campaign values from the target's query."""
    fields = {k: v for k, v in parse_qsl(urlsplit(target).query) if k in contract.UTM_DIMENSIONS}
    return checked_hit(kind, page, fields)


def checked_hit(kind: str, page: str, fields: Mapping[str, str]) -> Hit:
    if kind not in contract.KINDS:
        raise BeaconError(contract.KIND_FIELD)
    if len(page) > contract.PAGE_MAX_LENGTH or not re.fullmatch(contract.PAGE_PATTERN, page):
        raise BeaconError(contract.PAGE_FIELD)
    utm = []
    for name in contract.UTM_DIMENSIONS:
        value = fields.get(name, "")
        if len(value) > contract.VALUE_MAX_LENGTH or not re.fullmatch(contract.VALUE_PATTERN, value):
            raise BeaconError(name)
        utm.append(value)
    return Hit(kind, page, tuple(utm))  # type: ignore[arg-type]


Key = tuple[str, ...]  # day, kind, then one value per dimension: page, source, medium, campaign, content


class Counters:
    """Counts in memory, flushed in batches to the ``metrics`` table by a background thread."""

    def __init__(self, store: Store, clock: Callable[[], datetime], flush_interval: float = 2.0,
                 max_values: int = 200, max_keys: int = 5000):
        self.store = store
        self.clock = clock
        self.flush_interval = flush_interval
        self.max_values = max_values
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: Counter[Key] = Counter()
        self._left_out: Counter[tuple[str, str]] = Counter()   # (day, BOT | REFUSED)
        # The day whose distinct values and keys are known, and those values and keys.
        self._day = ""
        self._seen_values: list[set[str]] = []
        self._seen_keys: set[tuple[str, ...]] = set()
        self._wake = threading.Event()
        self._stopped = False
        self._thread: threading.Thread | None = None
        store.before_close.append(self.close)

    # --- counting (request threads: memory only) --------------------------------------------

    def add(self, hit: Hit) -> None:
        day = timestamp(self.clock())[:10]
        with self._lock:
            if day != self._day:
                self._start_day(day)
            values = self._bounded(hit.values)
            key: Key = (day, hit.kind, *values)
            if key not in self._pending and len(self._pending) >= self.max_keys:
                key = (day, hit.kind, *(OTHER,) * len(values))  # a flood between two flushes
            self._pending[key] += 1
            self._ensure_thread()

    def left_out(self, kind: str) -> None:
        """Count a bot's or a refused beacon (per day, nothing else)."""
        day = timestamp(self.clock())[:10]
        with self._lock:
            self._left_out[(day, kind)] += 1
            self._ensure_thread()

    def _bounded(self, values: tuple[str, ...]) -> tuple[str, ...]:
        """``values`` with each one past the day's quota of distinct values, or the whole key past
        the day's quota of keys, replaced by ``altro``."""
        kept = []
        for seen, value in zip(self._seen_values, values, strict=True):
            if value not in seen:
                if len(seen) >= self.max_values:
                    value = OTHER
                else:
                    seen.add(value)
            kept.append(value)
        key = tuple(kept)
        if key not in self._seen_keys:
            if len(self._seen_keys) >= self.max_keys:
                return (OTHER,) * len(values)
            self._seen_keys.add(key)
        return key

    def _start_day(self, day: str) -> None:
        """Learn what is already stored for ``day`` (after a restart), forget the day before."""
        self._day = day
        self._seen_values = [set() for _ in contract.DIMENSIONS]
        self._seen_keys = set()
        columns = ", ".join(contract.DIMENSIONS)
        with self.store.connection() as conn:
            rows = conn.execute(f"SELECT DISTINCT {columns} FROM metrics WHERE day = ?", (day,)).fetchall()
        for row in rows:
            key = tuple(row)
            self._seen_keys.add(key)
            for seen, value in zip(self._seen_values, key, strict=True):
                seen.add(value)

    # --- writing (one background thread) ---------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is None and not self._stopped:
            self._thread = threading.Thread(target=self._loop, name="metrics-flush", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stopped:
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            try:
                self.flush()
            except sqlite3.Error:
                log.exception("could not write the visit counters (kept in memory, retried)")

    def flush(self) -> int:
        """Write the pending counts in one transaction; returns how many keys were written."""
        with self._flush_lock:
            with self._lock:
                pending, self._pending = self._pending, Counter()
                left_out, self._left_out = self._left_out, Counter()
            if not pending and not left_out:
                return 0
            try:
                with self.store.write() as conn:
                    conn.executemany(
                        "INSERT INTO metrics (day, kind, page, utm_source, utm_medium, utm_campaign,"
                        " utm_content, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (day, kind, page, utm_source, utm_medium, utm_campaign, utm_content)"
                        " DO UPDATE SET count = count + excluded.count",
                        [(*key, count) for key, count in pending.items()],
                    )
                    for (day, kind), count in left_out.items():
                        Store._count(conn, kind, day, count)
            except BaseException:
                with self._lock:  # nothing lost: back into memory for the next try
                    self._pending.update(pending)
                    self._left_out.update(left_out)
                raise
            return len(pending)

    def close(self) -> None:
        """Stop the flushing thread and write what is pending."""
        self._stopped = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.flush()
