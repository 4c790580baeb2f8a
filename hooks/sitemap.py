"""sitemap.xml and robots.txt.

MkDocs renders the theme template ``sitemap.xml`` (overridden in ``overrides/``) with every
page's build date as ``lastmod``. This hook gives the template its own list instead: only the
pages a search engine should index (no ``noindex``, no ``search: exclude``, no thank-you pages
or short links) and, as ``lastmod``, the date the page last changed according to its front
matter (a post's update or creation date, a blog view's newest post), never the build time.
It also has MkDocs render ``overrides/robots.txt`` as a static template, pointing to the sitemap.
"""

from __future__ import annotations

import logging
from pathlib import Path

import seo_pages
from approdo import seo
from approdo.project import site_root

log = logging.getLogger("mkdocs.hooks.sitemap")

ROBOTS = "robots.txt"


def on_config(config):
    # An author's own docs/robots.txt wins: render ours only when there is none.
    if not Path(config.docs_dir, ROBOTS).is_file():
        config.theme.static_templates.add(ROBOTS)
    else:
        config.theme.static_templates.discard(ROBOTS)
    return config


def entries(pages, config) -> list[dict]:
    """The sitemap's <url> entries, in page order: location and last modification."""
    site_url = site_root(config.site_url)
    result = []
    seen = set()
    for file in pages:
        page = file.page
        if page is None or seo_pages.is_hidden(page):
            continue
        loc = page.canonical_url or seo.absolute(site_url, page.url)
        if loc in seen:
            continue
        seen.add(loc)
        created, updated = seo_pages.dates(page, config)
        lastmod = updated or created
        result.append({"loc": loc, "lastmod": lastmod.date().isoformat() if lastmod else ""})
    return result


def on_template_context(context, template_name, config):
    if template_name == "sitemap.xml":
        context["approdo_sitemap"] = entries(context["pages"], config)
        log.debug(f"sitemap: {len(context['approdo_sitemap'])} pages")
    elif template_name == ROBOTS:
        context["approdo_sitemap_url"] = seo.absolute(site_root(config.site_url), "sitemap.xml")
    return context
