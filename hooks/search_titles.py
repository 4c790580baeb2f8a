"""Escape front-matter titles in Material's search index.

When a page's first section has no heading of its own (a landing page's pitch, for one),
Material's search plugin titles the entry with ``page.meta["title"]`` as it is, and its search
box inserts titles as HTML. Landing pages escape their titles rather than refuse markup, so an
unescaped title here would run in every visitor's search results.
"""

from __future__ import annotations

import html

from mkdocs.plugins import event_priority


@event_priority(-100)  # after Material's search plugin (0) has indexed the page
def on_page_context(context, page, config, nav):
    search = config.plugins.get("material/search")
    title = page.meta.get("title")
    if search is None or not isinstance(title, str):
        return context
    # This page's entries are the last ones appended: walk back until another page's.
    for entry in reversed(search.search_index.entries):
        if entry["location"].partition("#")[0] != page.url:
            break
        if entry["title"] == title:
            entry["title"] = html.escape(title, quote=False)
    return context
