"""How much the social-card cache saves (not a test: prints numbers).

Builds the sample site with an empty card cache (every card drawn), then again with the cache
filled (no card drawn), ``--runs`` times each, and prints the build times and the cards' count
and size. Uses its own cache folder (APPRODO_CARD_CACHE), never the project's .cache/.

    python bench/social_cards.py            # 3 cold and 3 warm builds
    python bench/social_cards.py --runs 1
    python bench/social_cards.py --encoding # CPU per card and size: drawing, PNG encoders
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(site: Path, cache: Path) -> tuple[float, str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "APPRODO_CARD_CACHE": str(cache)}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        sys.exit(result.stdout + result.stderr)
    match = re.search(r"social cards: .*", result.stderr + result.stdout)
    return seconds, match.group(0) if match else "?"


def encoding(rounds: int) -> None:
    """CPU time per card of drawing it, and of each PNG encoder on the drawn pixels."""
    sys.path.insert(0, str(ROOT / "hooks"))
    from PIL import Image

    from approdo import card_text, cards, png

    fonts_dir = ROOT / "overrides/assets/fonts"
    fonts = cards.Fonts(fonts_dir / "DejaVuSans.ttf", fonts_dir / "DejaVuSans-Bold.ttf",
                        card_text.find_fallbacks(), card_text.find_emoji())
    samples = [cards.Card(title, "Strategia", "Maestrale Digitale", "maestrale.example") for title in (
        "Instagram per un B&B delle Langhe: caso 12", "Perché i social non vendono 🚀 e cosa fare",
        "東京のカフェ: un caso di marketing locale",
        "Come abbiamo portato una pasticceria di Bologna da zero a trecento richieste al mese")]
    images = [Image.open(io.BytesIO(cards.render(card, fonts))).convert("RGB") for card in samples]

    def pillow(**options):
        def encode(image):
            out = io.BytesIO()
            image.save(out, format="PNG", **options)
            return out.getvalue()
        return encode

    def per_card(function, items) -> float:
        start = time.process_time()
        for _ in range(rounds):
            for item in items:
                function(item)
        return (time.process_time() - start) / rounds / len(items) * 1000

    print(f"{'what (per card)':<40}{'CPU ms':>8}{'KB':>8}")
    print(f"{f'render (draw + approdo.png, level {cards.PNG_COMPRESS_LEVEL})':<40}"
          f"{per_card(lambda card: cards.render(card, fonts), samples):>8.1f}"
          f"{sum(len(cards.render(card, fonts)) for card in samples) / len(samples) / 1024:>8.1f}")
    for label, encode in (("Pillow optimize=True (before)", pillow(optimize=True)),
                          ("Pillow compress_level=6", pillow(compress_level=6)),
                          ("Pillow compress_level=1", pillow(compress_level=1)),
                          *((f"approdo.png level {level}", functools.partial(png.encode_rgb, level=level))
                            for level in (1, 3, 6, 9))):
        size = sum(len(encode(image)) for image in images) / len(images) / 1024
        print(f"{'  encode: ' + label:<40}{per_card(encode, images):>8.1f}{size:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--encoding", action="store_true",
                        help="time drawing one card and the PNG encoders instead of builds")
    args = parser.parse_args()
    if args.encoding:
        encoding(max(args.runs, 5))
        return
    with tempfile.TemporaryDirectory() as tmp:
        site, cache = Path(tmp, "site"), Path(tmp, "cards")
        cold, warm = [], []
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            seconds, cold_log = build(site, cache)
            cold.append(seconds)
            seconds, warm_log = build(site, cache)
            warm.append(seconds)
        cards = list((site / "assets/cards").glob("*.png"))
        size = sum(card.stat().st_size for card in cards)
        print(f"cold (empty cache): median {statistics.median(cold):.2f}s  runs {[round(s, 2) for s in cold]}  [{cold_log}]")
        print(f"warm (cache full):  median {statistics.median(warm):.2f}s  runs {[round(s, 2) for s in warm]}  [{warm_log}]")
        print(f"cards: {len(cards)} PNG, {size / 1024:.0f} KB in total, "
              f"{size / max(len(cards), 1) / 1024:.0f} KB each on average")
        print(f"drawing the cards costs {statistics.median(cold) - statistics.median(warm):.2f}s per cold build")


if __name__ == "__main__":
    main()
