"""What a page's template sees, as JSON data: the key of its rendered HTML in the page cache.

A page's output is a function of its template context (the page, the navigation, what hooks
and plugins put in the context), the environment's globals and filters, the configuration and
the templates. This module turns the per-page part into data; ``Unknown`` is raised for any
value whose content cannot be told from its type (a function, an object of an unknown class),
and the page is then rendered as usual, not served from the cache: slower, never wrong.

No MkDocs import: pages, sections and links are recognised by their attributes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from approdo.page_cache import fingerprint, toc_tokens

# Objects of these packages are plain data (their attributes are all a template reads):
# Material's tag references (name, hidden, parent tag, links).
_PLAIN_OBJECTS = ("material.plugins.tags.structure",)
# What the navigation template reads of a page's meta (partials/nav-item.html).
_NAV_META = ("icon", "subtitle", "status", "title")


class Unknown(TypeError):
    """A value whose content cannot be told: the page it belongs to is not cached."""


def is_structure_item(value: Any) -> bool:
    """A page, section or link of MkDocs' navigation (or a Material page built on them)."""
    return hasattr(value, "is_page") and hasattr(value, "is_section") and hasattr(value, "title")


def page_inputs(page: Any) -> dict:
    """Everything a template may read of the page being rendered, its neighbours and ancestors
    (their title and URL: the footer and the breadcrumbs show nothing else)."""
    return {
        "page": linked(page),
        "content": fingerprint(page.content),
        "toc": toc_tokens(page.toc),
        "canonical_url": page.canonical_url,
        "abs_url": page.abs_url,
        "edit_url": page.edit_url,
        "is_homepage": page.is_homepage,
        "src_uri": page.file.src_uri,
        "dest_uri": page.file.dest_uri,
        "excluded": page.file.inclusion.is_excluded(),
        "previous": _title_and_url(page.previous_page),
        "next": _title_and_url(page.next_page),
        "ancestors": [_title_and_url(item) for item in page.ancestors],
    }


def navigation(items: list, known: dict[int, list]) -> list:
    """The navigation as the navigation templates read it, with which items are open.

    ``known`` keeps what does not change from page to page (all but ``active``) by item, for
    one build: the navigation is the same object for every page (Material's blog swaps a
    paginated listing in and out: a new item, seen as such)."""
    return [[_nav_item(item, known), bool(getattr(item, "active", False)),
             navigation(item.children, known) if getattr(item, "children", None) else None]
            for item in items]


def _nav_item(item: Any, known: dict[int, list]) -> list:
    found = known.get(id(item))
    if found is not None and found[0] is item:
        return found[1]
    meta = getattr(item, "meta", None) or {}
    data = [type(item).__name__, item.title, getattr(item, "url", None),
            getattr(item, "encrypted", None), to_data(getattr(item, "typeset", None)),
            {key: to_data(meta[key]) for key in _NAV_META if key in meta}]
    known[id(item)] = [item, data]
    return data


def _title_and_url(item: Any) -> list | None:
    if item is None:
        return None
    return [type(item).__name__, item.title, getattr(item, "url", None)]


def linked(item: Any) -> dict:
    """Another page (a post in a listing, a category, a related link) as templates show it:
    its title, URL and meta, and for Material's blog its date, authors, categories and HTML."""
    data: dict[str, Any] = {"kind": type(item).__name__, "title": item.title,
                            "url": getattr(item, "url", None)}
    if not item.is_page:
        return data
    data["meta"] = to_data(item.meta)
    for name in ("config", "authors", "categories", "readtime", "name"):
        if hasattr(item, name):
            data[name] = to_data(getattr(item, name))
    return data


def to_data(value: Any) -> Any:
    """``value`` as JSON data, or ``Unknown``."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return [type(value).__name__, value.isoformat()]
    if isinstance(value, Mapping):
        return [[to_data(key), to_data(item)] for key, item in value.items()]
    if isinstance(value, (list, tuple)):
        return [to_data(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_data(item) for item in value), key=repr)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__qualname__,
                {field.name: to_data(getattr(value, field.name))
                 for field in dataclasses.fields(value)}]
    if is_structure_item(value):
        data = linked(value)
        if value.is_page:
            # A page inside the context (a post of a listing): its HTML is shown too.
            data["content"] = fingerprint(getattr(value, "content", None))
        return data
    if isinstance(value, PurePath):
        return str(value)
    if type(value).__module__.startswith(_PLAIN_OBJECTS):
        return [type(value).__qualname__, to_data(vars(value))]
    raise Unknown(f"{type(value).__module__}.{type(value).__qualname__}")
