"""The front-matter contract of blog posts and ordinary pages, checked with file and line.

Each ``check_*`` function is pure: it takes a parsed ``FrontMatter`` and the project's facts
(allowed categories, known authors) and returns every ``ContentError`` it finds, so that one
build reports all of them. Landing pages have their own schema in ``approdo.landing``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from approdo.errors import ContentError, did_you_mean
from approdo.frontmatter import FrontMatter
from approdo.markdown_lines import prose_lines
from approdo.safe_values import LINK_EXPECTED, LOCAL_EXPECTED, link_problem
from approdo.slugs import slugify

# Keys Material understands on any page, plus Approdo's own (landing = call to action,
# social = suggested social-post text, noindex = keep out of search engines).
PAGE_KEYS = frozenset({
    "title", "description", "tags", "hide", "template", "icon", "status", "search", "subtitle",
    "comments", "image", "landing", "social", "noindex",
})
POST_KEYS = PAGE_KEYS | {"date", "authors", "categories", "draft", "slug", "pin", "links", "readtime"}
DATE_KEYS = ("created", "updated")
# Material prints titles raw in navigation and listings: refuse what would become markup.
MARKUP = re.compile(r"[<>]")
# Material prints author names raw, also inside alt="...": a quote would end the attribute.
AUTHOR_MARKUP = re.compile(r"[<>\"]")
# What Material reads of an author in .authors.yml.
AUTHOR_KEYS = ("name", "description", "avatar", "slug", "url")
# Material prints `status` into a class attribute of the navigation: a name, nothing more.
STATUS = re.compile(r"[a-z0-9_-]+")
YAML_BOOLEANS = frozenset({"true", "false"})
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
H1 = re.compile(r"^#[ \t]+(.*?)[ \t]*(?:\{[^}]*\})?$")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
# What Material can hide on a page (`hide:`), and the keys of its `search:` block.
HIDE = ("navigation", "toc", "footer", "path", "tags", "feedback")
SEARCH_KEYS = ("boost", "exclude")
# An icon is a path under a theme's .icons folder ("material/star"); a template a file name.
ICON = re.compile(r"[a-z0-9_-]+(?:/[a-z0-9_.-]+)+")
TEMPLATE = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+)*\.html")
# The longest URL segment Approdo accepts: the lead form stores at most 100 characters of a
# UTM value, and the slug of a page is its campaign or content.
MAX_SLUG = 100


@dataclass(frozen=True)
class BlogFacts:
    """What a post's front matter is checked against."""

    categories: tuple[str, ...]
    authors: tuple[str, ...]
    # The excerpt separator every post must contain ("" when excerpts are optional).
    excerpt_separator: str = ""
    # Where a new author or category goes, for the hint of an unknown one.
    authors_file: str = "docs/blog/.authors.yml"
    categories_file: str = "mkdocs.yml"


@dataclass(frozen=True)
class ThemeFacts:
    """Where Material looks for templates and icons (``theme.dirs``: overrides first). With
    no folders, names are checked for their form only."""

    dirs: tuple[str, ...] = ()

    def has(self, relative: str) -> bool:
        return not self.dirs or any((Path(folder) / relative).is_file() for folder in self.dirs)


@dataclass(frozen=True)
class PostSlug:
    """Where a post's slug comes from, for the duplicate check across posts."""

    path: str
    line: int
    slug: str


def check_page(path: str, fm: FrontMatter, theme: ThemeFacts = ThemeFacts()) -> list[ContentError]:
    """Errors in the front matter of an ordinary page (home, knowledge base, privacy...)."""
    errors = _unknown_keys(path, fm, PAGE_KEYS)
    errors += _check_texts(path, fm, required=())
    errors += _check_material_keys(path, fm, theme)
    return errors


