"""Browser test helpers: Debian's Chromium for Playwright, a quiet static server for a built
site, and the guard that keeps every page on 127.0.0.1.

Plain helpers, no fixtures (those live in conftest.py: `chromium`, `open_page`, `served_site`),
so a module-scoped fixture can use them too. Playwright is imported only by the fixtures:
the rest of the suite runs without it.
"""

from __future__ import annotations

import functools
import http.server
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


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser context closed mid-load drops its connections: that is no server error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@contextmanager
def serve_directory(path: Path) -> Iterator[str]:
    """Serve ``path`` on an ephemeral 127.0.0.1 port; yields the base URL (ending in "/").

    The directory is created if missing and read on every request, so a site can be built into
    it after the server starts: the build then knows its own URL (thank-you links, short links).
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    server = QuietServer((LOCAL_HOST, 0), functools.partial(QuietFiles, directory=str(path)))
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
    to that one origin) and aborts and records every other one in ``blocked``."""

    def __init__(self, only: str | None = None) -> None:
        self.only = origin(only) if only else None
        self.blocked: list[Blocked] = []

    def allows(self, url: str) -> bool:
        if self.only:
            return origin(url) == self.only
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
