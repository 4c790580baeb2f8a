"""Content validation: every author mistake fails the build with `path:line: problem (expected)`.

Each invalid fixture is a real build of a small site; the assertions read what the author would
read in the terminal: the exit status, the file and the line.
"""

from __future__ import annotations

import re

import pytest

from approdo import content_schema, links
from approdo.frontmatter import parse
from conftest import Build, make_project, run_build

POST = """\
---
title: {title}
description: Un articolo di prova per la validazione.
date: 2025-05-04
authors: [giulia]
categories: [Strategia]
---

# {title}

Introduzione.

<!-- more -->

Resto dell'articolo.
"""


def post(title: str = "Articolo valido", **replace: str) -> str:
    """A valid post, with some front-matter lines replaced (key -> whole new line, "" drops it)."""
    lines = POST.format(title=title).splitlines(keepends=True)
    for key, new in replace.items():
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        lines[index] = new + "\n" if new else ""
    return "".join(lines)


def build_with(tmp_path, files: dict[str, str]):
    return run_build(make_project(tmp_path, files))


# (case id, files of the fixture site, the exact error line expected in the build output).
# File names and post titles differ between cases: all of them go into one build (below).
INVALID = [
    ("invalid-yaml-page", {"kb/rotta.md": "---\ntitle: [Rotta\ndescription: x\n---\n\n# Rotta\n"},
     "docs/kb/rotta.md:3: invalid YAML in front matter"),
    ("front-matter-is-a-list", {"blog/posts/lista.md": "---\n- uno\n- due\n---\n\n# Lista\n"},
     "docs/blog/posts/lista.md:2: front matter is a list (expected a mapping of keys to values)"),
    ("front-matter-is-a-scalar", {"kb/solo.md": "---\nsolo testo\n---\n\n# Solo\n"},
     "docs/kb/solo.md:2: front matter is a single value (expected a mapping of keys to values)"),
    ("missing-date", {"blog/posts/senza-data.md": post("Senza data", date="")},
     "docs/blog/posts/senza-data.md:1: missing date"),
    ("impossible-date", {"blog/posts/data.md": post("Data impossibile", date="date: 2025-02-30")},
     "docs/blog/posts/data.md:4: impossible date '2025-02-30'"),
    ("not-a-date", {"blog/posts/domani.md": post("Domani", date="date: domani")},
     "docs/blog/posts/domani.md:4: 'domani' is not a date"),
    ("updated-before-created",
     {"blog/posts/aggiornato.md": post("Aggiornato prima",
                                       date="date:\n  created: 2025-05-04\n  updated: 2025-01-01")},
     "docs/blog/posts/aggiornato.md:6: updated date 2025-01-01 is before created date 2025-05-04"),
    ("unknown-category", {"blog/posts/cat.md": post("Categoria ignota", categories="categories: [Sociale]")},
     "docs/blog/posts/cat.md:6: unknown category 'Sociale'"),
    ("no-categories", {"blog/posts/senza-cat.md": post("Senza categorie", categories="")},
     "docs/blog/posts/senza-cat.md:1: missing categories"),
    ("empty-categories", {"blog/posts/cat-vuote.md": post("Categorie vuote", categories="categories: []")},
     "docs/blog/posts/cat-vuote.md:6: categories is empty"),
    ("unknown-author", {"blog/posts/aut.md": post("Autrice ignota", authors="authors: [paola]")},
     "docs/blog/posts/aut.md:5: unknown author 'paola' (one of: giulia, marco; "
     "or add it to docs/blog/.authors.yml)"),
    ("no-description", {"blog/posts/desc.md": post("Senza descrizione", description="")},
     "docs/blog/posts/desc.md:1: missing description"),
    ("draft-yes", {"blog/posts/bozza.md": post("Bozza", date="date: 2025-05-04\ndraft: yes")},
     "docs/blog/posts/bozza.md:5: draft is 'yes', not a boolean (true or false)"),
    ("duplicate-slug", {"blog/posts/a.md": post("Stesso titolo"),
                        "blog/posts/b.md": post("Stesso titolo")},
     "docs/blog/posts/b.md:2: slug 'stesso-titolo' is already used by docs/blog/posts/a.md"),
    ("markup-in-title", {"blog/posts/x.md": post("Ciao <b>mondo</b>")},
     "docs/blog/posts/x.md:2: title contains markup characters < or >"),
    ("markup-in-description",
     {"kb/x.md": "---\ntitle: X\ndescription: ciao <b>mondo</b>\n---\n\n# X\n"},
     "docs/kb/x.md:3: description contains markup characters < or >"),
    ("unknown-key", {"kb/refuso.md": "---\ntitle: Refuso\ndescripton: refuso\n---\n\n# Refuso\n"},
     "docs/kb/refuso.md:3: unknown front-matter key 'descripton' (did you mean 'description'?)"),
    ("duplicate-key", {"kb/doppia.md": "---\ntitle: X\ntitle: Y\n---\n\n# X\n"},
     "docs/kb/doppia.md:3: invalid YAML in front matter: key 'title' given twice"),
    ("no-excerpt-separator",
     {"blog/posts/senza.md": POST.format(title="Senza").replace("<!-- more -->\n", "")},
     "docs/blog/posts/senza.md:8: no excerpt separator <!-- more -->"),
]
# The authors file replaces the one every other case relies on: a build of its own.
AUTHORS_FILE = ("authors-file",
                {"blog/.authors.yml": "authors:\n  giulia:\n    name: Giulia\n    description: Strategist\n"
                                      "    avatar: a.svg\n  marco:\n    name: Marco\n"},
                "docs/blog/.authors.yml:6: author 'marco' has no description")


