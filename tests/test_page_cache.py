"""The page cache: a warm build is byte-identical to a cold one and renders no page, and a
change to something a page depends on reconverts and renders again exactly the pages that
depend on it (and their output is what a cold build gives)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_build

CONVERTED = re.compile(
    r"page cache: (\d+) pages and excerpts from cache, (\d+) converted(?: \(([^)]*)\))?")
RENDERED = re.compile(
    r"page cache: (\d+) rendered pages from cache, (\d+) rendered(?: \(([^)]*)\))?, "
    r"(\d+) not cacheable; (\d+) search entries from cache, (\d+) indexed")


class Rendered:
    """What the build's log says about rendered pages and search entries."""

    def __init__(self, output: str) -> None:
        match = RENDERED.search(output)
        assert match, output
        self.hits, self.rendered = int(match.group(1)), int(match.group(2))
        self.named = set(match.group(3).split(", ")) if match.group(3) else set()
        self.uncacheable = int(match.group(4))
        self.search_hits, self.indexed = int(match.group(5)), int(match.group(6))


def _changed_pages(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    pages = [name for name in after if name.endswith(".html")]
    assert pages
    return {name for name in pages if before.get(name) != after[name]}


def _files(site: Path) -> dict[str, bytes]:
    files = {path.relative_to(site).as_posix(): path.read_bytes()
             for path in sorted(site.rglob("*")) if path.is_file()}
    assert len(files) > 50
    return files


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        for folder in ("docs", "overrides", "hooks"):
            shutil.copytree(ROOT / folder, root / folder,
                            ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
        self.cards = root / "cards"
        self.builds = 0

    def build(self, cache: str = "") -> tuple[dict[str, bytes], int, int, set[str]]:
        """Build into a new folder; returns the files, pages from cache, converted pages and
        (when the log names them) which pages were converted."""
        self.builds += 1
        site = self.root / f"site-{self.builds}"
        env = {"SOURCE_DATE_EPOCH": "1793491200", "APPRODO_CARD_CACHE": str(self.cards)}
        if cache:
            env["APPRODO_PAGE_CACHE"] = str(self.root / cache)
        result = run_build(self.root, "--site-dir", str(site), env=env)
        assert result.returncode == 0, result.output
        match = CONVERTED.search(result.output)
        assert match, result.output
        named = set(match.group(3).split(", ")) if match.group(3) else set()
        self.rendered = Rendered(result.output)
        return _files(site), int(match.group(1)), int(match.group(2)), named

    def renders_exactly_what_changed(self, files: dict[str, bytes],
                                     unchanged: frozenset[str] = frozenset()) -> set[str]:
        """The pages rendered again are exactly those whose HTML differs from the last build
        (none is served stale from the cache), plus the ``unchanged`` ones (sources) whose
        template is given the changed thing but does not print it; returns the changed."""
        changed = _changed_pages(self.last, files)
        assert self.rendered.rendered == len(changed) + len(unchanged), (
            self.rendered.named, changed)
        assert unchanged <= self.rendered.named or len(self.rendered.named) == 0
        self.last = files
        return changed

    def edit(self, path: str, old: str, new: str) -> None:
        file = self.root / "docs" / path
        text = file.read_text(encoding="utf-8")
        assert old in text
        file.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    project = Project(tmp_path_factory.mktemp("cache"))
    files, hits, converted, _ = project.build()
    assert hits == 0 and converted > 40
    assert project.rendered.hits == 0 and project.rendered.rendered > 40
    assert project.rendered.uncacheable == 0
    project.cold = files
    project.pages = converted
    project.rendered_pages = project.rendered.rendered
    project.last = files
    return project


def test_warm_build_is_byte_identical_to_cold(project):
    files, hits, converted, _ = project.build()
    assert converted == 0 and hits == project.pages
    # Not one page rendered or parsed for the search index again: all from the cache.
    rendered = project.rendered
    assert rendered.rendered == 0 and rendered.indexed == 0 and rendered.uncacheable == 0
    assert rendered.hits == project.rendered_pages and rendered.search_hits > 40
    assert files == project.cold
    project.last = files


def test_glossary_term_reconverts_only_the_pages_that_use_it(project):
    project.edit("kb/glossario.md", "## Squeeze page\n\n", "## Squeeze page\n\nNuova definizione. ")
    files, _, converted, named = project.build()
    users = {path.relative_to(project.root / "docs").as_posix()
             for path in (project.root / "docs").rglob("*.md")
             if "squeeze" in path.read_text(encoding="utf-8").casefold()}
    assert {"kb/glossario.md", "kb/landing-page-efficaci.md"} <= users
    assert named == users and converted == len(users)
    changed = project.renders_exactly_what_changed(files)
    assert "kb/landing-page-efficaci/index.html" in changed
    cold, hits, _, _ = project.build(cache="fresh-glossary")
    assert hits == 0 and files == cold
    page = files["kb/landing-page-efficaci/index.html"].decode()
    assert 'title="Nuova definizione.' in page


def test_landing_title_needs_no_conversion_and_shows_everywhere(project):
    # A landing page's headline is shown by templates around the converted HTML (calls to
    # action), so no page is converted again, and every page shows the new headline.
    project.edit("landing/guida-gratuita.md", "headline: Dai social ai clienti, in sette passi",
                 "headline: Sette passi dai social ai clienti")
    files, _, converted, _ = project.build()
    assert converted == 0
    # The thank-you page is given its landing page (for its links) but shows no headline.
    changed = project.renders_exactly_what_changed(
        files, frozenset({"landing/guida-gratuita/grazie.md"}))
    assert "landing/guida-gratuita/index.html" in changed
    cold, _, _, _ = project.build(cache="fresh-landing")
    assert files == cold
    assert any("Sette passi dai social ai clienti" in html.decode("utf-8", "replace")
               for name, html in files.items() if name.startswith("blog/20"))


def test_post_title_renders_again_the_listings_that_show_it(project):
    title = "Azienda e consulente: come si lavora davvero insieme"
    project.edit("blog/posts/azienda-e-consulente.md", f"title: '{title}'",
                 "title: 'Azienda e consulente, fianco a fianco'")
    project.edit("blog/posts/azienda-e-consulente.md", f"# {title}",
                 "# Azienda e consulente, fianco a fianco")
    files, _, converted, named = project.build()
    assert converted >= 1 and "blog/posts/azienda-e-consulente.md" in named
    changed = project.renders_exactly_what_changed(files)
    # The post, the listings that show it, and not the unrelated guides.
    listing = "blog/category/strategia/index.html"
    assert listing in changed and "kb/glossario/index.html" not in changed
    assert 0 < len(changed) < len([name for name in files if name.endswith(".html")]) / 2
    cold, _, _, _ = project.build(cache="fresh-title")
    assert files == cold
    assert "Azienda e consulente, fianco a fianco" in files[listing].decode()


def test_template_change_renders_every_page_again(project):
    footer = project.root / "overrides" / "partials" / "copyright.html"
    assert footer.is_file()
    footer.write_text(footer.read_text(encoding="utf-8") + "\n<!-- nuovo piè di pagina -->\n",
                      encoding="utf-8")
    files, _, converted, _ = project.build()
    assert converted == 0  # the Markdown's HTML does not depend on templates
    rendered = project.rendered
    assert rendered.hits == 0 and rendered.rendered == project.rendered_pages
    assert rendered.search_hits > 40  # nor does the search index
    project.last = files
    assert "nuovo piè di pagina" in files["kb/glossario/index.html"].decode()


def test_config_change_reconverts_every_page(project):
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "permalink_title: Link a questa sezione", "permalink_title: Link al paragrafo"),
        encoding="utf-8")
    files, hits, converted, _ = project.build()
    assert hits == 0 and converted == project.pages
    assert project.rendered.hits == 0 and project.rendered.rendered == project.rendered_pages
    assert 'aria-label="Link al paragrafo"' in files["kb/glossario/index.html"].decode()


