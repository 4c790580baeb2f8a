"""The project settings the content checks need, from MkDocs' loaded config or from mkdocs.yml.

The build hands over its loaded config (``from_mkdocs``); the command-line tools read
``mkdocs.yml`` themselves (``load``) without importing MkDocs, so that ``approdo check`` starts
in a fraction of a second. Both give the same ``Settings``, so both check against the same facts.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from approdo.social import shown_path

CONFIG_NAME = "mkdocs.yml"
# Material's blog plugin defaults (material/plugins/blog/config.py) for the settings we read.
BLOG_DEFAULTS = {
    "blog_dir": "blog",
    "post_dir": "{blog}/posts",
    "authors_file": "{blog}/.authors.yml",
    "post_excerpt": "optional",
    "post_excerpt_separator": "<!-- more -->",
    "post_url_format": "{date}/{slug}",
    "post_url_date_format": "yyyy/MM/dd",
    "categories_allowed": [],
}
# Where `mkdocs serve` publishes by default: the base of absolute URLs (feeds, sitemap, calendar
# files, structured data) when mkdocs.yml sets no site_url.
PREVIEW_URL = "http://127.0.0.1:8000/"


def site_root(site_url: str | None) -> str:
    """The address absolute URLs are built on, ending in "/": ``site_url`` or the preview's."""
    url = site_url or PREVIEW_URL
    return url if url.endswith("/") else url + "/"


@dataclass(frozen=True)
class Blog:
    """What Material's blog plugin is configured with, as far as content checks care."""

    blog_dir: str = "blog"
    # Docs-relative folder of the posts, with a trailing slash ("blog/posts/").
    posts_dir: str = "blog/posts/"
    # Docs-relative path of the authors file ("blog/.authors.yml").
    authors_file: str = "blog/.authors.yml"
    categories: tuple[str, ...] = ()
    # The separator every post must contain; "" when excerpts are optional.
    excerpt_separator: str = ""
    post_url_format: str = "{date}/{slug}"
    post_url_date_format: str = "yyyy/MM/dd"

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> Blog:
        merged = {**BLOG_DEFAULTS, **{k: v for k, v in options.items() if v is not None}}
        blog_dir = str(merged["blog_dir"]).strip("/")
        return cls(
            blog_dir=blog_dir,
            posts_dir=str(merged["post_dir"]).format(blog=blog_dir).strip("/") + "/",
            authors_file=str(merged["authors_file"]).format(blog=blog_dir).strip("/"),
            categories=tuple(str(name) for name in merged["categories_allowed"] or ()),
            excerpt_separator=(str(merged["post_excerpt_separator"])
                               if merged["post_excerpt"] == "required" else ""),
            post_url_format=str(merged["post_url_format"]),
            post_url_date_format=str(merged["post_url_date_format"]),
        )


@dataclass(frozen=True)
class Settings:
    """One project: where its files are and what its content is checked against."""

    # Error paths are relative to this folder (the one holding mkdocs.yml).
    root: Path
    docs_dir: Path
    config_file: Path
    site_url: str = ""
    blog: Blog | None = None
    # ``extra`` of mkdocs.yml (Approdo's own settings are under ``extra.approdo``).
    extra: Mapping[str, Any] = field(default_factory=dict)
    # ``theme.language``: the locale dates in post URLs are formatted in.
    language: str = "en"
    # Where Material looks up templates and icons (``theme.dirs``: overrides first).
    theme_dirs: tuple[str, ...] = ()

    @property
    def approdo(self) -> Mapping[str, Any]:
        value = (self.extra or {}).get("approdo")
        return value if isinstance(value, Mapping) else {}

    def shown(self, src_uri: str) -> str:
        """A docs-relative path as errors name it: relative to the project root ("docs/x.md")."""
        return shown_path(self.docs_dir, self.root, src_uri)

    @classmethod
    def from_mkdocs(cls, config: Any) -> Settings:
        """From MkDocs' loaded config (the build). Duck-typed: no MkDocs import here."""
        blog_plugin = config.plugins.get("material/blog")
        blog = Blog.from_mapping(dict(blog_plugin.config)) if blog_plugin is not None else None
        return cls(root=Path(config.config_file_path).parent, docs_dir=Path(config.docs_dir),
                   config_file=Path(config.config_file_path), site_url=config.site_url or "",
                   blog=blog, extra=dict(config.extra or {}),
                   language=str(config.theme["language"] or "en"),
                   theme_dirs=tuple(config.theme.dirs))


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without MkDocs: ``!ENV`` gives the variable or its default, and
    ``!!python/name:`` gives the dotted name as text (nothing is imported)."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        items = loader.construct_sequence(node, deep=True)
        names, default = items[:-1] if len(items) > 1 else items, items[-1] if len(items) > 1 else None
    elif isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        raise yaml.constructor.ConstructorError(None, None, "!ENV takes a variable name or a list of "
                                                "names and a default", node.start_mark)
    for name in names:
        if str(name) in os.environ:
            return os.environ[str(name)]
    return default


_ConfigLoader.add_constructor("!ENV", _env)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/name:",
                                    lambda loader, suffix, node: suffix)
_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def find_config(start: Path) -> Path:
    """The mkdocs.yml of the project ``start`` is in (it or a parent folder)."""
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder / CONFIG_NAME
    raise FileNotFoundError(f"no {CONFIG_NAME} in {start} or any folder above it")


def _theme_dirs(root: Path, theme: Mapping[str, Any]) -> tuple[str, ...]:
    """``theme.dirs`` as MkDocs builds it: custom_dir, the theme's templates, MkDocs' own.
    Found without importing either package (importing MkDocs costs most of a second)."""
    dirs = [str(root / theme["custom_dir"])] if theme.get("custom_dir") else []
    name = theme.get("name") if isinstance(theme, Mapping) else theme
    for package, folder in ((name, "templates"), ("mkdocs", "templates")):
        spec = importlib.util.find_spec(str(package)) if package else None
        if spec is not None and spec.submodule_search_locations:
            dirs.append(str(Path(list(spec.submodule_search_locations)[0]) / folder))
    return tuple(dirs)


def load(config_file: Path) -> Settings:
    """Settings from ``mkdocs.yml`` as MkDocs would read them (docs_dir, blog, extra)."""
    data = yaml.load(config_file.read_text(encoding="utf-8-sig"), Loader=_ConfigLoader) or {}
    root = config_file.resolve().parent
    blog = None
    for plugin in data.get("plugins") or ():
        name, options = (plugin, {}) if isinstance(plugin, str) else next(iter(plugin.items()))
        if name in ("blog", "material/blog"):
            blog = Blog.from_mapping(options or {})
    site_url = str(data.get("site_url") or "")
    if site_url and not site_url.endswith("/"):
        site_url += "/"  # as MkDocs normalises it
    return Settings(root=root, docs_dir=root / str(data.get("docs_dir") or "docs"),
                    config_file=config_file, site_url=site_url, blog=blog,
                    extra=data.get("extra") or {},
                    language=str((data.get("theme") or {}).get("language") or "en"),
                    theme_dirs=_theme_dirs(root, data.get("theme") or {}))
