"""How much the social-card cache saves (not a test: prints numbers).

Builds the sample site with an empty card cache (every card drawn), then again with the cache
filled (no card drawn), ``--runs`` times each, and prints the build times and the cards' count
and size. Uses its own cache folder (APPRODO_CARD_CACHE), never the project's .cache/.

    python bench/social_cards.py            # 3 cold and 3 warm builds
    python bench/social_cards.py --runs 1
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
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
