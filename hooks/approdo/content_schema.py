"""The front-matter contract of blog posts and ordinary pages, checked with file and line.

Each ``check_*`` function is pure: it takes a parsed ``FrontMatter`` and the project's facts
(allowed categories, known authors) and returns every ``ContentError`` it finds, so that one
build reports all of them. Landing pages have their own schema in ``approdo.landing``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from approdo.errors import ContentError, did_you_mean
from approdo.frontmatter import FrontMatter
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
# Material prints `status` into a class attribute of the navigation: a name, nothing more.
STATUS = re.compile(r"[a-z0-9_-]+")
YAML_BOOLEANS = frozenset({"true", "false"})
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")


@dataclass(frozen=True)
class BlogFacts:
    """What a post's front matter is checked against."""

    categories: tuple[str, ...]
    authors: tuple[str, ...]
    # The excerpt separator every post must contain ("" when excerpts are optional).
    excerpt_separator: str = ""


@dataclass(frozen=True)
class PostSlug:
    """Where a post's slug comes from, for the duplicate check across posts."""

    path: str
    line: int
    slug: str


def check_page(path: str, fm: FrontMatter) -> list[ContentError]:
    """Errors in the front matter of an ordinary page (home, knowledge base, privacy...)."""
    errors = _unknown_keys(path, fm, PAGE_KEYS)
    errors += _check_texts(path, fm, required=())
    errors += _check_tags(path, fm)
    errors += _check_status(path, fm)
    errors += _check_boolean(path, fm, "noindex")
    return errors


def check_post(path: str, fm: FrontMatter, facts: BlogFacts) -> list[ContentError]:
    """Errors in the front matter of a blog post."""
    data = fm.data or {}
    errors = _unknown_keys(path, fm, POST_KEYS)
    errors += _check_texts(path, fm, required=("title", "description"))
    errors += _check_date(path, fm)
    errors += _check_boolean(path, fm, "draft")
    errors += _check_boolean(path, fm, "pin")
    errors += _check_boolean(path, fm, "noindex")
    errors += _check_tags(path, fm)
    errors += _check_status(path, fm)

    errors += _check_known_names(path, fm, "categories", facts.categories, "category",
                                 "a list of categories, e.g. [Strategia]")
    errors += _check_known_names(path, fm, "authors", facts.authors, "author",
                                 "a list of authors from .authors.yml, e.g. [giulia]")
    if facts.excerpt_separator and facts.excerpt_separator not in fm.body:
        # Material aborts on this with no line and hides every other error: report it here.
        errors.append(ContentError(
            path, fm.body_line, f"no excerpt separator {facts.excerpt_separator}",
            "a line with it after the introduction shown in blog listings"))

    if "slug" in data and (not isinstance(data["slug"], str) or not SLUG.fullmatch(data["slug"])):
        errors.append(ContentError(path, fm.line("slug"), f"invalid slug {data['slug']!r}",
                                   "lowercase ASCII letters, digits and hyphens"))
    return errors


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
        for field in ("name", "description", "avatar"):
            if not isinstance(author.get(field), str) or not author[field].strip():
                errors.append(ContentError(path, line, f"author '{key}' has no {field}",
                                           f"a non-empty text for {field}"))
            elif field != "avatar" and AUTHOR_MARKUP.search(author[field]):
                errors.append(ContentError(
                    path, lines.get(f"authors.{key}.{field}", line),
                    f"{field} of author '{key}' contains markup characters < > or \"",
                    "plain text; write « » or “ ” for quotes"))
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
                       noun: str, expected: str) -> list[ContentError]:
    """A required list whose every item must be one of ``known`` (categories, authors)."""
    errors = _check_string_list(path, fm, key, required=True, expected=expected)
    if errors:
        return errors
    for index, name in enumerate((fm.data or {})[key]):
        if name not in known:
            hint = did_you_mean(name, known)
            errors.append(ContentError(path, fm.line(f"{key}.{index}"), f"unknown {noun} '{name}'",
                                       (hint + " " if hint else "") + "one of: " + ", ".join(known)))
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


def _check_boolean(path: str, fm: FrontMatter, key: str) -> list[ContentError]:
    if key not in (fm.data or {}):
        return []
    # YAML 1.1 reads yes/no/on/off as booleans: accept only what says what it means.
    raw = fm.raw.get(key, "")
    if isinstance(fm.data[key], bool) and raw.lower() in YAML_BOOLEANS:
        return []
    return [ContentError(path, fm.line(key), f"{key} is {raw or fm.data[key]!r}, not a boolean",
                         "true or false")]


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
