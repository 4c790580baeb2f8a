"""Social card images (1200x630 PNG) drawn offline with Pillow and a stack of fonts (a font
shipped in the repo, then Debian's Noto fonts for emoji and other scripts: ``card_text``).

A card shows a kicker (the post's category or the landing page's offer), the title and the
brand. Rendering is deterministic, so the file name carries a hash of every input: a card is
drawn again only when something it shows (or the renderer) changes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import multiprocessing
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from approdo.card_text import Faces, StackFont

from approdo import atomic_files, brand, png

WIDTH, HEIGHT = 1200, 630
# Bump when the drawing or the encoding changes, so that cached cards are drawn again.
RENDERER_VERSION = "3"
# zlib level for ``approdo.png``. Encoding was 85-90 % of drawing a card with Pillow's
# ``optimize=True`` (about 55 ms of CPU, 37 KB). Level 3 takes about 6 ms for 41 KB, level 6
# (zlib's default) about 11 ms for 32 KB: a card is fetched only by the social networks'
# crawlers, while every cold build (a fresh clone, CI) draws all of them, so CPU wins.
PNG_COMPRESS_LEVEL = 3

_MARGIN = 80
_TITLE_SIZES = (76, 68, 60, 54, 48, 44, 40)
_TITLE_MAX_LINES = 4


_BRAND = brand.load().colours


@dataclass(frozen=True)
class CardStyle:
    """Colours of a card: the brand tokens' light values (overrides/assets/stylesheets/brand.css)."""

    background: str = _BRAND["sea"].light
    band: str = _BRAND["sea-dark"].light
    accent: str = _BRAND["coral"].light
    text: str = _BRAND["on-sea"].light
    muted: str = _BRAND["line"].light


@dataclass(frozen=True)
class Card:
    """What one card shows."""

    title: str
    kicker: str = ""
    brand: str = ""
    footer: str = ""
    # A line under the title (a landing page's offer).
    subtitle: str = ""


@dataclass(frozen=True)
class Fonts:
    """Paths of the regular and bold TrueType fonts used to draw cards, then the fallback
    fonts for characters they lack, as (regular, bold) pairs, and the colour emoji font."""

    regular: Path
    bold: Path
    fallbacks: tuple[tuple[Path, Path], ...] = ()
    emoji: Path | None = None

    def faces(self, bold: bool) -> Faces:
        primary = self.bold if bold else self.regular
        return Faces((primary, *(pair[1 if bold else 0] for pair in self.fallbacks)), self.emoji)

    def files(self) -> list[Path]:
        return [self.regular, self.bold, *(path for pair in self.fallbacks for path in pair),
                *([self.emoji] if self.emoji else [])]


