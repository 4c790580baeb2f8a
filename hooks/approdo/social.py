"""What the social hooks share: the landing pages of a site and the paths errors name.

No MkDocs import: functions take the few config values they need (a docs folder, the project
root, ``extra.approdo``), so the hooks stay thin and this stays testable.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Mapping

import yaml

from approdo.frontmatter import FrontMatter, parse
from approdo.paths import display_path
from approdo.landing import LANDING_DIR, Landing, is_landing_path
from approdo.landing_validation import load_landings


@dataclass(frozen=True)
class SiteLandings:
    """The landing pages of one build: every slug that exists, and those that are valid."""

    # Slugs of every landing file, valid or not: a link to a landing page with a mistake of its
    # own is not also "unknown" (the landing hook reports the real mistake).
    slugs: tuple[str, ...]
    valid: Mapping[str, Landing]

    def unknown(self, slug: str) -> bool:
        return slug not in self.slugs

    def expected(self) -> str:
        return "one of: " + (", ".join(self.slugs) if self.slugs else "no landing pages yet, "
                             "add docs/landing/<slug>.md")


def site_landings(docs_dir: str | Path, extra: Mapping[str, Any] | None, root: str | Path) -> SiteLandings:
    """Read the landing pages under ``docs_dir`` (errors are the landing hook's to report).

    Four social hooks ask in the same build: the result is cached on the files' sizes and
    modification times, so an edit (also under ``mkdocs serve``) is always read again.
    """
    docs = Path(docs_dir)
    folder = docs / LANDING_DIR
    files = sorted(file for file in folder.glob("*.md")
                   if is_landing_path(file.relative_to(docs).as_posix())) if folder.is_dir() else []
    leads = ((extra or {}).get("approdo") or {}).get("leads") or {}
    stamps = tuple((file.name, *_stamp(file)) for file in files)
    settings = tuple(sorted((str(key), str(value)) for key, value in leads.items()))
    return _site_landings(str(docs), str(root), stamps, settings)


@functools.lru_cache(maxsize=8)
def _site_landings(docs: str, root: str, stamps: tuple, settings: tuple) -> SiteLandings:
    valid, _ = load_landings(docs, dict(settings), root=root)
    return SiteLandings(tuple(PurePosixPath(name).stem for name, *_ in stamps), valid)


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def front_matter(path: str | Path) -> FrontMatter:
    """The parsed front matter of a file, parsed once per version of the file: several hooks
    read the same pages in one build."""
    return _front_matter(str(path), *_stamp(Path(path)))


# Room for every page of a blog of several thousand posts.
@functools.lru_cache(maxsize=16384)
def _front_matter(path: str, mtime_ns: int, size: int) -> FrontMatter:
    return parse(Path(path).read_text(encoding="utf-8-sig"))


def shown_path(docs_dir: str | Path, root: str | Path, src_path: str) -> str:
    """A docs-relative path as errors name it: relative to the project root ("docs/x.md")."""
    return display_path(Path(docs_dir) / PurePosixPath(src_path), root)


def approdo_settings(extra: Mapping[str, Any] | None, key: str) -> Mapping[str, Any]:
    """``extra.approdo.<key>`` as a mapping ({} when absent)."""
    value = ((extra or {}).get("approdo") or {}).get(key)
    return value if isinstance(value, Mapping) else {}


def post_date(page: Any):
    """The publication date of a blog post page (Material's ``Post``), or None for other pages."""
    date = getattr(getattr(page, "config", None), "date", None)
    return getattr(date, "created", None)


def recent_posts(pages: Iterable[Any], count: int) -> list[Any]:
    """The ``count`` newest published posts among ``pages``, newest first."""
    posts = [page for page in pages
             if post_date(page) is not None and not getattr(page.config, "draft", False)]
    posts.sort(key=lambda page: (post_date(page), page.url), reverse=True)
    return posts[:count]


def social_settings(extra: Mapping[str, Any] | None) -> dict[str, int]:
    """``extra.approdo.social``: how many posts the link in bio and the social kit list."""
    settings = approdo_settings(extra, "social")
    return {"bio_posts": int(settings.get("bio_posts", 6)),
            "kit_posts": int(settings.get("kit_posts", 10))}


def yaml_key_line(text: str, dotted: str) -> int:
    """The 1-based line of a dotted key ("extra.approdo.cta", "extra.social.0.link": list items
    by index) in a YAML file such as mkdocs.yml,
    or of its deepest parent found; 1 if none. Composing (not loading) ignores custom tags
    like ``!ENV``. A key given twice counts where it was last given, as YAML loaders do."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return 1
    line = 1
    for part in dotted.split("."):
        if isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
            continue
        if not isinstance(node, yaml.MappingNode):
            break
        found = [(key, value) for key, value in node.value
                 if isinstance(key, yaml.ScalarNode) and key.value == part]
        if not found:
            break
        key, node = found[-1]
        line = key.start_mark.line + 1
    return line
