"""The handbook tells the truth: it builds strictly, its copy-me examples build, and its sample
errors are real.

Every example is a real file in handbook/examples/, included in the handbook's pages with
pymdownx.snippets (a test checks each one is shown), written into a fixture site exactly as an
author would paste it, built with the environment the publishing command sets, and read back as
a reader sees it. The sample error lines (in example files and inline in the pages) are rebuilt
as the mistakes they describe, at the line they name, and the build must print that very line.
If an example or a sample disappears or changes shape, the failure says which one and where to
look.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import yaml
from PIL import Image

from approdo.slugs import slugify
from conftest import AS_OF, MINIMAL_NAV, ROOT, make_project, run_build
from dom import dom

README = ROOT / "README.md"
HANDBOOK = ROOT / "handbook"
EXAMPLES = HANDBOOK / "examples"
# The pages this file vouches for (other pages document their own features and test them).
PAGES = [HANDBOOK / "docs" / f"{name}.md" for name in
         ("index", "authoring", "landing-pages", "receiver", "developing", "beyond-material")]
DOCUMENTS = [README, *PAGES]


def shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --- reading the handbook -------------------------------------------------------------------

@dataclass(frozen=True)
class Block:
    """A fenced block of a page, or an example file: its text, where it starts and its language."""

    lang: str
    text: str
    line: int
    source: str     # the file it is in


def page_blocks() -> list[Block]:
    """The fenced blocks written in the pages (not those included from examples)."""
    blocks = []
    for document in DOCUMENTS:
        fence = None
        for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), 1):
            if fence is not None:
                if line.strip() == "```":
                    blocks.append(Block(fence[0], "".join(f"{text}\n" for text in fence[2]),
                                        fence[1], shown(document)))
                    fence = None
                else:
                    fence[2].append(line)
            elif line.startswith("```"):
                fence = (line[3:].strip(), number + 1, [])
    return blocks


def example(name: str) -> Block:
    """The example file handbook/examples/``name``; a page must include it (a test checks)."""
    path = EXAMPLES / name
    if not path.is_file():
        pytest.fail(f"{shown(path)} is gone: the example this test builds has moved; "
                    "update tests/test_handbook.py")
    return Block(path.suffix.lstrip("."), path.read_text(encoding="utf-8"), 1, shown(path))


def front_matter(text: str) -> dict:
    match = re.match(r"---\n(.*?\n)---\n", text, re.S)
    assert match, f"example does not start with a front-matter block:\n{text}"
    return yaml.safe_load(match.group(1))


def publishing_env() -> dict[str, str]:
    """The variables the handbook's publishing command sets before `mkdocs build`."""
    block = example("publish.sh")
    assert "mkdocs build" in block.text, block.text
    command = shlex.split(block.text.replace("\\\n", " "), comments=True)
    env = dict(word.split("=", 1) for word in command if re.match(r"APPRODO_\w+=", word))
    assert {"APPRODO_SITE_URL", "APPRODO_LEAD_ACTION"} <= env.keys(), block.text
    return env


# --- reading the built HTML -------------------------------------------------------------

def words(text: str) -> str:
    """Text as a reader reads it: whitespace collapsed, heading permalinks (¶) left out."""
    return " ".join(text.replace("\u00b6", " ").split())


def resolve(page_url: str, href: str) -> str:
    """A link of the page at ``page_url`` (a site path like 'blog/') as a site path."""
    return urlsplit(urljoin("http://site/" + page_url, href)).path.lstrip("/")


# --- the examples, built once ---------------------------------------------------------------

STUB = "---\ntitle: {title}\ndescription: Una pagina di prova.\n{extra}---\n\n# {title}\n\n{body}\n"
KB_FILE = "anatomia-landing.md"       # docs/kb/<file-name>.md, any name
LANDING_SLUG = "esempio-readme"       # docs/landing/<slug>.md, any slug


def link_stubs(markdown: str, where: str) -> dict[str, str]:
    """Minimal pages for the relative .md links of an example (the sample site has them)."""
    stubs = {}
    for target in re.findall(r"\]\(([^)#\s]+\.md)", markdown):
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(where), target))
        if resolved.startswith("blog/posts/"):
            stubs[resolved] = STUB.format(
                title=f"Pagina collegata {len(stubs)}",
                extra="date: 2026-01-15\nauthors: [marco]\ncategories: [News]\n",
                body="Estratto.\n\n<!-- more -->\n\nTesto.")
        else:
            stubs[resolved] = STUB.format(title=f"Pagina collegata {len(stubs)}", extra="",
                                          body="Testo.")
    return stubs


