"""The home page's "Leggi gli ultimi articoli": the latest published posts, computed per build.

The posts come from Material's blog plugin, which has already resolved titles, dates, URLs,
categories, authors, reading time and which posts are drafts or scheduled; nothing is parsed
again here. The home template (``overrides/home.html``) receives ``latest_posts`` (a list of
``approdo.posts.PostCard``), ``latest_posts_index`` (the blog index URL), and ``home_guides``
(the knowledge-base pages of the navigation section that holds ``kb/index.md``, as
``approdo.posts.Link`` with their description) with ``home_guides_index``.

Settings: ``extra.approdo.home.latest_posts`` (how many posts, default 6).
"""

from __future__ import annotations

import logging
from datetime import datetime

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from approdo import clock
from approdo.posts import DEFAULT_LIMIT, Link, PostCard, excerpt, newest_first
from seo_pages import post_dates

log = logging.getLogger("mkdocs.hooks.latest_posts")

HOME_TEMPLATE = "home.html"
# The knowledge base's index page: the home lists the other pages of its navigation section.
GUIDES_INDEX = "kb/index.md"

_limit = DEFAULT_LIMIT
_cards: list[PostCard] | None = None


def on_config(config):
    # `mkdocs serve` keeps this module between rebuilds: forget the previous build's posts.
    global _limit, _cards
    _cards = None
    _limit = _read_limit(config)
    return config


def _read_limit(config) -> int:
    approdo = config.extra.get("approdo")
    home = approdo.get("home") if isinstance(approdo, dict) else None
    value = home.get("latest_posts", DEFAULT_LIMIT) if isinstance(home, dict) else DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PluginError(
            f"mkdocs.yml: extra.approdo.home.latest_posts is {value!r} "
            f"(expected a whole number of posts, at least 1, e.g. {DEFAULT_LIMIT})")
    return value


# Late (-90): after every page and post has been converted, so each post's HTML and reading
# time exist; before Material's blog views render (-100), which this does not touch.
@event_priority(-90)
def on_page_context(context, page, config, nav):
    if not (page.is_homepage or page.meta.get("template") == HOME_TEMPLATE):
        return context
    blog = _blog_plugin(config)
    context["latest_posts"] = _latest(blog)
    context["latest_posts_index"] = blog.blog.url if blog else ""
    index, guides = _guides(nav)
    context["home_guides"] = guides
    context["home_guides_index"] = index
    return context


def _guides(nav) -> tuple[str, list[Link]]:
    """The knowledge-base index URL and the other pages of its navigation section, in order."""
    index = next((page for page in nav.pages if page.file.src_uri == GUIDES_INDEX), None)
    if index is None:
        return "", []
    siblings = index.parent.children if index.parent else []
    guides = [Link(page.title or "", page.url, str(page.meta.get("description") or ""))
              for page in siblings if page.is_page and page is not index]
    return index.url, guides


def _blog_plugin(config):
    plugin = config.plugins.get("material/blog")
    if plugin is None or not plugin.config.enabled or not hasattr(plugin, "blog"):
        return None
    return plugin


def _latest(blog) -> list[PostCard]:
    global _cards
    if _cards is None:
        posts = blog.blog.posts if blog else []
        separator = blog.config.post_excerpt_separator if blog else ""
        now = clock.now()
        _cards = newest_first([_card(post, separator, now) for post in posts], _limit)
        log.debug("home page lists %d of %d posts", len(_cards), len(posts))
    return _cards


def _card(post, separator: str, now: datetime) -> PostCard:
    created = post.config.date.created
    # Material lists drafts and scheduled posts only while serving (draft_on_serve): the
    # home marks them the same way, and a published build never contains them.
    # The same rule as Material's (build_clock): a date without a zone is the site's time.
    scheduled = post_dates(post)[0] > now
    draft = bool(post.config.draft) or (post.config.draft is None and scheduled)
    return PostCard(
        title=post.title or "",
        url=post.url,
        created=created,
        updated=post.config.date.updated,
        excerpt=excerpt(post.content or "", separator) if separator else "",
        description=str(post.meta.get("description") or ""),
        categories=tuple(Link(category.name or category.title, category.url)
                         for category in post.categories),
        authors=tuple(Link(author.name, author.url or "") for author in post.authors),
        readtime=post.config.readtime or None,
        draft=draft,
        pinned=bool(post.config.pin),
    )
