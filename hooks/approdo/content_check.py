"""Every content check, in one place, for the build and for ``approdo check`` alike.

The build's hooks call these functions with the files MkDocs found; ``approdo check`` calls
``check_project`` with the files under ``docs/``. Same functions, same messages: a mistake
reads the same in the terminal whichever of the two found it. No MkDocs import here.
"""

from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Mapping

from approdo import content_schema, cta, glossary, short_codes, social_kit
from approdo import landing as landing_model
from approdo import landing_validation, links, material_extra
from approdo.errors import ContentError
from approdo.frontmatter import FrontMatter, parse
from approdo.project import Settings
from approdo.social import SiteLandings, front_matter, site_landings, yaml_key_line
from approdo.utm import internal_links_with_utm

DEFAULT_GLOSSARY = "kb/glossario.md"
# What ``approdo new`` writes as a description until the author writes one: reported until then,
# so it never reaches search results.
DESCRIPTION_PLACEHOLDER = "DA SCRIVERE: una o due frasi per i risultati di ricerca e le anteprime social."
# Every landing page links the privacy notice.
PRIVACY_PAGE = "privacy.md"
# Where the generated link-in-bio page goes.
BIO_PAGE = "bio.md"
# MkDocs leaves these out of the site by default (``exclude_docs``): they are not content.
_EXCLUDED_PARTS = ("templates",)


@dataclass
class Source:
    """One Markdown file of the site: its docs-relative path and its path on disk."""

    src_uri: str
    path: Path

    @functools.cached_property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8-sig")

    @property
    def fm(self) -> FrontMatter:
        # Parsed once per version of the file for every hook (approdo.social.front_matter).
        return front_matter(self.path)


def discover(docs_dir: Path) -> list[Source]:
    """The Markdown files MkDocs would build from ``docs_dir`` (hidden files left out)."""
    sources = []
    for path in sorted(docs_dir.rglob("*.md")):
        parts = path.relative_to(docs_dir).parts
        if any(part.startswith(".") for part in parts) or parts[0] in _EXCLUDED_PARTS:
            continue
        sources.append(Source(PurePosixPath(*parts).as_posix(), path))
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


def front_matter_errors(sources: Iterable[Source], settings: Settings, author_keys: tuple[str, ...],
                        other_files: set[str]) -> list[ContentError]:
    """The front matter and file name of every page and post, slugs shared by two published
    posts, tags differing only in case, broken links, anchors and images (``other_files``:
    the docs-relative paths of the site's files that are not pages), and ``extra``."""
    blog = settings.blog
    facts = content_schema.BlogFacts(
        categories=blog.categories if blog else (), authors=author_keys,
        excerpt_separator=blog.excerpt_separator if blog else "",
        authors_file=settings.shown(blog.authors_file) if blog else "",
        categories_file=settings.config_file.name)
    # Material looks up `template:` and `icon:` in the theme's folders, overrides first.
    theme = content_schema.ThemeFacts(settings.theme_dirs)
    posts_dir = blog.posts_dir if blog else ""
    errors: list[ContentError] = []
    slugs = []
    tags = []
    bodies: dict[str, str] = {}
    for source in sources:
        path, fm = settings.shown(source.src_uri), source.fm
        errors += content_schema.check_file_name(path, source.src_uri)
        bodies[source.src_uri] = fm.body
        if fm.data is None:
            errors.append(ContentError(path, fm.error_line, fm.error))
            continue
        if fm.data.get("description") == DESCRIPTION_PLACEHOLDER:
            errors.append(ContentError(path, fm.line("description"), "description not written yet",
                                       "one or two sentences of your own for search results "
                                       "and social previews"))
        tags += content_schema.tag_spellings(path, fm)
        if source.src_uri.startswith(landing_model.LANDING_DIR + "/"):
            # Their own schema is approdo.landing's; tags are shown by Material, raw.
            errors += content_schema.check_landing_tags(path, fm)
        elif posts_dir and source.src_uri.startswith(posts_dir):
            errors += content_schema.check_post(path, fm, facts, theme)
            if fm.data.get("draft") is not True:
                slug = content_schema.post_slug(path, fm)
                if slug:
                    slugs.append(slug)
        else:
            errors += content_schema.check_page(path, fm, theme)
    errors += content_schema.duplicate_slugs(slugs)
    errors += content_schema.tags_differing_in_case(tags)
    # Landing pages get their ids from templates, not from headings.
    landings = frozenset(src for src in bodies if src.startswith(landing_model.LANDING_DIR + "/"))
    docs_shown = settings.shown("x").rpartition("/")[0]
    for source in sources:
        errors += links.check_links(settings.shown(source.src_uri), source.src_uri, source.fm.body,
                                    source.fm.body_line, bodies, other_files, docs_shown, landings)
    config_text = settings.config_file.read_text(encoding="utf-8-sig")
    errors += material_extra.check_extra(
        settings.config_file.name, dict(settings.extra), lambda key: yaml_key_line(config_text, key),
        lambda icon: theme.has(f".icons/{icon}.svg"))
    return errors


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
    problem = landing_validation.action_problem(action) if action else "no form action"
    if not problem:
        return []
    return [ContentError(settings.config_file.name,
                         _config_line(settings, "extra.approdo.leads.action"),
                         f"extra.approdo.leads.{problem.replace('form action', 'action')}"
                         " (set here or by APPRODO_LEAD_ACTION)", landing_validation.ACTION_EXPECTED)]


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
        def line(category: str = category) -> int:
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
    terms, errors = glossary.parse(path, matter.body, matter.body_line)
    if not terms and not errors:
        errors.append(ContentError(path, matter.body_line, "the glossary has no terms",
                                   "each term as a level-2 heading '## Term' followed by its definition"))
    return terms, errors