def landing_example() -> str:
    """The full landing-page schema; the pages also show its short-link and social sections."""
    schema = example("landing.md").text
    for key in ("short_links", "social"):
        section = re.search(rf"--8<-- \[start:{key}\]\n{key}:.*?--8<-- \[end:{key}\]", schema, re.S)
        assert section, f"handbook/examples/landing.md has no '{key}' section for the pages to show"
    return schema


def site_file(project: Path, url: str) -> Path:
    """Where a file named by a site-absolute or page-relative URL lives in docs/."""
    return project / "docs" / url.lstrip("/")


@dataclass
class Examples:
    build: object
    post: dict
    post_url: str
    kb: dict
    kb_url: str
    landing: dict
    landing_url: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> Examples:
    post = example("post.md").text
    assert "<!-- more -->" in post
    kb = example("guide.md").text
    entry = example("glossary-entry.md").text
    landing = landing_example()
    files = {
        "blog/posts/esempio.md": post,
        f"kb/{KB_FILE}": kb,
        "kb/glossario.md": "---\ntitle: Glossario\ndescription: Le parole.\n---\n\n# Glossario\n\n"
                           + entry,
        "kb/uso-glossario.md": STUB.format(
            title="Uso del glossario", extra="",
            body="Ogni pagina di atterraggio ha un solo obiettivo. Una pagina di atterraggio."),
        f"landing/{LANDING_SLUG}.md": landing,
        **link_stubs(post, "blog/posts/esempio.md"),
        **link_stubs(kb, f"kb/{KB_FILE}"),
    }
    guides = ["kb/index.md", f"kb/{KB_FILE}", "kb/uso-glossario.md", "kb/glossario.md",
              *sorted(f for f in files if f.startswith("kb/") and f not in
                      {f"kb/{KB_FILE}", "kb/uso-glossario.md", "kb/glossario.md"})]
    nav = [item if "Guide" not in item else {"Guide": guides} for item in MINIMAL_NAV]
    project = make_project(tmp_path_factory.mktemp("readme"), files, {"nav": nav})
    # The files the schema's download and image name must exist: the handbook says so.
    meta = front_matter(landing)
    pdf = site_file(project, meta["thanks"]["download"])
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    image = site_file(project, meta["image"])
    image.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1200, 630), "white").save(image)
    env = publishing_env()
    build = run_build(project, env=env)
    assert build.returncode == 0, f"a handbook example does not build:\n{build.output}"
    post_meta = front_matter(post)
    date = post_meta["date"]
    return Examples(
        build=build, post=post_meta,
        post_url=f"blog/{date:%Y}/{date:%m}/{slugify(post_meta['title'])}/",
        kb=front_matter(kb), kb_url=f"kb/{Path(KB_FILE).stem}/",
        landing=meta, landing_url=f"landing/{LANDING_SLUG}/", env=env)


def test_post_example_is_published_where_the_handbook_says(examples):
    build, meta, url = examples.build, examples.post, examples.post_url
    page = dom(build.read(url))
    assert words(page.one("h1").text()) == meta["title"]
    assert page.one("meta", name="description").attrs["content"] == meta["description"]
    canonical = page.one("link", rel="canonical").attrs["href"]
    assert canonical == examples.env["APPRODO_SITE_URL"] + url
    text = page.find("body").text()
    assert "Il resto dell'articolo" in text
    assert "Giulia Ferraresi" in text            # authors: [giulia]
    assert re.search(r"\d+ min", text), "no reading time on the post"
    links = {resolve(url, h) for h in page.hrefs()}
    assert meta["categories"]
    for category in meta["categories"]:
        assert f"blog/category/{slugify(category)}/" in links
    # landing: guida-gratuita -> a call to action after the article, tagged as the handbook says.
    cta = [h for h in page.hrefs() if resolve(url, h) == f"landing/{meta['landing']}/"]
    assert cta, "the post has no call to action to its landing page"
    query = parse_qs(urlsplit(cta[0]).query)
    assert query["utm_source"] == ["blog"] and query["utm_medium"] == ["cta"]
    assert query["utm_campaign"] == [meta["landing"]]


