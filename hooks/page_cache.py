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
import re
from importlib.metadata import version
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from jinja2 import FileSystemBytecodeCache
from mkdocs.plugins import event_priority
from mkdocs.structure.toc import get_toc

from approdo import page_cache, template_inputs
from approdo.page_cache import PageStore, digest, toc_tokens

log = logging.getLogger("mkdocs.hooks.page_cache")

CACHE_DIR = ".cache/approdo/pages"
# Rendered pages (template output) and their search-index entries, beside the converted HTML.
RENDERED_DIR = "rendered"
SEARCH_DIR = "search"
# Values others compute from a page's HTML (Material's reading time): page_cache.remember.
DERIVED_DIR = "derived"
# Jinja's compiled templates: MkDocs makes a new environment for every build (and every rebuild
# under `mkdocs serve`), which compiled the theme's ~80 templates again each time. Jinja keys
# each entry by the template's source and its own version, and writes it atomically.
BYTECODE_DIR = "jinja"
_PACKAGES = ("mkdocs", "markdown", "pymdown-extensions", "mkdocs-material")
# The log names the converted pages when there are only a few (an edit under `mkdocs serve`).
_NAMED = 10
# Files Jinja may load as templates (the theme's icons are included by path, but read no context).
_TEMPLATES = {".html", ".xml", ".txt", ".js", ".json", ".j2", ".jinja"}

# The store of rendered pages of the build in progress (None when the cache is off).
_rendered: PageStore | None = None
_search: PageStore | None = None
_bytecode: FileSystemBytecodeCache | None = None
# Whether a template reads the time of the build (Material's do not; MkDocs' own themes do).
_shows_build_date = True
# The parts of navigation items that are the same on every page (template_inputs.navigation).
_known_nav_items: dict[int, list] = {}
# Whether a template reads the list of all pages (``pages``, not ``nav_item.pages``).
_reads_pages = True
_PAGES_VARIABLE = re.compile(r"(?<![\w.])pages\b")
_JINJA_TAG = re.compile(r"\{[{%](.*?)[%}]\}", re.DOTALL)  # {{ ... }} and {% ... %}, not {# #}


# Called once per `mkdocs serve` (not again when it reloads the configuration and this module):
# the state lives in the approdo package, which is not reloaded.
def on_startup(command, dirty):
    page_cache.started(command == "serve", dirty)


def on_config(config):
    # `mkdocs serve` keeps this module: a new store (and its counters) for every build.
    global _rendered, _search, _bytecode
    setting = os.environ.get("APPRODO_PAGE_CACHE", "")
    if setting == "off":
        page_cache.activate(None)
        _rendered = _search = _bytecode = None
        return config
    root = Path(config.config_file_path).parent
    folder = Path(setting) if setting else root / CACHE_DIR
    page_cache.activate(PageStore(folder), PageStore(folder / DERIVED_DIR))
    _rendered = PageStore(folder / RENDERED_DIR)
    _search = PageStore(folder / SEARCH_DIR)
    (folder / BYTECODE_DIR).mkdir(parents=True, exist_ok=True)
    _bytecode = FileSystemBytecodeCache(str(folder / BYTECODE_DIR))
    return config


