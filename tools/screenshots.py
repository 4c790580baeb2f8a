"""Screenshots of every page kind for review: light and dark, phone and desktop width.

    .venv/bin/python tools/screenshots.py [--site SITE_DIR] [--out DIR] [--widths 360,1280]

Builds the sample site (unless --site names a built one), serves it like a static host and
writes one full-page PNG per page kind, colour scheme and width into --out (default
screenshots/, ignored by git). Nothing is fetched from another origin: the browser aborts it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import (CHROMIUM, CHROMIUM_ARGS, OffSiteGuard, page_kinds,  # noqa: E402
                     serve_directory)


def build(site: Path) -> None:
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "--site-dir",
                    str(site)], cwd=ROOT, check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--widths", default="360,1280")
    parser.add_argument("--only", default="", help="comma-separated page kinds (prefixes)")
    args = parser.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    only = [k for k in args.only.split(",") if k]

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        site = args.site or Path(scratch) / "site"
        if args.site is None:
            build(site)
        args.out.mkdir(parents=True, exist_ok=True)
        kinds = page_kinds(site)
        with serve_directory(site) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            guard = OffSiteGuard(only=base)
            written = 0
            for scheme in ("light", "dark"):
                for width in widths:
                    context = guard.install(browser.new_context(
                        color_scheme=scheme, viewport={"width": width, "height": 800},
                        reduced_motion="reduce"))
                    tab = context.new_page()
                    for kind, path in kinds.items():
                        if only and not any(kind.startswith(o) for o in only):
                            continue
                        tab.goto(base + path, wait_until="load")
                        name = f"{kind.replace(' ', '-')}-{scheme}-{width}.png"
                        tab.screenshot(path=str(args.out / name), full_page=True)
                        written += 1
                    context.close()
            browser.close()
        print(f"{written} screenshots in {args.out}")
        if guard.blocked:
            print(f"aborted requests to other origins: {guard.urls}")


if __name__ == "__main__":
    main()
