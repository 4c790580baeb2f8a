"""Glossary terms used in pages link to their glossary entry, with the definition as tooltip.

Authors mark nothing: the glossary page (``kb/glossario.md`` unless ``extra.approdo.glossary``
says otherwise) is parsed at the start of the build, and a Markdown extension links the first
occurrence of each term in every article, guide and post excerpt. The glossary itself, the
home page, landing pages and generated pages are left alone.
"""

from __future__ import annotations

import logging

from mkdocs.plugins import event_priority

from approdo import content_check
from approdo.errors import REPORT
from approdo.glossary import Matcher
from approdo.glossary_markdown import GlossaryExtension
from approdo.project import Settings

log = logging.getLogger("mkdocs.hooks.glossary")

# Landing pages keep the visitor on the form: no links away from it.
_SKIPPED_PREFIXES = ("landing/",)

_extension: GlossaryExtension | None = None


def on_config(config):
    # `mkdocs serve` keeps this module between rebuilds and loads a fresh config each time:
    # every build gets its own extension instance, with no terms until on_files reads them.
    global _extension
    _extension = GlossaryExtension(Matcher([]), content_check.glossary_uri(Settings.from_mkdocs(config)))
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
    # The same function `approdo check` runs.
    terms, errors = content_check.glossary_terms(Settings.from_mkdocs(config), file.content_string)
    REPORT.extend(errors)
    _extension.matcher = Matcher(terms)
    log.debug("%d glossary terms from %s", len(terms), _extension.glossary_uri)
    return files


# Before Material's blog plugin (-50) builds the converter for the post's excerpt: the excerpt
# gets the same links as the post.
@event_priority(0)
def on_page_markdown(markdown, page, config, files):
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
