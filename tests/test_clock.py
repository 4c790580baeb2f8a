"""One clock for the build (approdo.clock): SOURCE_DATE_EPOCH, the site's time zone, and the
sample site built "as of" days before and after each of its deadlines, strict build passing."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest

from approdo import clock
from approdo.seo import to_datetime
from conftest import ROOT, epoch, run_build
from test_site import dom

ROME = ZoneInfo("Europe/Rome")
UTC = dt.timezone.utc


# --- The clock module ---------------------------------------------------------------------------

def test_source_date_epoch_sets_now():
    assert clock.read({"SOURCE_DATE_EPOCH": "1780272000"}) == dt.datetime(2026, 6, 1, tzinfo=UTC)


def test_without_source_date_epoch_the_wall_clock_is_read():
    before = dt.datetime.now(UTC)
    moment = clock.read({})
    assert moment.tzinfo is not None and before <= moment <= dt.datetime.now(UTC)


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5", "2027-06-01", "9" * 30])
def test_unusable_source_date_epoch_is_refused(value):
    with pytest.raises(clock.ClockError, match="SOURCE_DATE_EPOCH="):
        clock.read({"SOURCE_DATE_EPOCH": value})


def test_start_build_freezes_now_and_today_is_the_site_day(monkeypatch):
    # Put the module back as it was after the test.
    monkeypatch.setattr(clock, "_frozen", None)
    monkeypatch.setattr(clock, "_zone", clock.ZoneInfo(clock.DEFAULT_TIMEZONE))
    # 23:30 UTC on 10 February is already 11 February in Italy.
    clock.start_build({}, {"SOURCE_DATE_EPOCH": epoch(dt.datetime(2027, 2, 10, 23, 30, tzinfo=UTC))})
    assert clock.now() == dt.datetime(2027, 2, 10, 23, 30, tzinfo=UTC)
    assert clock.today() == dt.date(2027, 2, 11)
    clock.start_build({"approdo": {"timezone": "UTC"}},
                      {"SOURCE_DATE_EPOCH": epoch(dt.datetime(2027, 2, 10, 23, 30, tzinfo=UTC))})
    assert clock.today() == dt.date(2027, 2, 10)


@pytest.mark.parametrize("name", ["Europe/Roma", "", 5, "../../etc/passwd", "/etc/localtime"])
def test_unknown_time_zone_is_refused(name):
    with pytest.raises(clock.ClockError, match="is not a time zone"):
        clock.zone_from({"approdo": {"timezone": name}})


@pytest.mark.parametrize(("value", "expected"), [
    # A date or a datetime without an offset is Italian time, winter and summer...
    (dt.date(2027, 2, 10), dt.datetime(2027, 2, 10, tzinfo=ROME)),
    (dt.datetime(2027, 7, 1, 9, 30), dt.datetime(2027, 7, 1, 7, 30, tzinfo=UTC)),
    ("2027-02-10 09:30", dt.datetime(2027, 2, 10, 8, 30, tzinfo=UTC)),
    # ...an explicit offset is kept.
    ("2027-02-10T09:30Z", dt.datetime(2027, 2, 10, 9, 30, tzinfo=UTC)),
])
def test_front_matter_dates_without_zone_are_site_time(value, expected):
    assert to_datetime(value) == expected


WALL_CLOCK = re.compile(r"\b(?:datetime|date)\.(?:now|today|utcnow)\(|\btime\.(?:time|localtime)\(")


def test_no_hook_reads_the_wall_clock():
    """Only approdo/clock.py may read the time: grep every hook for the usual calls."""
    sources = sorted((ROOT / "hooks").rglob("*.py"))
    assert sources
    readers = [path.relative_to(ROOT).as_posix() for path in sources
               if path.name != "clock.py" and WALL_CLOCK.search(path.read_text(encoding="utf-8"))]
    assert readers == []


# --- The sample site, as of days around its deadlines -------------------------------------------

WORKSHOP_POST = "blog/2026/11/workshop-a-bologna-dai-social-al-sito-dal-sito-ai-clienti/"
WORKSHOP_LANDING = "landing/workshop-bologna/"

# The workshop post is dated 2026-11-10; the workshop landing page closes on 2027-02-10
# (Italian time); its event starts on 2027-02-12 at 09:30.
AS_OF = [
    # (instant, is the post published?, is the offer open?)
    (dt.datetime(2026, 11, 9, 22, 59, tzinfo=UTC), False, True),   # 23:59 on 9 Nov in Italy
    (dt.datetime(2027, 2, 10, 22, 59, tzinfo=UTC), True, True),    # 23:59 on the closing day
    (dt.datetime(2027, 2, 10, 23, 0, tzinfo=UTC), True, False),    # midnight in Italy: closed
    (dt.datetime(2027, 2, 12, 9, 0, tzinfo=UTC), True, False),     # during the event
    (dt.datetime(2027, 6, 1, tzinfo=UTC), True, False),
    (dt.datetime(2030, 1, 1, tzinfo=UTC), True, False),
]


@pytest.mark.parametrize(("moment", "published", "open_offer"), AS_OF,
                         ids=[moment.isoformat() for moment, _, _ in AS_OF])
def test_sample_site_builds_strictly_as_of(tmp_path, moment, published, open_offer):
    build = run_build(ROOT, site=tmp_path / "site", env={"SOURCE_DATE_EPOCH": epoch(moment)})
    assert build.returncode == 0, build.output

    # Material's blog and the home page agree on whether the post is out yet.
    assert (build.site / WORKSHOP_POST / "index.html").is_file() == published
    home_links = [node.attrs.get("href") for node in dom(build.read("")).find_all("a")]
    assert home_links
    assert (WORKSHOP_POST in home_links) == published

    # Calls to action, link in bio and social kit show the offer only while it is open.
    guide = dom(build.read("kb/calendario-editoriale/"))
    ctas = [node.attrs.get("href") for node in guide.find_all("a", cls="approdo-cta__button")]
    assert any(WORKSHOP_LANDING in href for href in ctas) == open_offer
    bio = [node.attrs.get("href") for node in dom(build.read("bio/")).find_all("a")]
    assert bio
    assert any(WORKSHOP_LANDING in href for href in bio) == open_offer
    kit = json.loads((build.site / "social-kit.json").read_text(encoding="utf-8"))
    assert kit["rows"]
    assert any(row["slug"] == "workshop-bologna" for row in kit["rows"]) == open_offer

    # The landing page itself stays published and says the offer is over.
    closed_notice = dom(build.read(WORKSHOP_LANDING)).find(**{"data-landing-closed": ""})
    assert (closed_notice.attrs.get("hidden") is None) == (not open_offer)
    if not open_offer:
        assert "landing page 'workshop-bologna' closed on 2027-02-10" in build.output
