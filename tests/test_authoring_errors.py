"""Content that used to break the build (issue 9): tracebacks, hangs, silently wrong pages,
stored scripts. Each class has pure tests of the validator and invalid fixtures built together
in one real build, asserting the exit status and the exact `path:line` line the author reads."""

from __future__ import annotations

import io
import random
import re
import string

import pytest
import yaml
from PIL import Image

from approdo import atomic_files, card_text, cards, content_schema, links, material_extra
from approdo.errors import ContentError
from approdo.frontmatter import MAX_DEPTH, parse
from approdo.landing_validation import parse_landing
from approdo.seo import host
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


@pytest.mark.parametrize("number", ["0x_", "+0b__"])
def test_a_number_pyyaml_cannot_read_stays_text(number):
    # YAML 1.1 calls these ints, and PyYAML's int() then raises a bare ValueError.
    assert parse(f"---\ntitle: {number}\n---\n").data == {"title": number}
    landing, errors = parse_landing("docs/landing/x.md", f"---\ntitle: Ok\ncloses: {number}\n---\n")
    assert landing is None
    assert any(str(error).startswith("docs/landing/x.md:3: 'closes' is not a date") for error in errors), errors


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


LINKS = ["[a](b.md)", "[a](../index.md#x)", "![i](assets/a.png)", "[r]: x.md", "[x](#)", "[y](<a b.md>)",
         "[z](%E2%82%AC.md#%)", "\n# Titolo {#id}\n", "\n```\n", "[[a]](b.md)", "](", "[", "\nT\n===\n"]
EXTRA_KEYS = ["social", "status", "homepage", "alternate", "tags", "analytics", "consent", "approdo"]


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
        body = "".join(rng.choice(LINKS + SCRIPTS) for _ in range(rng.randrange(20)))
        errors = links.check_links("docs/kb/p.md", "kb/p.md", body, 5, {"kb/p.md": body, "index.md": body},
                                   {"assets/a.png"})
        assert all(isinstance(error, ContentError) for error in errors), body
        extra = {rng.choice(EXTRA_KEYS): _value(rng) for _ in range(rng.randrange(4))}
        errors = material_extra.check_extra("mkdocs.yml", extra, lambda key: 1)
        assert all(isinstance(error, ContentError) for error in errors), extra
    assert checked > 100  # most generated front matter is valid YAML: the checks really ran


# Front matter that libyaml and PyYAML's Python scanner could read differently.
EDGE_YAML = [
    "a: 1\rb: 2\r", "a: 1\r\nb: 2\r\n", "a: x\u2028y\nb: 2\n", "a: x\x85y\n", "\ufeffa: 1\n",
    "a: {b: 1, c: [1, 2, {d: e}]}\n", "a: |2-\n    x\n   y\nb: >\n  folded\n  text\n\n  more\n",
    "? k\n: v\n", "? [a, b]\n: c\n", "a: !!str 123\nb: !!int '7'\n", "a: !custom x\n",
    "a: !!python/name:os.system\n", "a: &x 1\nb: 2\n", "a: &x 1\nb: *x\n", "a: 1\na: 2\n",
    "a: 'it''s'\nb: \"\\u00e9\\x41\\/\\N\\_\"\n", "k: " + "x" * 2000 + "\n", "x" * 1100 + ": 1\n",
    "a: 1 # c\n# only\nb: [1, # c\n 2]\n", "<<: {a: 1}\nb: 2\n", "a:\n- 1\n-  - 2\n   - 3\n",
    "a: 2026-03-01\nb: 2026-02-30\nc: 2026-03-01T09:30:00+02:00\n",
    "a: .inf\nb: -.NaN\nc: 0x1F\nd: 0o17\ne: 1_000\nf: 1:20\ng: yes\nh: ~\n", "a: 0x_\nb: +0b__\n",
    "a: b: c\n",
    "- a\n- b\n", "just text\n", "{a: 1}: x\n", "a: [1, 2\n", "a: @x\n", "a: `x\n", "a: x\n...\n",
    "a:\tb\n", "a: [1,\t2]\n", "\ta: 1\n", "a: \x07\n", "a: 1\n  b: 2\n", " a: 1\nb: 2\n",
    "a: - 1\n", "a: \"x\" y\n", "a: \"\\e\\a\\0\"\n", "a: !!binary aGVsbG8=\n",
    "a: 'multi\n  line'\nb: \"x\n\n  y\"\n", "x: " + "[" * 40 + "]" * 40 + "\n",
    "".join(" " * depth + f"k{depth}:\n" for depth in range(40)),
]