@pytest.fixture(scope="module")
def invalid_builds(tmp_path_factory) -> dict[str, Build]:
    """Case id -> the build that holds it: every case of INVALID in one build (the build reports
    all content errors at once), the authors-file case in another."""
    together = build_with(tmp_path_factory.mktemp("invalid"),
                          {path: text for _, files, _ in INVALID for path, text in files.items()})
    alone = build_with(tmp_path_factory.mktemp("authors"), AUTHORS_FILE[1])
    return {**{case: together for case, _, _ in INVALID}, AUTHORS_FILE[0]: alone}


@pytest.mark.parametrize("case, expected", [(case[0], case[2]) for case in [*INVALID, AUTHORS_FILE]],
                         ids=[case[0] for case in [*INVALID, AUTHORS_FILE]])
def test_invalid_content_fails_the_build_with_file_and_line(invalid_builds, case, expected):
    build = invalid_builds[case]
    assert build.returncode != 0
    # Reported as an error of its own (an error, not a warning, stops the build before rendering).
    errors = re.findall(r"^ERROR\s+-\s+(docs/\S+:\d+: .*)$", build.output, re.M)
    assert any(error.startswith(expected) for error in errors), build.output
    assert "Traceback" not in build.output
    assert not (build.site / "index.html").exists(), "nothing is rendered from invalid content"


def test_the_combined_build_reports_each_case_once(invalid_builds):
    """Nothing in one case hides or adds to another's errors: one error line per case."""
    build = invalid_builds[INVALID[0][0]]
    errors = re.findall(r"^ERROR\s+-\s+(docs/\S+:\d+: .*)$", build.output, re.M)
    assert errors
    assert sorted(errors) == sorted(error for error in errors
                                    if any(error.startswith(expected) for _, _, expected in INVALID))
    assert len(errors) == len(INVALID), errors


def test_every_error_is_reported_in_one_build(tmp_path):
    build = build_with(tmp_path, {
        "blog/posts/uno.md": post("Uno", categories="categories: [Sociale]"),
        "blog/posts/due.md": post("Due", authors="authors: [paola]", date="date: 2025-13-01"),
        "kb/tre.md": "---\ntitle: [Tre\n---\n\n# Tre\n",
    })
    assert build.returncode != 0
    errors = re.findall(r"^ERROR\s+-\s+(docs/\S+:\d+: .*)$", build.output, re.M)
    assert [error.split(":")[0] for error in errors] == [
        "docs/blog/posts/due.md", "docs/blog/posts/due.md", "docs/blog/posts/uno.md",
        "docs/kb/tre.md",
    ]
    assert "4 content errors" in build.output