def test_post_example_is_in_the_blog_index_with_its_excerpt_only(examples):
    build, url = examples.build, examples.post_url
    index = dom(build.read("blog/"))
    assert url in {resolve("blog/", h) for h in index.hrefs()}
    text = index.find("body").text()
    assert "Uno o due paragrafi di introduzione" in text
    assert "Il resto dell'articolo" not in text, "the excerpt goes past <!-- more -->"
    for category in examples.post["categories"]:
        listing = build.read(f"blog/category/{slugify(category)}/")
        assert url in {resolve(f"blog/category/{slugify(category)}/", h)
                       for h in dom(listing).hrefs()}
    tags = dom(build.read("tags/")).find("body").text()
    assert examples.post["tags"]
    for tag in examples.post["tags"]:
        assert tag in tags


def test_post_example_social_text_is_in_the_social_kit(examples):
    kit = json.loads(examples.build.read("social-kit.json"))
    slug = examples.post_url.rstrip("/").rsplit("/", 1)[1]
    rows = [r for r in kit["rows"] if r["kind"] == "post" and r["slug"] == slug]
    assert rows, "the post example is not in social-kit.json"
    assert {r["text"] for r in rows} == {examples.post["social"]["text"]}


def test_knowledge_base_example(examples):
    build, meta, url = examples.build, examples.kb, examples.kb_url
    page = dom(build.read(url))
    assert words(page.one("h1").text()) == meta["title"]
    assert page.one("meta", name="description").attrs["content"] == meta["description"]
    nav = [resolve(url, a.attrs["href"]) for a in page.find_all("a")
           if "md-nav__link" in a.attrs.get("class", "") and a.attrs.get("href")]
    assert url in nav or "" in nav, "the guide is not in the site navigation"
    hrefs = page.hrefs()
    assert any(resolve(url, h) == f"landing/{meta['landing']}/" for h in hrefs), \
        "the guide has no call to action to its landing page"
    tags_page = dom(build.read("tags/")).find("body").text()
    assert meta["tags"]
    for tag in meta["tags"]:
        assert tag in tags_page
    guides = dom(build.read("kb/"))
    assert "Guide" in guides.find("body").text()


def test_glossary_entry_example_links_its_synonyms_with_the_tooltip(examples):
    entry = example("glossary-entry.md").text
    term = re.search(r"^## (.+)$", entry, re.M).group(1)
    synonyms = re.search(r"<!-- sinonimi: (.+?) -->", entry).group(1).split(", ")
    definition = re.search(r"-->\n\n(.+?)\n\n", entry, re.S).group(1)
    glossary = dom(examples.build.read("kb/glossario/"))
    assert glossary.find_all("h2", id=slugify(term)), f"no #{slugify(term)} anchor in the glossary"
    page = dom(examples.build.read("kb/uso-glossario/"))
    links = [a for a in page.find_all("a") if a.attrs.get("href", "").endswith(
        f"glossario/#{slugify(term)}")]
    assert len(links) == 1, "a term is linked once per page"
    assert links[0].text().lower() in synonyms
    assert links[0].attrs["title"] == " ".join(definition.split())


def test_landing_example_full_schema(examples):
    build, meta, url = examples.build, examples.landing, examples.landing_url
    page = dom(build.read(url))
    assert words(page.one("title").text()).startswith(meta["title"])
    assert words(page.one("h1").text()) == meta["offer"]["headline"]   # the only <h1>
    text = page.find("body").text()
    for value in (meta["offer"]["subheadline"], *meta["offer"]["benefits"],
                  meta["offer"]["difference"]):
        assert words(value) in text
    closes = meta["closes"]
    if AS_OF.date() > closes:   # the test builds are made as of AS_OF, whatever day it is
        assert not page.find_all("form"), "the offer is closed: no form"
        return
    form = page.one("form").attrs
    assert form["method"] == "post"
    assert form["action"] == meta["form"]["action"], "a page's form.action wins"
    fields = {e.attrs["name"]: e for e in page.iter()
              if e.tag in {"input", "textarea"} and "name" in e.attrs}
    visible = ["email", *meta["form"]["fields"]]
    for name in visible:
        assert name in fields, f"the form has no '{name}' field"
        required = name == "email" or name in meta["form"].get("required", [])
        assert ("required" in fields[name].attrs) == required, name
    assert fields["phone"].attrs["type"] == "tel"
    assert fields["email"].attrs["type"] == "email"
    assert fields["message"].tag == "textarea"
    labels = {e.attrs["for"]: words(e.text()) for e in page.find_all("label") if "for" in e.attrs}
    assert meta["form"]["labels"]
    for name, label in meta["form"]["labels"].items():
        assert labels[fields[name].attrs["id"]].startswith(label)
    consent = fields["marketing_consent"].attrs
    assert meta["form"]["marketing"] and consent["type"] == "checkbox" and "checked" not in consent
    assert fields["landing"].attrs["value"] == LANDING_SLUG
    assert fields["_gotcha"].attrs["tabindex"] == "-1"
    assert fields["_next"].attrs["value"] == \
        examples.env["APPRODO_SITE_URL"] + url + "grazie/"
    assert words(page.one("button", type="submit").text()) == meta["form"]["submit"]
    assert meta["noindex"] is False, "the schema's example says noindex: false"
    assert f"<loc>{examples.env['APPRODO_SITE_URL']}{url}</loc>" in \
        build.read("sitemap.xml")
    if "event" in meta:   # the schema's event block: the date and time on the page
        start = str(meta["event"]["start"]).replace(" ", "T")[:16]   # YAML may read a datetime
        starts = [e.attrs.get("datetime", "") for e in page.find_all("time")]
        assert any(d.startswith(start) for d in starts), starts


