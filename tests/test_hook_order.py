"""Hook order is explicit (``event_priority``), never implied by the order of mkdocs.yml's
``hooks:`` list: the sample site built with that list reversed is byte-identical to the site
built with it as written, and content errors are the same either way."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import ROOT, Build, run_build

HOOK_LINE = re.compile(r"^  - (hooks/\S+\.py)$", re.MULTILINE)
ORDERS = ("as written", "reversed")


def _config(order: str, docs: Path) -> str:
    """The real mkdocs.yml with its hooks (as absolute paths) in ``order``, the real overrides
    and ``docs`` as docs_dir."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    hooks = HOOK_LINE.findall(text)
    assert len(hooks) > 10, hooks
    if order == "reversed":
        hooks.reverse()
    listed = iter(hooks)
    text = HOOK_LINE.sub(lambda _: f"  - {ROOT / next(listed)}", text)
    assert "custom_dir: overrides\n" in text
    text = text.replace("custom_dir: overrides\n", f"custom_dir: {ROOT / 'overrides'}\n", 1)
    return text + f"\ndocs_dir: {docs}\n"


def _build(folder: Path, order: str, cards: Path, docs: Path = ROOT / "docs") -> Build:
    """Build with the hooks in ``order``; ``folder`` has the same name for every order, so
    nothing but the order differs."""
    folder.mkdir(parents=True)
    (folder / "mkdocs.yml").write_text(_config(order, docs), encoding="utf-8")
    # A page cache of its own: every page converted. The card cache is shared by the two
    # orders: a card is named by a hash of everything drawn on it, so a card whose text the
    # order changed is drawn again, and an unchanged one would be drawn byte for byte the same.
    return run_build(folder, env={"APPRODO_PAGE_CACHE": str(folder / "pages"),
                                  "APPRODO_CARD_CACHE": str(cards)})


def _files(site: Path) -> dict[str, bytes]:
    files = {path.relative_to(site).as_posix(): path.read_bytes()
             for path in sorted(site.rglob("*")) if path.is_file()}
    assert len(files) > 50
    return files


def test_reversed_hook_list_builds_the_same_site(tmp_path):
    builds = [_build(tmp_path / str(n) / "project", order, tmp_path / "cards")
              for n, order in enumerate(ORDERS)]
    for build in builds:
        assert build.returncode == 0, build.output
    as_written, reversed_ = (_files(build.site) for build in builds)
    assert sorted(as_written) == sorted(reversed_)
    differing = [name for name in as_written if as_written[name] != reversed_[name]]
    assert differing == [], differing[:40]


def test_a_link_to_a_generated_page_is_an_error_in_either_order(tmp_path):
    # The thank-you page and the link-in-bio page are made by hooks, not written by the
    # author: `approdo check` reports links to them, and so must every build.
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    guide = docs / "kb" / "dai-social-al-sito.md"
    guide.write_text(guide.read_text(encoding="utf-8")
                     + "\nVedi [grazie](../landing/guida-gratuita/grazie.md) e [bio](../bio.md).\n",
                     encoding="utf-8")
    outputs = []
    for n, order in enumerate(ORDERS):
        build = _build(tmp_path / str(n) / "project", order, tmp_path / "cards", docs)
        assert build.returncode != 0, build.output
        errors = sorted(line.split(" -  ", 1)[-1] for line in build.output.splitlines()
                        if line.startswith("ERROR") and "broken link" in line)
        outputs.append(errors)
    assert len(outputs[0]) == 2, outputs[0]
    for link in ("'../landing/guida-gratuita/grazie.md'", "'../bio.md'"):
        assert any(link in error for error in outputs[0]), outputs[0]
    assert outputs[0] == outputs[1]
