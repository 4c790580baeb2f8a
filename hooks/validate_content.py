"""Check the front matter of every page and post before anything is rendered.

MkDocs renders invalid YAML on an ordinary page as text, and Material's blog plugin crashes on
front matter that is not a mapping and silently accepts duplicate slugs or ``draft: yes``. This
hook reads every Markdown source itself, so each mistake becomes one ``path:line`` error in
``approdo.errors.REPORT``; ``content_errors`` then fails the build listing all of them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from approdo import content_check, content_schema
from approdo.errors import REPORT
from approdo.paths import display_path
from approdo.project import Settings

log = logging.getLogger("mkdocs.hooks.validate_content")

# Author keys of .authors.yml, read in on_config; `mkdocs serve` rereads them on every rebuild.
_authors: tuple[str, ...] = ()


@event_priority(100)  # before the blog plugin reads .authors.yml (and fails without a line)
def on_config(config):
    global _authors
    errors, _authors = content_check.authors(Settings.from_mkdocs(config))
    if errors:
        for error in sorted(errors):
            log.error(str(error))
        raise PluginError(f"{len(errors)} error(s) in the authors file: fix them and build again")
    return config


# First (100): before the hooks that add generated pages (95), so links are checked against the
# authored files only, as `approdo check` does; before content_errors (90) and the blog (-50).
@event_priority(100)
def on_files(files, config):
    # The same function `approdo check` runs, over the files MkDocs found.
    sources = [content_check.Source(file.src_uri, Path(file.abs_src_path))
               for file in files.documentation_pages()
               if file.abs_src_path]  # not those generated in memory by a hook: nothing an author wrote
    others = {file.src_uri for file in files} - {source.src_uri for source in sources}
    REPORT.extend(content_check.front_matter_errors(sources, Settings.from_mkdocs(config), _authors, others))
    return files


@event_priority(100)  # after every on_files, when blog posts have their URLs; before content_errors
def on_nav(nav, config, files):
    root = Path(config.config_file_path).parent
    docs = Path(config.docs_dir).resolve()
    # Material keeps published posts out of the files' navigation until its own on_nav.
    blog = config.plugins.get("material/blog")
    posts = [post.file for post in getattr(getattr(blog, "blog", None), "posts", [])]
    pages = []
    for file in {id(file): file for file in [*files.documentation_pages(), *posts]}.values():
        authored = bool(file.abs_src_path) and Path(file.abs_src_path).resolve().is_relative_to(docs)
        shown = display_path(file.abs_src_path, root) if authored else f"{file.src_uri} (made by the build)"
        pages.append(content_schema.PageUrl(file.url, shown, authored))
    REPORT.extend(content_schema.url_collisions(pages))
    return nav
