"""Repeated and quadratic work in Material's blog plugin, removed for Material 9.8.2 only (9.8.1 had the same blog plugin).

Each fix names its upstream cause and leaves the output as it was (tests/test_build_speed.py
builds a fixture blog with and without this hook and compares every file). Material is in
maintenance mode: the fixes are tied to the exact version they were written against, and the
build fails loudly on any other version, so that an upgrade makes someone look at them again.

Set ``APPRODO_MATERIAL_SPEEDUPS=0`` to build without them (the byte-identity test does).
"""

from __future__ import annotations

import logging
import os

import material
import yaml
from material.plugins.blog import plugin as blog_plugin
from material.plugins.blog import structure as blog_structure
from material.plugins.blog.readtime import readtime as material_readtime
from material.plugins.blog.structure import Excerpt, View
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.toc import get_toc

from approdo import page_cache
from approdo.excerpts import excerpt_source
from approdo.page_cache import toc_tokens

log = logging.getLogger("mkdocs.hooks.material_speedups")

# 9.8.2 changed only the privacy plugin (a path-traversal fix); the blog plugin these fixes
# patch is the same as in 9.8.1 (checked with diff -r on both wheels' material/plugins).
MATERIAL_VERSION = "9.8.2"

_ORIGINAL_RENDER = Excerpt.render
_ORIGINAL_RESOLVE_VIEWS = blog_plugin.BlogPlugin._resolve_views


class IdentityList(list):
    """A list whose ``in`` compares by identity.

    Upstream cause: ``BlogPlugin.on_page_markdown`` and ``on_page_content`` ask
    ``page not in self.blog.posts`` for every page, and ``Page.__eq__`` compares titles and
    files: N pages x N posts comparisons, the build's only quadratic step. A post is in the
    list as itself, never as an equal copy, so identity gives the same answer.
    """

    def __contains__(self, item) -> bool:
        return any(entry is item for entry in self)


class _PostIndex(IdentityList):
    """The blog's post list with a set of ids beside it, so ``in`` costs O(1)."""

    def __init__(self, posts) -> None:
        super().__init__(posts)
        self._ids = {id(post) for post in self}

    def __contains__(self, item) -> bool:
        return id(item) in self._ids


def _render_excerpt(self: Excerpt, page, separator: str) -> None:
    """``Excerpt.render`` converting only the Markdown before the separator, once.

    Upstream cause: ``Excerpt.render`` converts the post's whole Markdown for every view that
    lists the post (blog index, archive, category, author, their pages) and throws away all
    but the part before the separator. When cutting the Markdown first cannot change that part
    (``approdo.excerpts``), only the excerpt is converted, and the page cache keeps the result
    for the next build; otherwise Material's own code runs.
    """
    source = excerpt_source(self.post.markdown, separator)
    if source is None:
        return _ORIGINAL_RENDER(self, page, separator)
    self.file.url = page.url
    processors = self.md.treeprocessors
    processors[processors.get_index_for_name("excerpt")].base = page
    self.markdown = self.post.markdown
    before = source.before
    if not self.post._title_from_render:
        self.markdown = "\n\n".join([f"# {self.post.title}", self.markdown])
        before = "\n\n".join([f"# {self.post.title}", before])

    def convert() -> dict:
        # The whole post's HTML has a newline between the last block and the separator.
        html = self.md.convert(before) + "\n"
        return {"content": html, "toc": toc_tokens(get_toc(getattr(self.md, "toc_tokens", [])))}

    store = page_cache.active()
    if store is None:
        result = convert()
    else:
        # The views' URLs decide every relative link; the converter's own processors (the
        # glossary's) say what else the HTML depends on.
        extras = [processor.cache_key(before) for processor in processors
                  if hasattr(processor, "cache_key")]
        files = processors[processors.get_index_for_name("relpath")].files
        result = store.convert(f"{self.post.file.src_uri} in {page.url}",
                               ["excerpt", self.post.file.src_uri, self.post.url, page.url,
                                before, extras], files, convert)
    self.content = result["content"]
    self.toc = get_toc(result["toc"])
    # Templates only test `more` (a "continue reading" link): the rest is not converted.
    self.more = self.post.markdown.split(separator, 1)[1] if source.has_more else None
    self.file.url = self.post.url


def _resolve_views(self, view: View):
    """``BlogPlugin._resolve_views`` as an identity list.

    Upstream cause: ``on_page_markdown`` and ``on_page_context`` test ``view in
    self._resolve_views(self.blog)`` for every page, comparing it with ``Page.__eq__`` to every
    archive, category and author view.
    """
    return IdentityList(_ORIGINAL_RESOLVE_VIEWS(self, view))


# Upstream cause: Material's blog reads every post's front matter with PyYAML's pure-Python
# ``SafeLoader`` (MkDocs, for the same text, uses the C one when PyYAML has it): about a third
# of the blog's own time at 500 posts. ``CSafeLoader`` is the same safe constructor and
# resolver over libyaml's parser; a post's front matter has been validated by then (by
# validate_content, priority 100), and the byte-identity test covers the result.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _readtime(html: str, words_per_minute: int) -> int:
    """Material's reading time of a post, kept in the page cache by the post's HTML.

    Upstream cause: ``BlogPlugin.on_page_content`` parses every post's HTML again on every
    build to count its words, even when the HTML came unchanged from the page cache.
    """
    return page_cache.remember("readtime", ["readtime", page_cache.fingerprint(html),
                                            words_per_minute],
                               lambda: material_readtime(html, words_per_minute))


def _enabled() -> bool:
    return os.environ.get("APPRODO_MATERIAL_SPEEDUPS", "1") != "0"


def on_config(config):
    if material.__version__ != MATERIAL_VERSION:
        raise PluginError(
            f"hooks/material_speedups.py patches Material {MATERIAL_VERSION}, this is "
            f"{material.__version__}: check each fix against the new version's blog plugin, then "
            "update MATERIAL_VERSION (or remove the hook from mkdocs.yml)")
    # `mkdocs serve` keeps this module: install or remove the patches on every build.
    if _enabled():
        Excerpt.render = _render_excerpt
        blog_plugin.BlogPlugin._resolve_views = _resolve_views
        blog_structure.SafeLoader = _FAST_LOADER
        blog_plugin.readtime = _readtime
    else:
        Excerpt.render = _ORIGINAL_RENDER
        blog_plugin.BlogPlugin._resolve_views = _ORIGINAL_RESOLVE_VIEWS
        blog_structure.SafeLoader = yaml.SafeLoader
        blog_plugin.readtime = material_readtime
    return config


# Priority -60: right after Material's blog plugin (-50) has made its sorted list of posts.
@event_priority(-60)
def on_files(files, config):
    plugin = config.plugins.get("material/blog")
    if _enabled() and plugin is not None and getattr(plugin, "blog", None) is not None:
        plugin.blog.posts = _PostIndex(plugin.blog.posts)
    return files