# --- social texts, short links and reserved paths ----------------------------------------------

def short_link_errors(settings: Settings, landings: Mapping[str, landing_model.Landing]) -> list[ContentError]:
    """Invalid ``short_links:`` codes, and two landing pages or channels sharing a code."""
    def where(slug: str, key: str) -> tuple[str, int]:
        landing = landings[slug]
        return settings.shown(landing.src_path), landing.line(key)

    errors = [error for landing in landings.values()
              for error in short_codes.check_overrides(settings.shown(landing.src_path),
                                                       landing.short_links, landing.line)]
    for first, second in short_codes.collisions(all_short_links(landings)):
        # Point at the author's own code when there is one: that is the line to change.
        blamed, other = (second, first) if second.custom or not first.custom else (first, second)
        path, line = where(blamed.slug, f"short_links.{blamed.channel}")
        other_path, other_line = where(other.slug, f"short_links.{other.channel}")
        errors.append(ContentError(
            path, line,
            f"short-link code '{blamed.code}' of '{blamed.slug}' on {blamed.channel} is also the "
            f"code of '{other.slug}' on {other.channel} ({other_path}:{other_line})",
            "a code used by one landing page and channel only"))
    return errors


def all_short_links(landings: Mapping[str, landing_model.Landing]) -> list[short_codes.ShortLink]:
    """Every short link of the site, landing by landing in slug order, channels in order."""
    links = []
    for slug in sorted(landings):
        landing = landings[slug]
        links += short_codes.short_links_for(slug, landing.url, landing.short_links)
    return links


def short_link_folder_error(settings: Settings, src_uri: str) -> ContentError | None:
    """A file an author put where the generated short-link pages go."""
    if not src_uri.startswith(short_codes.GO_DIR + "/"):
        return None
    return ContentError(settings.shown(src_uri), 1, f"'{short_codes.GO_DIR}/' is reserved for short links",
                        "move this file to another folder")


def bio_page_error(settings: Settings) -> ContentError:
    """A page of the author's where the generated link-in-bio page goes."""
    return ContentError(settings.shown(BIO_PAGE), 1,
                        f"'{BIO_PAGE}' is reserved for the generated link-in-bio page", "rename this page")


# --- preview images ----------------------------------------------------------------------------------

# Formats Facebook, LinkedIn, WhatsApp and X all show in a link preview (not SVG).
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp"}
# Facebook ignores preview images under 200 pixels on a side.
MIN_IMAGE_SIDE = 200


def image_candidates(value: str, src_uri: str) -> list[str]:
    """Docs-relative paths an ``image:`` value may mean: "/x.png" from the docs root, other
    paths from the page's folder first, then from the docs root."""
    if value.startswith("/"):
        return [posixpath.normpath(value.lstrip("/"))]
    here = posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), value))
    return list(dict.fromkeys([here, posixpath.normpath(value)]))


def image_size(path: str) -> tuple[int, int]:
    """Width and height of an image file, (0, 0) when it is not one."""
    from PIL import Image, UnidentifiedImageError  # only for pages that have an image

    try:
        with Image.open(path) as image:  # reads the header only
            return image.size
    except (OSError, UnidentifiedImageError):
        return 0, 0


