"""A persistent cache of each page's converted HTML: warm builds convert only what changed.

MkDocs converts every page's Markdown on every build. This hook replaces a page's ``render``
with one that looks the result up under a key made of everything the HTML depends on:

- the page's final Markdown (after every hook and plugin has changed it), its source path,
  URL and whether it is excluded;
- the configuration that shapes conversion (Markdown extensions and their settings, link
  validation, directory URLs) and the versions of MkDocs, Python-Markdown, PyMdown Extensions
  and Material, plus the source code of extensions given as objects;
- what extensions say a page depends on (``cache_key(markdown)``: the glossary names the page
  and the terms its text may contain, so editing a term reconverts only the pages that use it).

Links are the one input the Markdown does not show: a page's HTML holds the URL of every page
it links to. Each entry records the files its links looked up and their URLs; an entry is used
only if every one of them still resolves the same way. Warnings logged while converting are
stored and logged again on a cache hit, so `--strict` fails the same way warm or cold.

Material's post excerpts go through the same store (``hooks/material_speedups.py``), keyed by
the Markdown before the separator and the URL of the listing that shows them.

Entries live in ``.cache/approdo/pages/`` (``APPRODO_PAGE_CACHE`` moves it; ``=off`` disables
the cache); after a full build every entry the build did not use is deleted.
"""

from __future__ import annotations

import logging
import os
import platform
from importlib.metadata import version
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.toc import get_toc

from approdo import page_cache
from approdo.page_cache import PageStore, digest, toc_tokens

log = logging.getLogger("mkdocs.hooks.page_cache")

CACHE_DIR = ".cache/approdo/pages"
_PACKAGES = ("mkdocs", "markdown", "pymdown-extensions", "mkdocs-material")
# The log names the converted pages when there are only a few (an edit under `mkdocs serve`).
_NAMED = 10

_dirty = False


def on_startup(command, dirty):
    global _dirty
    _dirty = dirty


def on_config(config):
    # `mkdocs serve` keeps this module: a new store (and its counters) for every build.
    setting = os.environ.get("APPRODO_PAGE_CACHE", "")
    if setting == "off":
        page_cache.activate(None)
        return config
    root = Path(config.config_file_path).parent
    page_cache.activate(PageStore(Path(setting) if setting else root / CACHE_DIR))
    return config


# Before any page: every plugin and hook has added its Markdown extensions in on_config (the
# glossary adds one), so the configuration is final.
def on_pre_build(config):
    store = page_cache.active()
    if store is None:
        return
    store.salt = digest({
        "extensions": [_extension_identity(extension) for extension in config.markdown_extensions],
        "configs": config.mdx_configs,
        "validation": repr(config.validation),
        "directory_urls": config.use_directory_urls,
        "versions": [version(package) for package in _PACKAGES],
        "python": platform.python_version(),
    })


def _extension_identity(extension):
    """A named extension by name; an extension object by its class and its package's code."""
    if isinstance(extension, str):
        return extension
    module = __import__(type(extension).__module__, fromlist=["_"])
    folder = Path(module.__file__).parent
    return [type(extension).__qualname__,
            [digest(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.py"))]]


# Priority -100: after every other handler (Material's blog at -50 included) has changed the
# Markdown, so the key sees the exact text that is converted.
@event_priority(-100)
def on_page_markdown(markdown, page, config, files):
    store = page_cache.active()
    if store is not None:
        convert = page.render
        page.render = lambda config, files: _render(page, config, files, convert, store)
    return markdown


def _render(page, config, files, convert, store: page_cache.PageStore) -> None:
    extensions = [extension.cache_key(page.markdown) for extension in config.markdown_extensions
                  if hasattr(extension, "cache_key")]
    inputs = ["page", page.file.src_uri, page.file.url, page.file.inclusion.is_excluded(),
              page.markdown, extensions]

    def converted() -> dict:
        convert(config, files)
        return {
            "content": page.content,
            "toc": toc_tokens(page.toc),
            "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links_to_anchors": {file.src_uri: links
                                 for file, links in (page.links_to_anchors or {}).items()},
        }

    result = store.convert(page.file.src_uri, inputs, files, converted)
    page.content = result["content"]
    page.toc = get_toc(result["toc"])
    page._title_from_render = result["title"]
    page.present_anchor_ids = set(result["anchors"])
    if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = {files.get_file_from_path(src_uri): links
                                 for src_uri, links in result["links_to_anchors"].items()}


def on_post_build(config):
    store = page_cache.active()
    if store is None:
        return
    removed = 0 if _dirty else store.prune()
    named = store.converted
    names = f" ({', '.join(sorted(named))})" if 0 < len(named) <= _NAMED else ""
    log.info(f"page cache: {store.hits} pages and excerpts from cache, {len(named)} converted"
             f"{names}, {removed} old entries removed")
