"""Text on social cards in a stack of fonts: each character in the first font that has it.

DejaVu Sans (shipped in ``overrides/assets/fonts/``) draws Latin with every Italian accent,
Greek, Cyrillic and most symbols; what it lacks (emoji, Chinese and Japanese, Arabic, Hebrew,
Devanagari, Thai...) comes from the Noto fonts of Debian's ``fonts-noto-core``,
``fonts-noto-cjk`` and ``fonts-noto-color-emoji`` when they are installed (``./dev`` installs
them). Without them such characters still draw as boxes, and the build says which package
is missing. The colour emoji font has a single bitmap size: emoji are drawn at that size and
scaled. No MkDocs import.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# Where Debian installs fonts; APPRODO_FONT_DIRS (see social_cards) may add others.
SYSTEM_FONT_DIRS = ("/usr/share/fonts",)
# Fallback faces in order, as (regular, bold) file names; CJK collections hold JP first,
# whose glyphs also cover Chinese text.
FALLBACKS = (
    ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"),
    ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
    ("NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
    ("NotoSansArmenian-Regular.ttf", "NotoSansArmenian-Bold.ttf"),
    ("NotoSansGeorgian-Regular.ttf", "NotoSansGeorgian-Bold.ttf"),
    ("NotoSansSymbols-Regular.ttf", "NotoSansSymbols-Bold.ttf"),
    ("NotoSansSymbols2-Regular.ttf", "NotoSansSymbols2-Regular.ttf"),
    ("NotoSansMath-Regular.ttf", "NotoSansMath-Regular.ttf"),
)
EMOJI = "NotoColorEmoji.ttf"
# The one size the colour emoji font has bitmaps for.
EMOJI_SIZE = 109
# Characters that belong to the run before them (emoji sequences, accents typed apart).
_JOINERS = {"\u200d", "\ufe0f", "\ufe0e", "\u20e3"}
PACKAGES = {"NotoSansCJK": "fonts-noto-cjk", "NotoColorEmoji": "fonts-noto-color-emoji"}


@dataclass(frozen=True)
class Faces:
    """The fonts of one weight, primary first, and the colour emoji font (if installed)."""

    fonts: tuple[Path, ...]
    emoji: Path | None = None


def find_fallbacks(dirs: tuple[str, ...] = SYSTEM_FONT_DIRS) -> tuple[tuple[Path, Path], ...]:
    """The installed fallback fonts as (regular, bold) pairs, in the stack's order."""
    found = _installed(tuple(dirs))
    return tuple((found[regular], found[bold]) for regular, bold in FALLBACKS
                 if regular in found and bold in found)


def find_emoji(dirs: tuple[str, ...] = SYSTEM_FONT_DIRS) -> Path | None:
    return _installed(tuple(dirs)).get(EMOJI)


def missing_packages(dirs: tuple[str, ...] = SYSTEM_FONT_DIRS) -> list[str]:
    """The Debian packages whose fonts would draw more scripts on cards."""
    found = _installed(tuple(dirs))
    return [package for prefix, package in PACKAGES.items()
            if not any(name.startswith(prefix) for name in found)]


@functools.lru_cache(maxsize=8)
def _installed(dirs: tuple[str, ...]) -> dict[str, Path]:
    wanted = {name for pair in FALLBACKS for name in pair} | {EMOJI}
    found: dict[str, Path] = {}
    for folder in dirs:
        root = Path(folder)
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.name in wanted and path.name not in found:
                    found[path.name] = path
    return found


