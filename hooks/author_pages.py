"""Author pages say who the author is: avatar, name, description and how many posts.

Material's blog plugin generates one page per author (``/blog/author/<id>/``) with only the
name as heading. This hook gives those pages the ``blog-author.html`` template and puts the
author (from ``.authors.yml``, as the plugin already loaded it) in the template context as
``approdo_author``, with ``approdo_author_posts`` (the number of published posts).
"""

from __future__ import annotations

from material.plugins.blog.structure import Profile

TEMPLATE = "blog-author.html"


def on_page_markdown(markdown, page, config, files):
    # Before the page is rendered, so MkDocs picks this template for it.
    if _author_of(page, config) is not None:
        page.meta["template"] = TEMPLATE
    return markdown


def on_page_context(context, page, config, nav):
    author = _author_of(page, config)
    if author is not None:
        context["approdo_author"] = author
        context["approdo_author_posts"] = len(_original(page).posts)
    return context


def _original(page):
    # Page 2, 3... of an author's posts are copies of the first page of the profile.
    return page.pages[0] if getattr(page, "pages", None) else page


def _author_of(page, config):
    """The ``.authors.yml`` entry a generated profile page belongs to, if it is one."""
    if not isinstance(page, Profile):
        return None
    plugin = config.plugins.get("material/blog")
    authors = getattr(plugin, "authors", None) or {}
    name = _original(page).name
    return next((author for author in authors.values() if author.name == name), None)
