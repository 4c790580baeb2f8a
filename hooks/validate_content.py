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

from approdo import content_schema, links, material_extra
from approdo.errors import REPORT
from approdo.frontmatter import FrontMatter, parse
from approdo.social import front_matter, yaml_key_line

log = logging.getLogger("mkdocs.hooks.validate_content")

# Landing pages have their own schema, checked by the landing_pages hook.
LANDING_DIR = "landing/"


# Author keys of .authors.yml, read in on_config; `mkdocs serve` rereads them on every rebuild.
_authors: tuple[str, ...] = ()


@event_priority(100)  # before the blog plugin reads .authors.yml (and fails without a line)
def on_config(config):
    global _authors
    errors, _authors = _read_authors(config)
    if errors:
        for error in sorted(errors):
            log.error(str(error))
        raise PluginError(f"{len(errors)} error(s) in the authors file: fix them and build again")
    return config


@event_priority(100)  # before content_errors (90) reports, and before the blog plugin (-50)
def on_files(files, config):
    root = Path(config.config_file_path).parent
    blog = config.plugins.get("material/blog")
    posts_dir = _posts_dir(blog)
    facts = content_schema.BlogFacts(
        categories=tuple(blog.config.categories_allowed) if blog else (),
        authors=_authors,
        excerpt_separator=(blog.config.post_excerpt_separator
                           if blog and blog.config.post_excerpt == "required" else ""),
        authors_file=_display_path(str(_authors_file(config, blog)), root) if blog else "",
        categories_file=_display_path(config.config_file_path, root),
    )
    # Material looks up `template:` and `icon:` in the theme's folders, overrides first.
    theme = content_schema.ThemeFacts(tuple(config.theme.dirs))
    slugs = []
    tags = []
    bodies: dict[str, tuple[str, str, int]] = {}  # src_uri -> (path, body, body line)
    for file in files.documentation_pages():
        if not file.abs_src_path:  # generated in memory by a hook: nothing an author wrote
            continue
        path = _display_path(file.abs_src_path, root)
        REPORT.extend(content_schema.check_file_name(path, file.src_uri))
        # Parsed once per version of the file for all hooks (approdo.social.front_matter).
        fm = front_matter(file.abs_src_path)
        bodies[file.src_uri] = (path, fm.body, fm.body_line)
        if fm.data is None:
            REPORT.add(path, fm.error_line, fm.error)
            continue
        tags += content_schema.tag_spellings(path, fm)
        if file.src_uri.startswith(LANDING_DIR):
            # Their own schema is approdo.landing's; tags are shown by Material, raw.
            REPORT.extend(content_schema.check_landing_tags(path, fm))
            continue
        if posts_dir and file.src_uri.startswith(posts_dir):
            REPORT.extend(content_schema.check_post(path, fm, facts, theme))
            if not _is_draft(fm):
                slug = content_schema.post_slug(path, fm)
                if slug:
                    slugs.append(slug)
        else:
            REPORT.extend(content_schema.check_page(path, fm, theme))
    REPORT.extend(content_schema.duplicate_slugs(slugs))
    REPORT.extend(content_schema.tags_differing_in_case(tags))
    REPORT.extend(_broken_links(bodies, files, config, root))
    config_text = Path(config.config_file_path).read_text(encoding="utf-8-sig")
    REPORT.extend(material_extra.check_extra(
        _display_path(config.config_file_path, root), dict(config.extra),
        lambda key: yaml_key_line(config_text, key), lambda icon: theme.has(f".icons/{icon}.svg")))
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
        shown = _display_path(file.abs_src_path, root) if authored else f"{file.src_uri} (made by the build)"
        pages.append(content_schema.PageUrl(file.url, shown, authored))
    REPORT.extend(content_schema.url_collisions(pages))
    return nav


def _broken_links(bodies, files, config, root: Path) -> list:
    """Links, anchors and images of every page, reported with the other content errors."""
    pages = {src_uri: body for src_uri, (_, body, _) in bodies.items()}
    other = {file.src_uri for file in files} - set(pages)
    # Landing pages get their ids from templates, not from headings.
    landings = frozenset(src for src in pages if src.startswith(LANDING_DIR))
    docs_shown = _display_path(config.docs_dir, root)
    errors = []
    for src_uri, (path, body, body_line) in bodies.items():
        errors += links.check_links(path, src_uri, body, body_line, pages, other, docs_shown, landings)
    return errors


def _posts_dir(blog) -> str:
    if blog is None:
        return ""
    return blog.config.post_dir.format(blog=blog.config.blog_dir).strip("/") + "/"


def _read_authors(config) -> tuple[list, tuple[str, ...]]:
    """The errors in .authors.yml and the author keys it defines."""
    blog = config.plugins.get("material/blog")
    if blog is None:
        return [], ()
    root = Path(config.config_file_path).parent
    authors_file = _authors_file(config, blog)
    if not authors_file.exists():
        return [], ()
    path = _display_path(str(authors_file), root)
    # Reuse the front matter parser: an authors file is YAML without the fences.
    fm = parse("---\n" + authors_file.read_text(encoding="utf-8-sig") + "\n---\n")
    if fm.data is None:
        error = content_schema.ContentError(
            path, fm.error_line - 1, fm.error.replace("front matter", "authors file"))
        return [error], ()
    lines = {key: line - 1 for key, line in fm.lines.items()}
    errors = content_schema.check_authors_file(path, fm.data, lines)
    authors = fm.data.get("authors")
    return errors, tuple(authors) if isinstance(authors, dict) else ()


def _authors_file(config, blog) -> Path:
    return Path(config.docs_dir) / blog.config.authors_file.format(blog=blog.config.blog_dir)


def _is_draft(fm: FrontMatter) -> bool:
    return (fm.data or {}).get("draft") is True


def _display_path(abs_path: str, root: Path) -> str:
    try:
        return Path(abs_path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return abs_path
