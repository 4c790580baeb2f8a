"""The authors' command line: `approdo new`, `approdo check` and `approdo calendar`.

Each test writes a fixture project into tmp_path (the real mkdocs.yml, hooks and templates) and
runs the command as an author would, asserting on the exact output and the files written. The
day is fixed with SOURCE_DATE_EPOCH, so the tests pass whatever day they run on.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest

from approdo import cli
from conftest import ROOT, epoch, make_project, run_build
from dom import dom
from test_validation import post


@pytest.fixture
def approdo(monkeypatch, capsys):
    """Run `approdo ...` in-process for a project: (exit status, stdout, stderr)."""
    monkeypatch.delenv("APPRODO_SITE_URL", raising=False)
    monkeypatch.delenv("APPRODO_LEAD_ACTION", raising=False)

    def run(project, *args: str, now: str = "2026-12-02T09:00:00"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(dt.datetime.fromisoformat(now + "+00:00")))
        code = cli.main(["--config", str(project / "mkdocs.yml"), *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def add_settings(project, yaml_lines: str) -> None:
    """Add keys under ``extra.approdo`` of the fixture's mkdocs.yml (4-space indented lines)."""
    config = project / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    changed = original.replace("    social:\n      # How many", yaml_lines + "    social:\n      # How many", 1)
    assert changed != original
    config.write_text(changed, encoding="utf-8")


NEW_POST = """\
---
title: "Perché l'anno nuovo è già qui"
# Una o due frasi per i risultati di ricerca e le anteprime social: `approdo check` la segnala
# finché resta il testo di esempio.
description: "DA SCRIVERE: una o due frasi per i risultati di ricerca e le anteprime social."
date: 2027-01-01
authors: ["giulia"]
# Una sola tra: Social media, Strategia, Metriche, Inbound marketing, News
categories: ["Social media"]
tags: []
# Quando è pronto, togli questa riga (o scrivi false): con una data futura resta programmato.
draft: true
---

# Perché l'anno nuovo è già qui

Scrivi qui l'introduzione: due o tre frasi che compaiono nell'elenco del blog.

<!-- more -->

## Primo paragrafo

Il resto dell'articolo.
"""


# --- approdo new -------------------------------------------------------------------------------

def test_new_post_on_new_years_eve_in_italy_is_dated_the_first_of_january(tmp_path, approdo):
    project = make_project(tmp_path, {})
    # 23:30 UTC on 31 December is already 00:30 on 1 January in Italy.
    code, out, err = approdo(project, "new", "post", "Perché l'anno nuovo è già qui",
                             now="2026-12-31T23:30:00")
    assert (code, err) == (0, "")
    assert out == (
        "created docs/blog/posts/2027-01-01-perche-l-anno-nuovo-e-gia-qui.md\n"
        "URL     http://127.0.0.1:8000/blog/2027/01/perche-l-anno-nuovo-e-gia-qui/\n"
        "next    write the description and the text, then run: approdo check\n")
    written = project / "docs/blog/posts/2027-01-01-perche-l-anno-nuovo-e-gia-qui.md"
    assert written.read_text(encoding="utf-8") == NEW_POST


@pytest.mark.parametrize("now, day, url_month", [
    ("2026-11-30T22:59:59", "2026-11-30", "2026/11"),  # 23:59:59 in Rome: still November
    ("2026-11-30T23:00:00", "2026-12-01", "2026/12"),  # midnight in Rome: December
    ("2027-02-28T12:00:00", "2027-02-28", "2027/02"),
])
def test_new_post_takes_the_italian_day_around_month_ends(tmp_path, approdo, now, day, url_month):
    project = make_project(tmp_path, {})
    code, out, _ = approdo(project, "new", "post", "Fine mese", now=now)
    assert code == 0
    assert out.splitlines()[:2] == [f"created docs/blog/posts/{day}-fine-mese.md",
                                    f"URL     http://127.0.0.1:8000/blog/{url_month}/fine-mese/"]


