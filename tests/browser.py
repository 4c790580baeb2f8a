"""Browser test helpers: Debian's Chromium for Playwright, a quiet static server for a built
site, and the guard that keeps every page on 127.0.0.1.

Plain helpers, no fixtures (those live in conftest.py: `chromium`, `open_page`, `served_site`),
so a module-scoped fixture can use them too. Playwright is imported only by the fixtures:
the rest of the suite runs without it.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
LOCAL_HOST = "127.0.0.1"
MISSING = "pagina-che-non-esiste/"   # a HostLikeFiles server answers with 404.html, status 404


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


# What a static host compresses (Lighthouse counts uncompressed text against performance).
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "application/xml",
                    "image/svg+xml", "application/atom+xml", "application/rss+xml")


class HostLikeFiles(QuietFiles):
    """Serves a built site the way a static host does: gzip for text when the browser accepts it,
    and the site's own 404.html, with status 404, for an address that does not exist. It keeps
    connections open between requests (HTTP/1.1) as every host does: Lighthouse's simulation of
    a phone's network charges a new connection for each request otherwise."""

    protocol_version = "HTTP/1.1"

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the directory redirect
            path = os.path.join(path, "index.html")
        if not os.path.isfile(path):
            return self._send(Path(self.directory) / "404.html", 404)
        return self._send(Path(path), 200)

    def _send(self, path: Path, status: int):
        if not path.is_file():
            self.send_error(404)
            return None
        body = path.read_bytes()
        ctype = self.guess_type(str(path))
        gzip_ok = "gzip" in self.headers.get("Accept-Encoding", "")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if gzip_ok and ctype.startswith(COMPRESSED_TYPES):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser context closed mid-load drops its connections: that is no server error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@contextmanager