def check_post(path: str, fm: FrontMatter, facts: BlogFacts,
               theme: ThemeFacts = ThemeFacts()) -> list[ContentError]:
    """Errors in the front matter of a blog post."""
    data = fm.data or {}
    errors = _unknown_keys(path, fm, POST_KEYS)
    errors += _check_texts(path, fm, required=("title", "description"))
    errors += _check_date(path, fm)
    errors += _check_boolean(path, fm, "draft")
    errors += _check_boolean(path, fm, "pin")
    errors += _check_material_keys(path, fm, theme)
    errors += _check_readtime(path, fm)
    errors += _check_links(path, fm)

    errors += _check_known_names(path, fm, "categories", facts.categories, "category",
                                 "a list of categories, e.g. [Strategia]",
                                 f"add it to categories_allowed in {facts.categories_file}")
    errors += _check_known_names(path, fm, "authors", facts.authors, "author",
                                 "a list of authors from .authors.yml, e.g. [giulia]",
                                 f"add it to {facts.authors_file}")
    if facts.excerpt_separator:
        errors += _check_excerpt(path, fm, facts.excerpt_separator)
    errors += _check_heading(path, fm)

    if "slug" in data and (not isinstance(data["slug"], str) or not SLUG.fullmatch(data["slug"])):
        errors.append(ContentError(path, fm.line("slug"), f"invalid slug {data['slug']!r}",
                                   "lowercase ASCII letters, digits and hyphens"))
    else:
        errors += _check_slug_length(path, post_slug(path, fm))
    return errors


def _check_excerpt(path: str, fm: FrontMatter, separator: str) -> list[ContentError]:
    """The excerpt separator on a line of its own, in the prose: Material splits the rendered
    page at it, so inside a code block it never splits (the listing shows the whole post) and
    inside an admonition or a list it cuts the box in two."""
    if separator not in fm.body:
        # Material aborts on this with no line and hides every other error: report it here.
        return [ContentError(path, fm.body_line, f"no excerpt separator {separator}",
                             "a line with it after the introduction shown in blog listings")]
    if any(text.rstrip() == separator for _, text in prose_lines(fm.body, fm.body_line)):
        return []
    line = fm.body_line + fm.body[:fm.body.index(separator)].count("\n")
    return [ContentError(path, line, f"excerpt separator {separator} is inside a code block, "
                         "an admonition or a list, where it cannot end the excerpt",
                         "a line with only it, not indented, after the introduction")]


def _check_heading(path: str, fm: FrontMatter) -> list[ContentError]:
    """A post's # heading must say what its title says: the page shows the heading, while
    the blog listing, the home page, feeds and social previews show the title."""
    title = (fm.data or {}).get("title")
    if not isinstance(title, str):
        return []
    for line, text in prose_lines(fm.body, fm.body_line):
        match = H1.match(text)
        if match:
            heading = match.group(1).strip().rstrip("#").strip()
            if _plain(heading) != _plain(title):
                return [ContentError(path, line, f"heading '{heading}' differs from the title '{title}'",
                                     "the same text in both, or no # heading: the title is shown then")]
            return []
    return []


def _plain(text: str) -> str:
    """Text without Markdown emphasis or code marks and with spaces collapsed."""
    return " ".join(re.sub(r"[*_`]", "", text).split())


def _check_slug_length(path: str, slug: PostSlug | None) -> list[ContentError]:
    """A slug made from the title can be empty (a title of emoji or Chinese characters would
    publish the post at /blog/YYYY/MM/) or too long for a URL pasted into a social post."""
    if slug is None:
        return []
    if not slug.slug:
        return [ContentError(path, slug.line, "the title has no Latin letters or digits to make "
                             "the post's URL from", "a slug: in the front matter, e.g. slug: festa-di-primavera")]
    if len(slug.slug) > MAX_SLUG:
        return [ContentError(path, slug.line, f"the post's URL slug would be {len(slug.slug)} characters long",
                             f"at most {MAX_SLUG}: a shorter title, or a slug: in the front matter")]
    return []


def post_slug(path: str, fm: FrontMatter) -> PostSlug | None:
    """The slug Material will give the post (``slug:`` or the ASCII slug of the title)."""
    data = fm.data or {}
    if isinstance(data.get("slug"), str):
        return PostSlug(path, fm.line("slug"), data["slug"])
    if isinstance(data.get("title"), str):
        return PostSlug(path, fm.line("title"), slugify(data["title"]))
    return None