def test_new_post_with_options_and_site_url(tmp_path, approdo, monkeypatch):
    project = make_project(tmp_path, {})
    monkeypatch.setenv("APPRODO_SITE_URL", "https://maestrale.example/sito/")
    code, out, _ = approdo(project, "new", "post", "Metriche di dicembre", "--date", "2026-12-31",
                           "--author", "marco", "--category", "Metriche")
    assert code == 0
    assert out.splitlines()[1] == "URL     https://maestrale.example/sito/blog/2026/12/metriche-di-dicembre/"
    text = (project / "docs/blog/posts/2026-12-31-metriche-di-dicembre.md").read_text(encoding="utf-8")
    assert 'authors: ["marco"]\n' in text and 'categories: ["Metriche"]\n' in text
    assert "date: 2026-12-31\n" in text


def test_new_never_overwrites_and_refuses_unknown_names(tmp_path, approdo):
    project = make_project(tmp_path, {})
    assert approdo(project, "new", "post", "Doppio", "--date", "2026-12-02")[0] == 0
    target = project / "docs/blog/posts/2026-12-02-doppio.md"
    target.write_text("già scritto", encoding="utf-8")
    code, out, err = approdo(project, "new", "post", "Doppio", "--date", "2026-12-02")
    assert (code, out) == (1, "")
    assert err == "approdo: docs/blog/posts/2026-12-02-doppio.md already exists: nothing was written\n"
    assert target.read_text(encoding="utf-8") == "già scritto"

    code, _, err = approdo(project, "new", "post", "Altro", "--author", "giula")
    assert code == 1
    assert err == "approdo: unknown author 'giula' (did you mean 'giulia'? one of: giulia, marco)\n"
    code, _, err = approdo(project, "new", "post", "Altro", "--category", "Sociale")
    assert code == 1 and "unknown category 'Sociale'" in err
    assert not list((project / "docs/blog/posts").glob("*altro*"))

    code, _, err = approdo(project, "new", "landing", "Consulenza")  # the sample has consulenza.md
    assert code == 1 and err == "approdo: docs/landing/consulenza.md already exists: nothing was written\n"


def test_from_new_post_to_a_published_post(tmp_path, approdo):
    """An author runs `new post`, `check` tells what is left, and then the real build publishes
    the post at the URL `new` printed."""
    project = make_project(tmp_path, {})
    code, out, _ = approdo(project, "new", "post", "Il primo articolo", "--date", "2026-11-30")
    url = out.splitlines()[1].split()[-1]
    path = "docs/blog/posts/2026-11-30-il-primo-articolo.md"

    code, out, err = approdo(project, "check")
    assert code == 1
    assert out == (f"{path}:5: description not written yet (one or two sentences of your own for "
                   "search results and social previews)\n")
    assert err == "1 content error in 9 pages\n"  # the 8 of the minimal fixture site, and this one

    written = project / path
    text = written.read_text(encoding="utf-8").replace(
        "DA SCRIVERE: una o due frasi per i risultati di ricerca e le anteprime social.",
        "Come cominciare bene.").replace("draft: true\n", "")
    written.write_text(text, encoding="utf-8")
    code, out, err = approdo(project, "check")
    assert (code, out) == (0, "")
    assert err.startswith("no content errors in ")

    build = run_build(project)
    assert build.returncode == 0, build.output
    page = url.removeprefix("http://127.0.0.1:8000/")
    assert page == "blog/2026/11/il-primo-articolo/"
    assert "Come cominciare bene." in build.read(page)


