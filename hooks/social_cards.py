"""Social card images: a 1200x630 PNG for every page that has no ``image:`` of its own.

Posts show their category, landing pages their offer, other pages their section; the home
page (and every page that should not be shared, such as thank-you pages) uses the site card.
Cards are drawn offline with Pillow and DejaVu Sans (``overrides/assets/fonts/``), then Debian's
Noto fonts for emoji and other scripts (``approdo.card_text``), cached in
``.cache/approdo/cards/`` under a hash of their inputs (pruned after each build: at most twice
the site's cards), and copied into ``site/assets/cards/``. Cards missing from the cache are
drawn from ``on_env`` in worker processes while MkDocs renders the pages (when there are
enough of them and more than one core), and ``on_post_build`` waits for them.

Material's ``social`` plugin was not used: it downloads its fonts from Google Fonts at build
time and aborts without internet.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

import seo_pages
from approdo import card_text, cards
from approdo.paths import display_path
from approdo.seo import host
from approdo.social import front_matter, shown_path
from approdo.slugs import slugify

log = logging.getLogger("mkdocs.hooks.social_cards")

FONT_DIR = "assets/fonts"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt")
CARD_DIR = "assets/cards"
# Where cards are kept between builds (git-ignored); APPRODO_CARD_CACHE moves it.
CACHE_DIR = ".cache/approdo/cards"

_fonts: cards.Fonts | None = None
_cache: Path | None = None
# Cards used by this build: file name -> cached PNG.
_used: dict[str, Path] = {}
# Cards not in the cache yet: cached PNG -> (card, the page that shows it; None: the site card).
_missing: dict[Path, tuple[cards.Card, str | None]] = {}
# The missing cards, drawn from on_env to on_post_build while pages are rendered.
_drawing: cards.Drawing | None = None


def on_config(config):
    global _fonts, _cache
    # `mkdocs serve` keeps this module between builds.
    _stop_drawing()
    _used.clear()
    _missing.clear()
    _fonts = _find_fonts(config)
    root = Path(config.config_file_path).parent
    _cache = Path(os.environ.get("APPRODO_CARD_CACHE") or root / CACHE_DIR)
    return config


def _find_fonts(config) -> cards.Fonts:
    for folder in config.theme.dirs:
        regular = Path(folder, FONT_DIR, "DejaVuSans.ttf")
        bold = Path(folder, FONT_DIR, "DejaVuSans-Bold.ttf")
        if regular.is_file() and bold.is_file():
            dirs = (*card_text.SYSTEM_FONT_DIRS, *filter(None, os.environ.get("APPRODO_FONT_DIRS", "").split(os.pathsep)))
            missing = card_text.missing_packages(dirs)
            if missing:
                # Information, not a warning: cards are still drawn, emoji and CJK as boxes.
                log.info(f"social cards: install {' '.join(missing)} (Debian) to draw emoji and "
                         "Chinese or Japanese titles; ./dev installs them")
            return cards.Fonts(regular, bold, card_text.find_fallbacks(dirs), card_text.find_emoji(dirs))
    raise PluginError(f"overrides/{FONT_DIR}/DejaVuSans.ttf and DejaVuSans-Bold.ttf are missing "
                      "(the social cards are drawn with them: restore them from git)")


def on_files(files, config):
    # The card fonts are build inputs, not assets of the site: do not publish 1.5 MB of TTF.
    for name in FONT_FILES:
        file = files.get_file_from_path(f"{FONT_DIR}/{name}")
        if file is not None and not file.abs_src_path.startswith(os.path.abspath(config.docs_dir)):
            files.remove(file)
    return files


# on_env: every page (and Material's generated views) has been read, so titles are known,
# and nothing has been rendered yet, so the sitemap, feeds and heads can all use the cards.
@event_priority(0)  # before seo.on_env (-10), which reads each page's meta["approdo_card"]
def on_env(env, config, files):
    site = seo_pages.site(config)
    brand = site.brand.get("name") or site.name
    footer = host(site.site_url)
    tagline = site.brand.get("tagline") or site.description
    site_card = _card(cards.Card(title=tagline or site.name, brand=brand, footer=footer), "sito", None)
    env.globals["approdo_site_card"] = site_card
    for file in files.documentation_pages():
        page = file.page
        if page is None:
            continue
        page.meta["approdo_card"] = _page_card(page, config, site, brand, footer) or site_card
    _start_drawing()
    return env


def _start_drawing() -> None:
    """Draw the cards the cache lacks in worker processes (when there are enough), which go
    on while MkDocs renders the pages; ``on_post_build`` waits for them."""
    global _drawing
    jobs = [(card, path) for path, (card, _) in _missing.items()]
    _drawing = cards.Drawing(jobs, _fonts, cards.worker_count(len(jobs), os.cpu_count()))


def _finish_drawing(config) -> None:
    global _drawing
    if _drawing is None:
        return
    workers = _drawing.workers
    failures = _drawing.finish()
    _drawing = None
    log.info(f"social cards: {len(_used)} used, {len(_missing)} drawn, "
             f"{len(_used) - len(_missing)} from cache"
             + (f", by {workers} worker process{'es' if workers > 1 else ''}" if workers else ""))
    if failures:
        root = Path(config.config_file_path).parent
        sources = [source for _, source in _missing.values()]
        raise PluginError("\n".join(
            f"{_where(config, root, sources[index])}: its social card could not be drawn "
            f"({problem})" for index, problem in failures))


def _stop_drawing() -> None:
    global _drawing
    if _drawing is not None:
        _drawing.cancel()
        _drawing = None


def on_build_error(error):
    _stop_drawing()


def _where(config, root: Path, source: str | None) -> str:
    """``path:line`` of what a card shows: the page's title, or mkdocs.yml for the site card."""
    if source is None:
        return f"{display_path(config.config_file_path, root)}:1"
    path = Path(config.docs_dir, source)
    # Material's archive and category pages have no file of their own.
    line = front_matter(path).line("title") if path.is_file() else 1
    return f"{shown_path(config.docs_dir, root, source)}:{line}"


