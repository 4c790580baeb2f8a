"""Material's settings under ``extra:`` in mkdocs.yml that end up in a page's markup.

Material prints them raw into attributes (``href="{{ social.link }}"``,
``title="{{ config.extra.status[type] }}"``) or includes a file named by them (a social icon):
each is checked for its kind here, with the line in mkdocs.yml. Settings that would make
readers' browsers talk to another site or store something on their device are refused, with
the reason. No MkDocs import.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from approdo.errors import ContentError
from approdo.safe_values import LINK_EXPECTED, TEXT_EXPECTED, link_problem, text_problem

ICON = re.compile(r"[a-z0-9_-]+(?:/[a-z0-9_.-]+)+")
NAME = re.compile(r"[a-z0-9_-]+")
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")

# Material features Approdo does not offer, and why.
REFUSED = {
    "analytics": "Material's analytics send every visit to Google; Approdo counts visits on "
                 "its own server; remove extra.analytics",
    "consent": "Material's cookie banner: Approdo sets no cookies, so there is nothing to "
               "consent to; remove extra.consent",
    "polyfills": "scripts loaded from another site; remove extra.polyfills",
}


def check_extra(path: str, extra: Any, line_of: Callable[[str], int],
                icon_exists: Callable[[str], bool] = lambda icon: True) -> list[ContentError]:
    """Every problem in Material's part of ``extra``; ``line_of("extra.social.0.link")`` gives
    the line of a key in ``path``, ``icon_exists`` whether the theme has an icon."""
    if not isinstance(extra, dict):
        return []
    errors = []

    def error(key: str, problem: str, expected: str) -> None:
        errors.append(ContentError(path, line_of(f"extra.{key}"), f"extra.{key}: {problem}", expected))

    for key, reason in REFUSED.items():
        if extra.get(key):
            error(key, "not supported", reason)
    for index, item in enumerate(_list(extra, "social", error, "a list of {icon:, link:, name:}")):
        if not isinstance(item, dict):
            error(f"social.{index}", "is not a mapping", "icon:, link: and name:")
            continue
        icon = item.get("icon")
        if not isinstance(icon, str) or ".." in icon or not ICON.fullmatch(icon):
            error(f"social.{index}.icon", f"{icon!r} is not an icon name", "e.g. fontawesome/brands/instagram")
        elif not icon_exists(icon):
            error(f"social.{index}.icon", f"icon '{icon}' does not exist", "e.g. fontawesome/brands/instagram")
        problem = link_problem(item.get("link"), mailto=True)
        if problem:
            error(f"social.{index}.link", problem, LINK_EXPECTED + ", or mailto:")
        if "name" in item and text_problem(item["name"]):
            error(f"social.{index}.name", text_problem(item["name"]), TEXT_EXPECTED)
    status = extra.get("status")
    if status is not None:
        if not isinstance(status, dict):
            error("status", "is not a mapping", "status names mapped to their tooltips")
        else:
            for name, text in status.items():
                if not isinstance(name, str) or not NAME.fullmatch(name):
                    error(f"status.{name}", f"{name!r} is not a status name", "one lowercase word")
                elif text_problem(text):
                    error(f"status.{name}", text_problem(text), TEXT_EXPECTED)
    if "homepage" in extra and link_problem(extra["homepage"]):
        error("homepage", link_problem(extra["homepage"]), LINK_EXPECTED)
    for index, item in enumerate(_list(extra, "alternate", error, "a list of {name:, link:, lang:}")):
        if not isinstance(item, dict):
            error(f"alternate.{index}", "is not a mapping", "name:, link: and lang:")
            continue
        if link_problem(item.get("link")):
            error(f"alternate.{index}.link", link_problem(item.get("link")), LINK_EXPECTED)
        if text_problem(item.get("name")):
            error(f"alternate.{index}.name", text_problem(item.get("name")), TEXT_EXPECTED)
        if not isinstance(item.get("lang"), str) or not LANGUAGE.fullmatch(item["lang"]):
            error(f"alternate.{index}.lang", f"{item.get('lang')!r} is not a language code", "e.g. it or en")
    tags = extra.get("tags")
    if isinstance(tags, dict):
        for tag, identifier in tags.items():
            if not isinstance(identifier, str) or not NAME.fullmatch(identifier):
                error(f"tags.{tag}", f"{identifier!r} is not an identifier", "one lowercase word")
    elif tags is not None:
        error("tags", "is not a mapping", "tags mapped to identifiers")
    return errors


def _list(extra: dict, key: str, error, expected: str) -> list:
    value = extra.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        error(key, "is not a list", expected)
        return []
    return value
