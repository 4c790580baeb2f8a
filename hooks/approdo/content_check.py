"""Every content check, in one place, for the build and for ``approdo check`` alike.

The build's hooks call these functions with the files MkDocs found; ``approdo check`` calls
``check_project`` with the files under ``docs/``. Same functions, same messages: a mistake
reads the same in the terminal whichever of the two found it. No MkDocs import here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Mapping

from approdo import content_schema, cta, glossary
from approdo import landing as landing_model
from approdo import links
from approdo.errors import ContentError
from approdo.frontmatter import FrontMatter, parse
from approdo.project import Settings
from approdo.social import SiteLandings, site_landings, yaml_key_line
from approdo.utm import internal_links_with_utm

DEFAULT_GLOSSARY = "kb/glossario.md"
# What ``approdo new`` writes as a description until the author writes one: reported until then,
# so it never reaches search results.
DESCRIPTION_PLACEHOLDER = "DA SCRIVERE: una o due frasi per i risultati di ricerca e le anteprime social."
# MkDocs leaves these out of the site by default (``exclude_docs``): they are not content.
_EXCLUDED_PARTS = ("templates",)


@dataclass
class Source:
    """One Markdown file of the site: its docs-relative path and its text."""

    src_uri: str
    text: str

    @functools.cached_property
    def fm(self) -> FrontMatter:
        return parse(self.text)


def discover(docs_dir: Path) -> list[Source]:
    """The Markdown files MkDocs would build from ``docs_dir`` (hidden files left out)."""
    sources = []
    for path in sorted(docs_dir.rglob("*.md")):
        parts = path.relative_to(docs_dir).parts
        if any(part.startswith(".") for part in parts) or parts[0] in _EXCLUDED_PARTS:
            continue
        sources.append(Source(PurePosixPath(*parts).as_posix(), path.read_text(encoding="utf-8-sig")))
    return sources


# --- front matter, authors and slugs -----------------------------------------------------------

def authors(settings: Settings) -> tuple[list[ContentError], tuple[str, ...]]:
    """The errors in the blog's authors file and the author keys it defines."""
    if settings.blog is None:
        return [], ()
    authors_file = settings.docs_dir / settings.blog.authors_file
    if not authors_file.exists():
        return [], ()
    path = settings.shown(settings.blog.authors_file)
    # Reuse the front matter parser: an authors file is YAML without the fences.
    fm = parse("---\n" + authors_file.read_text(encoding="utf-8-sig") + "\n---\n")
    if fm.data is None:
        error = ContentError(path, fm.error_line - 1,
                             fm.error.replace("front matter", "authors file"))
        return [error], ()
    lines = {key: line - 1 for key, line in fm.lines.items()}
    errors = content_schema.check_authors_file(path, fm.data, lines)
    found = fm.data.get("authors")
    return errors, tuple(found) if isinstance(found, dict) else ()


def front_matter_errors(sources: Iterable[Source], settings: Settings,
                        author_keys: tuple[str, ...]) -> list[ContentError]:
    """The front matter of every page and post, and slugs shared by two published posts."""
    blog = settings.blog
    facts = content_schema.BlogFacts(
        categories=blog.categories if blog else (), authors=author_keys,
        excerpt_separator=blog.excerpt_separator if blog else "")
    posts_dir = blog.posts_dir if blog else ""
    errors: list[ContentError] = []
    slugs = []
    for source in sources:
        path, fm = settings.shown(source.src_uri), source.fm
        if fm.data is None:
            errors.append(ContentError(path, fm.error_line, fm.error))
            continue
        if fm.data.get("description") == DESCRIPTION_PLACEHOLDER:
            errors.append(ContentError(path, fm.line("description"), "description not written yet",
                                       "one or two sentences of your own for search results "
                                       "and social previews"))
        if source.src_uri.startswith(landing_model.LANDING_DIR + "/"):
            # Their own schema is approdo.landing's; tags are shown by Material, raw.
            errors += content_schema.check_landing_tags(path, fm)
        elif posts_dir and source.src_uri.startswith(posts_dir):
            errors += content_schema.check_post(path, fm, facts)
            if fm.data.get("draft") is not True:
                slug = content_schema.post_slug(path, fm)
                if slug:
                    slugs.append(slug)
        else:
            errors += content_schema.check_page(path, fm)
    return errors + content_schema.duplicate_slugs(slugs)


# --- landing pages -------------------------------------------------------------------------------

