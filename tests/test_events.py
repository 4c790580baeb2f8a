"""Events on landing pages: Italian dates, the date/place block, the calendar file (RFC 5545)
on the thank-you page, closing at the event's start, and the schema.org Event.

Pure functions are checked directly; pages through the session's real site and one fixture site
(online, multi-day, past and awkward-text events), built once for the module.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from approdo import events
from approdo import landing as model
from approdo import landing_validation
from approdo.seo import plain_text
from browser import serve_directory
from conftest import AS_OF, make_project, run_build
from test_landing import DEFAULT_ACTION, MINIMAL_NAV, SAMPLE_FILES, dom, fixture_landing, search_locations, sitemap_urls
from test_seo_support import read_head

SITE = "http://127.0.0.1:8000/"
ROME = events.ROME


def rome(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ROME)


# --- Italian words ----------------------------------------------------------------------------

@pytest.mark.parametrize("start, end, text", [
    (rome(2027, 2, 12, 9, 30), rome(2027, 2, 12, 13, 0), "venerdì 12 febbraio 2027, 9:30–13:00"),
    (rome(2027, 2, 14, 18, 0), None, "domenica 14 febbraio 2027, 18:00"),
    (rome(2027, 3, 1, 9, 0), rome(2027, 3, 2, 17, 5), "lunedì 1 marzo 2027, 9:00 – martedì 2 marzo 2027, 17:05"),
    # An instant given in UTC reads in Italian time (summer: +02:00).
    (dt.datetime(2027, 7, 6, 22, 30, tzinfo=dt.timezone.utc), None, "mercoledì 7 luglio 2027, 0:30"),
])
def test_when_reads_in_italian(start, end, text):
    assert events.when(start, end).text == text


def test_weekday_names_follow_the_calendar():
    monday = dt.date(2027, 2, 8)
    names = [events.italian_day(monday + dt.timedelta(days=n)).split()[0] for n in range(7)]
    assert names == ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"]


def test_closing_text_and_the_elided_article():
    assert events.closing_text(rome(2027, 2, 12, 9, 30)) == "12 febbraio 2027 alle 9:30"
    assert events.closing_text(rome(2027, 2, 12, 1, 0)) == "12 febbraio 2027 all'1:00"


# --- reading front-matter datetimes -----------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2027-02-12T09:30", rome(2027, 2, 12, 9, 30)),
    ("2027-02-12 09:30", rome(2027, 2, 12, 9, 30)),
    (dt.datetime(2027, 2, 12, 9, 30), rome(2027, 2, 12, 9, 30)),  # YAML with seconds
    ("2027-02-12T08:30Z", rome(2027, 2, 12, 9, 30)),
    ("2027-07-01T10:00+02:00", rome(2027, 7, 1, 10, 0)),
])
def test_parse_datetime(value, expected):
    moment, problem = events.parse_datetime(value)
    assert problem == "" and moment == expected and moment.tzinfo is ROME
    assert moment.utcoffset() == (dt.timedelta(hours=2) if expected.month == 7 else dt.timedelta(hours=1))


@pytest.mark.parametrize("value, problem", [
    (dt.date(2027, 2, 12), "2027-02-12 has no time"),
    ("2027-02-12", "'2027-02-12' is not a date and time"),
    ("12/02/2027 9:30", "is not a date and time"),
    ("2027-02-30T09:30", "is not a real date and time"),
    ("2027-03-28T02:30", "2027-03-28T02:30 does not exist in Italy (clocks go forward)"),
])
def test_parse_datetime_refuses(value, problem):
    moment, found = events.parse_datetime(value)
    assert moment is None and problem in found


# --- iCalendar text ---------------------------------------------------------------------------

def test_ics_text_escapes_per_rfc5545():
    assert events.ics_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    assert events.ics_param('Bar "Da Gino"; sala 2') == '"Bar Da Gino; sala 2"'


def test_fold_keeps_lines_within_75_octets_and_whole_characters():
    line = "DESCRIPTION:" + "perché è così " * 20
    folded = events.fold(line)
    physical = folded.split("\r\n")
    assert len(physical) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in physical)
    assert all(part.startswith(" ") for part in physical[1:])
    assert "".join([physical[0], *(part[1:] for part in physical[1:])]) == line


def test_ics_uid_depends_on_slug_and_host_only():
    assert events.ics_uid("workshop", "https://www.example.org/sito/") == "landing-workshop@www.example.org"
    assert events.ics_uid("workshop", "http://127.0.0.1:8000/") == "landing-workshop@127.0.0.1"


# --- when the offer closes --------------------------------------------------------------------

def _landing(extra: str) -> model.Landing:
    landing, errors = landing_validation.parse_landing("docs/landing/evento.md", fixture_landing(extra=extra),
                                          {"action": DEFAULT_ACTION})
    assert errors == [], errors
    return landing


EVENT = ("event:\n  start: 2027-02-12T09:30\n  end: 2027-02-12T13:00\n  place: Sala\n"
         "  address: {street: Via Roma 1, postal_code: 40100, city: Bologna}\n")


def test_without_closes_the_offer_closes_when_the_event_starts():
    landing = _landing(EVENT)
    assert landing.closes is None and landing.closes_at == rome(2027, 2, 12, 9, 30)
    assert not landing.is_closed(rome(2027, 2, 12, 9, 29))
    assert landing.is_closed(rome(2027, 2, 12, 9, 30))
    # By the day (other parts of the site): open on the event's day, closed the day after.
    assert not landing.is_closed(dt.date(2027, 2, 12)) and landing.is_closed(dt.date(2027, 2, 13))
    assert landing.event.address.postal_code == "40100"


def test_closes_keeps_its_meaning_with_an_event():
    landing = _landing(EVENT + "closes: 2027-02-10\n")
    assert landing.closes_at == rome(2027, 2, 11, 0, 0)
    assert not landing.is_closed(dt.date(2027, 2, 10)) and landing.is_closed(dt.date(2027, 2, 11))
    assert not landing.is_closed(rome(2027, 2, 10, 23, 59)) and landing.is_closed(rome(2027, 2, 11, 0, 0))


# --- built pages ------------------------------------------------------------------------------

AWKWARD = 'Sala "Grande"; piano 1, <b>scala B</b>'
FIXTURE_EVENTS = {
    # Online only, no closes, several days, text with every character RFC 5545 escapes.
    "landing/webinar.md": fixture_landing(
        title="Webinar; due giorni, online", headline="Webinar: social, sito; clienti",
        extra="event:\n  start: 2027-03-01T18:00\n  end: 2027-03-02T19:30\n"
              "  online: https://meet.example.org/abc?x=1&y=2\n"),
    # In a venue and online; its address has text a page must escape.
    "landing/ibrido.md": fixture_landing(
        extra=f"event:\n  start: 2027-07-01T10:00\n  place: {json.dumps(AWKWARD)}\n"
              "  address:\n    street: Via del Porto 12\n    postal_code: '40122'\n    city: Bologna\n"
              "  online: https://meet.example.org/ibrido\n"),
    # Already started: closed at build time, without any `closes`.
    "landing/passato.md": fixture_landing(
        extra="event:\n  start: 2020-05-04T09:00\n  place: Sala\n"
              "  address: {street: Via Roma 1, postal_code: '40100', city: Bologna}\n"),
}


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("events"), {**SAMPLE_FILES, **FIXTURE_EVENTS}, MINIMAL_NAV)
    build = run_build(project)
    assert build.returncode == 0, build.output
    return build


def parse_ics(raw: bytes) -> list[tuple[str, dict[str, str], str]]:
    """(name, parameters, value) of every content line, after unfolding (RFC 5545 §3.1)."""
    text = raw.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = re.sub(r"\r\n[ \t]", "", text).split("\r\n")[:-1]
    out = []
    for line in unfolded:
        head, _, value = line.partition(":")
        while head.count('"') % 2:  # a ':' inside a quoted parameter value
            more, _, value = value.partition(":")
            head += ":" + more
        name, *params = head.split(";")
        out.append((name, dict(param.split("=", 1) for param in params), value))
    return out


def vevent(lines) -> dict[str, tuple[dict[str, str], str]]:
    begin = lines.index(("BEGIN", {}, "VEVENT"))
    end = lines.index(("END", {}, "VEVENT"))
    return {name: (params, value) for name, params, value in lines[begin + 1:end]}


def event_facts(html: str) -> dict[str, str]:
    """The event block's facts as a reader sees them, in document order (term -> text)."""
    block = re.search(r'<div class="ld-event".*?</dl>', html, re.S)
    assert block, "no event block"
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block.group(0), re.S)
    return {plain_text(term): plain_text(text) for term, text in pairs}


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_sample_workshop_shows_when_and_where(real_site):
    page = dom(real_site.read("landing/workshop-bologna/"))
    block = next(node for node in page.iter() if "ld-event" in node.get("class", "").split())
    # Right under the promise, before the form.
    assert any("ld-pitch" in node.get("class", "") for node in block.ancestors())
    times = block.find_all("time")
    assert [node.get("datetime") for node in times] == ["2027-02-12T09:30+01:00", "2027-02-12T13:00+01:00"]
    assert event_facts(real_site.read("landing/workshop-bologna/")) == {"Quando": "venerdì 12 febbraio 2027, 9:30–13:00",
                     "Dove": "Spazio Darsena Via del Porto 12, 40122 Bologna"}
    # The calendar file belongs to people who signed up: not linked from the landing page.
    assert ".ics" not in real_site.read("landing/workshop-bologna/")
    # `closes` still decides when sign-ups end.
    assert page.find("form").get("data-closes") == "2027-02-10"