def preview_image(settings: Settings, src_uri: str, fm: FrontMatter,
                  locate) -> tuple[ContentError | None, str | None]:
    """A page's ``image:``: the error if social networks cannot show it, else the docs-relative
    path of the file (None for an https:// image or no image). ``locate(src_uri)`` gives the
    file's path on disk, or None when the site has no such file."""
    value = (fm.data or {}).get("image")
    if value is None:
        return None, None
    path, line = settings.shown(src_uri), fm.line("image")
    if not isinstance(value, str) or not value.strip():
        return ContentError(path, line, "image is not text", "a path such as /assets/images/x.png"), None
    value = value.strip()
    if value.startswith(("https://", "http://")):
        if not value.startswith("https://"):
            return ContentError(path, line, f"image '{value}' is not https://",
                                "social networks refuse images over plain http"), None
        return None, None
    if posixpath.splitext(value)[1].lower() not in IMAGE_TYPES:
        return ContentError(path, line, f"image '{value}' is not PNG, JPEG, GIF or WebP",
                            "social networks do not show SVG or other formats in link previews"), None
    found = next((candidate for candidate in image_candidates(value, src_uri) if locate(candidate)), None)
    if found is None:
        return ContentError(path, line, f"image '{value}' not found",
                            "a file under docs/, e.g. /assets/images/x.png, or an https:// URL"), None
    width, height = image_size(locate(found))
    if min(width, height) < MIN_IMAGE_SIDE:
        return ContentError(path, line, f"image '{value}' is {width}×{height} pixels",
                            f"at least {MIN_IMAGE_SIDE}×{MIN_IMAGE_SIDE}: networks ignore smaller "
                            "previews; 1200×630 fills a large preview"), None
    return None, found


# --- the whole project, for ``approdo check`` --------------------------------------------------------

def check_project(settings: Settings, sources: list[Source] | None = None) -> list[ContentError]:
    """Every content error of the project, sorted, each once: what the build would report
    (and the links and anchors between pages, which the strict build reports as warnings)."""
    if sources is None:
        sources = discover(settings.docs_dir)
    by_uri = {source.src_uri: source for source in sources}
    errors, author_keys = authors(settings)
    locate = _docs_file(settings)
    others = {path.relative_to(settings.docs_dir).as_posix() for path in settings.docs_dir.rglob("*")
              if path.is_file()} - set(by_uri)
    errors += front_matter_errors(sources, settings, author_keys, others)

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

    for source in sources:
        if (image_error := preview_image(settings, source.src_uri, source.fm, locate)[0]):
            errors.append(image_error)
        if (source.fm.data and "social" in source.fm.data
                and not landing_model.is_landing_path(source.src_uri)):
            errors += social_kit.check_social(settings.shown(source.src_uri), source.fm.data["social"], source.fm.line)
    for landing in landings.valid.values():
        if landing.social:
            errors += social_kit.check_social(settings.shown(landing.src_path), landing.social, landing.line)
    errors += short_link_errors(settings, landings.valid)
    go_dir = settings.docs_dir / short_codes.GO_DIR
    errors += [error for path in sorted(go_dir.rglob("*")) if path.is_file()
               if (error := short_link_folder_error(settings, path.relative_to(settings.docs_dir).as_posix()))]
    if locate(BIO_PAGE):
        errors.append(bio_page_error(settings))
    return sorted(set(errors))


def _landing_errors(settings: Settings, sources: list[Source]) -> list[ContentError]:
    errors = [error for source in sources
              if (error := misplaced_landing_error(settings, source.src_uri))]
    errors += default_action_errors(settings)
    locate = _docs_file(settings)
    found = False
    for source in sources:
        if not landing_model.is_landing_path(source.src_uri):
            continue
        landing, problems = landing_validation.parse_landing(
            settings.shown(source.src_uri), source.text, landing_defaults(settings),
            src_path=source.src_uri)
        errors += problems
        if landing is not None and (error := download_error(settings, landing, locate)):
            errors.append(error)
        elif landing is not None:
            found = True
    # As in the build: the consent settings matter once there is a valid landing page.
    if found:
        errors += consent_errors(settings, PRIVACY_PAGE, locate(PRIVACY_PAGE) is not None)
    return errors


def _docs_file(settings: Settings):
    """``locate(src_uri)``: the path on disk of a file of the site's docs, or None."""
    docs = settings.docs_dir

    @functools.lru_cache(maxsize=None)
    def locate(src_uri: str) -> str | None:
        parts = PurePosixPath(src_uri).parts
        if not parts or any(part.startswith(".") or part == ".." for part in parts):
            return None
        path = docs / src_uri
        return str(path) if path.is_file() else None
    return locate
