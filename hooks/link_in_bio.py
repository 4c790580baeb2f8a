"""The link-in-bio page (``/bio/``): Instagram allows one link, this page holds the rest.

Generated in memory with its own template (``bio.html``): the open landing pages and the latest
posts, every link tagged ``utm_source=instagram&utm_medium=social&utm_content=bio`` with the
landing or post slug as campaign. ``noindex`` and out of search: it repeats the home page.
"""

from __future__ import annotations

import datetime as dt

import yaml
from babel.dates import format_date
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.utils import get_relative_url

from approdo import clock, content_check, site_model
from approdo.cta import page_slug
from approdo.errors import REPORT
from approdo.project import Settings
from approdo.social import (approdo_settings, post_date, recent_posts,
                            social_settings)
from approdo.utm import tracked_url

SRC = content_check.BIO_PAGE
# The generated page is front matter only: bio.html draws everything from approdo_bio.
META = {"title": "Link in bio", "template": "bio.html", "noindex": True,
        "search": {"exclude": True}}

_state: dict = {}


def on_config(config):
    _state.clear()  # `mkdocs serve` keeps hook modules between builds
    return config


# 95: after validate_content (100), which checks links against authored files only, so a
# link to bio.md stays an error; before content_errors (90) reports a real bio.md (which
# this would otherwise silently replace).
@event_priority(95)
def on_files(files, config):
    existing = files.get_file_from_path(SRC)
    if existing is not None and not existing.generated_by:
        # The same check `approdo check` runs.
        REPORT.extend([content_check.bio_page_error(Settings.from_mkdocs(config))])
        return files
    _state["landings"] = site_model.current().valid_landings
    brand = approdo_settings(config.extra, "brand")
    description = f"I link di {brand.get('name') or config.site_name}: offerte, guide e articoli."
    meta = yaml.safe_dump({**META, "description": description}, allow_unicode=True, sort_keys=False)
    files.append(File.generated(config, SRC, content=f"---\n{meta}---\n",
                                inclusion=InclusionLevel.NOT_IN_NAV))
    return files


def on_env(env, config, files):
    _state["files"] = files
    return env


def on_page_context(context, page, config, nav):
    if page.file.src_uri != SRC or not page.file.generated_by:
        return context

    def tagged(url: str, campaign: str) -> str:
        relative = get_relative_url(url, page.url)
        # Folder URLs keep their slash ("../", not ".."), so the query follows a folder.
        if url.endswith("/") or not url:
            relative = relative.rstrip("/") + "/"
        return tracked_url(relative, "instagram", "social", campaign, "bio")

    today = clock.today()
    landings = sorted(
        (landing for landing in _state["landings"].values() if not landing.is_closed(today)),
        # Offers that close soonest first: they are the ones to act on.
        key=lambda landing: (landing.closes or dt.date.max, landing.title))
    pages = [file.page for file in _state["files"].documentation_pages() if file.page]
    posts = recent_posts(pages, social_settings(config.extra)["bio_posts"])
    locale = config.theme.get("language") or "it"
    context["approdo_bio"] = {
        "brand": approdo_settings(config.extra, "brand"),
        "home": tagged("", "bio"),
        "landings": [{
            "href": tagged(landing.url, landing.slug),
            "title": landing.offer.headline or landing.title,
            "text": landing.description,
            "label": landing.submit,
            "closes": _closing_note(landing, locale),
        } for landing in landings],
        "posts": [{
            "href": tagged(post.url, page_slug(post.url)),
            "title": post.title,
            "date": format_date(_day(post), "long", locale=locale),
            "datetime": _day(post).isoformat(),
        } for post in posts],
    }
    return context


def _day(post) -> dt.date:
    created = post_date(post)
    return created.date() if isinstance(created, dt.datetime) else created


def _closing_note(landing, locale: str) -> str:
    """The closing day to show under an offer, unless its text already says it ("Iscrizioni
    entro il 10 febbraio"): a visitor reads the deadline once."""
    if not landing.closes:
        return ""
    if format_date(landing.closes, "d MMMM", locale=locale) in (landing.description or ""):
        return ""
    return format_date(landing.closes, "long", locale=locale)