# Before any page: every plugin and hook has added its Markdown extensions in on_config (the
# glossary adds one), so the configuration is final.
def on_pre_build(config):
    store = page_cache.active()
    if store is None:
        return
    store.salt = page_cache.derived().salt = digest({
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


# Priority -100: after every other on_env (SEO, feeds, social cards) has set its globals and
# the pages' meta, so the environment's digest and every later page context are final.
@event_priority(-100)
def on_env(env, config, files):
    if _rendered is None:
        return env
    env.bytecode_cache = _bytecode
    _search.salt = page_cache.active().salt  # entries depend on the HTML, not on templates
    _rendered.salt = digest([
        page_cache.active().salt,
        _templates(config),
        {name: _lenient(value) for name, value in sorted(env.globals.items())},
        {name: _lenient(value) for name, value in sorted(env.filters.items())},
        # Not where the site is written: the pages do not show it.
        _lenient({key: value for key, value in config.items()
                  if key not in ("plugins", "site_dir")}),
        {name: _lenient(dict(plugin.config)) for name, plugin in config.plugins.items()
         if hasattr(plugin, "config")},  # hooks are modules: their code is in "hooks"
    ])
    global _shows_build_date, _reads_pages
    _known_nav_items.clear()
    # Not the static templates (sitemap.xml, 404.html): they are not given a page's context.
    templates = [path.read_text(encoding="utf-8", errors="replace")
                 for folder in map(Path, config.theme.dirs)
                 for path in folder.rglob("*") if path.suffix in _TEMPLATES
                 and path.relative_to(folder).as_posix() not in config.theme.static_templates]
    expressions = [expression for text in templates for expression in _JINJA_TAG.findall(text)]
    _shows_build_date = any("build_date_utc" in expression for expression in expressions)
    _reads_pages = any(_PAGES_VARIABLE.search(expression) for expression in expressions)
    if _reads_pages:
        _rendered.salt = digest([_rendered.salt, [[file.src_uri, file.url]
                                                  for file in files.documentation_pages()]])
    _cache_search_entries(config)
    get_template = env.get_template

    # MkDocs asks for a page's template by name alone; Jinja's own lookups (extends, include)
    # name the parent: only the former are wrapped.
    def page_template(name, parent=None, globals=None):
        template = get_template(name, parent, globals)
        page = config._current_page
        if parent is not None or globals is not None or page is None:
            return template
        return _CachedTemplate(template, page, files)

    env.get_template = page_template
    return env


def _templates(config) -> list:
    """The theme's own templates by their package's version (in the salt already); every other
    template folder (``custom_dir``) by the content of its files."""
    installed = [Path(__import__(name).__file__ or "").parent for name in ("material", "mkdocs")]
    folders = []
    for folder in map(Path, config.theme.dirs):
        if any(folder.is_relative_to(package) for package in installed):
            continue
        folders.append([str(folder), [[path.relative_to(folder).as_posix(),
                                       digest(path.read_bytes().hex())]
                                      for path in sorted(folder.rglob("*")) if path.is_file()]])
    return folders


def _lenient(value):
    """Settings and environment globals as data; functions and objects by their code."""
    try:
        return template_inputs.to_data(value)
    except template_inputs.Unknown:
        if isinstance(value, Mapping):
            return [[_lenient(key), _lenient(item)] for key, item in value.items()]
        if isinstance(value, (list, tuple)):
            return [_lenient(item) for item in value]
        if isinstance(value, ModuleType):  # a hook
            return [value.__name__, digest(Path(value.__file__).read_text(encoding="utf-8"))]
        return page_cache.code_identity(value)


class _CachedTemplate:
    """A page's template whose ``render`` looks the output up under a digest of the context."""

    def __init__(self, template, page, files) -> None:
        self._template = template
        self._page = page
        self._files = files

    def __getattr__(self, name):
        return getattr(self._template, name)

    def render(self, context) -> str:
        store = _rendered
        if store is None or context.get("page") is not self._page:
            return self._template.render(context)
        try:
            inputs = ["render", self._template.name, _context_inputs(context)]
        except template_inputs.Unknown as unknown:
            log.debug(f"page cache: {self._page.file.src_uri} rendered, not cached "
                      f"(its context holds a {unknown})")
            store.uncached += 1
            return self._template.render(context)
        return store.convert(self._page.file.src_uri, inputs, self._files,
                             lambda: {"html": self._template.render(context)})["html"]


def _context_inputs(context) -> dict:
    inputs: dict[str, Any] = {}
    for key, value in context.items():
        if key == "config" or key == "pages" and not _reads_pages:  # config: in the salt
            continue
        if key == "build_date_utc" and not _shows_build_date:
            continue  # the time of the build changes every build, and no template shows it
        if key == "page":
            inputs[key] = template_inputs.page_inputs(value)
        elif key == "nav":
            inputs[key] = template_inputs.navigation(value.items, _known_nav_items)
        elif key == "pagination" and callable(value):
            inputs[key] = _pager_inputs(value)
        else:
            inputs[key] = template_inputs.to_data(value)
    return inputs


def _pager_inputs(pager) -> list:
    """Material's blog gives a listing's template a ``pager`` closure over a ``paginate.Page``
    (and the plugin, whose settings are in the salt): what it prints is told by the page
    number, the counts and the URL of every page."""
    cells = dict(zip(pager.__code__.co_freevars,
                     (cell.cell_contents for cell in pager.__closure__ or ()), strict=True))
    pagination = cells.get("pagination")
    if (set(cells) != {"pagination", "self"} or pagination is None
            or not hasattr(pagination, "url_maker")):
        raise template_inputs.Unknown("pager of another shape")
    return [page_cache.code_identity(pager), pagination.page, pagination.page_count,
            pagination.item_count, pagination.items_per_page,
            [pagination.url_maker(number) for number in range(1, pagination.page_count + 1)]]


def _cache_search_entries(config) -> None:
    """Material's search plugin parses every page's HTML into index entries: keep them with
    the rendered pages, keyed by all the entries depend on."""
    plugin = config.plugins.get("material/search")
    index = getattr(plugin, "search_index", None)
    if index is None or not plugin.config.enabled:
        return
    add_entry = index.add_entry_from_context
    settings = _lenient(dict(plugin.config))

    def cached_add_entry(page):
        meta = page.meta
        inputs = ["search", settings, page_cache.fingerprint(page.content), toc_tokens(page.toc),
                  page.url,
                  str(page.title), template_inputs.to_data(
                      {key: meta.get(key) for key in ("title", "tags", "search")})]
        indexed = []

        def entries() -> dict:
            before = len(index.entries)
            add_entry(page)
            indexed.append(page)
            return {"entries": index.entries[before:]}

        found = _search.convert(page.file.src_uri, inputs, None, entries)
        if not indexed:  # from the cache
            index.entries.extend(found["entries"])

    index.add_entry_from_context = cached_add_entry


def on_post_build(config):
    store = page_cache.active()
    if store is None:
        return
    removed = 0 if page_cache.dirty() else sum(
        kept.prune() for kept in (store, _rendered, _search, page_cache.derived()))
    named = store.converted
    names = f" ({', '.join(sorted(named))})" if 0 < len(named) <= _NAMED else ""
    log.info(f"page cache: {store.hits} pages and excerpts from cache, {len(named)} converted"
             f"{names}, {removed} old entries removed")
    rendered = _rendered.converted
    names = f" ({', '.join(sorted(rendered))})" if 0 < len(rendered) <= _NAMED else ""
    log.info(f"page cache: {_rendered.hits} rendered pages from cache, {len(rendered)} rendered"
             f"{names}, {_rendered.uncached} not cacheable; {_search.hits} search entries from "
             f"cache, {len(_search.converted)} indexed")