def landing_defaults(settings: Settings) -> landing_model.LandingDefaults:
    return landing_model.LandingDefaults.from_mapping(settings.approdo.get("leads"), settings.site_url)


def misplaced_landing_error(settings: Settings, src_uri: str) -> ContentError | None:
    """A page in a subfolder of ``landing/``: landing pages live directly in it."""
    name = PurePosixPath(src_uri).name
    if (not src_uri.startswith(landing_model.LANDING_DIR + "/") or landing_model.is_landing_path(src_uri)
            or name in ("index.md", "README.md")):
        return None
    return ContentError(settings.shown(src_uri), 1, "landing pages live directly in docs/landing/",
                        f"move it to docs/landing/{name}")


def download_error(settings: Settings, landing: landing_model.Landing, exists) -> ContentError | None:
    """The thank-you page's download, when it names a file this site does not have."""
    download = landing.thanks.download
    if not download or not download.startswith("/") or exists(download.lstrip("/")):
        return None
    return ContentError(settings.shown(landing.src_path), landing.line("thanks.download"),
                        f"download '{download}' is not a file of this site",
                        f"a file under docs/, e.g. docs/{download.lstrip('/')}")


def default_action_errors(settings: Settings) -> list[ContentError]:
    """The site-wide action (possibly from APPRODO_LEAD_ACTION) obeys the same rule as a page's."""
    action = landing_defaults(settings).action
    problem = landing_model.action_problem(action) if action else "no form action"
    if not problem:
        return []
    return [ContentError(settings.config_file.name,
                         _config_line(settings, "extra.approdo.leads.action"),
                         f"extra.approdo.leads.{problem.replace('form action', 'action')}"
                         " (set here or by APPRODO_LEAD_ACTION)", landing_model.ACTION_EXPECTED)]


def consent_errors(settings: Settings, privacy_page: str, has_privacy: bool) -> list[ContentError]:
    """What every lead form needs beside it: the marketing wording and the privacy notice."""
    errors = []
    if not str((settings.approdo.get("consent") or {}).get("marketing") or "").strip():
        errors.append(ContentError(settings.config_file.name, _config_line(settings, "extra.approdo"),
                                   "extra.approdo.consent.marketing is missing",
                                   "the exact wording of the optional marketing checkbox"))
    if not has_privacy:
        errors.append(ContentError(
            f"docs/{privacy_page}", 1, "landing pages link the privacy notice, but this file is missing",
            "a privacy notice in Italian: controller, purposes, legal bases, retention, rights"))
    return errors


def _config_line(settings: Settings, dotted: str) -> int:
    try:
        text = settings.config_file.read_text(encoding="utf-8")
    except OSError:
        return 1
    return yaml_key_line(text, dotted)


# --- calls to action -----------------------------------------------------------------------------

def cta_config_errors(settings: Settings, by_category: Mapping[str, str],
                      landings: SiteLandings) -> list[ContentError]:
    """``extra.approdo.cta.by_category``: known categories mapped to known landing pages."""
    if not by_category:
        return []
    shown = settings.config_file.name
    allowed = settings.blog.categories if settings.blog else ()
    errors = []
    for category, slug in by_category.items():
        # Composing mkdocs.yml for a line number costs time: only when there is an error.
        def line() -> int:
            return _config_line(settings, f"extra.approdo.cta.by_category.{category}")
        if allowed and category not in allowed:
            errors.append(ContentError(shown, line(),
                                       f"unknown category '{category}' in extra.approdo.cta.by_category",
                                       "one of: " + ", ".join(allowed)))
        if not isinstance(slug, str) or landings.unknown(slug):
            errors.append(ContentError(shown, line(), f"unknown landing page '{slug}'",
                                       landings.expected()))
    return errors