def duplicate_slugs(slugs: list[PostSlug]) -> list[ContentError]:
    """Posts sharing a slug: Material would silently let one overwrite the other."""
    errors: list[ContentError] = []
    first: dict[str, PostSlug] = {}
    for item in sorted(slugs, key=lambda s: s.path):
        if item.slug in first:
            other = first[item.slug]
            errors.append(ContentError(
                item.path, item.line, f"slug '{item.slug}' is already used by {other.path}",
                "a different title, or a unique slug: in the front matter"))
        else:
            first[item.slug] = item
    return errors


@dataclass(frozen=True)
class PageUrl:
    """Where one page is published, for the site-wide check that no two share a URL."""

    url: str
    path: str
    # Written by an author in docs/ (not a page Material's blog generates).
    authored: bool


def url_collisions(pages: list[PageUrl]) -> list[ContentError]:
    """Pages published at the same URL: the one written last silently replaces the other (a
    post whose date and slug give the URL of an existing page, a page under blog/category/)."""
    errors: list[ContentError] = []
    first: dict[str, PageUrl] = {}
    for page in sorted(pages, key=lambda p: (not p.authored, p.path)):
        other = first.setdefault(page.url, page)
        if other is not page:
            place = page if page.authored else other
            errors.append(ContentError(
                place.path, 1, f"published at /{page.url}, the URL of {(other if place is page else page).path}: "
                "one of them would silently replace the other",
                "a different slug: for the post, or another file name for the page"))
    return errors


def check_authors_file(path: str, data: Any, lines: dict[str, int]) -> list[ContentError]:
    """Errors in ``.authors.yml``: each author needs a name, a description and an avatar."""
    if not isinstance(data, dict) or not isinstance(data.get("authors"), dict):
        return [ContentError(path, 1, "no 'authors:' mapping",
                             "authors: {key: {name: ..., description: ..., avatar: ...}}")]
    errors = []
    for key, author in data["authors"].items():
        line = lines.get(f"authors.{key}", 1)
        if not isinstance(author, dict):
            errors.append(ContentError(path, line, f"author '{key}' is not a mapping",
                                       "name, description and avatar"))
            continue
        for field in author:
            if field not in AUTHOR_KEYS:
                errors.append(ContentError(path, lines.get(f"authors.{key}.{field}", line),
                                           f"unknown key '{field}' for author '{key}'",
                                           "one of: " + ", ".join(AUTHOR_KEYS)))
        for field in ("name", "description", "avatar"):
            if not isinstance(author.get(field), str) or not author[field].strip():
                errors.append(ContentError(path, line, f"author '{key}' has no {field}",
                                           f"a non-empty text for {field}"))
            elif field != "avatar" and AUTHOR_MARKUP.search(author[field]):
                errors.append(ContentError(
                    path, lines.get(f"authors.{key}.{field}", line),
                    f"{field} of author '{key}' contains markup characters < > or \"",
                    "plain text; write « » or “ ” for quotes"))
        # Material prints the avatar into src="" and the profile link into href="", raw.
        for field, problem, expected in (
                ("avatar", link_problem(author.get("avatar"), local=True), LOCAL_EXPECTED),
                ("url", link_problem(author.get("url"), mailto=True), LINK_EXPECTED)):
            if author.get(field) and problem:
                errors.append(ContentError(path, lines.get(f"authors.{key}.{field}", line),
                                           f"{field} of author '{key}': {problem}", expected))
        if "slug" in author and (not isinstance(author["slug"], str) or not SLUG.fullmatch(author["slug"])):
            errors.append(ContentError(path, lines.get(f"authors.{key}.slug", line),
                                       f"invalid slug {author['slug']!r} for author '{key}'",
                                       "lowercase ASCII letters, digits and hyphens"))
    return errors


def check_file_name(path: str, src_uri: str) -> list[ContentError]:
    """A file name becomes the page's URL (and its campaign name in UTM links)."""
    stem = src_uri.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if len(stem) <= MAX_SLUG:
        return []
    return [ContentError(path, 1, f"file name is {len(stem)} characters long",
                         f"at most {MAX_SLUG} characters before .md: it becomes the page's URL")]


