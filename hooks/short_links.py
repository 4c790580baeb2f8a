"""Short links: ``/go/<code>/`` for each landing page and channel, leading to the landing page
with the channel's UTM parameters.

The pages are static HTML generated in memory (``go.html``): not documentation pages, so they
are never in the sitemap, the search index or the navigation, and they say ``noindex``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from approdo import lead_form, metrics, short_codes
from approdo.errors import REPORT
from approdo.social import shown_path, site_landings

TEMPLATE = "go.html"


def all_short_links(landings) -> list[short_codes.ShortLink]:
    """Every short link of the site, landing by landing in slug order, channels in order."""
    links = []
    for slug in sorted(landings):
        landing = landings[slug]
        links += short_codes.short_links_for(slug, landing.url, landing.short_links)
    return links


@event_priority(100)  # validators run first; content_errors reports them all at 90
def on_files(files, config):
    root = Path(config.config_file_path).parent
    landings = site_landings(config.docs_dir, config.extra, root).valid

    def where(slug: str, key: str) -> tuple[str, int]:
        landing = landings[slug]
        return shown_path(config.docs_dir, root, landing.src_path), landing.line(key)

    for slug, landing in landings.items():
        for problem in short_codes.check_overrides(slug, landing.short_links):
            REPORT.add(*where(slug, problem.key), problem.problem, problem.expected)
    links = all_short_links(landings)
    for first, second in short_codes.collisions(links):
        # Point at the author's own code when there is one: that is the line to change.
        blamed, other = (second, first) if second.custom or not first.custom else (first, second)
        path, line = where(blamed.slug, f"short_links.{blamed.channel}")
        other_path, other_line = where(other.slug, f"short_links.{other.channel}")
        REPORT.add(path, line,
                   f"short-link code '{blamed.code}' of '{blamed.slug}' on {blamed.channel} is also the "
                   f"code of '{other.slug}' on {other.channel} ({other_path}:{other_line})",
                   "a code used by one landing page and channel only")
    for file in files:
        if file.src_uri.startswith(short_codes.GO_DIR + "/") and not file.generated_by:
            REPORT.add(shown_path(config.docs_dir, root, file.src_uri), 1,
                       f"'{short_codes.GO_DIR}/' is reserved for short links",
                       "move this file to another folder")

    template = config.theme.get_env().get_template(TEMPLATE)
    lang = config.theme.get("language") or "it"
    for link in links:
        landing = landings[link.slug]
        # Relative, so the page works on any host and under any base path.
        query = urlsplit(link.target).query
        html = template.render(
            target=f"{get_relative_url(landing.url, link.url)}?{query}",
            title=landing.title, site_name=config.site_name, lang=lang,
            metrics=_counting(config, link.slug, f"{landing.url}?{query}"))
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
