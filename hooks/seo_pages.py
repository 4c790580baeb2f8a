"""What the SEO hooks need to know about a page, read from MkDocs and Material objects.

Not a hook itself: ``seo``, ``social_cards``, ``sitemap`` and ``feeds`` import it (the hooks
folder is on ``sys.path`` while a hook loads). It is the only place that knows Material's blog
classes, so the pure modules in ``approdo`` never see a MkDocs object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from material.plugins.blog.structure import Archive, Category, Post, Profile, View

from approdo import clock
from approdo import landing as landing_model
from approdo import site_model
from approdo.landing_validation import load_landings
from approdo.project import site_root
from approdo.seo import page_dates, plain_text

HOME, POST, BLOG, LANDING, THANKS, PAGE = "home", "post", "blog", "landing", "thanks", "page"

_THANKS_URL = re.compile(rf"^{landing_model.LANDING_DIR}/[^/]+/{landing_model.THANKS_SEGMENT}/$")


def blog(config) -> Any:
    """Material's blog plugin instance, or None when the site has no blog."""
    plugin = config.plugins.get("material/blog")
    return plugin if plugin is not None and getattr(plugin, "blog", None) is not None else None


def posts(config) -> list[Post]:
    """Published posts (Material leaves drafts and future posts out of a build)."""
    plugin = blog(config)
    return list(plugin.blog.posts) if plugin else []


def kind(page) -> str:
    if page.is_homepage:
        return HOME
    if isinstance(page, Post):
        return POST
    if isinstance(page, View):
        return BLOG
    if landing_model.is_landing_path(page.file.src_uri):
        return LANDING
    if _THANKS_URL.match(page.url):
        return THANKS
    return PAGE


def title(page, config) -> str:
    """The page's title as plain text (front matter first, then the rendered heading)."""
    meta_title = page.meta.get("title") if isinstance(page.meta, dict) else None
    if isinstance(meta_title, str) and meta_title.strip():
        return meta_title.strip()
    if page.is_homepage:
        return config.site_name
    return plain_text(page.title or "") or config.site_name


def is_hidden(page) -> bool:
    """Pages a search engine must not list: noindex, excluded from search, drafts, links."""
    meta = page.meta if isinstance(page.meta, dict) else {}
    search = meta.get("search")
    if meta.get("noindex") is True or kind(page) == THANKS:
        return True
    if isinstance(search, dict) and search.get("exclude") is True:
        return True
    return bool(getattr(page, "is_link", False))


def post_dates(post: Post) -> tuple[datetime, datetime | None]:
    """A post's dates (both ``date:`` forms) as aware datetimes, read in the site's time zone
    from the front matter as written: Material reads a date without a zone as UTC, and
    rewrites ``post.meta`` to say so. Material's blog refuses a post without a date."""
    source = post.file.abs_src_path
    written = site_model.current().front_matter(post.file.src_uri, source).data if source else None
    created, updated = page_dates(written or {})
    return created or clock.localize(post.config.date.created), updated


def modified(post: Post) -> datetime | None:
    created, updated = post_dates(post)
    return updated or created


# A list of posts (a view's, or the blog's) -> (the list, its newest modification). The seo
# hook and the sitemap ask for every listing page; the lists are fixed once Material's blog
# plugin has made them (on_files), so each maximum is taken once. The list is kept in the value
# so that its id cannot be reused by another list while the entry exists; reset() per build.
_newest: dict[int, tuple[list, datetime | None]] = {}


def reset() -> None:
    """Forget the previous build's posts (`mkdocs serve` keeps modules between builds)."""
    _newest.clear()


def newest(post_list: list[Post]) -> datetime | None:
    """The latest modification of the posts in ``post_list``, computed once per list."""
    entry = _newest.get(id(post_list))
    if entry is None or entry[0] is not post_list:
        entry = (post_list, max(filter(None, (modified(post) for post in post_list)), default=None))
        _newest[id(post_list)] = entry
    return entry[1]


def dates(page, config) -> tuple[datetime | None, datetime | None]:
    """(created, updated) of any page: a post's own dates, a blog view's newest post, the
    front matter of other pages; the home page follows the newest post when it has none."""
    if isinstance(page, Post):
        return post_dates(page)
    if isinstance(page, View):
        return None, newest(page.posts)
    created, updated = page_dates(page.meta if isinstance(page.meta, dict) else {})
    if page.is_homepage and not (created or updated):
        plugin = blog(config)
        return None, newest(plugin.blog.posts) if plugin else None
    return created, updated


def view_description(page, config) -> str:
    """An Italian description for the blog's generated pages (they have no front matter)."""
    name = title(page, config)
    site = config.site_name
    if isinstance(page, Category):
        text = f"Gli articoli su «{name}» dal blog di {site}."
    elif isinstance(page, Archive):
        text = f"Gli articoli di {site} pubblicati in {name}."
    elif isinstance(page, Profile):
        text = f"Gli articoli scritti da {name} per il blog di {site}."
    else:
        return ""
    number = _page_number(page)
    return f"{text} Pagina {number}." if number > 1 else text


def _page_number(page) -> int:
    match = re.search(r"/page/(\d+)/$", page.url)
    return int(match.group(1)) if match else 1


def section(page) -> str:
    """The top navigation section a page belongs to ("Guide", "Blog"), or ''."""
    for ancestor in reversed(page.ancestors or []):
        name = getattr(ancestor, "title", "")
        if name:
            return plain_text(name)
    return ""


@dataclass(frozen=True)
class Site:
    """Site-wide facts the SEO hooks share, read once per build."""

    root: Path
    docs_dir: Path
    site_url: str
    name: str
    description: str
    language: str
    locale: str
    brand: dict
    landings: dict


def site(config) -> Site:
    extra = (config.extra or {}).get("approdo", {}) or {}
    language = (config.theme.get("language") or "it").split("-")[0]
    landings, _ = load_landings(config.docs_dir, extra.get("leads"))
    return Site(
        root=Path(config.config_file_path).parent,
        docs_dir=Path(config.docs_dir),
        site_url=site_root(config.site_url),
        name=config.site_name,
        description=plain_text(config.site_description or ""),
        language=language,
        locale=_LOCALES.get(language, f"{language}_{language.upper()}"),
        brand=dict(extra.get("brand") or {}),
        landings={landing.src_path: landing for landing in landings.values()},
    )


# Open Graph wants language_TERRITORY; Approdo is Italian, the rest is for reuse.
_LOCALES = {"it": "it_IT", "en": "en_US", "de": "de_DE", "fr": "fr_FR", "es": "es_ES"}
