"""Short links: ``/go/<code>/`` for each landing page and channel, leading to the landing page
with the channel's UTM parameters.

The pages are static HTML generated in memory (``go.html``): not documentation pages, so they
are never in the sitemap, the search index or the navigation, and they say ``noindex``.
"""

from __future__ import annotations

from urllib.parse import urlencode, urljoin, urlsplit

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from approdo import content_check, lead_form, metrics, site_model
from approdo.errors import REPORT
from approdo.project import Settings

TEMPLATE = "go.html"
GO_STYLESHEETS = ("assets/stylesheets/brand.css", "assets/landing/landing.css")


# 95: after validate_content (100), which checks links against authored files only, so a
# link to a page generated here stays an error; before content_errors (90) reports.
@event_priority(95)
def on_files(files, config):
    landings = site_model.current().valid_landings
    # The same checks `approdo check` runs.
    settings = Settings.from_mkdocs(config)
    REPORT.extend(content_check.short_link_errors(settings, landings))
    links = content_check.all_short_links(landings)
    for file in files:
        if not file.generated_by and (error := content_check.short_link_folder_error(settings, file.src_uri)):
            REPORT.extend([error])
    template = config.theme.get_env().get_template(TEMPLATE)
    lang = config.theme.get("language") or "it"
    for link in links:
        landing = landings[link.slug]
        # Relative, so the page works on any host and under any base path.
        query = urlsplit(link.target).query
        html = template.render(
            target=f"{get_relative_url(landing.url, link.url)}?{query}",
            title=landing.title, site_name=config.site_name, lang=lang,
            metrics=_counting(config, link.slug, f"{landing.url}?{query}"),
            # The landing page's own stylesheets: branded while it waits, and already cached.
            stylesheets=[get_relative_url(sheet, link.url) for sheet in GO_STYLESHEETS])
        files.append(File.generated(config, link.url + "index.html", content=html))
    return files


def _counting(config, slug: str, target: str) -> dict[str, str] | None:
    """What ``go.html`` needs to count the click (cookie-free, see hooks/metrics.py): the beacon
    address, and the receiver's counting redirect for visitors without JavaScript (it needs
    the landing page's absolute address, so only when ``site_url`` is set)."""
    beacon = metrics.beacon_url(config.extra)
    if beacon is None:
        return None
    redirect = metrics.redirect_url(config.extra)
    counted = ""
    if config.site_url and redirect:
        absolute = urljoin(config.site_url, target)
        counted = f"{redirect}?{urlencode({metrics.PAGE_FIELD: slug, metrics.TARGET_FIELD: absolute})}"
    return {"beacon": beacon, "page": slug, "redirect": counted,
            "utm_pattern": lead_form.UTM_PATTERN, "utm_max": str(lead_form.UTM_MAX_LENGTH)}