def test_landing_example_thank_you_page(examples):
    build, meta, url = examples.build, examples.landing, examples.landing_url
    page = dom(build.read(url + "grazie/"))
    assert words(page.one("h1").text()) == meta["thanks"]["title"]
    assert words(meta["thanks"]["text"]) in page.find("body").text()
    download = [a for a in page.find_all("a") if "download" in a.attrs]
    assert len(download) == 1
    assert resolve(url + "grazie/", download[0].attrs["href"]) == \
        meta["thanks"]["download"].lstrip("/")
    assert words(download[0].text()) == meta["thanks"]["download_label"]
    assert page.one("meta", name="robots").attrs["content"].startswith("noindex")
    assert f"{url}grazie/" not in build.read("sitemap.xml")
    if "event" in meta:   # "Aggiungi al calendario" on the thank-you page
        ics = [resolve(url + "grazie/", h) for h in page.hrefs() if h.endswith(".ics")]
        assert ics == [f"{url}{LANDING_SLUG}.ics"], ics
        assert build.read(ics[0]).startswith("BEGIN:VCALENDAR")


def test_landing_example_short_link_and_social_texts(examples):
    build, meta, url = examples.build, examples.landing, examples.landing_url
    assert meta["short_links"]
    for channel, code in meta["short_links"].items():
        go = build.read(f"go/{code}/")
        target = re.search(r'http-equiv="refresh" content="0; ?url=([^"]+)"', go, re.I)
        assert target, f"go/{code}/ has no meta refresh"
        href = target.group(1).replace("&amp;", "&")
        # Without JavaScript the refresh passes the receiver's counting redirect (handbook: metrics).
        assert urlsplit(href).path == "/go"
        href = parse_qs(urlsplit(href).query)["to"][0]
        assert urlsplit(href).path.endswith("/" + url)
        assert parse_qs(urlsplit(href).query)["utm_source"] == [channel]
    if AS_OF.date() > meta["closes"]:
        return  # closed landing pages leave the social kit
    kit = json.loads(build.read("social-kit.json"))
    rows = {r["channel"]: r for r in kit["rows"] if r["slug"] == LANDING_SLUG}
    assert rows["x"]["text"] == meta["social"]["x"]
    assert rows["facebook"]["text"] == meta["social"]["text"]
    assert meta["short_links"]
    for channel, code in meta["short_links"].items():
        assert rows[channel]["short_url"].endswith(f"/go/{code}/")


def test_publishing_variables_reach_every_form_and_url(examples):
    """APPRODO_LEAD_ACTION is where a sample landing page posts (no form.action of its own)."""
    build, env = examples.build, examples.env
    form = dom(build.read("landing/guida-gratuita/")).one("form").attrs
    assert form["action"] == env["APPRODO_LEAD_ACTION"]
    assert f"Sitemap: {env['APPRODO_SITE_URL']}sitemap.xml" in build.read("robots.txt")
    home = dom(build.read(""))
    assert home.one("link", rel="canonical").attrs["href"] == env["APPRODO_SITE_URL"]


# --- the sample error lines -----------------------------------------------------------------

