"""The build's one reading of "now", and the site's time zone.

Nothing else in Approdo reads the wall clock: a build is reproducible and testable "as of" any
instant. ``SOURCE_DATE_EPOCH`` (seconds since 1970-01-01 UTC, the reproducible-builds
convention that MkDocs itself honours for its build date) sets that instant; without it the
build uses the wall clock, read once per build (``start_build``) so that every hook agrees
even when a build runs across midnight.

Dates and times that authors write without a time zone are Italian local time: the site's zone
is ``Europe/Rome`` unless ``extra: approdo: timezone:`` in ``mkdocs.yml`` names another.
No MkDocs import.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV = "SOURCE_DATE_EPOCH"
DEFAULT_TIMEZONE = "Europe/Rome"

_frozen: dt.datetime | None = None
_zone: ZoneInfo = ZoneInfo(DEFAULT_TIMEZONE)


class ClockError(ValueError):
    """A clock setting (``SOURCE_DATE_EPOCH`` or the site's time zone) that cannot be used."""


def read(environ: Mapping[str, str] | None = None) -> dt.datetime:
    """The current instant (aware, UTC): ``SOURCE_DATE_EPOCH`` if set, else the wall clock."""
    environ = os.environ if environ is None else environ
    text = environ.get(ENV, "").strip()
    if not text:
        return dt.datetime.now(dt.timezone.utc)
    if not text.isdigit():
        raise ClockError(f"{ENV}={text!r} is not a number of seconds since 1970-01-01 UTC "
                         "(e.g. SOURCE_DATE_EPOCH=$(date -d 2027-06-01 +%s))")
    try:
        return dt.datetime.fromtimestamp(int(text), dt.timezone.utc)
    except (OverflowError, OSError, ValueError) as error:
        raise ClockError(f"{ENV}={text} is out of range ({error})") from None


def zone_from(extra: Mapping[str, Any] | None) -> ZoneInfo:
    """The site's time zone from ``extra: approdo: timezone:`` (default Europe/Rome)."""
    approdo = (extra or {}).get("approdo") if isinstance(extra, Mapping) else None
    name = approdo.get("timezone") if isinstance(approdo, Mapping) else None
    if name is None:
        return ZoneInfo(DEFAULT_TIMEZONE)
    try:
        if not isinstance(name, str) or not name or name.startswith(("/", ".")):
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ClockError(f"extra.approdo.timezone: {name!r} is not a time zone "
                         "(an IANA name such as Europe/Rome)") from None


def start_build(extra: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> dt.datetime:
    """Read the clock and the site's zone once for this build; every later ``now()`` agrees."""
    global _frozen, _zone
    _zone = zone_from(extra)
    _frozen = read(environ)
    return _frozen


def now() -> dt.datetime:
    """This build's instant (aware, UTC); outside a build, a fresh reading."""
    return _frozen if _frozen is not None else read()


def zone() -> ZoneInfo:
    """The site's time zone for this build."""
    return _zone


def today() -> dt.date:
    """This build's date in the site's time zone."""
    return now().astimezone(_zone).date()


def localize(value: dt.date | dt.datetime) -> dt.datetime:
    """An aware datetime from a front-matter date or datetime: a date alone is midnight and a
    datetime without an offset is local time, both in the site's zone."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=_zone)
    return dt.datetime.combine(value, dt.time(), _zone)