def test_libyaml_reads_front_matter_exactly_as_the_python_loader(monkeypatch):
    """Valid front matter is read by libyaml; what it reads, errors and lines included, must
    be what the Python loader (whose messages authors see) reads."""
    rng = random.Random(16)
    texts = ["---\n" + text + "---\n\n# T\n" for text in EDGE_YAML]
    for _ in range(400):
        text = _front_matter(rng)
        for _ in range(rng.randrange(3)):  # and some more breakage
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(list(":-[]{}#&*!|>'\"%@`,?\n\r\t\\") + ["\u2028", "\n  "]) + text[at:]
        texts.append(text)
    fast = [parse(text) for text in texts]
    from approdo import frontmatter
    assert frontmatter._CParser is not None  # PyYAML's wheels include libyaml
    read_by_libyaml = sum(frontmatter._load_fast(frontmatter._FENCE.match(text).group(1)) is not None
                          for text in texts if frontmatter._FENCE.match(text))
    assert read_by_libyaml > 200
    monkeypatch.setattr(frontmatter, "_CParser", None)
    for text, got in zip(texts, fast, strict=True):
        assert repr(got) == repr(parse(text)), text


# --- Classes 1, 2, 3 and 8 in one build: every error at once, each at its line ------------------

POST = """\
---
title: {title}
description: Un articolo di prova.
date: 2025-05-04
authors: [{author}]
categories: [{category}]
{extra}---

# {heading}

Introduzione.

{separator}

Resto dell'articolo.
"""


def post(title: str = "Articolo", extra: str = "", heading: str | None = None,
         separator: str = "<!-- more -->", author: str = "giulia", category: str = "Strategia") -> str:
    return POST.format(title=title, extra=extra, heading=title if heading is None else heading,
                       separator=separator, author=author, category=category)


def page(extra: str = "", title: str = "Pagina") -> str:
    return f"---\ntitle: {title}\ndescription: Una pagina.\n{extra}---\n\n# {title}\n\nTesto.\n"


LONG_TITLE = ("Come abbiamo portato una piccola pasticceria di Bologna da zero a trecento richieste "
              "di preventivo al mese con Instagram e una landing page")
LONG_NAME = "guida-" + "molto-" * 20 + "lunga"