@dataclass(frozen=True)
class Sample:
    path: str       # docs/...
    line: int
    message: str    # after "path:line: "
    source: str     # where in the handbook, for failure messages


ERROR_LINE = re.compile(r"(docs/[\w./-]+\.(?:md|yml)):(\d+): (.+)")


def error_blocks() -> list[Block]:
    """Blocks that may show build output: the text examples and the pages' own text blocks."""
    return [*(example(p.name) for p in sorted(EXAMPLES.glob("*.txt"))),
            *(b for b in page_blocks() if b.lang in {"", "text"})]


def documented_samples() -> list[Sample]:
    """Every `docs/…:N: …` error the handbook shows, in code blocks or inline code."""
    samples = []
    for block in error_blocks():
        for offset, line in enumerate(block.text.splitlines()):
            found = ERROR_LINE.search(line)
            if found and line.lstrip().startswith("ERROR"):
                samples.append(Sample(found[1], int(found[2]), found[3],
                                      f"{block.source}:{block.line + offset}"))
    for document in DOCUMENTS:
        for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), 1):
            for code in re.findall(r"`([^`]+)`", line):
                found = ERROR_LINE.fullmatch(code)
                if found:
                    samples.append(Sample(found[1], int(found[2]), found[3],
                                          f"{shown(document)}:{number}"))
    return samples


# A mistake, given the sample's message: where in the file its line goes and what it says.
# "fm" lines go in the front matter (under "parent" if nested), "body" lines in the text;
# padding ("#" comments, blank lines) moves each to the line number the handbook names.
@dataclass(frozen=True)
class Mistake:
    place: str                # "fm" or "body"
    text: str
    replaces: str = ""        # a template line starting with this is dropped
    parent: str = ""          # a front-matter mapping the line belongs to
    after: tuple[str, ...] = ()  # body lines that must follow it
    before: tuple[str, ...] = ()  # body lines that must precede it


def _mistake(message: str) -> Mistake | None:
    rules = [
        (r"unknown category '(.+?)'", lambda m: Mistake("fm", f"categories: [{m[1]}]",
                                                        "categories:")),
        (r"impossible date '(.+?)'", lambda m: Mistake("fm", f"date: {m[1]}", "date:")),
        (r"unknown front-matter key '(.+?)'", lambda m: Mistake("fm", f"{m[1]}: prova")),
        (r"unknown landing page '(.+?)'", lambda m: Mistake("fm", f"landing: {m[1]}",
                                                            "landing:")),
        (r"malformed call to action '(.+?)'", lambda m: Mistake("body", m[1])),
        (r"internal link with UTM parameters '(.+?)'",
         lambda m: Mistake("body", f"Vedi [la pagina]({m[1]}).")),
        (r"glossary term '(.+?)' has no definition",
         # The error names the line where the definition should start: here, a heading.
         lambda m: Mistake("body", "## Zeta", before=(f"## {m[1]}",),
                           after=("", "Una definizione breve."))),
        (r"unknown field '(.+?)' in 'form.fields'",
         lambda m: Mistake("fm", f"  fields: [{m[1]}]", "  fields:", "form")),
        (r"form action '(.+?)' is not https://",
         lambda m: Mistake("fm", f"  action: {m[1]}", parent="form")),
    ]
    for pattern, make in rules:
        found = re.match(pattern, message)
        if found:
            return make(found)
    return None


TEMPLATES = {
    "post": ("---\ntitle: {title}\ndescription: Un articolo di prova.\ndate: 2026-03-01\n"
             "authors: [giulia]\ncategories: [Strategia]\n---\n\n# {title}\n\nIntroduzione.\n\n"
             "<!-- more -->\n\nTesto.\n"),
    "page": "---\ntitle: {title}\ndescription: Una pagina di prova.\n---\n\n# {title}\n\nTesto.\n",
    "glossary": ("---\ntitle: Glossario\ndescription: Le parole.\n---\n\n# Glossario\n\n"
                 "## Alfa\n\nLa prima voce del glossario.\n"),
    "landing": ("---\ntitle: {title}\ndescription: Una pagina di prova.\noffer:\n"
                "  headline: Una prova\nthanks:\n  title: Grazie\n  text: Grazie.\nform:\n"
                "  fields: [name]\n  submit: Invia\n---\n\nCorpo.\n"),
}


