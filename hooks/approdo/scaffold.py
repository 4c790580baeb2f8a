"""New posts and landing pages, written from templates with every key an author needs.

``approdo new post`` and ``approdo new landing`` call these; the texts are the Jinja templates
``templates/new-post.md`` and ``templates/new-landing.md`` (Italian, like the site). A file
that exists is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import jinja2
from babel.dates import format_date, format_datetime

from approdo import landing as landing_model
from approdo import lead_form, short_codes
from approdo.content_check import DESCRIPTION_PLACEHOLDER
from approdo.errors import did_you_mean
from approdo.project import Settings
from approdo.slugs import slugify

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("approdo", "templates"),
    # Markdown and YAML, not HTML: values go through the `yaml` filter, which quotes them.
    autoescape=False,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
# A JSON string is a valid YAML double-quoted scalar: any title is safe in front matter.
_TEMPLATES.filters["yaml"] = lambda value: json.dumps(str(value), ensure_ascii=False)


class ScaffoldError(Exception):
    """Something the author asked for cannot be done (a file exists, an unknown author...)."""


@dataclass(frozen=True)
class Created:
    """A file written: where it is (relative to the project) and the URL it will have."""

    path: str
    url: str


def new_post(settings: Settings, title: str, day: dt.date, author_keys: tuple[str, ...],
             author: str | None = None, category: str | None = None) -> Created:
    """Write ``<posts_dir>/<date>-<slug>.md``: a draft with complete, valid front matter."""
    blog = settings.blog
    if blog is None:
        raise ScaffoldError("mkdocs.yml has no blog plugin: there is nowhere to put a post")
    slug = _slug(title)
    author = author or _default_author(settings, author_keys)
    if author not in author_keys:
        raise ScaffoldError(_unknown("author", author, author_keys))
    category = category or (blog.categories[0] if blog.categories else "")
    if blog.categories and category not in blog.categories:
        raise ScaffoldError(_unknown("category", category, blog.categories))
    src_uri = f"{blog.posts_dir}{day.isoformat()}-{slug}.md"
    text = _TEMPLATES.get_template("new-post.md").render(
        title=title, description=DESCRIPTION_PLACEHOLDER, date=day.isoformat(), author=author,
        category=category, categories_allowed=blog.categories or (category,),
        separator=blog.excerpt_separator or "<!-- more -->")
    _write(settings, src_uri, text)
    return Created(settings.shown(src_uri), post_url(settings, slug, day, category, src_uri))


def new_landing(settings: Settings, title: str) -> Created:
    """Write ``landing/<slug>.md`` with every key of the landing schema, present or commented."""
    slug = _slug(title)
    src_uri = f"{landing_model.LANDING_DIR}/{slug}.md"
    url = page_url(settings, landing_model.landing_url(slug))
    text = _TEMPLATES.get_template("new-landing.md").render(
        title=title, slug=slug, url=url, description=DESCRIPTION_PLACEHOLDER,
        optional_fields=lead_form.OPTIONAL_VISITOR_FIELDS, providers=landing_model.PROVIDERS,
        channels=tuple(short_codes.CHANNELS))
    _write(settings, src_uri, text)
    return Created(settings.shown(src_uri), url)


def post_url(settings: Settings, slug: str, day: dt.date, category: str, src_uri: str) -> str:
    """The address Material's blog plugin gives a post (its ``_format_path_for_post``)."""
    blog = settings.blog
    assert blog is not None  # callers have a blog: new_post checked it
    date_format = blog.post_url_date_format
    moment = dt.datetime.combine(day, dt.time())
    # As Material: babel's named formats for dates, else a pattern such as yyyy/MM.
    date = (format_date(day, format=date_format, locale=_locale(settings))
            if date_format in ("full", "long", "medium", "short")
            else format_datetime(moment, format=date_format, locale=_locale(settings)))
    path = blog.post_url_format.format(categories=slugify(category), date=date,
                                       file=Path(src_uri).stem, slug=slug)
    return page_url(settings, f"{blog.blog_dir}/{path.strip('/')}/")


def page_url(settings: Settings, url: str) -> str:
    """A site-relative URL made absolute with ``site_url`` (left relative without one)."""
    base = settings.site_url or "/"
    return base.rstrip("/") + "/" + url.lstrip("/")


def _locale(settings: Settings) -> str:
    return settings.language.replace("-", "_")


def _slug(title: str) -> str:
    slug = slugify(title)
    if not title.strip() or not slug:
        raise ScaffoldError(f"title {title!r} has no letters or digits to make an address from")
    return slug


def _default_author(settings: Settings, author_keys: tuple[str, ...]) -> str:
    configured = (settings.approdo.get("authoring") or {}).get("author")
    if configured:
        return str(configured)
    if not author_keys:
        raise ScaffoldError("no authors in the blog's authors file: add one, or pass --author")
    return author_keys[0]


def _unknown(noun: str, name: str, known: tuple[str, ...]) -> str:
    hint = did_you_mean(name, known)
    return f"unknown {noun} '{name}' ({(hint + ' ') if hint else ''}one of: {', '.join(known)})"


def _write(settings: Settings, src_uri: str, text: str) -> None:
    target = settings.docs_dir / src_uri
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # "x": create, never overwrite, even if another process writes the same name meanwhile.
        with target.open("x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{settings.shown(src_uri)} already exists: nothing was written") from None
