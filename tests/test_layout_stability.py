"""Nothing on a page moves while it arrives. A browser paints a page before all of it has
arrived; on a phone Material puts a post's sidebar (authors, date, categories) below the article
although it comes first in the page, so a sidebar painted under the first paragraphs would be
pushed down by the rest: a layout shift that readers see and Lighthouse counts (0.22 measured).

Here a real post is served in two parts: the server stops after the article's first paragraph
until the browser has laid out what it has, then sends the rest. Nothing that was on screen
then may have moved once the page has loaded. The canary serves the stylesheet without its rule
for this and proves the check sees the sidebar move.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser import HostLikeFiles, QuietServer, page_kinds
from conftest import RealBuild

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 800}, "is_mobile": True}
# Two frames: the page has reacted to what arrived last.
PAINTED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
# Where each element on screen is now; MOVED then lists those that are somewhere else. This is
# what a layout shift is; the browser's own layout-shift entries are not used because a headless
# browser may hold back painting a loading page, and then it reports no shift at all.
ON_SCREEN = """() => {
  window.__seen = new Map();
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.height && box.bottom > 0 && box.top < innerHeight) window.__seen.set(el, box);
  }
  return window.__seen.size;
}"""
MOVED = """() => [...window.__seen].filter(([el, box]) => el.isConnected &&
    Math.abs(el.getBoundingClientRect().top - box.top) > 1)
  .map(([el]) => el.tagName.toLowerCase() + "." + [...el.classList].join("."))"""
# approdo.css's rule that keeps the phone sidebar back until the page has arrived.
HOLD_BACK = ".md-container:not(:has(> .md-footer)) .md-sidebar--post"


class Trickle:
    """One page sent in two parts: the bytes up to the end of ``cut`` (its first occurrence after
    ``after``), then, once ``release`` is set, the rest."""

    def __init__(self, path: str, after: str, cut: str) -> None:
        self.path, self.after, self.cut = path, after, cut
        self.release = threading.Event()
        self.first_part_sent = threading.Event()


def trickling_handler(trickle: Trickle):
    class Handler(HostLikeFiles):
        def do_GET(self):
            if self.path.split("?")[0] != "/" + trickle.path:
                return super().do_GET()
            html = (Path(self.translate_path(self.path)) / "index.html").read_bytes()
            start = html.index(trickle.after.encode())
            split = html.index(trickle.cut.encode(), start) + len(trickle.cut)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(html[:split])
            self.wfile.flush()
            trickle.first_part_sent.set()
            trickle.release.wait(timeout=30)
            self.wfile.write(html[split:])
            self.close_connection = True

    return Handler


@contextmanager
def trickling_site(site, trickle: Trickle) -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0),
                         functools.partial(trickling_handler(trickle), directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        trickle.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def moved_while_arriving(real_site: RealBuild, open_page, *, without_rule: bool) -> list:
    """Whether the post's sidebar was shown before the page had arrived, then the elements that
    were on screen then and have moved since."""
    post = page_kinds(real_site.site)["post"]
    trickle = Trickle(post, after='<article class="md-content__inner', cut="</p>")
    with trickling_site(real_site.site, trickle) as url:
        page = open_page(None, **PHONE)
        if without_rule:
            def plain_stylesheet(route):
                css = route.fetch().text()
                assert HOLD_BACK in css
                route.fulfill(body=css.replace(HOLD_BACK, ".approdo-never-matches"),
                              content_type="text/css")
            page.route("**/assets/stylesheets/approdo-site.css", plain_stylesheet)
        page.goto(url + post, wait_until="commit")
        assert trickle.first_part_sent.wait(timeout=20)
        page.wait_for_selector("article.md-content__inner p", state="attached")
        # A headless browser may hold back painting a page that is loading; a screenshot makes
        # it paint what it has, as a phone's screen would.
        page.evaluate(PAINTED)
        assert page.evaluate(ON_SCREEN) > 10
        assert page.evaluate("() => !document.querySelector('.md-footer')"), \
            "the whole page arrived at once: nothing was tested"
        sidebar_early = page.locator(".md-sidebar--post").is_visible()
        trickle.release.set()
        page.wait_for_load_state("load")
        assert page.locator(".md-sidebar--post time").first.is_visible()
        page.evaluate(PAINTED)
        return [sidebar_early, *page.evaluate(MOVED)]


def test_the_post_sidebar_does_not_move_while_the_post_arrives(real_site, open_page):
    sidebar_early, *moved = moved_while_arriving(real_site, open_page, without_rule=False)
    assert not sidebar_early
    assert moved == []


def test_canary_without_the_rule_the_sidebar_is_pushed_down(real_site, open_page):
    sidebar_early, *moved = moved_while_arriving(real_site, open_page, without_rule=True)
    assert sidebar_early
    assert "div.md-sidebar.md-sidebar--post" in moved, moved
