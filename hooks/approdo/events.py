"""Events on landing pages: when and where, in Italian words, and as iCalendar (RFC 5545) text.

A landing page with an ``event:`` block (see ``approdo.landing``) registers people for an event
held in Italy. Times are written as Italian local time (Europe/Rome) and kept as aware
datetimes, so every consumer (the page, the .ics file, the JSON-LD) prints the same instant.
No MkDocs import; no locale dependency (Italian names are spelled out here).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

TIMEZONE = "Europe/Rome"
ROME = ZoneInfo(TIMEZONE)

WEEKDAYS = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
          "settembre", "ottobre", "novembre", "dicembre")

# What an author writes: a date AND a time ("2027-02-12T09:30"; a space, seconds and an
# offset are accepted too). A bare date is refused: an event starts at a time.
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?")
DATETIME_EXPECTED = "date and time in Italian time (Europe/Rome), e.g. 2027-02-12T09:30"


@dataclass(frozen=True)
class Address:
    """A postal address in Italy."""

    street: str
    postal_code: str
    city: str
    country: str = "IT"

    def __str__(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"


@dataclass(frozen=True)
class Event:
    """When and where: aware datetimes in Europe/Rome; a venue, an online address, or both."""

    start: dt.datetime
    end: dt.datetime | None = None
    place: str = ""
    address: Address | None = None
    # Where people join an online event; shown after registration (thank-you page, .ics) only.
    online: str = ""

    @property
    def attendance(self) -> str:
        """"offline", "online" or "mixed" (schema.org's three attendance modes)."""
        if self.place and self.online:
            return "mixed"
        return "online" if self.online else "offline"

    @property
    def location(self) -> str:
        """The venue on one line: "Spazio Darsena, Via del Porto 12, 40122 Bologna"."""
        return ", ".join(part for part in (self.place, str(self.address or "")) if part)


def parse_datetime(value: Any) -> tuple[dt.datetime | None, str]:
    """An aware Europe/Rome datetime from a front-matter value, or (None, why not).

    YAML turns ``2027-02-12 09:30:00`` into a datetime and leaves ``2027-02-12T09:30`` as
    text: both are read. A value without offset is Italian local time; one with an offset is
    converted. A local time that does not exist (skipped when clocks go forward) is refused.
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return None, f"{value.isoformat()} has no time"
    elif isinstance(value, str) and _DATETIME.fullmatch(value.strip()):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None, f"{value.strip()!r} is not a real date and time"
    else:
        return None, f"{value!r} is not a date and time"
    if moment.tzinfo is not None:
        return moment.astimezone(ROME), ""
    local = moment.replace(tzinfo=ROME)
    # A wall-clock time inside the spring-forward gap does not survive a round trip.
    if local.astimezone(dt.timezone.utc).astimezone(ROME).replace(tzinfo=None) != moment:
        return None, f"{moment.isoformat(sep='T', timespec='minutes')} does not exist in Italy (clocks go forward)"
    return local, ""


# --- Italian words --------------------------------------------------------------------------

def italian_date(day: dt.date) -> str:
    """"12 febbraio 2027"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def italian_day(day: dt.date) -> str:
    """"venerdì 12 febbraio 2027"."""
    return f"{WEEKDAYS[day.weekday()]} {italian_date(day)}"


def italian_time(moment: dt.datetime) -> str:
    """"9:30", "13:00" (hours without a leading zero, as Italian prose writes them)."""
    return f"{moment.hour}:{moment.minute:02d}"


def at_time(moment: dt.datetime) -> str:
    """"alle 9:30", "all'1:00": the article that goes before a time."""
    return ("all'" if moment.hour == 1 else "alle ") + italian_time(moment)


@dataclass(frozen=True)
class When:
    """The two halves of "venerdì 12 febbraio 2027, 9:30–13:00", each for its own <time>."""

    start_text: str
    end_text: str = ""
    # "–" between times of one day; " – " between two days, each with its date.
    separator: str = ""

    @property
    def text(self) -> str:
        return f"{self.start_text}{self.separator}{self.end_text}"


def when(start: dt.datetime, end: dt.datetime | None = None) -> When:
    """How an event's time reads on the page, in Europe/Rome time.

    ``when(12 Feb 9:30, 12 Feb 13:00).text == "venerdì 12 febbraio 2027, 9:30–13:00"``;
    an event over several days names both days.
    """
    start = start.astimezone(ROME)
    start_text = f"{italian_day(start.date())}, {italian_time(start)}"
    if end is None:
        return When(start_text)
    end = end.astimezone(ROME)
    if end.date() == start.date():
        return When(start_text, italian_time(end), "–")
    return When(start_text, f"{italian_day(end.date())}, {italian_time(end)}", " – ")


def html_datetime(moment: dt.datetime) -> str:
    """The ``datetime`` attribute of a <time>: "2027-02-12T09:30+01:00"."""
    return moment.isoformat(timespec="minutes")


# --- iCalendar (RFC 5545) -------------------------------------------------------------------

def ics_text(value: Any) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def ics_param(value: Any) -> str:
    """A quoted parameter value (CN="..."): DQUOTE and control characters are not allowed."""
    return '"' + re.sub(r'[\x00-\x1f\x7f"]', "", str(value or "")) + '"'


def ics_local(moment: dt.datetime) -> str:
    """A local DATE-TIME for ``;TZID=Europe/Rome:`` (§3.3.5 form 3): "20270212T093000"."""
    return moment.astimezone(ROME).strftime("%Y%m%dT%H%M%S")


def ics_utc(moment: dt.datetime) -> str:
    """A UTC DATE-TIME (§3.3.5 form 2): "20270212T083000Z"."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str, limit: int = 75) -> str:
    """One content line folded at ``limit`` octets (§3.1), never inside a UTF-8 character."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        # Continuation lines begin with a space, which counts towards their 75 octets.
        if size + width > limit:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def ics_document(rendered: str) -> str:
    """Rendered template text as an iCalendar stream: blank lines (left by template tags)
    dropped, every line folded, CRLF line endings, a final CRLF."""
    lines = [line.strip() for line in rendered.splitlines()]
    return "".join(fold(line) + "\r\n" for line in lines if line)


def ics_uid(slug: str, site_url: str) -> str:
    """A UID that stays the same across builds (and changes only with the page's address)."""
    host = re.sub(r"^[a-z]+://", "", site_url or "").split("/")[0].split(":")[0] or "localhost"
    return f"landing-{slug}@{host}"


# --- what the templates print ---------------------------------------------------------------

@dataclass(frozen=True)
class EventView:
    """Everything ``partials/approdo/landing-event.html`` prints about an event."""

    event: Event
    when: When
    # ``datetime`` attributes of the two <time> elements ("" for a missing end).
    start_datetime: str
    end_datetime: str
    # Site-relative URL of the event's .ics file.
    ics_url: str


def view(event: Event, ics_url: str) -> EventView:
    return EventView(event=event, when=when(event.start, event.end),
                     start_datetime=html_datetime(event.start),
                     end_datetime=html_datetime(event.end) if event.end else "",
                     ics_url=ics_url)


def closing_text(moment: dt.datetime) -> str:
    """"12 febbraio 2027 alle 9:30": when sign-ups close, if that is the start of the event."""
    moment = moment.astimezone(ROME)
    return f"{italian_date(moment)} {at_time(moment)}"