def card_key(card: Card, fonts: Fonts, style: CardStyle = CardStyle()) -> str:
    """A short hash of everything that changes the pixels of ``card``."""
    digest = hashlib.sha256()
    payload = {"v": RENDERER_VERSION, "card": asdict(card), "style": asdict(style),
               "fonts": [_file_digest(path) for path in fonts.files()],
               "size": [WIDTH, HEIGHT]}
    digest.update(json.dumps(payload, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:12]


_DIGESTS: dict[tuple[str, float, int], str] = {}


def _file_digest(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_mtime, stat.st_size)
    if key not in _DIGESTS:
        _DIGESTS[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _DIGESTS[key]


def _font(fonts: Fonts | Faces | Path, size: int, bold: bool = False) -> StackFont:
    if isinstance(fonts, Path):
        fonts = Faces((fonts,))
    elif isinstance(fonts, Fonts):
        fonts = fonts.faces(bold)
    return StackFont(fonts, size)


def wrap(text: str, font: StackFont, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels (words longer than a line
    are cut, so that nothing is ever drawn outside the card)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while font.getlength(word) > width:
            cut = len(word)
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def fit_title(title: str, faces: Faces | Path, width: int, max_lines: int = _TITLE_MAX_LINES,
              max_height: int | None = None) -> tuple[StackFont, list[str]]:
    """The largest title size whose lines fit in ``width``, in ``max_lines`` and (if given)
    in ``max_height`` pixels; at the smallest size, extra lines end in '…'."""
    for size in _TITLE_SIZES:
        font = _font(faces, size)
        lines = wrap(title, font, width)
        fits_height = max_height is None or len(lines) * line_height(font) <= max_height
        if len(lines) <= max_lines and fits_height:
            return font, lines
    lines = lines[:max_lines]
    last = lines[-1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1].rstrip()
    lines[-1] = last + "…"
    return font, lines


def line_height(font: StackFont) -> int:
    return int(font.size * 1.18)


def _ellipsize(text: str, font: StackFont, width: int) -> str:
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


_BAND_TOP = HEIGHT - 120


@functools.lru_cache(maxsize=4)
def _background(style: CardStyle) -> Image.Image:
    """What every card has under its text (drawn once per style and copied for each card):
    the background, the accent stripe on the left edge and the brand band at the bottom."""
    image = Image.new("RGB", (WIDTH, HEIGHT), style.background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 16, HEIGHT), fill=style.accent)
    draw.rectangle((0, _BAND_TOP, WIDTH, HEIGHT), fill=style.band)
    draw.rectangle((0, _BAND_TOP, 16, HEIGHT), fill=style.accent)
    return image


def render(card: Card, fonts: Fonts, style: CardStyle = CardStyle()) -> bytes:
    """The PNG bytes of ``card``: kicker on top, title in the middle, brand band below."""
    image = _background(style).copy()
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * _MARGIN
    band_top = _BAND_TOP

    y = 70
    if card.kicker:
        kicker_font = _font(fonts, 30, bold=True)
        kicker = _ellipsize(card.kicker.upper(), kicker_font, inner - 40)
        pill_w, pill_h = int(kicker_font.getlength(kicker)) + 40, 54
        draw.rounded_rectangle((_MARGIN, y, _MARGIN + pill_w, y + pill_h), radius=27,
                               fill=style.accent)
        kicker_font.draw(image, (_MARGIN + 20, y + pill_h / 2), kicker, style.text, anchor="lm")
        y += pill_h + 36

    sub_font = _font(fonts, 34)
    sub_lines = wrap(card.subtitle, sub_font, inner)[:2] if card.subtitle else []
    if len(sub_lines) == 2 and len(wrap(card.subtitle, sub_font, inner)) > 2:
        sub_lines[1] = _ellipsize(sub_lines[1] + " …", sub_font, inner)
    sub_height = 46 * len(sub_lines) + (20 if sub_lines else 0)
    # The title never reaches the brand band: its size is chosen to fit the space left.
    room = band_top - 40 - y - sub_height
    title_font, lines = fit_title(card.title, fonts.faces(bold=True), inner,
                                  _TITLE_MAX_LINES - 1 if card.subtitle else _TITLE_MAX_LINES, room)
    title_line = line_height(title_font)
    # Centre title and subtitle in the space left between the kicker and the band.
    block = title_line * len(lines) + sub_height
    y = max(y, y + ((band_top - 40 - y) - block) // 2)
    for line in lines:
        title_font.draw(image, (_MARGIN, y), line, style.text)
        y += title_line
    y += 20
    for line in sub_lines:
        sub_font.draw(image, (_MARGIN, y), line, style.muted)
        y += 46

    band_mid = band_top + 60
    if card.brand:
        brand_font = _font(fonts, 36, bold=True)
        brand_font.draw(image, (_MARGIN, band_mid), _ellipsize(card.brand, brand_font, inner // 2),
                        style.text, anchor="lm")
    if card.footer:
        footer_font = _font(fonts, 28)
        footer_font.draw(image, (WIDTH - _MARGIN, band_mid),
                         _ellipsize(card.footer, footer_font, inner // 2 - 20), style.muted, anchor="rm")

    return png.encode_rgb(image, PNG_COMPRESS_LEVEL)


def prune(cache_dir: Path, used: set[str], keep_unused: int) -> int:
    """Delete cached cards this build did not use, keeping the ``keep_unused`` most recently
    used ones (for a rebuild of another branch or a title edited back); returns how many were
    deleted. Leftovers of interrupted writes go too. The cache stays bounded by the site."""
    if not cache_dir.is_dir():
        return 0
    unused = sorted((path for path in cache_dir.iterdir()
                     if path.is_file() and path.name not in used and path.suffix in (".png", ".part")),
                    key=lambda path: path.stat().st_mtime, reverse=True)
    # Another build sharing the cache may be writing a card right now: only its leftovers go.
    stale = [path for path in unused if path.suffix == ".part" and atomic_files.abandoned(path)] + [
        path for path in unused if path.suffix == ".png"][keep_unused:]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def cached_path(card: Card, fonts: Fonts, cache_dir: Path, stem: str,
                style: CardStyle = CardStyle()) -> Path:
    """Where the PNG of ``card`` is kept: ``<stem>-<hash of its inputs>.png`` in ``cache_dir``."""
    return cache_dir / f"{stem}-{card_key(card, fonts, style)}.png"


def reuse(path: Path) -> bool:
    """Whether the card at ``path`` was drawn before; marks it recently used for ``prune``."""
    if path.is_file():
        os.utime(path)
        return True
    return False


def draw(card: Card, fonts: Fonts, path: Path, style: CardStyle = CardStyle()) -> None:
    """Draw ``card`` into ``path``, written then renamed, so that an interrupted build never
    leaves half a PNG in the cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_files.write_bytes(path, render(card, fonts, style))


def ensure(card: Card, fonts: Fonts, cache_dir: Path, stem: str,
           style: CardStyle = CardStyle()) -> tuple[Path, bool]:
    """The cached PNG of ``card``, drawing it only if it is not there yet. Returns the path
    and whether it was drawn now."""
    path = cached_path(card, fonts, cache_dir, stem, style)
    if reuse(path):
        return path, False
    draw(card, fonts, path, style)
    return path, True


# Starting a worker (a new Python that imports Pillow and this package) costs about as much
# CPU as drawing a dozen cards: below this many cards per worker, drawing here is cheaper.
MIN_CARDS_PER_WORKER = 24


def worker_count(cards_to_draw: int, cpus: int | None) -> int:
    """How many worker processes should draw ``cards_to_draw`` cards while the build goes on
    (0: draw them here). One core stays with the build, which renders pages meanwhile, so a
    single core draws here."""
    return max(0, min((cpus or 1) - 1, cards_to_draw // MIN_CARDS_PER_WORKER))


Job = tuple[Card, Path]


class Drawing:
    """Cards being drawn: started in ``workers`` processes, which draw while the caller goes
    on, or (``workers`` 0) drawn here when the caller asks for the result. A card's pixels do
    not depend on where it is drawn."""

    def __init__(self, jobs: Sequence[Job], fonts: Fonts, workers: int,
                 style: CardStyle = CardStyle()) -> None:
        self._work = [(card, fonts, path, style) for card, path in jobs]
        self._pool: Any = None
        self._result: Any = None
        # How many processes draw (0: here).
        self.workers = workers if workers > 0 and self._work else 0
        if self.workers:
            # "spawn", not "fork": MkDocs' serve runs threads, and a forked child of a
            # threaded process can deadlock. The children import this package as we did.
            context = multiprocessing.get_context("spawn")
            with _importable(Path(__file__).resolve().parent.parent):
                self._pool = context.Pool(workers)
            self._result = self._pool.map_async(
                _draw_job, self._work, chunksize=max(1, len(self._work) // (workers * 4)))

    def finish(self) -> list[tuple[int, str]]:
        """Wait for every card; the failures as ``(index in jobs, what went wrong)``, in the
        order of the jobs (the other cards are drawn all the same)."""
        if self._pool is None:
            results = [_draw_job(work) for work in self._work]
        else:
            try:
                results = self._result.get()
                self._pool.close()
                self._pool.join()
            finally:
                self.cancel()
        self._work = []
        return [(index, problem) for index, problem in enumerate(results) if problem]

    def cancel(self) -> None:
        """Stop the workers (the build failed): cards they finished stay in the cache."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


def draw_all(jobs: Sequence[Job], fonts: Fonts, workers: int = 0,
             style: CardStyle = CardStyle()) -> list[tuple[int, str]]:
    """Draw each ``(card, path)`` of ``jobs`` (distinct paths) and wait: ``Drawing.finish``."""
    return Drawing(jobs, fonts, workers, style).finish()


def _draw_job(args: tuple[Card, Fonts, Path, CardStyle]) -> str:
    """Draw one card (in a worker process or here); what went wrong, or ""."""
    card, fonts, path, style = args
    try:
        draw(card, fonts, path, style)
    except Exception as exc:  # reported by the caller, naming the page
        return f"{type(exc).__name__}: {exc}"
    return ""


@contextlib.contextmanager
def _importable(folder: Path):
    """``folder`` on ``sys.path`` while workers start (they copy it): MkDocs puts the hooks
    folder there only while it loads a hook."""
    added = str(folder) not in sys.path
    if added:
        sys.path.append(str(folder))
    try:
        yield
    finally:
        if added:
            sys.path.remove(str(folder))
