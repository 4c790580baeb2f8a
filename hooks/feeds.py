"""Blog feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the whole blog and for each category.

Written into the site as ``feed.xml``, ``atom.xml`` and ``feed.json``, at the site root and in
each category's folder (``blog/category/<slug>/feed.xml``...); every page's head links them
(``approdo_feed_links``). A hook rather than mkdocs-rss-plugin: the plugin pins
``mkdocs==1.6.1``, and its date settings read only one of the two ``date:`` forms and silently
use the build time for the other. Here the dates are the ones
Material's blog plugin already normalised for the page itself, and drafts and future posts
are whatever Material left out of the build.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import seo_pages
from approdo import feeds, seo
from approdo.project import site_root

log = logging.getLogger("mkdocs.hooks.feeds")

# File name and template of each format; JSON Feed is serialised by approdo.feeds.json_feed.
FORMATS = {
    "rss": ("feed.xml", "feeds/rss.xml", "application/rss+xml", "RSS"),
    "atom": ("atom.xml", "feeds/atom.xml", "application/atom+xml", "Atom"),
    "json": ("feed.json", "", "application/feed+json", "JSON Feed"),
}
TEMPLATES = tuple(template for _, template, _, _ in FORMATS.values() if template)
# The newest posts in each feed: readers poll often, a long feed only costs bandwidth.
FEED_ITEMS = 30


def on_files(files, config):
    # The feed templates are theme files: MkDocs would otherwise publish them as assets.
    docs = Path(config.docs_dir).resolve()
    for name in TEMPLATES:
        file = files.get_file_from_path(name)
        if file is not None and not Path(file.abs_src_path).resolve().is_relative_to(docs):
            files.remove(file)
    return files


def on_env(env, config, files):
    """Head links to the blog's feeds, for every page (category pages add theirs)."""
    plugin = seo_pages.blog(config)
    env.globals["approdo_feed_links"] = _links(config, _blog_name(config, plugin)) if plugin else []
    return env


def _blog_name(config, plugin) -> str:
    return f"{config.site_name} – {seo.plain_text(plugin.blog.title or '') or 'Blog'}"


def _links(config, name: str, folder: str = "") -> list[dict]:
    """<link rel="alternate"> data for the feeds in ``folder`` ('' = the site root)."""
    site_url = site_root(config.site_url)
    return [{"type": mime, "title": f"{name} ({label})", "href": seo.absolute(site_url, folder + file)}
            for file, _, mime, label in FORMATS.values()]


def on_page_context(context, page, config, nav):
    from material.plugins.blog.structure import Category

    if isinstance(page, Category):
        plugin = seo_pages.blog(config)
        # Pagination pages of a category share the feeds of its first page.
        folder = page.url.split("page/")[0] if "/page/" in page.url else page.url
        context["approdo_feed_links"] = (_links(config, _blog_name(config, plugin))
                                         + _links(config, f"{config.site_name} – {page.name}", folder))
    return context


def on_post_build(config):
    plugin = seo_pages.blog(config)
    if plugin is None:
        return
    site_url = site_root(config.site_url)
    site = seo_pages.site(config)
    pairs = [(post, _item(post, config, site_url)) for post in seo_pages.posts(config)]
    channels = [(_blog_name(config, plugin), site.description, plugin.blog.url, "",
                 [item for _, item in pairs])]
    for category in _categories(plugin):
        urls = {post.url for post in category.posts}
        channels.append((f"{config.site_name} – {category.name}",
                         f"Gli articoli su «{category.name}» dal blog di {config.site_name}.",
                         category.url, category.url, [item for post, item in pairs if post.url in urls]))
    env = config.theme.get_env()
    templates = {kind: env.get_template(template) for kind, (_, template, _, _) in FORMATS.items()
                 if template}
    # Only the newest FEED_ITEMS of each channel are published: only theirs are made absolute.
    post_of = {id(item): post for post, item in pairs}
    filled: dict[int, feeds.FeedItem] = {}

    def with_content(item: feeds.FeedItem) -> feeds.FeedItem:
        if id(item) not in filled:
            content = feeds.without_title(post_of[id(item)].content or "")
            filled[id(item)] = dataclasses.replace(
                item, content_html=feeds.feed_html(content, item.url))
        return filled[id(item)]

    for title, description, home, folder, items in channels:
        feed = feeds.Feed(
            title=title, description=description, home_url=seo.absolute(site_url, home),
            rss_url=seo.absolute(site_url, folder + FORMATS["rss"][0]),
            atom_url=seo.absolute(site_url, folder + FORMATS["atom"][0]),
            json_url=seo.absolute(site_url, folder + FORMATS["json"][0]),
            language=site.locale.replace("_", "-").lower(),
            items=[with_content(item) for item in feeds.newest_first(items, FEED_ITEMS)],
            author=site.brand.get("name", "") or config.site_name,
        )
        for kind, template in templates.items():
            _write(config, folder + FORMATS[kind][0],
                   template.render(feed=feed, rfc822=feeds.rfc822, iso=seo.iso))
        _write(config, folder + FORMATS["json"][0], feeds.json_feed(feed))
    log.info(f"feeds: RSS, Atom and JSON Feed for the blog and {len(channels) - 1} categor{'y' if len(channels) == 2 else 'ies'}, "
             f"{min(len(pairs), FEED_ITEMS)} posts in the main feed")


def _categories(plugin) -> list:
    from material.plugins.blog.structure import Category

    return [view for view in plugin.blog.views if isinstance(view, Category)]


def _item(post, config, site_url: str) -> feeds.FeedItem:
    created, updated = seo_pages.post_dates(post)
    url = seo.absolute(site_url, post.url)
    meta = post.meta
    description = meta.get("description")
    summary = (seo.plain_text(description) if isinstance(description, str) and description.strip()
               else seo.description_from_html(post.content or ""))
    return feeds.FeedItem(
        url=url,
        title=seo_pages.title(post, config),
        summary=summary,
        content_html="",  # filled in for the posts a feed shows (on_post_build)
        published=created,
        updated=updated,
        authors=[author.name for author in post.authors],
        categories=list(post.config.categories),
        tags=[str(tag) for tag in meta.get("tags") or []],
        image=meta.get("approdo_image"),
    )


def _write(config, relative: str, text: str) -> None:
    path = Path(config.site_dir, relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