def template_kind(path: str) -> str:
    if path.startswith("docs/blog/posts/"):
        return "post"
    if path.startswith("docs/landing/"):
        return "landing"
    if path == "docs/kb/glossario.md":
        return "glossary"
    return "page"


def place(lines: list[str], start: int, items: list[tuple], pad: str,
          source: str) -> list[str]:
    """Insert each (line number, text, lines before, lines after) so that the text lands on
    that line, padding before it; ``start`` is the index where the first may go."""
    for number, text, before, after in sorted(items):
        first = number - 1 - len(before)
        if first < start:
            pytest.fail(f"{source}: cannot put '{text}' at line {number} of the fixture "
                        f"(the template already uses {start} lines): adapt tests/test_handbook.py")
        lines[start:start] = [pad] * (first - start) + [*before, text, *after]
        start = number + len(after)
    return lines


def mistaken_file(path: str, samples: list[Sample]) -> str:
    kind = template_kind(path)
    title = Path(path).stem.replace("-", " ").capitalize()
    lines = TEMPLATES[kind].format(title=title).splitlines()
    mistakes = []
    for sample in samples:
        mistake = _mistake(sample.message)
        if mistake is None:
            pytest.fail(f"{sample.source}: no way to rebuild the sample error "
                        f"'{sample.message}': add a rule to _mistake() in tests/test_handbook.py")
        mistakes.append((sample, mistake))
    for _, mistake in mistakes:
        if mistake.replaces:
            lines = [l for l in lines if not l.startswith(mistake.replaces)]
    by_parent: dict[str, list] = {}
    for sample, mistake in mistakes:
        if mistake.place == "fm":
            by_parent.setdefault(mistake.parent, []).append((sample.line, mistake.text, (), ()))
    # Nested lines first (they sit lower), then top-level ones right after the opening '---'.
    for parent, items in sorted(by_parent.items(), reverse=True):
        start = lines.index(f"{parent}:") + 1 if parent else 1
        indent = "  " if parent else ""
        lines = place(lines, start, items, indent + "#", path)
    body = [(s.line, m.text, m.before, m.after) for s, m in mistakes if m.place == "body"]
    if body:
        lines = place([*lines, ""], len(lines) + 1, body, "", path)
    return "\n".join(lines) + "\n"


def build_samples(tmp_path, samples: list[Sample]):
    by_path: dict[str, list[Sample]] = {}
    for sample in samples:
        by_path.setdefault(sample.path, []).append(sample)
    files = {path.removeprefix("docs/"): mistaken_file(path, group)
             for path, group in by_path.items()}
    build = run_build(make_project(tmp_path, files))
    assert build.returncode != 0, f"the handbook's sample mistakes built fine:\n{files}"
    return build


def as_pattern(message: str) -> str:
    """A documented message as a regex: '…' stands for text the handbook leaves out."""
    return ".*?".join(re.escape(part) for part in message.split("…"))


def assert_printed(build, samples: list[Sample]):
    errors = [line.split("-", 1)[1].strip() for line in build.output.splitlines()
              if line.startswith("ERROR")]
    for sample in samples:
        expected = f"{sample.path}:{sample.line}: {as_pattern(sample.message)}"
        assert any(re.fullmatch(expected, line) for line in errors), (
            f"{sample.source} promises\n  {sample.path}:{sample.line}: {sample.message}\n"
            "but the build printed:\n  " + "\n  ".join(errors))


def test_content_errors_block_is_exactly_what_the_build_prints(tmp_path):
    block = example("content-errors.txt")
    lines = [line for line in block.text.splitlines() if line.strip()]
    samples = content_block_samples()
    assert len(samples) >= 3, "the Content errors block lost its sample lines"
    build = build_samples(tmp_path, samples)
    printed = [line for line in build.output.splitlines() if line.startswith("ERROR")]
    # The whole block, spacing and the closing count included, is what the terminal shows.
    assert printed == lines, "\n".join(["handbook:", *lines, "build:", *printed])


def other_samples() -> list[Sample]:
    """The samples outside the Content errors block: landing pages' and those quoted in the text
    (glossary, calls to action, UTM links)."""
    block = {s.source for s in content_block_samples()}
    return [s for s in documented_samples() if s.source not in block]