def test_thank_you_page_links_the_calendar_file(real_site):
    page = dom(real_site.read("landing/workshop-bologna/grazie/"))
    link = next(a for a in page.find_all("a") if a.text() == "Aggiungi al calendario")
    assert link.get("type") == "text/calendar" and link.get("rel") == "nofollow"
    # Inside the section landing.js shows in place of the form after a fetch submission.
    assert any(node.has("data-landing-thanks") for node in link.ancestors())
    target = (real_site.site / "landing/workshop-bologna/grazie" / link.get("href")).resolve()
    assert target == (real_site.site / "landing/workshop-bologna/workshop-bologna.ics").resolve()
    assert page.find("time").get("datetime") == "2027-02-12T09:30+01:00"


def test_sample_calendar_file(real_site):
    lines = parse_ics((real_site.site / "landing/workshop-bologna/workshop-bologna.ics").read_bytes())
    assert lines[0] == ("BEGIN", {}, "VCALENDAR") and lines[-1] == ("END", {}, "VCALENDAR")
    assert ("VERSION", {}, "2.0") in lines and any(name == "PRODID" for name, _, _ in lines)
    # The time zone the times refer to is defined in the file, with both of its rules.
    assert ("TZID", {}, "Europe/Rome") in lines
    assert ("RRULE", {}, "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU") in lines
    assert ("RRULE", {}, "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU") in lines
    event = vevent(lines)
    assert event["DTSTART"] == ({"TZID": "Europe/Rome"}, "20270212T093000")
    assert event["DTEND"] == ({"TZID": "Europe/Rome"}, "20270212T130000")
    assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"][1])
    assert event["UID"][1] == "landing-workshop-bologna@127.0.0.1"
    assert event["SUMMARY"][1] == "Workshop gratuito: dai social al sito\\, dal sito ai clienti"
    assert unescape(event["LOCATION"][1]) == "Spazio Darsena, Via del Porto 12, 40122 Bologna"
    assert event["URL"][1] == SITE + "landing/workshop-bologna/"
    assert event["ORGANIZER"] == ({"CN": '"Maestrale Digitale"'}, "mailto:ciao@maestrale.example")