def test_new_landing_has_every_schema_key_and_is_valid_once_described(tmp_path, approdo):
    from approdo.frontmatter import parse
    from approdo.landing import LandingDefaults
    from approdo.landing_validation import parse_landing

    project = make_project(tmp_path, {})
    code, out, _ = approdo(project, "new", "landing", "Prova gratuita di un mese")
    assert code == 0
    assert out.splitlines()[:2] == ["created docs/landing/prova-gratuita-di-un-mese.md",
                                    "URL     http://127.0.0.1:8000/landing/prova-gratuita-di-un-mese/"]
    text = (project / "docs/landing/prova-gratuita-di-un-mese.md").read_text(encoding="utf-8")
    front = text.split("\n---\n")[0]
    for key in ("title", "description", "offer", "headline", "subheadline", "benefits", "difference",
                "form", "fields", "required", "labels", "submit", "action", "provider", "marketing",
                "thanks", "text", "download", "download_label", "closes", "event", "start", "end",
                "place", "address", "street", "postal_code", "city", "online", "noindex", "image",
                "short_links", "social", "tags"):
        assert re.search(rf"^\s*#?\s*{key}:", front, re.M), f"{key} is neither present nor commented"

    code, out, _ = approdo(project, "check")
    assert code == 1
    assert out == ("docs/landing/prova-gratuita-di-un-mese.md:5: description not written yet (one or "
                   "two sentences of your own for search results and social previews)\n")
    landing, errors = parse_landing("x.md", text, LandingDefaults(action="https://example.org/leads"),
                                    src_path="landing/prova-gratuita-di-un-mese.md")
    assert errors == [] and landing.submit == "Invia la richiesta"
    assert parse(text).data["offer"]["headline"] == "Prova gratuita di un mese"


# --- approdo check -----------------------------------------------------------------------------

GLOSSARY = """\
---
title: Glossario
description: I termini.
---

# Glossario

## Lead

## Funnel

Il percorso di chi arriva dai social fino al contatto.
"""

INVALID_SITE = {
    "blog/posts/uno.md": post("Uno", categories="categories: [Sociale]").replace(
        "Resto dell'articolo.", "[[cta: nessuna]]\n\n[[ cta consulenza ]]"),
    "blog/posts/due.md": post("Stesso titolo", authors="authors: [paola]"),
    "blog/posts/tre.md": post("Stesso titolo", date="date: 2025-02-30\nlanding: inesistente"),
    "kb/chiave.md": "---\ntitle: X\ndescripton: refuso\n---\n\n# X\n",
    "kb/rotta.md": "---\ntitle: [Rotta\n---\n\n# Rotta\n",
    "kb/glossario.md": GLOSSARY,
    "landing/vuota.md": "---\ntitle: Vuota\noffer:\n  headlin: x\n---\n\nTesto.\n",
    "landing/sotto/annidata.md": "---\ntitle: Annidata\n---\n\nTesto.\n",
    "kb/immagini.md": "---\ntitle: Immagini\nimage: /assets/images/logo.svg\n---\n\n# Immagini\n",
    "kb/assente.md": "---\ntitle: Assente\nimage: manca.png\nsocial:\n  fb: Ciao\n---\n\n# Assente\n",
    "bio.md": "---\ntitle: Bio\n---\n\n# Bio\n",
    "go/mio.md": "---\ntitle: Mio\n---\n\n# Mio\n",
    # A valid landing page but for its short-link code.
    "landing/breve.md": (ROOT / "docs/landing/guida-gratuita.md").read_text(encoding="utf-8").replace(
        "\ntags:", "\nshort_links:\n  instagram: X\ntags:", 1),
}


def test_check_reports_exactly_what_the_build_reports(tmp_path, approdo):
    project = make_project(tmp_path, INVALID_SITE)
    code, out, err = approdo(project, "check")
    build = run_build(project)
    assert code == 1 and build.returncode != 0
    from_build = set(re.findall(r"^ERROR\s+-\s+(\S+:\d+: .*)$", build.output, re.M))
    from_check = set(out.splitlines())
    assert len(from_check) >= 18, out  # every kind of mistake in the fixture is there
    assert from_check == from_build
    assert err == f"{len(from_check)} content errors in 21 pages\n"


