"""The build-speed fixes change nothing a reader gets (speed itself is measured in bench/).

A fixture blog (the sample site plus generated posts, enough for paginated listings) is built
with and without ``hooks/material_speedups.py`` and every output file is compared.
"""

from __future__ import annotations

import re
from pathlib import Path

import material
import pytest
from mkdocs.exceptions import PluginError

import material_speedups
from approdo.excerpts import excerpt_source
from bench.build_speed import write_projects
from conftest import run_build

SEPARATOR = "<!-- more -->"
# Listing pages: the only ones that show excerpts.
LISTING = re.compile(r"^blog/(index\.html|page/|archive/|category/|author/)")
GLOSSARY_LINK = re.compile(r'<a class="approdo-glossary" [^>]*>([^<]*)</a>')


def _files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def blog(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("speed")
    project, _ = write_projects(base, 20)
    # A post whose excerpt cannot be cut (a footnote defined after the separator).
    (project / "docs/blog/posts/nota.md").write_text(
        "---\ntitle: Una nota a piè di pagina\ndescription: Prova.\ndate: 2024-03-03\n"
        "authors: [giulia]\ncategories: [Strategia]\n---\n\n# Una nota a piè di pagina\n\n"
        "Il testo dell'estratto con una nota[^1].\n\n<!-- more -->\n\n## Dopo\n\n"
        "Il resto.\n\n[^1]: La nota.\n", encoding="utf-8")
    return project


def test_material_speedups_change_no_output_but_intended_glossary_links(blog, tmp_path):
    env = {"SOURCE_DATE_EPOCH": "1793491200", "APPRODO_CARD_CACHE": str(tmp_path / "cards")}
    before = run_build(blog, "--site-dir", str(tmp_path / "off"),
                       env={**env, "APPRODO_MATERIAL_SPEEDUPS": "0"})
    assert before.returncode == 0, before.output
    after = run_build(blog, "--site-dir", str(tmp_path / "on"), env=env)
    assert after.returncode == 0, after.output
    off, on = _files(tmp_path / "off"), _files(tmp_path / "on")
    assert len(off) > 200 and off.keys() == on.keys()
    assert any(name.startswith("blog/page/2/") for name in off), "the fixture must paginate"
    differing = [name for name in off if off[name] != on[name]]
    # Intended difference (handbook/docs/benchmarks.md): an excerpt links a glossary term that
    # the post links by hand only after the separator. Nothing else may change.
    for name in differing:
        assert LISTING.match(name), name
        assert (GLOSSARY_LINK.sub(r"\1", off[name].decode()) ==
                GLOSSARY_LINK.sub(r"\1", on[name].decode())), name
    # The footnote post's excerpt is there, with its footnote reference, in both builds.
    listing = on["blog/category/strategia/index.html"].decode()
    assert "Il testo dell&#39;estratto con una nota" in listing or \
        "Il testo dell'estratto con una nota" in listing


def test_speedups_refuse_another_material_version(monkeypatch):
    monkeypatch.setattr(material, "__version__", "9.9.0")
    with pytest.raises(PluginError, match="patches Material 9.8.2, this is 9.9.0"):
        material_speedups.on_config(None)


@pytest.mark.parametrize("markdown", [
    "Intro.\n\n<!-- more -->\n\nResto con [^1].\n\n[^1]: nota\n",        # footnote
    "Intro [link][a].\n\n<!-- more -->\n\n[a]: https://example.com\n",   # reference
    "Intro HTML.\n\n<!-- more -->\n\n*[HTML]: HyperText\n",              # abbreviation
    "```\ncodice\n\n<!-- more -->\n\n```\n",                              # inside a fence
    "Intro.\n<!-- more -->\n\nResto.\n",                                  # inside a paragraph
    "!!! note\n\n    Intro.\n    <!-- more -->\n",                        # indented
    "<div markdown>\n\nIntro.\n\n<!-- more -->\n\n</div>\n",              # inside HTML
    "Intro.\n\n<!-- more -->\n\nAncora <!-- more -->\n",                  # twice
    "Senza separatore.\n",
])
def test_excerpt_is_not_cut_where_the_rest_could_change_it(markdown):
    assert excerpt_source(markdown, SEPARATOR) is None


def test_excerpt_is_the_markdown_before_the_separator():
    source = excerpt_source("# T\n\nIntro.\n\n<!-- more -->\n\n## Dopo\n\nResto.\n", SEPARATOR)
    assert source is not None
    assert source.before == "# T\n\nIntro.\n\n" and source.has_more
    ending = excerpt_source("Intro.\n\n<!-- more -->\n", SEPARATOR)
    assert ending is not None and not ending.has_more