BAD_FRONT_MATTER = {
    # Class 1: keys Material reads, each checked (they used to end in tracebacks or wrong pages).
    "kb/icona.md": page("icon: material/non-esiste\n"),
    "kb/modello.md": page("template: ../../../etc/passwd\n"),
    "kb/modello-assente.md": page("template: pagina-speciale.html\n"),
    "kb/nascondi.md": page("hide: navigation\n"),
    "kb/nascondi-lista.md": page("hide: [toc, sidebar]\n"),
    "kb/cerca.md": page("search:\n  boost: tanto\n  exclude: yes\n"),
    "kb/stato.md": page('status: "new x"\n'),
    "blog/posts/lettura.md": post("Lettura", "readtime: cinque\n"),
    "blog/posts/collegamenti.md": post("Collegamenti", "links: kb/index.md\n"),
    "blog/posts/lungo.md": post(LONG_TITLE),
    f"kb/{LONG_NAME}.md": page(),
    # Class 2: aliases.
    "kb/risate.md": laughs(12),
    # Class 3: silently wrong pages.
    "blog/posts/emoji.md": post("🎉🎉🎉 東京"),
    "blog/posts/codice.md": post("Codice", separator="```\n<!-- more -->\n```"),
    "blog/posts/nota.md": post("Nota", separator="!!! note\n\n    <!-- more -->"),
    "blog/posts/titolo.md": post("Il titolo vero", heading="Un altro titolo"),
    "kb/social-a.md": page("tags: [Podcast]\n", "Social A"),
    "kb/social-b.md": page("tags: [podcast, Metriche]\n", "Social B"),
    # Class 5: links, anchors and images, with the other errors; a migrating user's key.
    "kb/guida.md": page(title="Guida") + "\n## Perché l'azienda è qui\n\nTesto.\n\n## Sezione\n\nAltro.\n",
    "kb/collegamenti.md": page(title="Collegamenti") + (
        "\n[rotto](non-esiste.md) e [ancora](../index.md#non-esiste).\n"
        "[accenti](guida.md#perché-lazienda-è-qui) e [apostrofo](guida.md#perche-lazienda-e-qui)\n"
        "![foto](foto-mancante.png) e [quasi](guida.md#sezioni)\n\n"
        "[giusto](guida.md#perche-l-azienda-e-qui), [qui](#collegamenti), `[codice](no.md)`\n\n"
        "[rif]: ../kb/manca.md\n\n"
        # An example inside an admonition's code block is not a link.
        "!!! example\n\n    ```markdown\n    [finto](finto.md)\n    ```\n"),
    "blog/posts/social.md": post("Social", "social:\n  cards_layout: default/variant\n"),
    # Class 8: hints that point the right way.
    "blog/posts/autrice.md": post("Autrice", author="paola"),
    "blog/posts/categoria.md": post("Categoria", category="Eventi"),
    "kb/tab.md": "---\ntitle: Tab\n\tdescription: rientrata\n---\n\n# Tab\n",
    "kb/aperta.md": "---\ntitle: Aperta\ndescription: senza chiusura\n\n# Aperta\n\nTesto.\n",
}