def test_check_finds_the_authors_file_errors_the_build_stops_on(tmp_path, approdo):
    project = make_project(tmp_path, {"blog/.authors.yml": "authors:\n  giulia:\n    name: Giulia\n"})
    code, out, _ = approdo(project, "check")
    build = run_build(project)
    assert build.returncode != 0 and code == 1
    expected = {"docs/blog/.authors.yml:2: author 'giulia' has no description (a non-empty text for description)",
                "docs/blog/.authors.yml:2: author 'giulia' has no avatar (a non-empty text for avatar)"}
    assert expected <= set(out.splitlines())
    assert all(line in build.output for line in expected)


def test_check_finds_the_broken_links_and_anchors_the_strict_build_finds(tmp_path, approdo):
    project = make_project(tmp_path, {
        "kb/link.md": "---\ntitle: Link\n---\n\n# Link\n\n## Una sezione\n\n"
                      "[rotto](non-esiste.md) e [ancora](../index.md#non-esiste)\n\n"
                      "[buono](../index.md#home), [qui](#una-sezione), [guide](index.md)\n\n"
                      "`[codice](non-conta.md)`\n",
    })
    code, out, _ = approdo(project, "check")
    build = run_build(project)
    assert build.returncode != 0 and code == 1
    assert out == ("docs/kb/link.md:9: broken link '../index.md#non-esiste' "
                   "(docs/index.md has no heading with the anchor #non-esiste)\n"
                   "docs/kb/link.md:9: broken link 'non-esiste.md' (no file docs/kb/non-esiste.md)\n")
    assert set(out.splitlines()) == set(re.findall(r"^ERROR\s+-\s+(\S+:\d+: .*)$", build.output, re.M))


