"""How much a visitor downloads to see each landing page (not a test: prints numbers).

For every built page under landing/ (thank-you pages included), sums the gzip size of the HTML
and of every local asset it references (stylesheets, scripts, images, icons, fonts, and files
those stylesheets reference with url()), and lists any reference to another origin, which would
be a request to a third party. The target of issue 3 is 60 KB gzip and zero other origins.

    python bench/landing_weight.py              # builds the sample site into a temporary folder
    python bench/landing_weight.py --site site  # measures an existing build
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_KB = 60
# What a browser fetches by itself while loading a page (links like <a href> are not loaded).
LOADED = {("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"),
          ("img", "srcset"), ("source", "srcset"), ("video", "poster"), ("iframe", "src")}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)|@import\s+['\"]([^'\"]+)['\"]")


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "link" and (values.get("rel") or "") in ("canonical", "alternate", "prev", "next"):
            return  # addresses for crawlers, never fetched by the page
        for name, value in attrs:
            if (tag, name) in LOADED and value:
                if name == "srcset":
                    self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
                else:
                    self.urls.append(value)


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def page_weight(site: Path, html_path: Path) -> tuple[int, list[tuple[str, int]], list[str]]:
    """(total gzip bytes, [(asset, gzip bytes)], [references to other origins]) for one page."""
    page_url = "/" + html_path.relative_to(site).as_posix()
    html = html_path.read_bytes()
    parser = _References()
    parser.feed(html.decode("utf-8"))
    queue = [urljoin(page_url, url) for url in parser.urls]
    seen: set[str] = set()
    assets: list[tuple[str, int]] = []
    foreign: list[str] = []
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue
        if parts.netloc or parts.scheme:
            foreign.append(url)
            continue
        if parts.path in seen:
            continue
        seen.add(parts.path)
        file = site / parts.path.lstrip("/")
        if file.is_dir():
            file = file / "index.html"
        if not file.is_file():
            foreign.append(f"missing: {url}")
            continue
        data = file.read_bytes()
        assets.append((parts.path, gzip_size(data)))
        if file.suffix == ".css":
            for match in CSS_URL.finditer(data.decode("utf-8", "replace")):
                queue.append(urljoin(parts.path, match.group(1) or match.group(2)))
    total = gzip_size(html) + sum(size for _, size in assets)
    return total, assets, foreign


def build(site_dir: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                    "--site-dir", str(site_dir)], cwd=ROOT, env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an existing build (default: build one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build(site)
        pages = sorted((site / "landing").glob("**/index.html"))
        if not pages:
            print(f"no landing pages under {site / 'landing'}")
            return 1
        worst = 0
        print(f"{'page':<42} {'HTML':>8} {'assets':>8} {'total':>8}  other origins")
        for html_path in pages:
            total, assets, foreign = page_weight(site, html_path)
            worst = max(worst, total)
            html_size = total - sum(size for _, size in assets)
            name = "/" + html_path.parent.relative_to(site).as_posix() + "/"
            print(f"{name:<42} {html_size / 1024:>6.1f}KB {(total - html_size) / 1024:>6.1f}KB "
                  f"{total / 1024:>6.1f}KB  {len(foreign)}")
            for asset, size in assets:
                print(f"    {asset:<50} {size / 1024:>6.1f}KB gzip")
            for url in foreign:
                print(f"    OTHER ORIGIN OR MISSING: {url}")
        verdict = "within" if worst <= TARGET_KB * 1024 else "OVER"
        print(f"heaviest landing page: {worst / 1024:.1f} KB gzip ({verdict} the {TARGET_KB} KB target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