@pytest.fixture(scope="module")
def samples_build(tmp_path_factory):
    """Every sample outside the Content errors block, rebuilt as mistakes in as few builds as
    possible (each build reports all its errors at once). A landing page's samples are one story
    in one file; other samples naming the same file are separate stories, so they go to separate
    builds."""
    units: dict[str, list[Sample]] = {}
    for sample in other_samples():
        landing = sample.path.startswith("docs/landing/")
        units.setdefault(sample.path if landing else f"{sample.path}:{sample.line}", []).append(sample)
    buckets: list[list[Sample]] = []
    for unit in units.values():
        free = [b for b in buckets if all(s.path != unit[0].path for s in b)]
        if free:
            free[0].extend(unit)
        else:
            buckets.append(list(unit))
    builds = []
    for index, bucket in enumerate(buckets):
        build = build_samples(tmp_path_factory.mktemp(f"samples{index}"), bucket)
        builds.append((bucket, build))
    return builds


def assert_printed_somewhere(builds, samples: list[Sample]):
    for sample in samples:
        [build] = [build for bucket, build in builds if sample in bucket]
        assert_printed(build, [sample])


def test_landing_validation_samples(samples_build):
    samples = [s for s in other_samples() if s.path.startswith("docs/landing/")]
    assert len(samples) >= 2, "the landing pages' validation samples are gone from the handbook"
    assert_printed_somewhere(samples_build, samples)


def test_inline_error_samples(samples_build):
    """The errors quoted in the text (glossary, calls to action, UTM links)."""
    samples = [s for s in other_samples() if not s.path.startswith("docs/landing/")]
    assert len(samples) >= 3, [s.source for s in samples]
    assert_printed_somewhere(samples_build, samples)


def content_block_samples() -> list[Sample]:
    block = example("content-errors.txt")
    return [s for s in documented_samples() if s.source.startswith(block.source + ":")]


def test_error_lines_use_the_build_log_format():
    """Samples in code blocks look like the terminal: `ERROR   -  path:line: …`."""
    checked = 0
    for block in error_blocks():
        for line in block.text.splitlines():
            if line.startswith("ERROR") and ERROR_LINE.search(line):
                checked += 1
                assert line.startswith("ERROR   -  "), f"{block.source}:{block.line}: {line}"
    assert checked >= 5


# --- names the handbook gives: commands, options, settings, files ---------------------------

def test_command_line_synopsis_matches_the_real_options():
    """Every option in the handbook's `approdo-leads` synopsis is one the command accepts."""
    block = example("approdo-leads.txt")
    commands: dict[str, list[str]] = {}
    current = ""
    for line in block.text.splitlines():
        found = re.match(r"approdo-leads (\w+)", line)
        if found:
            current = found[1]
        commands.setdefault(current, []).extend(re.findall(r"--[a-z][a-z-]*", line))
    assert {"serve", "export", "stats", "erase", "prune"} <= commands.keys(), commands
    for command, options in commands.items():
        result = subprocess.run([sys.executable, "-m", "leads", command, "--help"],
                                capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert result.returncode == 0, result.stderr
        for option in options:
            assert re.search(rf"{option}\b", result.stdout), \
                f"{block.source}: 'approdo-leads {command}' has no option {option}"


def documents_text() -> str:
    return "\n".join(d.read_text(encoding="utf-8") for d in DOCUMENTS)


def test_benchmark_options_the_handbook_names_exist():
    text = documents_text()
    scripts = sorted(set(re.findall(r"bench/(\w+)\.py", text)))
    assert scripts, "the handbook names no benchmark"
    for script in scripts:
        path = ROOT / "bench" / f"{script}.py"
        assert path.is_file(), f"the handbook names bench/{script}.py, which does not exist"
        result = subprocess.run([sys.executable, str(path), "--help"], capture_output=True,
                                text=True, cwd=ROOT, timeout=60)
        assert result.returncode == 0, result.stderr
        # An option written next to the script's name (same sentence) must be one it takes.
        for mention in re.finditer(rf"bench/{script}\.py[^.]*", text):
            for option in re.findall(r"`(--[a-z-]+)", mention.group(0)):
                assert option in result.stdout, f"bench/{script}.py has no option {option}"


def test_settings_the_handbook_names_are_real():
    """`extra.approdo.…` keys are in mkdocs.yml or read by a hook (a default)."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Lenient)
    hooks = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "hooks").rglob("*.py"))
    keys = set(re.findall(r"extra\.approdo\.([a-z_]+(?:\.[a-z_]+)*)", documents_text()))
    assert keys, "the handbook names no extra.approdo settings"
    for key in sorted(keys):
        node = config["extra"]["approdo"]
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        leaf = key.rsplit(".", 1)[-1]
        assert node is not None or re.search(rf"[\"']{leaf}[\"']", hooks), \
            f"the handbook names extra.approdo.{key}: not in mkdocs.yml and no hook reads '{leaf}'"


class _Lenient(yaml.SafeLoader):
    """mkdocs.yml's !ENV and !!python/name tags, read as plain values."""


_Lenient.add_multi_constructor("!", lambda loader, suffix, node: None)
_Lenient.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)