def test_broken_link_fails_strict_warm_as_cold(project):
    project.edit("kb/index.md", "leggi le guide in quest'ordine",
                 "leggi le guide ([manca](non-esiste.md)) in quest'ordine")
    site = project.root / "site-broken"
    for _ in range(2):  # cold for this page, then from the cache
        result = run_build(project.root, "--site-dir", str(site),
                           env={"APPRODO_CARD_CACHE": str(project.cards)})
        assert result.returncode != 0 and "non-esiste.md" in result.output


def test_store_keeps_only_what_the_build_used(tmp_path):
    from approdo.page_cache import PageStore

    first = PageStore(tmp_path)
    first.put("aa11", {"result": 1})
    first.put("bb22", {"result": 2})
    (tmp_path / "aa" / ".tmp-left-by-a-crash").write_text("{", encoding="utf-8")
    # Another build sharing the folder (a live process) is writing this one: it is kept.
    (tmp_path / "aa" / f".tmp-{os.getpid()}-being-written").write_text("{", encoding="utf-8")
    second = PageStore(tmp_path)  # the next build uses only one entry
    assert second.get("aa11")["result"] == 1
    assert second.get("cc33") is None
    assert second.prune() == 2
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        f".tmp-{os.getpid()}-being-written", "aa11.json"]
    (tmp_path / "aa" / "aa11.json").write_text("{not json", encoding="utf-8")
    assert PageStore(tmp_path).get("aa11") is None  # a damaged entry is a miss, not an error
