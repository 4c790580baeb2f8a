"""Search-engine and social-preview metadata for every page.

Computes Open Graph, Twitter card and JSON-LD values into the template context as
``approdo_seo``; ``partials/approdo/head.html`` prints them, escaped. Also checks that every
``image:`` in front matter points at an image social networks can show.
"""

from __future__ import annotations

import logging
import posixpath
from datetime import timedelta
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

import seo_pages
from approdo import content_check, seo, site_model
from approdo.content_check import IMAGE_TYPES, image_size
from approdo.errors import REPORT
from approdo.project import Settings

log = logging.getLogger("mkdocs.hooks.seo")

# This build's site facts, set by on_config (which runs before every other event).
_current: seo_pages.Site | None = None
# Site-relative URL -> page, and author name -> profile URL, filled in on_env.
_pages: dict[str, Any] = {}
_profiles: dict[str, str] = {}
# Front-matter image -> its File (resolved in on_files).
_images: dict[str, File] = {}


def _site() -> seo_pages.Site:
    if _current is None:
        raise RuntimeError("hooks/seo.py: on_config has not run for this build")
    return _current


def on_config(config):
    global _current
    # `mkdocs serve` keeps this module between builds.
    _pages.clear()
    _profiles.clear()
    _images.clear()
    seo_pages.reset()
    _current = seo_pages.site(config)
    return config


# --- front-matter images --------------------------------------------------------------------

@event_priority(100)  # an error here must be reported by content_errors (90) with the others
def on_files(files, config):
    # The same check `approdo check` runs.
    settings = Settings.from_mkdocs(config)

    def locate(src_uri: str) -> str | None:
        found = files.get_file_from_path(src_uri)
        return found.abs_src_path if found is not None else None

    model = site_model.current()
    for file in files.documentation_pages():
        if not file.abs_src_path:  # generated in memory: nothing an author wrote
            continue
        error, found = content_check.preview_image(
            settings, file.src_uri, model.front_matter(file.src_uri, file.abs_src_path), locate)
        if error is not None:
            REPORT.extend([error])
        elif found is not None:
            _images[file.src_uri] = files.get_file_from_path(found)
    return files


def _is_url(value: str) -> bool:
    return value.startswith(("https://", "http://"))


# --- page metadata --------------------------------------------------------------------------

# Priority -10: after social_cards.on_env (0), which sets the cards this reads, whatever the
# order of the hooks in mkdocs.yml; the feeds read the images set here only in on_post_build.
@event_priority(-10)
def on_env(env, config, files):
    from material.plugins.blog.structure import Profile

    for file in files.documentation_pages():
        page = file.page
        if page is None:
            continue
        _pages.setdefault(page.url, page)
        if isinstance(page, Profile) and page.name not in _profiles:
            _profiles[page.name] = seo.absolute(_site().site_url, page.url)
        # The preview image, resolved once: the feeds hook reads it from here too.
        page.meta["approdo_image"] = _page_image(page, seo_pages.title(page, config))
    return env


def _page_image(page, title: str) -> seo.Image | None:
    file = _images.get(page.file.src_uri)
    value = page.meta.get("image") if isinstance(page.meta, dict) else None
    if isinstance(value, str) and _is_url(value.strip()):
        suffix = posixpath.splitext(value.split("?")[0])[1].lower()
        return seo.Image(value.strip(), alt=title, type=IMAGE_TYPES.get(suffix, ""))
    if file is not None and file.abs_src_path:  # an author's file (found on disk in on_files)
        width, height = image_size(file.abs_src_path)
        return seo.Image(seo.absolute(_site().site_url, file.url), width, height, title,
                         IMAGE_TYPES.get(posixpath.splitext(file.src_uri)[1].lower(), ""))
    card = page.meta.get("approdo_card") if isinstance(page.meta, dict) else None
    return _card_image(card) if card else None


def _card_image(card: dict) -> seo.Image:
    return seo.Image(seo.absolute(_site().site_url, card["url"]), card["width"], card["height"],
                     card["alt"], card["type"])


def _description(page, config, kind: str) -> str:
    meta = page.meta if isinstance(page.meta, dict) else {}
    text = meta.get("description")
    if isinstance(text, str) and text.strip():
        return seo.plain_text(text)
    derived = (seo_pages.view_description(page, config) if kind == seo_pages.BLOG
               else seo.description_from_html(page.content or ""))
    if derived and not page.is_homepage:
        # main.html prints page.meta.description: the meta tag and og:description agree.
        meta["description"] = derived
        return derived
    return _site().description


def _crumbs(page, config, kind: str, title: str) -> list[seo.Crumb]:
    # The first crumb is the site by name: the home page's own title is a slogan.
    crumbs = [seo.Crumb(config.site_name, seo.absolute(_site().site_url, ""))]
    prefixes = [url for url in seo.url_prefixes(page.url) if url in _pages]
    if kind == seo_pages.POST and page.categories:
        prefixes.append(page.categories[0].url)
    for url in prefixes:
        crumbs.append(seo.Crumb(seo_pages.title(_pages[url], config), seo.absolute(_site().site_url, url)))
    crumbs.append(seo.Crumb(title, seo.absolute(_site().site_url, page.url)))
    return crumbs