def test_the_sample_site_has_no_content_errors():
    result = subprocess.run([sys.executable, "-m", "approdo.cli", "check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert re.fullmatch(r"no content errors in \d+ pages\n", result.stderr)


# --- approdo calendar ----------------------------------------------------------------------------

def dated(title: str, day: str, category: str, draft: bool = False) -> str:
    extra = "\ndraft: true" if draft else ""
    return post(title, date=f"date: {day}{extra}", categories=f"categories: [{category}]")


CALENDAR_SITE = {
    "blog/posts/a.md": dated("Fine novembre", "2026-11-30", "Strategia"),
    "blog/posts/b.md": dated("Inizio dicembre", "2026-12-01", "Metriche"),
    "blog/posts/c.md": dated("San Silvestro", "2026-12-31", "Strategia"),
    "blog/posts/d.md": dated("Capodanno", "2027-01-01", "Social media"),
    "blog/posts/e.md": dated("Programmato", "2027-01-07", "News"),
    "blog/posts/f.md": dated("In bozza", "2027-01-10", "Strategia", draft=True),
    "blog/posts/g.md": dated("Molto vecchio", "2026-09-01", "Inbound marketing"),
}

CALENDAR_TEXT = """\
Editorial calendar as of Tue 5 Jan 2027 (target: 2 posts a week)

Scheduled
  2027-01-07  Programmato  [News]  docs/blog/posts/e.md

Drafts
  2027-01-10  In bozza  [Strategia]  docs/blog/posts/f.md

Posts published per week
  2026-W43  from Mon 19 Oct              0  below target
  2026-W44  from Mon 26 Oct              0  below target
  2026-W45  from Mon 2 Nov               0  below target
  2026-W46  from Mon 9 Nov               0  below target
  2026-W47  from Mon 16 Nov              0  below target
  2026-W48  from Mon 23 Nov              0  below target
  2026-W49  from Mon 30 Nov  ##          2
  2026-W50  from Mon 7 Dec               0  below target
  2026-W51  from Mon 14 Dec              0  below target
  2026-W52  from Mon 21 Dec              0  below target
  2026-W53  from Mon 28 Dec  ##          2
  2027-W01  from Mon 4 Jan               0  this week, so far

Next free publication days
  Tue 5 Jan 2027
  Tue 12 Jan 2027
  Thu 14 Jan 2027
  Tue 19 Jan 2027
  Thu 21 Jan 2027

Quiet categories (nothing published for 4 weeks or more)
  Metriche             last post 2026-12-01
  Inbound marketing    last post 2026-09-01
  News                 never published, next scheduled 2027-01-07
"""


def test_calendar_as_of_a_fixed_day_across_the_year_end(tmp_path, approdo):
    project = make_project(tmp_path, CALENDAR_SITE)
    code, out, err = approdo(project, "calendar", "--cadence", "2", now="2027-01-05T09:00:00")
    assert (code, err) == (0, "")
    assert out == CALENDAR_TEXT


def test_calendar_cadence_and_days_from_configuration(tmp_path, approdo):
    project = make_project(tmp_path, CALENDAR_SITE)
    add_settings(project, "    calendar:\n      cadence: 1\n      days: [wed]\n      quiet_weeks: 6\n      slots: 2\n")
    code, out, _ = approdo(project, "calendar", "--json", now="2027-01-05T09:00:00")
    plan = json.loads(out)
    assert plan["cadence"] == 1
    # This week already has the scheduled post of Thursday: the first free Wednesday is next week.
    assert plan["free_slots"] == ["2027-01-13", "2027-01-20"]
    weeks = {week["label"]: week for week in plan["weeks"]}
    assert weeks["2026-W53"]["published"] == 2 and not weeks["2026-W53"]["below_target"]
    assert weeks["2026-W50"]["below_target"] and weeks["2027-W01"]["current"]
    assert [quiet["name"] for quiet in plan["quiet"]] == ["Inbound marketing", "News"]


def test_calendar_html_chart_in_the_brand_colours(tmp_path, approdo):
    site = {**CALENDAR_SITE, "blog/posts/h.md": dated("Titolo con <b>", "2026-12-02", "Metriche", draft=True)}
    project = make_project(tmp_path, site)
    page = tmp_path / "calendario.html"
    code, out, _ = approdo(project, "calendar", "--cadence", "2", "--html", str(page),
                           now="2027-01-05T09:00:00")
    assert (code, out) == (0, f"written {page}\n")
    html = page.read_text(encoding="utf-8")
    assert "Titolo con &lt;b&gt;" in html and "<b>" not in html
    root = dom(html)
    bars = [node for node in root.iter() if node.tag == "rect"]
    assert len(bars) == 12
    labels = [group.find("title").text() for group in root.find_all("g")]
    assert labels[6] == "2026-W49: 2 posts" and labels[11] == "2027-W01: 0 posts, this week so far"
    below = [bar for bar in bars if bar.attrs["fill"] == "#c2410c"]  # coral: below target
    assert len(below) == 9
    assert {bar.attrs["fill"] for bar in bars} == {"#c2410c", "#14506a", "#2a7191"}


def test_calendar_refuses_settings_it_cannot_use(tmp_path, approdo):
    project = make_project(tmp_path, {})
    add_settings(project, "    calendar:\n      cadence: due\n      days: [mar, gio]\n")
    code, out, err = approdo(project, "calendar")
    assert (code, out) == (2, "")
    assert err == "approdo: extra.approdo.calendar.cadence in mkdocs.yml is 'due', not a whole number of 1 or more\n"
    code, _, err = approdo(project, "calendar", "--cadence", "2")
    assert code == 2
    assert err == ("approdo: extra.approdo.calendar.days in mkdocs.yml has mar, gio, not weekdays "
                   "(any of: mon, tue, wed, thu, fri, sat, sun)\n")


def test_new_post_takes_the_configured_author(tmp_path, approdo):
    project = make_project(tmp_path, {})
    add_settings(project, "    authoring:\n      author: marco\n")
    code, out, _ = approdo(project, "new", "post", "Di Marco", "--date", "2027-01-31")
    assert code == 0
    text = (project / "docs/blog/posts/2027-01-31-di-marco.md").read_text(encoding="utf-8")
    assert 'authors: ["marco"]\n' in text