def cta_page_errors(shown: str, fm: FrontMatter, landings: SiteLandings,
                    site_url: str) -> list[ContentError]:
    """A page's ``landing:``, its ``[[cta: slug]]`` lines and internal links tagged with UTM."""
    if fm.data is None:
        return []  # invalid front matter: reported by front_matter_errors
    errors = []
    if "landing" in fm.data:
        value = fm.data["landing"]
        line = fm.line("landing")
        if value is False:
            pass  # no closing call to action, not even the category's default
        elif not isinstance(value, str) or not value.strip():
            errors.append(ContentError(shown, line, "'landing' is not a landing page slug",
                                       "a slug such as 'consulenza', or false for no call to action"))
        elif landings.unknown(value):
            errors.append(ContentError(shown, line, f"unknown landing page '{value}'",
                                       landings.expected()))
    for found in cta.find_directives(fm.body, fm.body_line):
        if isinstance(found, cta.Malformed):
            errors.append(ContentError(shown, found.line, f"malformed call to action '{found.text}'",
                                       cta.EXPECTED))
        elif landings.unknown(found.slug):
            errors.append(ContentError(shown, found.line, f"unknown landing page '{found.slug}'",
                                       landings.expected()))
    # UTM on a link inside the site would count a reader already here as a new campaign visit.
    for line, url in internal_links_with_utm(fm.body, fm.body_line, site_url):
        errors.append(ContentError(shown, line, f"internal link with UTM parameters '{url}'",
                                   "link without utm_*; for a call to action use [[cta: <landing slug>]]"))
    return errors


def cta_defaults(settings: Settings, landings: SiteLandings) -> dict[str, str]:
    """The category defaults, or none on a site without any landing page yet (a new site, a
    test fixture): they have nothing to lead to, and are checked once the first one exists."""
    if not landings.slugs:
        return {}
    return dict((settings.approdo.get("cta") or {}).get("by_category") or {})


# --- glossary --------------------------------------------------------------------------------------

def glossary_uri(settings: Settings) -> str:
    return str(settings.approdo.get("glossary") or DEFAULT_GLOSSARY)


def glossary_terms(settings: Settings, text: str) -> tuple[list[glossary.Term], list[ContentError]]:
    """The terms of the glossary page and every mistake in it."""
    path = settings.shown(glossary_uri(settings))
    matter = parse(text)
    terms, problems = glossary.parse(matter.body, matter.body_line)
    errors = [ContentError(path, problem.line, problem.problem, problem.expected)
              for problem in problems]
    if not terms and not problems:
        errors.append(ContentError(path, matter.body_line, "the glossary has no terms",
                                   "each term as a level-2 heading '## Term' followed by its definition"))
    return terms, errors


# --- the whole project, for ``approdo check`` --------------------------------------------------------

def check_project(settings: Settings, sources: list[Source] | None = None) -> list[ContentError]:
    """Every content error of the project, sorted, each once: what the build would report
    (and the links and anchors between pages, which the strict build reports as warnings)."""
    if sources is None:
        sources = discover(settings.docs_dir)
    by_uri = {source.src_uri: source for source in sources}
    errors, author_keys = authors(settings)
    errors += front_matter_errors(sources, settings, author_keys)

    errors += _landing_errors(settings, sources)
    landings = site_landings(settings.docs_dir, settings.extra, settings.root)
    errors += cta_config_errors(settings, cta_defaults(settings, landings), landings)
    for source in sources:
        if not landing_model.is_landing_path(source.src_uri):
            errors += cta_page_errors(settings.shown(source.src_uri), source.fm, landings,
                                      settings.site_url)

    glossary_source = by_uri.get(glossary_uri(settings))
    if glossary_source is not None:
        errors += glossary_terms(settings, glossary_source.text)[1]

    errors += links.link_errors(sources, settings, _docs_file_exists(settings))
    return sorted(set(errors))


def _landing_errors(settings: Settings, sources: list[Source]) -> list[ContentError]:
    errors = [error for source in sources
              if (error := misplaced_landing_error(settings, source.src_uri))]
    errors += default_action_errors(settings)
    exists = _docs_file_exists(settings)
    found = False
    for source in sources:
        if not landing_model.is_landing_path(source.src_uri):
            continue
        landing, problems = landing_model.parse_landing(
            settings.shown(source.src_uri), source.text, landing_defaults(settings),
            src_path=source.src_uri)
        errors += problems
        if landing is not None and (error := download_error(settings, landing, exists)):
            errors.append(error)
        elif landing is not None:
            found = True
    # As in the build: the consent settings matter once there is a valid landing page.
    if found:
        errors += consent_errors(settings, PRIVACY_PAGE, exists(PRIVACY_PAGE))
    return errors


PRIVACY_PAGE = "privacy.md"


def _docs_file_exists(settings: Settings):
    docs = settings.docs_dir

    @functools.lru_cache(maxsize=None)
    def exists(src_uri: str) -> bool:
        parts = PurePosixPath(src_uri).parts
        return (bool(parts) and not any(part.startswith(".") or part == ".." for part in parts)
                and (docs / src_uri).is_file())
    return exists