def test_broken_link_and_anchor_fail_the_strict_build(tmp_path):
    build = build_with(tmp_path, {
        "kb/link.md": "---\ntitle: Link\n---\n\n# Link\n\n[rotto](non-esiste.md) e "
                      "[ancora](../index.md#non-esiste)\n",
    })
    assert build.returncode != 0
    # Reported as content errors, with their line (hooks/approdo/links.py).
    assert "docs/kb/link.md:7: broken link 'non-esiste.md' (no file docs/kb/non-esiste.md)" in build.output
    assert ("docs/kb/link.md:7: broken link '../index.md#non-esiste' (docs/index.md has no heading "
            "with the anchor #non-esiste)") in build.output


def test_valid_site_with_both_date_forms_builds(tmp_path):
    build = build_with(tmp_path, {
        "blog/posts/a.md": post("Perché i social non vendono"),
        "blog/posts/b.md": post("Seconda prova",
                                date="date:\n  created: 2025-05-04\n  updated: 2025-06-01"),
    })
    assert build.returncode == 0, build.output
    assert (build.site / "blog/2025/05/perche-i-social-non-vendono/index.html").exists()
    assert (build.site / "blog/2025/05/seconda-prova/index.html").exists()


# Pure checks, without a build.

FACTS = content_schema.BlogFacts(categories=("Strategia", "News"), authors=("giulia",))


def test_check_post_accepts_a_complete_post():
    assert content_schema.check_post("p.md", parse(post()), FACTS) == []


def test_check_post_suggests_the_closest_category():
    errors = content_schema.check_post("p.md", parse(post(categories="categories: [Strategie]")),
                                       FACTS)
    assert [str(e) for e in errors] == [
        "p.md:6: unknown category 'Strategie' (did you mean 'Strategia'? one of: Strategia, News; "
        "or add it to categories_allowed in mkdocs.yml)"
    ]


@pytest.mark.parametrize("written", ["true", "false", "True"])
def test_real_booleans_are_accepted_for_draft(written):
    fm = parse(post(date=f"date: 2025-05-04\ndraft: {written}"))
    assert content_schema.check_post("p.md", fm, FACTS) == []


@pytest.mark.parametrize("written", ["yes", "no", "on", "1", "'true'"])
def test_other_spellings_of_draft_are_refused(written):
    fm = parse(post(date=f"date: 2025-05-04\ndraft: {written}"))
    errors = content_schema.check_post("p.md", fm, FACTS)
    assert len(errors) == 1 and errors[0].line == 5 and "not a boolean" in errors[0].problem


def test_drafts_do_not_count_as_slug_duplicates_but_published_posts_do():
    one, two = parse(post("Stesso")), parse(post("Stesso"))
    slugs = [content_schema.post_slug("a.md", one), content_schema.post_slug("b.md", two)]
    assert [e.path for e in content_schema.duplicate_slugs(slugs)] == ["b.md"]
    explicit = parse(post("Altro", date="date: 2025-05-04\nslug: stesso"))
    assert content_schema.post_slug("c.md", explicit).slug == "stesso"


def test_anchor_hint_names_a_headings_own_id_not_its_slug():
    # The author wrote the anchor Material would give the heading; the heading sets its own id.
    guide = "# Guida\n\n## Perché l'azienda è qui {#motivi}\n\nTesto.\n"
    errors = links.check_links("docs/a.md", "a.md", "[vedi](guida.md#perché-lazienda-è-qui)\n", 5,
                               {"a.md": "", "guida.md": guide}, set())
    assert [str(e) for e in errors] == [
        "docs/a.md:5: broken link 'guida.md#perché-lazienda-è-qui' (docs/guida.md has no anchor "
        "#perché-lazienda-è-qui: that heading sets its own anchor, #motivi)"
    ]