@dataclass(frozen=True)
class TagSpelling:
    """One tag as written on one page, for the site-wide check of its spelling."""

    path: str
    line: int
    tag: str


def tag_spellings(path: str, fm: FrontMatter) -> list[TagSpelling]:
    tags = (fm.data or {}).get("tags")
    if not isinstance(tags, list):
        return []
    return [TagSpelling(path, fm.line(f"tags.{index}"), tag)
            for index, tag in enumerate(tags) if isinstance(tag, str)]


def tags_differing_in_case(spellings: list[TagSpelling]) -> list[ContentError]:
    """Tags written differently ("Social", "social") get the same slug: Material would show two
    sections with one id on the tags page. The first spelling (by file) is the one to use."""
    errors: list[ContentError] = []
    first: dict[str, TagSpelling] = {}
    for item in sorted(spellings, key=lambda s: (s.path, s.line)):
        key = slugify(item.tag)
        known = first.setdefault(key, item)
        if known.tag != item.tag:
            errors.append(ContentError(
                item.path, item.line, f"tag '{item.tag}' is written '{known.tag}' in {known.path}:{known.line}",
                "the same spelling, accents and capitals everywhere"))
    return errors


def tag_errors(path: str, tags: list, line) -> list[ContentError]:
    """Tags that would become markup: Material prints tags raw on pages, on the tags page and
    in search results. ``line(index)`` gives the line of each item."""
    return [ContentError(path, line(index), f"tag {tag!r} contains markup characters < or >",
                         "plain text; write « » or “ ” for quotes")
            for index, tag in enumerate(tags) if isinstance(tag, str) and MARKUP.search(tag)]