def test_calendar_file_is_the_same_on_every_build(real_site, fixture_site):
    # Two separate builds of the same landing page (the fixture site copies the samples).
    name = "landing/workshop-bologna/workshop-bologna.ics"
    ours, theirs = (parse_ics((site / name).read_bytes()) for site in (real_site.site, fixture_site.site))
    assert ours == theirs
    # DTSTAMP is the build's clock (SOURCE_DATE_EPOCH), not the landing page's file time,
    # which differs between two clones of the same commit.
    assert vevent(theirs)["DTSTAMP"][1] == AS_OF.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def test_calendar_files_stay_out_of_sitemap_search_and_the_asset_list(real_site):
    assert not any(url.endswith(".ics") for url in sitemap_urls(real_site.site))
    assert not any(".ics" in location for location in search_locations(real_site.site))
    # The template is a theme file: MkDocs must not publish it as an asset.
    assert not (real_site.site / "partials/approdo/landing-event.ics").exists()
    assert sorted(path.name for path in real_site.site.rglob("*.ics")) == ["workshop-bologna.ics"]


def test_sample_event_json_ld(real_site):
    head = read_head(real_site.read("landing/workshop-bologna/"))
    (event,) = head.of_type("Event")
    url = SITE + "landing/workshop-bologna/"
    assert event["name"] == "Workshop gratuito: dai social al sito, dal sito ai clienti"
    assert event["url"] == url and event["@id"] == url + "#event"
    assert event["startDate"] == "2027-02-12T09:30:00+01:00"
    assert event["endDate"] == "2027-02-12T13:00:00+01:00"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["location"] == {
        "@type": "Place", "name": "Spazio Darsena",
        "address": {"@type": "PostalAddress", "streetAddress": "Via del Porto 12", "postalCode": "40122",
                    "addressLocality": "Bologna", "addressCountry": "IT"}}
    assert event["organizer"]["name"] == "Maestrale Digitale"
    offers = event["offers"]
    assert (offers["@type"], offers["price"], offers["priceCurrency"]) == ("Offer", "0", "EUR")
    assert offers["url"] == url and offers["validThrough"].startswith("2027-02-10")
    # The page's own offer points at the event.
    (page,) = head.of_type("WebPage")
    assert page["mainEntity"]["itemOffered"] == {"@id": url + "#event"}


def test_other_samples_have_no_event(real_site):
    for slug in ("guida-gratuita", "consulenza"):
        html = real_site.read(f"landing/{slug}/")
        assert read_head(html).of_type("Event") == [] and "ld-event" not in html
        assert "Aggiungi al calendario" not in real_site.read(f"landing/{slug}/grazie/")