def serve_directory(path: Path) -> Iterator[str]:
    """Serve ``path`` on an ephemeral 127.0.0.1 port like a static host (HostLikeFiles);
    yields the base URL (ending in "/").

    The directory is created if missing and read on every request, so a site can be built into
    it after the server starts: the build then knows its own URL (thank-you links, short links).
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    server = QuietServer((LOCAL_HOST, 0), functools.partial(HostLikeFiles, directory=str(path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Blocked(NamedTuple):
    """A request the guard aborted, and the page that made it."""

    page: str
    url: str


class OffSiteGuard:
    """A Playwright route handler that lets through requests to 127.0.0.1 (or, with ``only``,
    to that origin or those origins) and aborts and records every other one in ``blocked``."""

    def __init__(self, only: str | tuple[str, ...] | None = None) -> None:
        wanted = (only,) if isinstance(only, str) else (only or ())
        self.only = {origin(url) for url in wanted}
        self.blocked: list[Blocked] = []

    def allows(self, url: str) -> bool:
        if self.only:
            return origin(url) in self.only
        return urlsplit(url).hostname == LOCAL_HOST

    def install(self, context):
        """Route every request of a browser context through the guard; returns the context."""
        context.route("**/*", self.handle)
        return context

    def handle(self, route) -> None:
        request = route.request
        if self.allows(request.url):
            route.continue_()
            return
        try:
            page = request.frame.url
        except Exception:  # noqa: BLE001 - worker requests have no frame
            page = "(worker)"
        self.blocked.append(Blocked(page, request.url))
        route.abort()

    @property
    def urls(self) -> list[str]:
        return [b.url for b in self.blocked]


# --- the pages to look at ----------------------------------------------------------------------

def page_kinds(site: Path) -> dict[str, str]:
    """One URL path per kind of page (plus every landing and thank-you page), discovered from
    the built site so that content can change."""

    def first(pattern: str, exclude: str = "", last: bool = False) -> str:
        found = sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.glob(pattern)
                       if p.parent.name != exclude)
        assert found, f"no page matches {pattern}"
        return found[-1] if last else found[0]

    kinds = {
        "home": "",
        "blog": "blog/",
        "blog-page-2": "blog/page/2/",
        "post": first("blog/2*/*/*/index.html", last=True),
        "archive": first("blog/archive/*/*/index.html", last=True),
        "category": first("blog/category/*/index.html"),
        "author": first("blog/author/*/index.html"),
        "tags": "tags/",
        "guide": first("kb/*/index.html", exclude="glossario"),
        "glossary": "kb/glossario/",
        "bio": "bio/",
        "go": first("go/*/index.html"),
        "privacy": "privacy/",
        "404": MISSING,
    }
    for landing in sorted(site.glob("landing/*/index.html")):
        slug = landing.parent.name
        kinds[f"landing {slug}"] = f"landing/{slug}/"
        if (landing.parent / "grazie" / "index.html").is_file():
            kinds[f"thanks {slug}"] = f"landing/{slug}/grazie/"
    missing = [p for p in kinds.values() if p != MISSING and not (site / p / "index.html").is_file()]
    assert not missing, missing
    return kinds


# --- axe-core: the one accessibility harness ---------------------------------------------------

AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


class KnownAxe(NamedTuple):
    """A finding that is Material's, not ours: an axe rule id, and a CSS selector every node it
    flags must match to be let through."""

    rule: str
    selector: str
    why: str


# The one allow-list of accessibility findings, for every browser test. Empty is the goal:
# anything ours is fixed in overrides/ or the stylesheets, not listed here.
AXE_ALLOWED: tuple[KnownAxe, ...] = (
    KnownAxe("landmark-unique", ".md-post__authors",
             "Material's partials/post.html gives each post of a blog listing an unnamed <nav> "
             "of its authors; overriding the whole partial for a name is not worth its upkeep."),
    KnownAxe("landmark-unique", ".md-post > .md-nav--primary",
             "Material's blog-post.html puts the post's sidebar in a second unnamed "
             "<nav class=md-nav--primary> beside the site navigation."),
)

# Runs axe in the page at every impact level; nodes matching an allow-list entry for their rule
# are dropped there, where the DOM is at hand.
_AXE_CHECK = """async (known) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  const found = [];
  for (const v of result.violations) {
    for (const node of v.nodes) {
      const el = node.target.length === 1 ? document.querySelector(node.target[0]) : null;
      if (el && known.some(([rule, sel]) => rule === v.id && el.matches(sel))) continue;
      found.push(`${v.id} (${v.impact}) ${node.target.join(" ")}: ` +
                 (node.failureSummary || v.help).replace(/\\s+/g, " ").slice(0, 240));
    }
  }
  return {found, passes: result.passes.length};
}"""


def _require_axe() -> None:
    """Fail (never skip) when axe-core is not installed."""
    if not AXE_JS.is_file():
        raise AssertionError("axe-core is not installed: run ./dev test (npm ci)")


def with_axe(context):
    """``context`` with axe-core put in every page it opens before the page's own scripts run;
    returns the context. For a tab that loads many pages: evaluating axe's 500 KB into each page
    afterwards, as axe_violations does otherwise, cost 0.1 s of CPU per page, and this ~15 % of
    the page matrix (Chromium keeps the compiled init script)."""
    _require_axe()
    context.add_init_script(path=str(AXE_JS))
    return context


def axe_violations(page) -> list[str]:
    """axe-core's violations on ``page`` as it is now, minus AXE_ALLOWED: "rule (impact)
    target: why" each. Fails (never skips) when axe-core is not installed; raises if axe
    checked too little to be trusted."""
    _require_axe()
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Evaluated rather than added as a <script>: this also works on a page opened with
        # JavaScript disabled (the page's own scripts off, the test's still on).
        page.evaluate("() => { " + AXE_JS.read_text(encoding="utf-8") + "\n}")
    outcome = page.evaluate(_AXE_CHECK, [[k.rule, k.selector] for k in AXE_ALLOWED])
    assert outcome["passes"] > 5, f"axe checked almost nothing on {page.url}"
    return outcome["found"]


if __name__ == "__main__":
    # `python tests/browser.py FOLDER`: serve FOLDER like a static host until stopped, printing
    # the base URL first (conftest.live_site runs it once for a whole test run).
    with serve_directory(Path(sys.argv[1])) as base_url:
        print(base_url, flush=True)
        threading.Event().wait()