EXPECTED_ERRORS = [
    "docs/blog/posts/autrice.md:5: unknown author 'paola' (one of: giulia, marco; "
    "or add it to docs/blog/.authors.yml)",
    "docs/blog/posts/categoria.md:6: unknown category 'Eventi' (one of: Social media, Strategia, "
    "Metriche, Inbound marketing, News; or add it to categories_allowed in mkdocs.yml)",
    "docs/blog/posts/codice.md:14: excerpt separator <!-- more --> is inside a code block, an "
    "admonition or a list, where it cannot end the excerpt (a line with only it, not indented, "
    "after the introduction)",
    "docs/blog/posts/collegamenti.md:7: links is not a list (a list of pages, e.g. "
    "[kb/glossario.md] or [Glossario: kb/glossario.md])",
    "docs/blog/posts/emoji.md:2: the title has no Latin letters or digits to make the post's URL "
    "from (a slug: in the front matter, e.g. slug: festa-di-primavera)",
    "docs/blog/posts/lettura.md:7: readtime is 'cinque', not a number of minutes (a whole number "
    "such as 5, or no readtime: to let Material count)",
    "docs/blog/posts/lungo.md:2: the post's URL slug would be 139 characters long (at most 100: "
    "a shorter title, or a slug: in the front matter)",
    "docs/blog/posts/nota.md:15: excerpt separator <!-- more --> is inside a code block, an "
    "admonition or a list, where it cannot end the excerpt (a line with only it, not indented, "
    "after the introduction)",
    "docs/blog/posts/titolo.md:9: heading 'Un altro titolo' differs from the title 'Il titolo "
    "vero' (the same text in both, or no # heading: the title is shown then)",
    "docs/blog/posts/social.md:8: 'social.cards_layout' is a setting of Material's social plugin; "
    "in Approdo 'social:' holds the suggested text of social posts (remove it: Approdo draws each "
    "page's card from its title, and image: sets your own picture)",
    "docs/kb/collegamenti.md:10: broken link '../index.md#non-esiste' (docs/index.md has no "
    "heading with the anchor #non-esiste)",
    "docs/kb/collegamenti.md:10: broken link 'non-esiste.md' (no file docs/kb/non-esiste.md)",
    "docs/kb/collegamenti.md:11: broken link 'guida.md#perche-lazienda-e-qui' (docs/kb/guida.md "
    "has no anchor #perche-lazienda-e-qui: Approdo's anchors turn accents into plain letters and "
    "apostrophes into hyphens, so that heading is #perche-l-azienda-e-qui)",
    "docs/kb/collegamenti.md:11: broken link 'guida.md#perché-lazienda-è-qui' (docs/kb/guida.md "
    "has no anchor #perché-lazienda-è-qui: Approdo's anchors turn accents into plain letters and "
    "apostrophes into hyphens, so that heading is #perche-l-azienda-e-qui)",
    "docs/kb/collegamenti.md:12: broken image 'foto-mancante.png' (no file "
    "docs/kb/foto-mancante.png)",
    "docs/kb/collegamenti.md:12: broken link 'guida.md#sezioni' (docs/kb/guida.md has no heading "
    "with the anchor #sezioni; did you mean #sezione?)",
    "docs/kb/collegamenti.md:16: broken link '../kb/manca.md' (no file docs/kb/manca.md)",
    "docs/kb/aperta.md:1: front matter opened with --- is never closed (a line with only --- "
    "after the last key; for a horizontal rule at the top write *** instead)",
    "docs/kb/cerca.md:5: search.boost is 'tanto', not a positive number (a number such as 2 "
    "(higher) or 0.5 (lower), at most 100)",
    "docs/kb/cerca.md:6: search.exclude is 'yes', not a boolean (true or false)",
    f"docs/kb/{LONG_NAME}.md:1: file name is {len(LONG_NAME)} characters long (at most 100 "
    "characters before .md: it becomes the page's URL)",
    "docs/kb/icona.md:4: icon 'material/non-esiste' does not exist (an icon of Material's set, "
    "e.g. material/star)",
    "docs/kb/modello-assente.md:4: template 'pagina-speciale.html' does not exist (a file in "
    "overrides/ or Material's templates, e.g. main.html)",
    "docs/kb/modello.md:4: template '../../../etc/passwd' is not a template file name (a file in "
    "overrides/ or Material's templates, e.g. main.html)",
    "docs/kb/nascondi-lista.md:4: Material cannot hide 'sidebar' (a list of: navigation, toc, "
    "footer, path, tags, feedback)",
    "docs/kb/nascondi.md:4: hide is not a list (a list of: navigation, toc, footer, path, tags, "
    "feedback)",
    "docs/kb/risate.md:4: YAML alias '*a0' in front matter: anchors and aliases are not "
    "supported (write the value out in full)",
    "docs/kb/social-b.md:4: tag 'podcast' is written 'Podcast' in docs/kb/social-a.md:4 (the same "
    "spelling, accents and capitals everywhere)",
    "docs/kb/stato.md:4: status 'new x' is not a status name (one lowercase word, e.g. new or "
    "deprecated)",
    "docs/kb/tab.md:3: invalid YAML in front matter: a tab character (YAML is indented with "
    "spaces only)",
]


def in_report_order(lines: list[str]) -> list[str]:
    """Errors as the build lists them: by file, then by line number."""
    def key(line: str):
        path, number, rest = line.split(":", 2)
        return path, int(number), rest
    return sorted(lines, key=key)


def reported_errors(output: str) -> list[str]:
    return re.findall(r"^ERROR\s+-\s+((?:docs/|mkdocs.yml)\S*:\d+: .*)$", output, re.M)


# Class 4: Material's `extra:` settings that it prints raw into attributes, in the same build.
HOSTILE_EXTRA = """\
  social:
    - icon: fontawesome/brands/instagram
      link: "javascript:alert(1)"
      name: 'Instagram" onmouseover="alert(2)'
    - icon: material/non-esiste
      link: https://www.instagram.com/maestrale
  status:
    new: 'Nuovo" onmouseover="alert(3)'
  analytics:
    provider: google
    property: G-XXXXXXX
"""