def _organization(config) -> dict:
    brand = _site().brand
    address = {"addressLocality": brand["city"], "addressCountry": "IT"} if brand.get("city") else None
    if address and brand.get("address"):
        address = {"streetAddress": brand["address"], **address}
    logo = config.theme.get("logo")
    return seo.organization(
        brand.get("name") or _site().name, _site().site_url,
        logo=seo.absolute(_site().site_url, logo) if logo else "",
        email=brand.get("email", ""), address=address,
        same_as=list(brand.get("profiles") or []),
        description=brand.get("tagline", ""),
    )


def _publisher(config) -> dict:
    """The organization in short, as the publisher of a post."""
    org = _organization(config)
    return {key: org[key] for key in ("@type", "@id", "name", "url", "logo") if key in org}


def _landing_offer(page, config, url: str) -> dict | None:
    landing = _site().landings.get(page.file.src_uri)
    if landing is None:
        return None
    # `closes` is the last day: the offer is valid until that day ends in the site's zone.
    valid = (landing.closes_at - timedelta(seconds=1) if landing.closes else landing.closes_at)
    # Approdo landing pages trade a free offer (guide, consultation, seat) for a contact.
    item = seo.Offer(name=landing.offer.headline or landing.title,
                     description=landing.offer.subheadline or landing.description,
                     valid_through=valid,
                     event={"@id": url + "#event"} if landing.event else {})
    return seo.offer(item, url, _site().site_url, offered_by=_publisher(config))


def _landing_event(page, config, url: str, offer: dict, image) -> dict[str, Any] | None:
    """The event a landing page signs people up for; its offer is the page's, whole."""
    landing = _site().landings.get(page.file.src_uri)
    if landing is None or landing.event is None:
        return None
    return seo.event(landing.event, url=url, name=landing.offer.headline or landing.title,
                     description=landing.offer.subheadline or landing.description,
                     organizer=_publisher(config), image=image, language=_language_tag(),
                     offers={key: value for key, value in offer.items() if key != "itemOffered"})


def metadata(page, config) -> dict:
    """Everything head.html prints for ``page``."""
    kind = seo_pages.kind(page)
    title = seo_pages.title(page, config)
    description = _description(page, config, kind)
    url = page.canonical_url or seo.absolute(_site().site_url, page.url)
    image = page.meta.get("approdo_image") or _page_image(page, title)
    created, updated = seo_pages.dates(page, config)
    data = {
        "kind": kind,
        "type": "article" if kind == seo_pages.POST else "website",
        "title": title,
        "description": description,
        "url": url,
        "image": image,
        "locale": _site().locale,
        "site_name": _site().name,
        "twitter_card": "summary_large_image",
        "twitter_site": _site().brand.get("twitter", ""),
        "article": None,
    }
    webpage_kind = "CollectionPage" if kind == seo_pages.BLOG else "WebPage"
    objects: list[dict[str, Any] | None]
    breadcrumb = seo.breadcrumb_list(_crumbs(page, config, kind, title)) if kind != seo_pages.HOME else None
    if kind == seo_pages.HOME:
        objects = [_organization(config),
                   seo.website(_site().name, _site().site_url, _site().description,
                               language=_language_tag(), search=_has_search(config)),
                   seo.web_page(url=url, name=title, description=description,
                                site_url=_site().site_url, image=image, modified=updated,
                                language=_language_tag())]
    elif kind == seo_pages.POST:
        authors = [seo.Person(author.name, _profiles.get(author.name, "") or (author.url or ""))
                   for author in page.authors]
        tags = [str(tag) for tag in page.meta.get("tags") or []]
        section = page.config.categories[0] if page.config.categories else ""
        data["article"] = {
            "published": seo.iso(created), "modified": seo.iso(updated or created),
            "authors": [author.url or author.name for author in authors],
            "section": section, "tags": tags,
        }
        words = len(seo.plain_text(page.content or "").split())
        objects = [seo.blog_posting(url=url, headline=title, description=description,
                                    site_url=_site().site_url, published=created, modified=updated,
                                    authors=authors, image=image, section=section, keywords=tags,
                                    language=_language_tag(), word_count=words,
                                    publisher=_publisher(config))]
    else:
        webpage = seo.web_page(url=url, name=title, description=description,
                               site_url=_site().site_url, kind=webpage_kind, image=image,
                               modified=updated, language=_language_tag())
        if kind == seo_pages.LANDING:
            offer = _landing_offer(page, config, url)
            if offer:
                webpage["mainEntity"] = offer
        objects = [webpage]
        if kind == seo_pages.LANDING and offer:
            objects.append(_landing_event(page, config, url, offer, image))
    if breadcrumb:
        objects.append(breadcrumb)
    data["json_ld"] = seo.script_json(seo.graph(*objects))
    return data


def _has_search(config) -> bool:
    # Material's search plugin is registered as "material/search".
    return any(name.split("/")[-1] == "search" for name in config.plugins)


def _language_tag() -> str:
    return _site().locale.replace("_", "-")


def on_page_context(context, page, config, nav):
    context["approdo_seo"] = metadata(page, config)
    return context