def test_online_event_without_closes(fixture_site):
    html = fixture_site.read("landing/webinar/")
    page = dom(html)
    assert event_facts(html) == {"Quando": "lunedì 1 marzo 2027, 18:00 – martedì 2 marzo 2027, 19:30",
                                 "Online": "Il link per partecipare arriva con l'iscrizione"}
    # The address where people join is for those who signed up.
    assert "meet.example.org" not in html
    form = page.find("form")
    assert form.get("data-closes-at") == "2027-03-01T18:00:00+01:00" and not form.has("data-closes")
    assert "Adesioni aperte fino al 1 marzo 2027 alle 18:00." in form.text()
    (event,) = read_head(html).of_type("Event")
    assert event["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert event["location"] == {"@type": "VirtualLocation", "url": SITE + "landing/webinar/"}
    assert event["offers"]["validThrough"] == event["startDate"] == "2027-03-01T18:00:00+01:00"
    thanks = dom(fixture_site.read("landing/webinar/grazie/"))
    join = next(a for a in thanks.find_all("a") if a.text() == "Link per partecipare")
    assert join.get("href") == "https://meet.example.org/abc?x=1&y=2"


def test_online_calendar_file_escapes_text(fixture_site):
    event = vevent(parse_ics((fixture_site.site / "landing/webinar/webinar.ics").read_bytes()))
    assert event["SUMMARY"][1] == "Webinar: social\\, sito\\; clienti"
    assert unescape(event["SUMMARY"][1]) == "Webinar: social, sito; clienti"
    assert event["DTEND"] == ({"TZID": "Europe/Rome"}, "20270302T193000")
    assert event["LOCATION"][1] == "https://meet.example.org/abc?x=1&y=2"
    description = unescape(event["DESCRIPTION"][1])
    assert "Per partecipare online: https://meet.example.org/abc?x=1&y=2\n" in description
    assert description.endswith("Dettagli: " + SITE + "landing/webinar/")


def test_venue_text_is_escaped_in_page_and_calendar(fixture_site):
    html = fixture_site.read("landing/ibrido/")
    assert "<b>scala B</b>" not in html and "&lt;b&gt;scala B&lt;/b&gt;" in html
    (event,) = read_head(html).of_type("Event")
    assert event["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [place["@type"] for place in event["location"]] == ["Place", "VirtualLocation"]
    assert event["location"][0]["name"] == AWKWARD and "endDate" not in event
    # Summer: Italian time is UTC+2.
    assert event["startDate"] == "2027-07-01T10:00:00+02:00"
    ics = vevent(parse_ics((fixture_site.site / "landing/ibrido/ibrido.ics").read_bytes()))
    assert unescape(ics["LOCATION"][1]) == f"{AWKWARD}, Via del Porto 12, 40122 Bologna"
    assert "DTEND" not in ics


def test_event_that_has_started_is_closed(fixture_site):
    page = dom(fixture_site.read("landing/passato/"))
    assert page.find_all("form") == []
    closed = next(node for node in page.iter() if node.has("data-landing-closed"))
    assert not closed.has("hidden")
    assert "Le adesioni si sono chiuse il 4 maggio 2020 alle 9:00." in closed.text()


def test_event_mistakes_fail_the_build_with_path_and_line(tmp_path):
    files = {**SAMPLE_FILES, "landing/sbagliato.md": fixture_landing(
        extra="event:\n  start: 2027-02-12T09:30\n  end: 2027-02-12T08:00\n  luogo: Sala\n")}
    build = run_build(make_project(tmp_path, files, MINIMAL_NAV))
    assert build.returncode != 0 and "Traceback" not in build.output
    for expected in ("docs/landing/sbagliato.md:17: the event ends (2027-02-12T08:00+01:00) before it starts",
                     "docs/landing/sbagliato.md:18: unknown key 'luogo' in 'event'",
                     "docs/landing/sbagliato.md:15: the event has neither a venue nor an online address"):
        assert expected in build.output, build.output


# --- in a browser: sign-ups close at the event's start ----------------------------------------

@pytest.mark.browser
def test_form_closes_in_the_browser_when_the_event_starts(fixture_site, open_page):
    with serve_directory(fixture_site.site) as base:
        page = open_page()
        # 18:00 in Rome on 1 March is 17:00 UTC.
        page.clock.set_fixed_time(dt.datetime(2027, 3, 1, 16, 59, tzinfo=dt.timezone.utc))
        page.goto(base + "landing/webinar/")
        assert page.locator("form").is_visible()
        page.clock.set_fixed_time(dt.datetime(2027, 3, 1, 17, 0, tzinfo=dt.timezone.utc))
        page.reload()
        assert not page.locator("form").is_visible()
        assert page.locator("[data-landing-closed]").is_visible()