def with_extra(project, block: str) -> int:
    """Insert ``block`` at the top of ``extra:`` in the project's mkdocs.yml; its first line."""
    path = project / "mkdocs.yml"
    text = path.read_text(encoding="utf-8")
    at = text.index("\nextra:\n") + len("\nextra:\n")
    path.write_text(text[:at] + block + text[at:], encoding="utf-8")
    return text[:at].count("\n") + 1


def test_bad_front_matter_and_extra_report_every_error_at_its_line(tmp_path):
    project = make_project(tmp_path, BAD_FRONT_MATTER)
    first = with_extra(project, HOSTILE_EXTRA)
    build = run_build(project)
    assert build.returncode == 1
    assert "Traceback" not in build.output
    extra_errors = [
        f"mkdocs.yml:{first + 2}: extra.social.0.link: link 'javascript:alert(1)' is neither an "
        "http(s) address nor a path on this site (an https:// address or a path on this site, "
        "without spaces or quotes, or mailto:)",
        f"mkdocs.yml:{first + 3}: extra.social.0.name: 'Instagram\" onmouseover=\"alert(2)' contains "
        "quotes or < > (plain text without < > or quotes)",
        f"mkdocs.yml:{first + 4}: extra.social.1.icon: icon 'material/non-esiste' does not exist "
        "(e.g. fontawesome/brands/instagram)",
        f"mkdocs.yml:{first + 7}: extra.status.new: 'Nuovo\" onmouseover=\"alert(3)' contains quotes "
        "or < > (plain text without < > or quotes)",
        f"mkdocs.yml:{first + 8}: extra.analytics: not supported (Material's analytics send every "
        "visit to Google; Approdo counts visits on its own server; remove extra.analytics)",
    ]
    assert reported_errors(build.output) == in_report_order(EXPECTED_ERRORS + extra_errors)
    count = len(EXPECTED_ERRORS) + len(extra_errors)
    assert f"{count} content errors: fix them and build again" in build.output
    assert not (build.site / "index.html").exists()


HOSTILE_AUTHORS = """\
authors:
  giulia:
    name: Giulia Ferri
    description: Strategist
    avatar: 'x.svg" onerror="alert(1)'
    url: "javascript:alert(2)"
  marco:
    name: Marco Bellandi
    description: Social media manager
    avatar: https://tracker.example/marco.png
    twitter: "@marco"
"""


def test_author_avatar_and_link_are_paths_or_urls(tmp_path):
    build = run_build(make_project(tmp_path, {"blog/.authors.yml": HOSTILE_AUTHORS}))
    assert build.returncode == 1
    assert "Traceback" not in build.output
    assert re.findall(r"^ERROR\s+-\s+(docs/\S+:\d+: .*)$", build.output, re.M) == [
        "docs/blog/.authors.yml:5: avatar of author 'giulia': link 'x.svg\" onerror=\"alert(1)' "
        "contains spaces, quotes or < > (a path to a file of this site, e.g. "
        "assets/images/autori/giulia.svg)",
        "docs/blog/.authors.yml:6: url of author 'giulia': link 'javascript:alert(2)' is neither "
        "an http(s) address nor a path on this site (an https:// address or a path on this site, "
        "without spaces or quotes)",
        "docs/blog/.authors.yml:10: avatar of author 'marco': 'https://tracker.example/marco.png' "
        "is not a path on this site (a path to a file of this site, e.g. "
        "assets/images/autori/giulia.svg)",
        "docs/blog/.authors.yml:11: unknown key 'twitter' for author 'marco' (one of: name, "
        "description, avatar, slug, url)",
    ]


def test_page_at_the_url_of_a_post_is_an_error_not_an_overwrite(tmp_path):
    build = run_build(make_project(tmp_path, {
        "blog/posts/ciao.md": post("Ciao"),
        "blog/2025/05/ciao.md": page(title="Ciao pagina"),
    }))
    assert build.returncode == 1
    assert "Traceback" not in build.output
    assert reported_errors(build.output) == [
        "docs/blog/posts/ciao.md:1: published at /blog/2025/05/ciao/, the URL of "
        "docs/blog/2025/05/ciao.md: one of them would silently replace the other (a different "
        "slug: for the post, or another file name for the page)"]