def as_date(value: Any) -> dt.date | None:
    """The date YAML gave us (a date or a datetime), or None when it is anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _unknown_keys(path: str, fm: FrontMatter, allowed: frozenset[str]) -> list[ContentError]:
    errors = []
    for key in fm.data or {}:
        if key not in allowed:
            hint = did_you_mean(key, allowed)
            errors.append(ContentError(
                path, fm.line(str(key)), f"unknown front-matter key '{key}'",
                hint or "one of: " + ", ".join(sorted(allowed))))
    return errors


def _check_known_names(path: str, fm: FrontMatter, key: str, known: tuple[str, ...],
                       noun: str, expected: str, add_to: str) -> list[ContentError]:
    """A required list whose every item must be one of ``known`` (categories, authors)."""
    errors = _check_string_list(path, fm, key, required=True, expected=expected)
    if errors:
        return errors
    for index, name in enumerate((fm.data or {})[key]):
        if name not in known:
            hint = did_you_mean(name, known)
            errors.append(ContentError(path, fm.line(f"{key}.{index}"), f"unknown {noun} '{name}'",
                                       (hint + " " if hint else "") + "one of: " + ", ".join(known)
                                       + f"; or {add_to}"))
    return errors


def _check_texts(path: str, fm: FrontMatter, required: tuple[str, ...]) -> list[ContentError]:
    errors = []
    data = fm.data or {}
    # Material prints the subtitle raw in the navigation, like the title.
    for key in ("title", "description", "subtitle"):
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if key in required:
                errors.append(ContentError(path, fm.line(key), f"missing {key}",
                                           f"a non-empty '{key}:' in the front matter"))
            continue
        if not isinstance(value, str):
            errors.append(ContentError(path, fm.line(key), f"{key} is not text",
                                       f"a plain text {key}"))
        elif MARKUP.search(value):
            errors.append(ContentError(path, fm.line(key), f"{key} contains markup characters < or >",
                                       "plain text; write « » or “ ” for quotes"))
    return errors


def _check_boolean(path: str, fm: FrontMatter, key: str, block: Any = None) -> list[ContentError]:
    """``key`` (dotted inside ``block``, a nested mapping, if given) is true or false."""
    name = key.rpartition(".")[2]
    container = fm.data if block is None else block
    if not isinstance(container, dict) or name not in container:
        return []
    # YAML 1.1 reads yes/no/on/off as booleans: accept only what says what it means.
    raw = fm.raw.get(key, "")
    if isinstance(container[name], bool) and raw.lower() in YAML_BOOLEANS:
        return []
    return [ContentError(path, fm.line(key), f"{key} is {raw or container[name]!r}, not a boolean",
                         "true or false")]


def _check_material_keys(path: str, fm: FrontMatter, theme: ThemeFacts) -> list[ContentError]:
    """The keys Material reads on any page: a wrong value used to end in a Jinja traceback
    (icon, template), in a silently wrong page (hide, search) or in markup (status)."""
    data = fm.data or {}
    errors = _check_tags(path, fm) + _check_status(path, fm)
    errors += _check_boolean(path, fm, "noindex") + _check_boolean(path, fm, "comments")
    icon = data.get("icon")
    if icon is not None:
        if not isinstance(icon, str) or ".." in icon or not ICON.fullmatch(icon):
            errors.append(ContentError(path, fm.line("icon"), f"icon {icon!r} is not an icon name",
                                       "a path such as material/star or fontawesome/brands/instagram"))
        elif not theme.has(f".icons/{icon}.svg"):
            errors.append(ContentError(path, fm.line("icon"), f"icon '{icon}' does not exist",
                                       "an icon of Material's set, e.g. material/star"))
    template = data.get("template")
    if template is not None:
        if not isinstance(template, str) or ".." in template or not TEMPLATE.fullmatch(template):
            errors.append(ContentError(path, fm.line("template"),
                                       f"template {template!r} is not a template file name",
                                       "a file in overrides/ or Material's templates, e.g. main.html"))
        elif not theme.has(template):
            errors.append(ContentError(path, fm.line("template"),
                                       f"template '{template}' does not exist",
                                       "a file in overrides/ or Material's templates, e.g. main.html"))
    errors += _check_hide(path, fm)
    errors += _check_search(path, fm)
    return errors


def _check_hide(path: str, fm: FrontMatter) -> list[ContentError]:
    hide = (fm.data or {}).get("hide")
    expected = "a list of: " + ", ".join(HIDE)
    if hide is None:
        return []
    if not isinstance(hide, list):
        return [ContentError(path, fm.line("hide"), "hide is not a list", expected)]
    return [ContentError(path, fm.line(f"hide.{index}"), f"Material cannot hide {item!r}",
                         (did_you_mean(item, HIDE) + " " if did_you_mean(item, HIDE) else "") + expected)
            for index, item in enumerate(hide) if item not in HIDE]


def _check_search(path: str, fm: FrontMatter) -> list[ContentError]:
    search = (fm.data or {}).get("search")
    expected = "search: {boost: 2} to rank the page higher, or search: {exclude: true}"
    if search is None:
        return []
    if not isinstance(search, dict):
        return [ContentError(path, fm.line("search"), "search is not a mapping", expected)]
    errors = [ContentError(path, fm.line(f"search.{key}"), f"unknown search key '{key}'",
                           "boost or exclude") for key in search if key not in SEARCH_KEYS]
    boost = search.get("boost")
    if "boost" in search and (isinstance(boost, bool) or not isinstance(boost, (int, float))
                              or not 0 < boost <= 100):
        errors.append(ContentError(path, fm.line("search.boost"),
                                   f"search.boost is {fm.raw.get('search.boost', boost)!r}, not a positive number",
                                   "a number such as 2 (higher) or 0.5 (lower), at most 100"))
    return errors + _check_boolean(path, fm, "search.exclude", search)


def _check_readtime(path: str, fm: FrontMatter) -> list[ContentError]:
    value = (fm.data or {}).get("readtime")
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 < value < 1000):
        return []
    return [ContentError(path, fm.line("readtime"),
                         f"readtime is {fm.raw.get('readtime', value)!r}, not a number of minutes",
                         "a whole number such as 5, or no readtime: to let Material count")]


def _check_links(path: str, fm: FrontMatter) -> list[ContentError]:
    """Material's related links of a post: pages of this site, as a list of paths or of
    ``Title: path`` pairs (one level of sections)."""
    links = (fm.data or {}).get("links")
    expected = "a list of pages, e.g. [kb/glossario.md] or [Glossario: kb/glossario.md]"
    if links is None:
        return []
    if not isinstance(links, list):
        return [ContentError(path, fm.line("links"), "links is not a list", expected)]
    errors = []
    for index, item in enumerate(links):
        if isinstance(item, dict) and len(item) == 1:
            (title, target), = item.items()
            targets = target if isinstance(target, list) else [target]
            if isinstance(title, str) and all(_is_page_link(t) for t in targets):
                continue
        elif _is_page_link(item):
            continue
        errors.append(ContentError(path, fm.line(f"links.{index}"), f"link {item!r} is not a page",
                                   expected))
    return errors


def _is_page_link(value: Any) -> bool:
    if isinstance(value, dict) and len(value) == 1:
        (title, target), = value.items()
        return isinstance(title, str) and _is_page_link(target)
    return isinstance(value, str) and value.split("#")[0].endswith(".md") and not MARKUP.search(value)


def _check_status(path: str, fm: FrontMatter) -> list[ContentError]:
    value = (fm.data or {}).get("status")
    if value is None or (isinstance(value, str) and STATUS.fullmatch(value)):
        return []
    return [ContentError(path, fm.line("status"), f"status {value!r} is not a status name",
                         "one lowercase word, e.g. new or deprecated")]


def check_landing_tags(path: str, fm: FrontMatter) -> list[ContentError]:
    """The tags of a landing page (the rest of it is approdo.landing's schema): its templates
    escape everything, but Material lists tags raw on the tags page and in search results."""
    tags = (fm.data or {}).get("tags")
    if isinstance(tags, str):
        return tag_errors(path, [tags], lambda index: fm.line("tags"))
    if not isinstance(tags, list):
        return []
    return tag_errors(path, tags, lambda index: fm.line(f"tags.{index}"))


def _check_tags(path: str, fm: FrontMatter) -> list[ContentError]:
    errors = _check_string_list(path, fm, "tags")
    if errors:
        return errors
    return tag_errors(path, (fm.data or {}).get("tags") or [],
                      lambda index: fm.line(f"tags.{index}"))


def _check_string_list(path: str, fm: FrontMatter, key: str, required: bool = False,
                       expected: str = "") -> list[ContentError]:
    data = fm.data or {}
    expected = expected or f"a list of texts, e.g. {key}: [uno, due]"
    if key not in data or data[key] is None:
        return [ContentError(path, fm.line(key), f"missing {key}", expected)] if required else []
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        return [ContentError(path, fm.line(key), f"{key} is not a list of texts", expected)]
    if required and not value:
        return [ContentError(path, fm.line(key), f"{key} is empty", expected)]
    return []


def _check_date(path: str, fm: FrontMatter) -> list[ContentError]:
    data = fm.data or {}
    expected = "a date such as 2026-03-01, or created: and updated: dates"
    if "date" not in data or data["date"] is None:
        return [ContentError(path, fm.line("date"), "missing date", expected)]
    value = data["date"]
    if not isinstance(value, dict):
        return _check_one_date(path, fm, "date", value, expected)
    errors = []
    for key in value:
        if key not in DATE_KEYS:
            errors.append(ContentError(path, fm.line(f"date.{key}"), f"unknown date key '{key}'",
                                       "created or updated"))
    if "created" not in value:
        errors.append(ContentError(path, fm.line("date"), "missing date.created", expected))
    for key in DATE_KEYS:
        if key in value:
            errors += _check_one_date(path, fm, f"date.{key}", value[key], expected)
    created, updated = as_date(value.get("created")), as_date(value.get("updated"))
    if created and updated and updated < created:
        errors.append(ContentError(path, fm.line("date.updated"),
                                   f"updated date {updated} is before created date {created}",
                                   "an update on or after the creation"))
    return errors


def _check_one_date(path: str, fm: FrontMatter, key: str, value: Any,
                    expected: str) -> list[ContentError]:
    if as_date(value) is not None:
        return []
    text = str(fm.raw.get(key, value))
    match = ISO_DATE.fullmatch(text.strip())
    # YAML leaves 2026-02-30 as a string because it is not a real day: say so plainly.
    problem = (f"impossible date '{text}'" if match else f"'{text}' is not a date")
    return [ContentError(path, fm.line(key), problem, expected)]
