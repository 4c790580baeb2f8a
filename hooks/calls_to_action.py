"""Calls to action: a box after an article (and where ``[[cta: <slug>]]`` says, mid-article)
leading to a landing page with ``utm_source=blog&utm_medium=cta``.

Validation runs in ``on_files`` (priority 100, collected by ``content_errors``); rendering is
a placeholder comment in ``on_page_markdown`` replaced in ``on_page_content``: the blog
listing renders excerpts from the page's Markdown with its own parser, so there the
placeholder stays an invisible comment and a call to action never shows inside an excerpt.
The markup is ``partials/approdo/cta.html`` in both places.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url

from approdo import clock, content_check, cta, site_model
from approdo.errors import REPORT
from approdo.landing import is_landing_path
from approdo.project import Settings
from approdo.social import shown_path

log = logging.getLogger("mkdocs.hooks.calls_to_action")

PARTIAL = "partials/approdo/cta.html"
_PLACEHOLDER = re.compile(r"<!-- approdo:cta (?P<slug>[a-z0-9-]+) -->")

_state: dict[str, Any] = {}


def on_config(config):
    # `mkdocs serve` keeps this module between builds: start from nothing every time.
    _state.clear()
    _state["root"] = Path(config.config_file_path).parent
    _state["warned"] = set()
    return config


@event_priority(100)  # validators run first; content_errors reports them all at 90
def on_files(files, config):
    # The same functions `approdo check` runs, over the files MkDocs found.
    settings = Settings.from_mkdocs(config)
    model = site_model.current()
    landings = model.landings
    _state["landings"] = landings
    _state["by_category"] = content_check.cta_defaults(settings, landings)
    REPORT.extend(content_check.cta_config_errors(settings, _state["by_category"], landings))
    for file in files.documentation_pages():
        if is_landing_path(file.src_uri) or file.abs_src_path is None:
            continue
        REPORT.extend(content_check.cta_page_errors(
            settings.shown(file.src_uri), model.front_matter(file.src_uri, file.abs_src_path),
            landings, settings.site_url))
    return files


def on_page_markdown(markdown, page, config, files):
    if is_landing_path(page.file.src_uri):
        return markdown

    def placeholder(slug: str) -> str:
        if _open_landing(slug, page, config) is None:
            return ""
        # A blank line around it keeps the comment a block of its own, outside any paragraph.
        return f"\n<!-- approdo:cta {slug} -->\n"

    return cta.replace_directives(markdown, placeholder)


# After the blog plugin's on_page_content (0) has counted the post's reading time: the boxes
# are not part of the article.
@event_priority(-10)
def on_page_content(html, page, config, files):
    if "<!-- approdo:cta " not in html:
        return html
    template = config.theme.get_env().get_template(PARTIAL)
    count = iter(range(1, 1000))
    return _PLACEHOLDER.sub(
        lambda match: template.render(cta=_box(match.group("slug"), page, f"inline-{next(count)}")),
        html)


def on_page_context(context, page, config, nav):
    """The closing call to action, as ``approdo_cta`` for ``after-article.html``."""
    if is_landing_path(page.file.src_uri) or not page.meta:
        return context
    categories = page.meta.get("categories") or []
    slug = cta.chosen_landing(page.meta, [str(c) for c in categories], _state["by_category"])
    if slug and _open_landing(slug, page, config) is not None:
        context["approdo_cta"] = _box(slug, page, "end")
    return context


def _open_landing(slug: str, page, config):
    """The landing page behind ``slug`` if it is open; a warning when it has closed."""
    landing = _state["landings"].valid.get(slug)
    if landing is None:
        return None
    if landing.is_closed(clock.today()):
        key = (slug, page.file.src_uri)
        if key not in _state["warned"]:
            _state["warned"].add(key)
            shown = shown_path(config.docs_dir, _state["root"], page.file.src_uri)
            # Information, not a warning: a strict build must not start failing on the day
            # an offer closes (the post simply shows no call to action from then on).
            log.info(f"{shown}: landing page '{slug}' closed on {landing.closes.isoformat()}: "
                        "no call to action shown (link another landing page or reopen it)")
        return None
    return landing


def _box(slug: str, page, placement: str) -> dict[str, str]:
    """What ``cta.html`` shows: texts from the landing page, a tracked relative link."""
    landing = _state["landings"].valid[slug]
    href = cta.cta_url(get_relative_url(landing.url, page.url), slug, cta.page_slug(page.url))
    return {
        "slug": slug,
        # "end" or "inline-<n>": unique on the page, so it can name an element id.
        "placement": placement,
        "href": href,
        "headline": landing.offer.headline or landing.title,
        "text": landing.description,
        "label": landing.submit,
    }
