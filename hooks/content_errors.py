"""Fail the build once, listing every content error the validating hooks collected.

Validating hooks run their ``on_files`` at priority 100 (or 95, those that also add generated
pages) and add to ``approdo.errors.REPORT``; this hook reports at priority 90, after all of them
and before Material's blog plugin (-50), which would otherwise crash with a traceback on some of
the same mistakes.
"""

from __future__ import annotations

import logging

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from approdo.errors import REPORT

log = logging.getLogger("mkdocs.hooks.content_errors")


def on_config(config):
    # `mkdocs serve` keeps this module between rebuilds: start every build with a clean report.
    REPORT.clear()
    return config


@event_priority(90)
def on_files(files, config):
    _fail_on_errors()
    return files


# Checks that need every page's final URL (Material places blog posts in its own on_files,
# at -50) run in on_nav at priority 100; their errors are reported here.
@event_priority(90)
def on_nav(nav, config, files):
    _fail_on_errors()
    return nav


def _fail_on_errors() -> None:
    errors = REPORT.sorted()
    if not errors:
        return
    for error in errors:
        log.error(str(error))
    count = len(errors)
    raise PluginError(f"{count} content error{'s' if count > 1 else ''}: fix them and build again")
