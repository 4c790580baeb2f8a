"""The social kit: ``social-kit.csv`` and ``social-kit.json`` in the built site (not linked from
any page), one row per open landing page or recent post and channel. Also checks every
``social:`` front-matter mapping (posts, pages and landing pages).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.utils import write_file

from approdo import clock, site_model, social_kit
from approdo.cta import page_slug
from approdo.errors import REPORT
from approdo.landing import is_landing_path
from approdo.project import Settings
from approdo.short_codes import short_links_for
from approdo.social import (post_date, recent_posts,
                            social_settings)

CSV_NAME = "social-kit.csv"
JSON_NAME = "social-kit.json"

_state: dict = {}


def on_config(config):
    _state.clear()  # `mkdocs serve` keeps hook modules between builds
    return config


@event_priority(100)  # validators run first; content_errors reports them all at 90
def on_files(files, config):
    model = site_model.current()
    landings = model.valid_landings
    _state["landings"] = landings
    # The same check `approdo check` runs.
    settings = Settings.from_mkdocs(config)
    for landing in landings.values():
        if landing.social:
            REPORT.extend(social_kit.check_social(settings.shown(landing.src_path), landing.social,
                                                  landing.line))
    for file in files.documentation_pages():
        if is_landing_path(file.src_uri) or file.abs_src_path is None:
            continue
        fm = model.front_matter(file.src_uri, file.abs_src_path)
        if fm.data and "social" in fm.data:
            REPORT.extend(social_kit.check_social(settings.shown(file.src_uri), fm.data["social"],
                                                  fm.line))
    return files


def on_env(env, config, files):
    _state["files"] = files
    return env


def on_post_build(config):
    site_url = config.site_url or ""
    rows = social_kit.rows(kit_items(config, site_url))
    site = Path(config.site_dir)
    # A BOM so that spreadsheet programs read the accents right; scheduling tools ignore it.
    write_file(("\ufeff" + social_kit.to_csv(rows)).encode("utf-8"), str(site / CSV_NAME))
    write_file(social_kit.to_json(rows, site_url).encode("utf-8"), str(site / JSON_NAME))


def kit_items(config, site_url: str) -> list[social_kit.Item]:
    """The open landing pages (by slug), then the most recent posts (newest first)."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    today = clock.today()
    pages = {file.src_uri: file.page for file in _state["files"].documentation_pages() if file.page}
    items = []
    for slug in sorted(_state["landings"]):
        landing = _state["landings"][slug]
        if landing.is_closed(today):
            continue
        shorts = {link.channel: base + link.url
                  for link in short_links_for(slug, landing.url, landing.short_links)}
        items.append(social_kit.Item(
            "landing", slug, base + landing.url, landing.title, landing.description,
            _image(pages.get(landing.src_path), landing.image, base), landing.social,
            closes=landing.closes.isoformat() if landing.closes else "", short_urls=shorts))
    for post in recent_posts(pages.values(), social_settings(config.extra)["kit_posts"]):
        created = post_date(post)
        items.append(social_kit.Item(
            "post", page_slug(post.url), post.canonical_url or base + post.url, post.title,
            str(post.meta.get("description") or ""),
            _image(post, post.meta.get("image"), base), post.meta.get("social") or {},
            date=(created.date() if isinstance(created, dt.datetime) else created).isoformat()))
    return items


def _image(page, image: str | None, base: str) -> str:
    """The image the page shows in social previews (og:image, set by the seo hook: the
    front-matter image or the generated card), else the front-matter image."""
    published = getattr((page.meta if page else {}).get("approdo_image"), "url", "")
    return published or social_kit.absolute_image(image, base)