def _page_card(page, config, site, brand: str, footer: str) -> dict | None:
    """The card of one page, or None for pages that use the site card."""
    kind = seo_pages.kind(page)
    if kind in (seo_pages.HOME, seo_pages.THANKS) or seo_pages.is_hidden(page):
        return None
    title = seo_pages.title(page, config)
    kicker = subtitle = ""
    if kind == seo_pages.POST:
        kicker = page.config.categories[0] if page.config.categories else ""
    elif kind == seo_pages.LANDING:
        landing = site.landings.get(page.file.src_uri)
        subtitle = landing.offer.headline if landing else ""
    else:
        kicker = seo_pages.section(page)
    if kicker == title:
        kicker = ""
    card = cards.Card(title=title, kicker=kicker or "", brand=brand, footer=footer,
                      subtitle=subtitle if subtitle != title else "")
    return _card(card, slugify(title)[:60] or "pagina", page.file.src_uri)


def _card(card: cards.Card, stem: str, source: str | None) -> dict:
    """The card's image for the page heads; drawn later (``_draw_missing``) if not cached."""
    path = cards.cached_path(card, _fonts, _cache, stem)
    if path.name not in _used and not cards.reuse(path):
        _missing[path] = (card, source)
    _used[path.name] = path
    return {"url": f"{CARD_DIR}/{path.name}", "width": cards.WIDTH, "height": cards.HEIGHT,
            "type": "image/png", "alt": _alt(card)}


def _alt(card: cards.Card) -> str:
    """What the card shows, for og:image:alt and screen readers."""
    parts = [card.title]
    if card.subtitle:
        parts.append(card.subtitle)
    if card.kicker:
        parts.append(card.kicker)
    return " – ".join(parts) + (f" · {card.brand}" if card.brand else "")


def on_post_build(config):
    _finish_drawing(config)
    target = Path(config.site_dir, CARD_DIR)
    target.mkdir(parents=True, exist_ok=True)
    for name, path in _used.items():
        # A name is a hash of the card's inputs: a card already there (a --dirty build, or
        # `serve --dirtyreload`) is the same card. MkDocs empties site/ before other builds.
        if not (target / name).is_file():
            shutil.copyfile(path, target / name)
    if _cache is not None:
        cards.prune(_cache, set(_used), keep_unused=len(_used))
