"""Social card images: a 1200x630 PNG for every page that has no ``image:`` of its own.

Posts show their category, landing pages their offer, other pages their section; the home
page (and every page that should not be shared, such as thank-you pages) uses the site card.
Cards are drawn offline with Pillow and DejaVu Sans (``overrides/assets/fonts/``), then Debian's
Noto fonts for emoji and other scripts (``approdo.card_text``), cached in
``.cache/approdo/cards/`` under a hash of their inputs (pruned after each build: at most twice
the site's cards), and copied into ``site/assets/cards/``.

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
from approdo.seo import host
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
_drawn = 0


def on_config(config):
    global _fonts, _cache, _drawn
    # `mkdocs serve` keeps this module between builds.
    _used.clear()
    _drawn = 0
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
    site_card = _card(cards.Card(title=tagline or site.name, brand=brand, footer=footer), "sito")
    env.globals["approdo_site_card"] = site_card
    for file in files.documentation_pages():
        page = file.page
        if page is None:
            continue
        page.meta["approdo_card"] = _page_card(page, config, site, brand, footer) or site_card
    log.info(f"social cards: {len(_used)} used, {_drawn} drawn, {len(_used) - _drawn} from cache")
    return env


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
    return _card(card, slugify(title)[:60] or "pagina")


def _card(card: cards.Card, stem: str) -> dict:
    global _drawn
    path, drawn = cards.ensure(card, _fonts, _cache, stem)
    _drawn += drawn
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
    target = Path(config.site_dir, CARD_DIR)
    target.mkdir(parents=True, exist_ok=True)
    for name, path in _used.items():
        shutil.copyfile(path, target / name)
    if _cache is not None:
        cards.prune(_cache, set(_used), keep_unused=len(_used))
