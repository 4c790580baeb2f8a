"""Content that used to break the build (issue 9): tracebacks, hangs, silently wrong pages,
stored scripts. Each class has pure tests of the validator and invalid fixtures built together
in one real build, asserting the exit status and the exact `path:line` line the author reads."""

from __future__ import annotations

import random
import re
import string

import pytest
import yaml

from approdo import content_schema
from approdo.errors import ContentError
from approdo.frontmatter import MAX_DEPTH, parse
from approdo.landing import parse_landing
from conftest import make_project, run_build


def laughs(depth: int) -> str:
    """Front matter whose aliases expand to 3**depth values (a "billion laughs")."""
    lines = ["title: Risate", "a0: &a0 [ah, ah]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, depth + 1)]
    return "---\n" + "\n".join(lines) + "\n---\n\n# Risate\n"


# --- Class 2: parsing takes time linear in the text ---------------------------------------------

def test_aliases_are_refused_at_their_line():
    fm = parse(laughs(40))  # used to take ~30 s at depth 7 and never end at depth 9
    assert fm.data is None
    assert (fm.error_line, fm.error) == (
        4, "YAML alias '*a0' in front matter: anchors and aliases are not supported "
           "(write the value out in full)")


def test_merge_keys_are_aliases_too():
    fm = parse("---\nbase: &base {a: 1}\ncopy:\n  <<: *base\n---\n")
    assert fm.data is None and fm.error_line == 4 and "alias '*base'" in fm.error


def test_an_anchor_without_alias_is_harmless():
    assert parse("---\ntitle: &t Ciao\n---\n").data == {"title": "Ciao"}


@pytest.mark.parametrize("nesting", ["[" * 40 + "]" * 40, "[" * 100_000 + "]" * 100_000])
def test_deep_nesting_is_refused(nesting):
    fm = parse(f"---\ntitle: Fondo\nx: {nesting}\n---\n")
    assert fm.data is None and fm.error_line == 3
    assert fm.error == (f"front matter nested more than {MAX_DEPTH} levels deep "
                        "(a few levels of lists and mappings)")


def test_block_nesting_is_refused_too():
    text = "---\n" + "".join(" " * depth + f"k{depth}:\n" for depth in range(3000)) + "---\n"
    fm = parse(text)
    assert fm.data is None and fm.error_line == MAX_DEPTH + 2


# --- Class 8: errors that say what they are -----------------------------------------------------

def test_tab_in_yaml_says_tab():
    fm = parse("---\ntitle: Tab\n\tdescription: rientro\n---\n")
    assert (fm.error_line, fm.error) == (
        3, "invalid YAML in front matter: a tab character (YAML is indented with spaces only)")


def test_unclosed_front_matter_says_so():
    fm = parse("---\ntitle: Aperta\ndescription: mai chiusa\n\n# Aperta\n")
    assert (fm.error_line, fm.error) == (
        1, "front matter opened with --- is never closed (a line with only --- after the last "
           "key; for a horizontal rule at the top write *** instead)")


# --- Fuzz: generated front matter only ever gives our errors ------------------------------------

KEYS = sorted(content_schema.POST_KEYS | {"closes", "form", "offer", "event", "thanks", "short_links",
                                          "search", "hide", "x", "Title", ""})
SCRIPTS = ["Perché", "città", "🎉", "東京", "مرحبا", "Ελληνικά", "\u200b", "<script>", '"\'',
           "=SUM(A1)", "\t", "\x00", "---", "*a", "&a", "{{ x }}", "\\", "%", "#", ": ", "- "]


def _value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice([None, True, False, 0, -1, 10**30, 1.5, float("inf")])
    if kind == 1:
        return "".join(rng.choice(SCRIPTS + list(string.ascii_letters)) for _ in range(rng.randrange(40)))
    if kind == 2:
        return "parola " * rng.randrange(200)
    if kind == 3:
        return rng.choice(["2025-02-30", "2026-03-01", "2026-03-01T25:00", "domani", "2027-02-12T09:30"])
    if kind in (4, 5):
        return rng.choice(["Strategia", "giulia", "guida-gratuita", "material/star", "main.html"])
    if kind == 6:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    return {rng.choice(KEYS + ["created", "updated", "boost", "exclude"]): _value(rng, depth + 1)
            for _ in range(rng.randrange(5))}


def _front_matter(rng: random.Random) -> str:
    data = {rng.choice(KEYS): _value(rng) for _ in range(rng.randrange(12))}
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if rng.random() < 0.3:  # break it: a random character somewhere
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(SCRIPTS) + text[at:]
    closing = "---\n" if rng.random() < 0.9 else ""
    body = rng.choice(["# Titolo\n\nTesto.\n", "Testo.\n\n<!-- more -->\n\nAltro.\n", "```\n<!-- more -->\n```\n"])
    return "---\n" + text + closing + "\n" + body


def test_fuzzed_front_matter_gives_only_content_errors():
    rng = random.Random(9)
    facts = content_schema.BlogFacts(categories=("Strategia",), authors=("giulia",),
                                     excerpt_separator="<!-- more -->")
    checked = 0
    for _ in range(300):
        text = _front_matter(rng)
        fm = parse(text)
        assert fm.data is not None or fm.error, text
        if fm.data is not None:
            for errors in (content_schema.check_post("p.md", fm, facts),
                           content_schema.check_page("p.md", fm)):
                assert all(isinstance(error, ContentError) for error in errors), text
                assert all(str(error).startswith("p.md:") for error in errors), text
            checked += 1
        landing, errors = parse_landing("docs/landing/x.md", text)
        assert all(isinstance(error, ContentError) for error in errors), text
    assert checked > 100  # most generated front matter is valid YAML: the checks really ran