@functools.lru_cache(maxsize=256)
def _truetype(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


@functools.lru_cache(maxsize=65536)
def _has_glyph(path: Path, char: str) -> bool:
    """Whether the font has ``char``: FreeType draws a missing character as the font's
    .notdef glyph, so compare with a character no font has."""
    size = EMOJI_SIZE if path.name == EMOJI else 40
    font = _truetype(path, size)
    try:
        return font.getmask(char).getbbox() is not None and (
            bytes(font.getmask(char)) != bytes(font.getmask("\U0010fffd")))
    except OSError:
        return False


class StackFont:
    """A font stack at one size: measures and draws text like a ``FreeTypeFont``."""

    def __init__(self, faces: Faces, size: int) -> None:
        self.faces = faces
        self.size = size
        self.primary = _truetype(faces.fonts[0], size)

    def runs(self, text: str) -> list[tuple[Path, str]]:
        """``text`` split into runs that one font draws (the primary font for what no font has)."""
        runs: list[tuple[Path, str]] = []
        for char in text:
            # A combining mark, a joiner or a skin tone belongs with the character before it,
            # and so does the next part of an emoji sequence.
            if (char == "\ufe0f" and runs and self.faces.emoji is not None
                    and runs[-1][0] != self.faces.emoji and _has_glyph(self.faces.emoji, runs[-1][1][-1])):
                # VS16 asks for the emoji form of the character before it ("❤️").
                face, previous = runs.pop()
                if previous[:-1]:
                    runs.append((face, previous[:-1]))
                runs.append((self.faces.emoji, previous[-1] + char))
                continue
            joined = runs and runs[-1][1].endswith("\u200d")
            if runs and (joined or char in _JOINERS or 0x1F3FB <= ord(char) <= 0x1F3FF
                         or unicodedata.category(char).startswith("M")):
                runs[-1] = (runs[-1][0], runs[-1][1] + char)
                continue
            face = self._face_for(char)
            if runs and runs[-1][0] == face:
                runs[-1] = (face, runs[-1][1] + char)
            else:
                runs.append((face, char))
        return runs

    def _face_for(self, char: str) -> Path:
        if char.isspace():
            return self.faces.fonts[0]
        # Pictographs are drawn as colour emoji even where a text font has a plain glyph.
        if self.faces.emoji is not None and ord(char) >= 0x1F000 and _has_glyph(self.faces.emoji, char):
            return self.faces.emoji
        for path in self.faces.fonts:
            if _has_glyph(path, char):
                return path
        if self.faces.emoji is not None and _has_glyph(self.faces.emoji, char):
            return self.faces.emoji
        return self.faces.fonts[0]

    def _run_length(self, face: Path, text: str) -> float:
        if face.name == EMOJI:
            return _truetype(face, EMOJI_SIZE).getlength(text) * self.size / EMOJI_SIZE
        return _truetype(face, self.size).getlength(text)

    def getlength(self, text: str) -> float:
        return sum(self._run_length(face, run) for face, run in self.runs(text))

    def draw(self, image: Image.Image, xy: tuple[float, float], text: str, fill: str,
             anchor: str = "la") -> None:
        """Draw ``text`` at ``xy``; ``anchor`` is Pillow's: l/r, then a (top) or m (middle)."""
        ascent, descent = self.primary.getmetrics()
        x, y = xy
        if anchor[0] == "r":
            x -= self.getlength(text)
        baseline = y + ascent if anchor[1] == "a" else y + (ascent - descent) / 2
        draw = ImageDraw.Draw(image)
        for face, run in self.runs(text):
            if face.name == EMOJI:
                self._draw_emoji(image, face, (x, baseline), run)
            else:
                draw.text((x, baseline), run, font=_truetype(face, self.size), fill=fill, anchor="ls")
            x += self._run_length(face, run)

    def _draw_emoji(self, image: Image.Image, face: Path, origin: tuple[float, float], run: str) -> None:
        font = _truetype(face, EMOJI_SIZE)
        ascent, descent = font.getmetrics()
        width = max(1, int(font.getlength(run)))
        canvas = Image.new("RGBA", (width, ascent + descent))
        ImageDraw.Draw(canvas).text((0, 0), run, font=font, embedded_color=True)
        scale = self.size / EMOJI_SIZE
        scaled = canvas.resize((max(1, round(width * scale)), max(1, round((ascent + descent) * scale))),
                               Image.Resampling.LANCZOS)
        x, baseline = origin
        image.paste(scaled, (round(x), round(baseline - ascent * scale)), scaled)