# Paths the handbook names as possibilities, not as files of the repository.
HYPOTHETICAL = {"docs/robots.txt"}


def test_files_the_handbook_names_exist():
    missing = []
    lines = [(f"{shown(d)}:{n}", line) for d in DOCUMENTS
             for n, line in enumerate(d.read_text(encoding="utf-8").splitlines(), 1)]
    assert len(lines) > 500
    for where, line in lines:
        for code in re.findall(r"`([^`]+)`", line):
            for word in code.split():
                word = word.strip("(),;")
                if not re.match(r"(hooks|overrides|tests|bench|leads|docs|locks|handbook)/[\w./{},*<>-]*$", word) \
                        or word in HYPOTHETICAL or re.search(r":\d", word):
                    continue
                if word.startswith("docs/") and re.search(r"<|/x\.|\bx\.md", word):
                    continue    # an example name such as docs/landing/<slug>.md
                if not _exists(word):
                    missing.append(f"{where}: {word}")
    assert not missing, "the handbook names files that do not exist:\n" + "\n".join(missing)


def _exists(pattern: str) -> bool:
    """A path with optional <placeholder>, * and {a,b} alternatives matches a real file."""
    alternatives = re.match(r"(.*)\{([^}]*)\}(.*)", pattern)
    if alternatives:
        return all(_exists(alternatives[1] + choice + alternatives[3])
                   for choice in alternatives[2].split(","))
    glob = re.sub(r"<[^>]+>", "*", pattern).rstrip("/")
    return any(ROOT.glob(glob)) or any(ROOT.glob("docs/" + glob))


# --- the handbook site and the README ------------------------------------------------------

@pytest.fixture(scope="module")
def handbook(tmp_path_factory):
    build = run_build(ROOT, "-f", "handbook/mkdocs.yml",
                      site=tmp_path_factory.mktemp("handbook") / "site")
    assert build.returncode == 0, build.output
    return build.site


def test_handbook_builds_strictly_with_every_page_in_the_nav(handbook):
    built = sorted(p.parent.relative_to(handbook).as_posix()
                   for p in handbook.rglob("index.html") if p.parent != handbook / "search")
    sources = sorted(p.stem for p in (HANDBOOK / "docs").glob("*.md") if p.stem != "index")
    assert len(sources) >= 12
    assert built == sorted([".", *sources])
    home = dom((handbook / "index.html").read_text(encoding="utf-8"))
    nav = {resolve("", h).rstrip("/") for h in home.hrefs()}
    for page in PAGES:
        assert (page.stem if page.stem != "index" else "") in nav, page
    # Offline and private: no web font, no request to another origin from the theme.
    assert "fonts.googleapis" not in (handbook / "index.html").read_text(encoding="utf-8")


def test_every_example_is_shown_in_the_handbook(handbook):
    """Each example file is included (not copied) in a page, and what a reader sees is it."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in PAGES)
    built = {p: words(dom(p.read_text(encoding="utf-8")).find("body").text())
             for p in handbook.rglob("*.html")}
    examples = sorted(EXAMPLES.iterdir())
    assert len(examples) >= 7
    for path in examples:
        assert f'--8<-- "{path.name}' in sources, f"no page includes {shown(path)}"
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip() and "--8<--" not in line]
        assert lines
        assert any(all(words(line) in text for line in lines) for text in built.values()), \
            f"{shown(path)} is not shown whole on any handbook page"
    for text in built.values():
        assert "--8<--" not in text


def test_readme_is_short_and_leads_to_the_handbook():
    text = README.read_text(encoding="utf-8")
    assert 80 <= len(text.splitlines()) <= 150
    assert "./dev serve" in text and "./dev test" in text
    linked = set(re.findall(r"\]\((handbook/docs/[\w-]+\.md)", text))
    assert {shown(p) for p in PAGES if p.stem != "index"} <= linked
