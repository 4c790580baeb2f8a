"""Blog feeds: RSS 2.0 and JSON Feed 1.1 for the whole blog and for each category.

Written into the site as ``feed.xml`` / ``feed.json`` and ``<category URL>feed.xml`` /
``feed.json``; every page's head links them (``approdo_feed_links``). A hook rather than
mkdocs-rss-plugin: the plugin pins ``mkdocs==1.6.1``, and its date settings read only one of the
two ``date:`` forms and silently use the build time for the other. Here the dates are the ones
Material's blog plugin already normalised for the page itself, and drafts and future posts
are whatever Material left out of the build.
"""

from __future__ import annotations

import logging
from pathlib import Path

import seo_pages
from approdo import feeds, seo
from approdo.slugs import slugify

log = logging.getLogger("mkdocs.hooks.feeds")

RSS_TEMPLATE = "feeds/rss.xml"
# The newest posts in each feed: readers poll often, a long feed only costs bandwidth.
FEED_ITEMS = 30
MAIN_RSS, MAIN_JSON = "feed.xml", "feed.json"

_feeds: list[feeds.Feed] = []


def on_config(config):
    _feeds.clear()  # `mkdocs serve` keeps this module between builds
    return config


def on_files(files, config):
    # The feed template is a theme file: MkDocs would otherwise publish it as a static asset.
    file = files.get_file_from_path(RSS_TEMPLATE)
    if file is not None and not Path(file.abs_src_path).is_relative_to(Path(config.docs_dir).resolve()):
        files.remove(file)
    return files


def on_env(env, config, files):
    """Head links to the blog's feeds, for every page (category pages add theirs)."""
    plugin = seo_pages.blog(config)
    env.globals["approdo_feed_links"] = _links(config, plugin.blog.title if plugin else "") if plugin else []
    return env


def _links(config, label: str, category_url: str = "", category: str = "") -> list[dict]:
    site_url = _site_url(config)
    name = f"{config.site_name} – {seo.plain_text(label) or 'Blog'}"
    links = [
        {"type": "application/rss+xml", "title": f"{name} (RSS)", "href": seo.absolute(site_url, MAIN_RSS)},
        {"type": "application/feed+json", "title": f"{name} (JSON Feed)", "href": seo.absolute(site_url, MAIN_JSON)},
    ]
    if category_url:
        name = f"{config.site_name} – {category}"
        links += [
            {"type": "application/rss+xml", "title": f"{name} (RSS)",
             "href": seo.absolute(site_url, category_url + "feed.xml")},
            {"type": "application/feed+json", "title": f"{name} (JSON Feed)",
             "href": seo.absolute(site_url, category_url + "feed.json")},
        ]
    return links


def _site_url(config) -> str:
    url = config.site_url or "http://127.0.0.1:8000/"
    return url if url.endswith("/") else url + "/"


def on_page_context(context, page, config, nav):
    from material.plugins.blog.structure import Category

    if isinstance(page, Category):
        plugin = seo_pages.blog(config)
        # Pagination pages of a category share the feed of its first page.
        url = page.url.split("page/")[0] if "/page/" in page.url else page.url
        context["approdo_feed_links"] = _links(config, plugin.blog.title, url, page.name)
    return context


def on_post_build(config):
    plugin = seo_pages.blog(config)
    if plugin is None:
        return
    site_url = _site_url(config)
    pairs = [(post, _item(post, config, site_url)) for post in seo_pages.posts(config)]
    all_posts = [item for _, item in pairs]
    blog_title = seo.plain_text(plugin.blog.title or "Blog")
    brand = (config.extra.get("approdo", {}) or {}).get("brand", {}) or {}
    site = seo_pages.site(config)
    language = site.locale.replace("_", "-").lower()
    outputs = [feeds.Feed(
        title=f"{config.site_name} – {blog_title}",
        description=site.description,
        home_url=seo.absolute(site_url, plugin.blog.url),
        rss_url=seo.absolute(site_url, MAIN_RSS), json_url=seo.absolute(site_url, MAIN_JSON),
        language=language, items=feeds.newest_first(all_posts, FEED_ITEMS),
        author=brand.get("name", ""),
    )]
    for category in _categories(plugin):
        urls = {post.url for post in category.posts}
        items = [item for post, item in pairs if post.url in urls]
        outputs.append(feeds.Feed(
            title=f"{config.site_name} – {category.name}",
            description=f"Gli articoli su «{category.name}» dal blog di {config.site_name}.",
            home_url=seo.absolute(site_url, category.url),
            rss_url=seo.absolute(site_url, category.url + "feed.xml"),
            json_url=seo.absolute(site_url, category.url + "feed.json"),
            language=language, items=feeds.newest_first(items, FEED_ITEMS),
            author=brand.get("name", ""),
        ))
    template = config.theme.get_env().get_template(RSS_TEMPLATE)
    for feed in outputs:
        rss = template.render(feed=feed, rfc822=feeds.rfc822, iso=seo.iso)
        _write(config, _site_path(feed.rss_url, site_url), rss)
        _write(config, _site_path(feed.json_url, site_url), feeds.json_feed(feed))
    log.info(f"feeds: {len(outputs)} RSS and {len(outputs)} JSON feeds, "
             f"{len(outputs[0].items)} posts in the main feed")


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
        content_html=feeds.feed_html(feeds.without_title(post.content or ""), url),
        published=created,
        updated=updated,
        authors=[author.name for author in post.authors],
        categories=list(post.config.categories),
        tags=[str(tag) for tag in meta.get("tags") or []],
        image=meta.get("approdo_image"),
    )


def _site_path(url: str, site_url: str) -> str:
    return url[len(site_url):] if url.startswith(site_url) else slugify(url) + ".xml"


def _write(config, relative: str, text: str) -> None:
    path = Path(config.site_dir, relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
