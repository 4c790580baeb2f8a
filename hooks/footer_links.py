"""Previous/next links only where they lead somewhere a reader expects.

Material's footer links (navigation.footer) and the <link rel=prev/next> of main.html follow the
flattened navigation, in which the blog plugin's archive, category and author pages sit between
the sections: the blog index said "Successivo: Giulia Ferraresi" and the guides' index
"Precedente: febbraio 2025". Index pages (home and tags, section indexes, blog listings) get no
previous/next link: their own lists and pagination are the way on. Other pages skip index pages
when looking for their neighbours.
"""

from __future__ import annotations

from material.plugins.blog.structure import View
from mkdocs.plugins import event_priority


def is_index(page) -> bool:
    """A page that lists others: a blog listing, a section index, or a top-level entry of the
    navigation (home, tags), which readers reach from the tabs, not by paging."""
    return isinstance(page, View) or bool(page.is_index) or page.parent is None


def reading_order(chain: list) -> dict[int, tuple]:
    """(previous, next) for each page of ``chain`` (the navigation's reading order): nothing
    for index pages, the nearest pages that are not indexes for the others."""
    readable = [page for page in chain if not is_index(page)]
    neighbours = {id(page): (None, None) for page in chain}
    for position, page in enumerate(readable):
        neighbours[id(page)] = (readable[position - 1] if position else None,
                                readable[position + 1] if position + 1 < len(readable) else None)
    return neighbours


@event_priority(-100)  # last: after the blog plugin (-50) has put its pages into the chain
def on_nav(nav, config, files):
    chain, page = [], nav.pages[0] if nav.pages else None
    while page is not None and page not in chain:
        chain.append(page)
        page = page.next_page
    order = reading_order(chain)
    for page in chain:
        page.previous_page, page.next_page = order[id(page)]
    return nav


# Pagination pages of blog listings are copies made after on_nav: they get none either.
def on_page_context(context, page, config, nav):
    if is_index(page):
        page.previous_page = page.next_page = None
    return context