# --- Class 7: social cards draw what Italian authors type, inside the card --------------------


def card_image(card: cards.Card, fonts: cards.Fonts) -> Image.Image:
    return Image.open(io.BytesIO(cards.render(card, fonts))).convert("RGB")


def test_each_character_is_drawn_by_a_font_that_has_it(card_fonts):
    font = card_text.StackFont(card_fonts.faces(bold=True), 60)
    # DejaVu itself has Arabic (and Greek, Cyrillic, Hebrew); Thai comes from Noto.
    faces = [(face.name, run) for face, run in font.runs("Perché 🎉 東京 👩‍💻 مرحبا สวัสดี €")]
    assert faces == [("DejaVuSans-Bold.ttf", "Perché "), ("NotoColorEmoji.ttf", "🎉"),
                     ("DejaVuSans-Bold.ttf", " "), ("NotoSansCJK-Bold.ttc", "東京"),
                     ("DejaVuSans-Bold.ttf", " "), ("NotoColorEmoji.ttf", "👩\u200d💻"),
                     ("DejaVuSans-Bold.ttf", " مرحبا "), ("NotoSansThai-Bold.ttf", "สวัสดี"),
                     ("DejaVuSans-Bold.ttf", " €")]
    # A variation selector asks for the emoji form of a character that text fonts also have.
    assert [(face.name, run) for face, run in font.runs("Ti ❤️ ❤")] == [
        ("DejaVuSans-Bold.ttf", "Ti "), ("NotoColorEmoji.ttf", "❤\ufe0f"), ("DejaVuSans-Bold.ttf", " ❤")]


def test_emoji_are_drawn_in_colour_and_cjk_not_as_boxes(card_fonts):
    image = card_image(cards.Card("🎉🎉🎉", brand="M"), card_fonts)
    title = image.crop((80, 140, 1120, 500))
    # The party popper is yellow and red; the card itself is white on sea blue and coral.
    yellow = [pixel for pixel in title.get_flattened_data() if pixel[0] > 200 and pixel[1] > 150 and pixel[2] < 100]
    assert len(yellow) > 200
    # Two different characters drawn as .notdef boxes would give the same picture.
    east, capital = (card_image(cards.Card(char, brand="M"), card_fonts).crop((80, 140, 1120, 500))
                     for char in ("東", "京"))
    assert east.tobytes() != capital.tobytes()
    assert east.getbbox() is not None


def test_a_four_line_title_stays_above_the_brand_band(card_fonts):
    title = ("Come abbiamo portato una piccola pasticceria di Bologna da zero a trecento richieste "
             "di preventivo al mese 🎂 con Instagram, una landing page e tanta pazienza")
    font, lines = cards.fit_title(title, card_fonts.faces(bold=True), cards.WIDTH - 160)
    assert len(lines) == 4
    image = card_image(cards.Card(title, "Strategia", "Maestrale Digitale", "maestrale.example"), card_fonts)
    # Between the title block and the band (which starts at 510) only the background shows.
    gap = image.crop((80, 470, 1120, 510))
    assert set(gap.get_flattened_data()) == {(0x14, 0x50, 0x6A)}


def test_cards_do_not_change_with_the_serve_port(card_fonts):
    assert host("http://127.0.0.1:8000/") == host("http://127.0.0.1:8123/") == "127.0.0.1"
    assert host("https://maestrale.example/blog/") == "maestrale.example"


def test_card_cache_is_pruned_to_the_cards_in_use(tmp_path, card_fonts):
    made = [cards.ensure(cards.Card(f"Titolo {n}"), card_fonts, tmp_path, f"titolo-{n}")[0]
            for n in range(6)]
    (tmp_path / "mezza.png.part").write_bytes(b"x")  # left by a killed build: deleted
    # Another build sharing the cache (this live process) is writing a card: kept.
    writing = atomic_files.temporary_for(tmp_path / "in-corso.png")
    writing.write_bytes(b"x")
    used = {path.name for path in made[4:]}
    assert cards.prune(tmp_path, used, keep_unused=2) == 3
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [writing.name, *(path.name for path in made[2:])])
