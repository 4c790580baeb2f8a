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

from approdo.page_cache import PageStore, digest

log = logging.getLogger("mkdocs.hooks.page_cache")

CACHE_DIR = ".cache/approdo/pages"
_PACKAGES = ("mkdocs", "markdown", "pymdown-extensions", "mkdocs-material")

_store: PageStore | None = None
_config_digest = ""
_dirty = False
_stats = {"hit": 0, "miss": 0}
# The pages converted in this build (the log names them when there are only a few).
_converted: list[str] = []
_NAMED = 10


def on_startup(command, dirty):
    global _dirty
    _dirty = dirty


def on_config(config):
    global _store, _config_digest
    _stats.update(hit=0, miss=0)
    _converted.clear()
    setting = os.environ.get("APPRODO_PAGE_CACHE", "")
    if setting == "off":
        _store = None
        return config
    root = Path(config.config_file_path).parent
    _store = PageStore(Path(setting) if setting else root / CACHE_DIR)
    return config


# Before any page: every plugin and hook has added its Markdown extensions in on_config (the
# glossary adds one), so the configuration is final.
def on_pre_build(config):
    global _config_digest
    extensions = [_extension_identity(extension) for extension in config.markdown_extensions]
    _config_digest = digest({
        "extensions": extensions,
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
    if _store is not None:
        convert = page.render
        page.render = lambda config, files: _render(page, config, files, convert)
    return markdown


def _key(page, config) -> str:
    contributions = [extension.cache_key(page.markdown) for extension in config.markdown_extensions
                     if hasattr(extension, "cache_key")]
    return digest([_config_digest, page.file.src_uri, page.file.url,
                   page.file.inclusion.is_excluded(), page.markdown, contributions])


def _render(page, config, files, convert) -> None:
    key = _key(page, config)
    entry = _store.get(key)
    if entry is not None and _links_unchanged(entry["lookups"], files):
        _restore(page, entry, files)
        _stats["hit"] += 1
        return
    lookups: dict[str, list] = {}
    records: list[logging.LogRecord] = []
    original_lookup = files.get_file_from_path

    def recording_lookup(path):
        found = original_lookup(path)
        lookups[path] = _resolution(found)
        return found

    handler = _Recorder(records)
    mkdocs_log = logging.getLogger("mkdocs")
    files.get_file_from_path = recording_lookup
    mkdocs_log.addHandler(handler)
    try:
        convert(config, files)
    finally:
        mkdocs_log.removeHandler(handler)
        del files.get_file_from_path  # back to the class's method
    _stats["miss"] += 1
    _converted.append(page.file.src_uri)
    _store.put(key, {
        "content": page.content,
        "toc": _toc_tokens(page),
        "title": page._title_from_render,
        "anchors": sorted(page.present_anchor_ids or ()),
        "links_to_anchors": {file.src_uri: links
                             for file, links in (page.links_to_anchors or {}).items()},
        "lookups": lookups,
        "logs": [[record.name, record.levelno, record.getMessage()] for record in records],
    })


def _resolution(found) -> list | None:
    return None if found is None else [found.url, found.inclusion.is_excluded()]


def _links_unchanged(lookups: dict, files) -> bool:
    return all(_resolution(files.get_file_from_path(path)) == resolved
               for path, resolved in lookups.items())


def _toc_tokens(page) -> list:
    """The table of contents as Python-Markdown's tokens, to rebuild it on a hit."""
    def token(item) -> dict:
        return {"level": item.level, "id": item.id, "name": item.title,
                "children": [token(child) for child in item.children]}
    return [token(item) for item in page.toc.items]


def _restore(page, entry: dict, files) -> None:
    page.content = entry["content"]
    page.toc = get_toc(entry["toc"])
    page._title_from_render = entry["title"]
    page.present_anchor_ids = set(entry["anchors"])
    if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = {files.get_file_from_path(src_uri): links
                                 for src_uri, links in entry["links_to_anchors"].items()}
    for name, level, message in entry["logs"]:
        logging.getLogger(name).log(level, message)


class _Recorder(logging.Handler):
    """Keeps the records logged while a page is converted, to log them again on a hit."""

    def __init__(self, records: list) -> None:
        super().__init__(logging.NOTSET)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def on_post_build(config):
    if _store is None:
        return
    removed = 0 if _dirty else _store.prune()
    named = f" ({', '.join(sorted(_converted))})" if 0 < len(_converted) <= _NAMED else ""
    log.info(f"page cache: {_stats['hit']} pages from cache, {_stats['miss']} converted{named}, "
             f"{removed} old entries removed")
