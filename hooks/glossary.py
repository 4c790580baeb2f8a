"""Glossary terms used in pages link to their glossary entry, with the definition as tooltip.

Authors mark nothing: the glossary page (``kb/glossario.md`` unless ``extra.approdo.glossary``
says otherwise) is parsed at the start of the build, and a Markdown extension links the first
occurrence of each term in every article, guide and post excerpt. The glossary itself, the
home page, landing pages and generated pages are left alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.plugins import event_priority

from approdo import frontmatter
from approdo.errors import REPORT
from approdo.glossary import Matcher, parse
from approdo.glossary_markdown import GlossaryExtension

log = logging.getLogger("mkdocs.hooks.glossary")

DEFAULT_GLOSSARY = "kb/glossario.md"
# Landing pages keep the visitor on the form: no links away from it.
_SKIPPED_PREFIXES = ("landing/",)

_extension: GlossaryExtension | None = None


def _settings(config) -> dict:
    approdo = config.extra.get("approdo") or {}
    return approdo if isinstance(approdo, dict) else {}


def on_config(config):
    # `mkdocs serve` keeps this module between rebuilds and loads a fresh config each time:
    # every build gets its own extension instance, with no terms until on_files reads them.
    global _extension
    glossary_uri = str(_settings(config).get("glossary") or DEFAULT_GLOSSARY)
    _extension = GlossaryExtension(Matcher([]), glossary_uri)
    config.markdown_extensions.append(_extension)
    return config


# Priority 100: with the other validating hooks, so a broken glossary is reported in the same
# list of content errors (content_errors fails the build at 90).
@event_priority(100)
def on_files(files, config):
    if _extension is None:
        return files
    file = files.get_file_from_path(_extension.glossary_uri)
    if file is None:
        log.debug("no glossary page at %s: terms are not linked", _extension.glossary_uri)
        return files
    matter = frontmatter.parse(file.content_string)
    terms, problems = parse(matter.body, matter.body_line)
    path = _project_path(config, file.src_uri)
    for problem in problems:
        REPORT.add(path, problem.line, problem.problem, problem.expected)
    if not terms and not problems:
        REPORT.add(path, matter.body_line, "the glossary has no terms",
                   "each term as a level-2 heading '## Term' followed by its definition")
    _extension.matcher = Matcher(terms)
    log.debug("%d glossary terms from %s", len(terms), _extension.glossary_uri)
    return files


def on_page_markdown(markdown, page, config, files):
    # Default priority, so this runs before Material's blog plugin (-50) builds the converter
    # for the post's excerpt: the excerpt gets the same links as the post.
    if _extension is not None:
        _extension.select(page.file.src_uri if _links_terms(page) else None)
    return markdown


def on_page_content(html, page, config, files):
    # The page is converted: converters created from now on (by other hooks) get no glossary.
    if _extension is not None:
        _extension.select(None)
    return html


def _links_terms(page) -> bool:
    file = page.file
    if _extension is None or file.src_uri == _extension.glossary_uri:
        return False
    return not (page.is_homepage or file.generated_by
                or file.src_uri.startswith(_SKIPPED_PREFIXES))


def _project_path(config, src_uri: str) -> str:
    """A docs file's path as authors see it, relative to the project root."""
    docs = Path(config.docs_dir)
    root = Path(config.config_file_path).parent
    try:
        return (docs / src_uri).relative_to(root).as_posix()
    except ValueError:
        return (docs / src_uri).as_posix()
