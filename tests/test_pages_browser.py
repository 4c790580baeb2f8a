"""What a reader sees, page kind by page kind, in Debian's Chromium: every kind of page of the
sample site, light and dark, at 320, 360, 768 and 1280 px wide, with

- no sideways scroll (the page is never wider than the window),
- no request off the site's own origin, and no error status for one on it,
- no console error and no uncaught exception,
- no axe-core violation at any impact level (one allow-list: browser.AXE_ALLOWED),
- the brand: stand-alone pages (landing, thank-you, link in bio, short link) use only the
  brand's token colours; Material pages paint header and links in the brand's colours.

One browser, one served site, one tab per colour scheme: each page is loaded once per scheme and
resized through the widths. The canaries at the end plant each kind of fault into a real page
and prove the same checks catch it.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from browser import MISSING, OffSiteGuard, axe_violations, origin, page_kinds, with_axe
from conftest import LiveSite

pytestmark = pytest.mark.browser

WIDTHS = (320, 360, 768, 1280)
SCHEMES = ("light", "dark")
HEIGHT = 800
# Page kinds drawn with the brand's own stylesheets instead of Material's.
STANDALONE = ("landing", "thanks", "bio", "go")


# --- what the page itself reports --------------------------------------------------------------

# After a resize: let the page react (a frame), then let every transition it started finish
# (Material slides its tabs and search in), so the checks see the page at rest.
SETTLE = """async () => {
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));
}"""

OVERFLOW = """() => {
  const doc = document.documentElement;
  return Math.max(doc.scrollWidth, document.body ? document.body.scrollWidth : 0) - doc.clientWidth;
}"""

# Every colour the page paints, per element (and ::before/::after with content), with the
# tokens' values resolved in this page's scheme for comparison.
COLOURS = """() => {
  const probe = document.createElement("span");
  document.body.appendChild(probe);
  const tokens = {};
  for (const sheet of document.styleSheets) {
    let rules; try { rules = sheet.cssRules; } catch (e) { continue; }
    for (const rule of rules) {
      if (!rule.style) continue;
      for (const name of rule.style) if (name.startsWith("--brand-")) tokens[name] = true;
    }
  }
  const palette = {};
  for (const name of Object.keys(tokens)) {
    probe.style.color = `var(${name})`;
    const value = getComputedStyle(probe).color;
    if (value) palette[name] = value;
  }
  probe.remove();
  const painted = [];
  const sides = ["top", "right", "bottom", "left"];
  const note = (el, pseudo, prop, value) => {
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.classList.length ? "." + [...el.classList].join(".") : "") + (pseudo || "");
    painted.push([name, prop, value]);
  };
  for (const el of document.querySelectorAll("body, body *")) {
    if (["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT"].includes(el.tagName)) continue;
    for (const pseudo of [null, "::before", "::after"]) {
      const s = getComputedStyle(el, pseudo);
      if (pseudo && (s.content === "none" || s.content === "normal")) continue;
      if (s.display === "none") continue;
      note(el, pseudo, "color", s.color);
      note(el, pseudo, "background-color", s.backgroundColor);
      for (const side of sides) {
        if (parseFloat(s[`border-${side}-width`]) > 0 && s[`border-${side}-style`] !== "none")
          note(el, pseudo, `border-${side}-color`, s[`border-${side}-color`]);
      }
    }
  }
  return {palette, painted};
}"""

_NUMBERS = re.compile(r"[\d.]+")


def _rgba(css: str) -> tuple[float, float, float, float] | None:
    """(r, g, b, alpha) of a computed colour: rgb(), rgba() or color(srgb ...)."""
    values = [float(v) for v in _NUMBERS.findall(css)]
    if css.startswith("color(srgb"):
        values = [v * 255 for v in values[:3]] + values[3:]
    if len(values) < 3:
        return None
    return (*values[:3], values[3] if len(values) > 3 else 1.0)


def off_brand(palette: dict[str, str], painted: list[list[str]]) -> list[str]:
    """Painted colours that are not a brand token (transparency aside: a token mixed with
    transparent keeps its hue)."""
    allowed = [c for c in (_rgba(v) for v in palette.values()) if c]
    assert allowed, "no brand tokens found: is brand.css loaded?"
    found = set()
    for element, prop, value in painted:
        colour = _rgba(value)
        if colour is None or colour[3] == 0:
            continue
        if not any(all(abs(a - b) <= 1.5 for a, b in zip(colour[:3], token[:3], strict=True))
                   for token in allowed):
            found.add(f"{element} {prop}: {value}")
    return sorted(found)


@dataclass
class Report:
    """Everything the checks found, as readable lines "scheme width kind: problem"."""

    problems: list[str] = field(default_factory=list)
    checked: set[tuple[str, str, int]] = field(default_factory=set)
    seconds: float = 0.0


class Inspector:
    """Listens to one tab: console errors, uncaught exceptions and error statuses are recorded
    against the page being inspected."""

    def __init__(self, tab, base: str) -> None:
        self.tab, self.base = tab, base
        self.events: list[str] = []
        tab.on("console", self._console)
        tab.on("pageerror", lambda e: self.events.append(f"uncaught exception: {e}"))
        tab.on("response", self._response)
        self.expected_status: dict[str, int] = {}

    def _console(self, message) -> None:
        where = message.location.get("url", "")
        # Chromium logs every error status as a console error, the expected one too.
        if message.type == "error" and self.expected_status.get(where) is None:
            self.events.append(f"console error: {message.text[:200]} ({where})")

    def _response(self, response) -> None:
        expected = self.expected_status.get(response.url, 200)
        if response.status >= 400 and response.status != expected:
            self.events.append(f"HTTP {response.status}: {response.url}")

    def inspect(self, kind: str, path: str, widths=WIDTHS, axe: bool = True,
                brand: bool | None = None) -> list[str]:
        """Load ``path`` once and check it at every width; returns the problems found."""
        url = self.base + path
        self.events.clear()
        if path == MISSING:
            self.expected_status[url] = 404
        self.tab.set_viewport_size({"width": widths[0], "height": HEIGHT})
        self.tab.goto(url, wait_until="load")
        problems = []
        for width in widths:
            self.tab.set_viewport_size({"width": width, "height": HEIGHT})
            self.tab.evaluate(SETTLE)
            extra = self.tab.evaluate(OVERFLOW)
            if extra > 0:
                problems.append(f"{width} px: {extra} px of sideways scroll")
            if axe:
                problems += [f"{width} px: axe: {v}" for v in axe_violations(self.tab)]
        if brand if brand is not None else kind.split()[0] in STANDALONE:
            colours = self.tab.evaluate(COLOURS)
            problems += [f"off-brand colour: {line}" for line in
                         off_brand(colours["palette"], colours["painted"])]
        problems += self.events
        return problems


MATERIAL_BRAND = """() => {
  const probe = document.createElement("span");
  document.body.appendChild(probe);
  const token = name => { probe.style.color = `var(${name})`; return getComputedStyle(probe).color; };
  const link = document.querySelector(".md-content .md-typeset p > a:not([class])");
  const result = {
    header: [getComputedStyle(document.querySelector(".md-header")).backgroundColor, token("--brand-sea")],
    link: link ? [getComputedStyle(link).color, token("--brand-link")] : null,
    font: [getComputedStyle(document.body).fontFamily, getComputedStyle(probe).getPropertyValue("--brand-font")],
  };
  probe.remove();
  return result;
}"""


@pytest.fixture(scope="module")
def kinds(live_site: LiveSite) -> dict[str, str]:
    return page_kinds(live_site.site)


@pytest.fixture(scope="module")
def served_site(live_site: LiveSite) -> str:
    """This module's pages come from the live site (with its receiver), not the plain one."""
    return live_site.url


@pytest.fixture(scope="module")
def matrix(kinds: dict[str, str], live_site: LiveSite, chromium):
    """``matrix(scheme)``: every page kind in that colour scheme, through every width, in one
    browser; made the first time a scheme is asked for (the two schemes are two units of work,
    so they can run on two workers at once: conftest.OWN_UNIT)."""
    reports: dict[str, Report] = {}

    def report(scheme: str) -> Report:
        if scheme not in reports:
            reports[scheme] = inspect_scheme(scheme, kinds, live_site, chromium)
        return reports[scheme]

    return report


def inspect_scheme(scheme: str, kinds: dict[str, str], live_site: LiveSite, chromium) -> Report:
    served_site = live_site.url
    # The site and its lead receiver: every other request is aborted and reported.
    guard = OffSiteGuard(only=(served_site, live_site.receiver))
    report = Report()
    start = time.perf_counter()
    context = with_axe(guard.install(chromium.new_context(color_scheme=scheme,
                                                         service_workers="block")))
    try:
        inspector = Inspector(context.new_page(), served_site)
        for kind, path in kinds.items():
            if kind == "go":
                continue  # below: it leaves for its landing page at once
            found = inspector.inspect(kind, path)
            report.problems += [f"{kind} (/{path}): {p}" for p in found]
            report.checked |= {(kind, scheme, w) for w in WIDTHS}
            if kind.split()[0] not in STANDALONE and kind != "404":
                brand = inspector.tab.evaluate(MATERIAL_BRAND)
                for part in ("header", "link"):
                    if brand[part] and brand[part][0] != brand[part][1]:
                        report.problems.append(f"{kind}: {part} colour {brand[part][0]} "
                                               f"is not the brand's {brand[part][1]}")
                if brand["font"][1].strip().split(",")[0] not in brand["font"][0]:
                    report.problems.append(f"{kind}: font {brand['font'][0]} is not the brand's")
    finally:
        context.close()
    # The short link as it shows while it redirects: a copy beside it with its one redirect
    # call turned off, so the page stays on screen (test_short_link_forwards checks the
    # call). A copy served by the site, not a rewritten response: Chromium treats a
    # rewritten document as public and refuses its beacon to the loopback receiver.
    context = with_axe(guard.install(chromium.new_context(color_scheme=scheme)))
    try:
        inspector = Inspector(context.new_page(), served_site)
        found = inspector.inspect("go", _without_redirect(live_site.site, kinds["go"]))
        report.problems += [f"go (/{kinds['go']}): {p}" for p in found]
        report.checked |= {("go", scheme, w) for w in WIDTHS}
    finally:
        context.close()
    report.seconds = time.perf_counter() - start
    print(f"\n{scheme}: {len(kinds)} pages x {len(WIDTHS)} widths in {report.seconds:.1f} s")
    report.problems += [f"request off the site's origin: {page}: {url}" for page, url in guard.blocked]
    return report


REDIRECT = "window.location.replace(target.href);"


def _without_redirect(site: Path, path: str) -> str:
    """The URL path of a copy of the short-link page at ``path`` that does not redirect."""
    page = site / path / "index.html"
    body = page.read_text(encoding="utf-8")
    assert REDIRECT in body, "the short-link page no longer redirects as expected"
    # Both colour schemes may write it at once (the live site is shared by the workers):
    # each writes its own file and renames it into place.
    own = page.parent / f"fermo.{os.getpid()}.tmp"
    own.write_text(body.replace(REDIRECT, ""), encoding="utf-8")
    os.replace(own, page.parent / "fermo.html")
    return path + "fermo.html"


# Each scheme is a unit of work of its own (conftest.OWN_UNIT): two workers can run them at once.
@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_page_kind_fits_loads_cleanly_and_is_accessible(matrix, kinds, scheme):
    report = matrix(scheme)
    assert len(report.checked) == len(kinds) * len(WIDTHS), sorted(report.checked)
    assert not report.problems, (f"{len(report.problems)} problems ({scheme}):\n"
                                 + "\n".join(report.problems))


def test_short_link_forwards(kinds, served_site, open_page):
    page = open_page(served_site + kinds["go"] + "?utm_content=bio")
    page.wait_for_url(re.compile(r"/landing/[^/]+/\?"))
    assert "utm_content=bio" in page.url


# --- canaries: each check can fail ------------------------------------------------------------

def _planted(served_site: str, chromium, path: str, markup: str, **options):
    """Inspect ``path`` with ``markup`` planted before </body>; returns (problems, guard)."""
    guard = OffSiteGuard()  # 127.0.0.1 (the site and its receiver) only
    context = guard.install(chromium.new_context(**options))

    def plant(route):
        response = route.fetch()
        route.fulfill(response=response,
                      body=response.text().replace("</body>", markup + "</body>"))

    context.route(served_site + path, plant)
    try:
        inspector = Inspector(context.new_page(), served_site)
        kind = "landing" if path.startswith("landing/") else "page"
        return inspector.inspect(kind, path, axe=False), guard
    finally:
        context.close()


def _a_landing(kinds: dict[str, str]) -> str:
    return next(path for kind, path in kinds.items() if kind.startswith("landing"))


def test_canary_overflow_is_caught(kinds, served_site, chromium):
    problems, _ = _planted(served_site, chromium, "",
                           '<div style="width: 340px; height: 1px"></div>')
    assert [p for p in problems if "sideways scroll" in p] == ["320 px: 20 px of sideways scroll"]


def test_canary_off_brand_colour_in_a_landing_page_is_caught(kinds, served_site, chromium):
    problems, _ = _planted(served_site, chromium, _a_landing(kinds),
                           "<style>.ld-headline { color: #3f51b5; }</style>")
    assert any(p.startswith("off-brand colour: h1.ld-headline color: rgb(63, 81, 181)")
               for p in problems), problems


def test_canary_third_party_request_is_caught(kinds, served_site, chromium):
    planted = "https://canary.example.invalid/pixel.png"
    problems, guard = _planted(served_site, chromium, "blog/", f'<img src="{planted}" alt="">')
    assert planted in guard.urls
    assert origin(planted) != origin(served_site)


def test_canary_console_error_is_caught(kinds, served_site, chromium):
    problems, _ = _planted(served_site, chromium, "kb/glossario/",
                           "<script>console.error('canary'); undefinedCanary();</script>")
    assert any(p.startswith("console error: canary") for p in problems), problems
    assert any("undefinedCanary" in p for p in problems), problems


def test_canary_missing_file_is_caught(kinds, served_site, chromium):
    problems, _ = _planted(served_site, chromium, "tags/", '<img src="nope.png" alt="">')
    assert any(p.startswith("HTTP 404:") and p.endswith("/tags/nope.png") for p in problems), problems


# --- interactions ------------------------------------------------------------------------------

def test_form_errors_are_italian_in_the_page_and_keep_what_was_typed(kinds, served_site,
                                                                     open_page):
    page = open_page(served_site + _a_landing(kinds), viewport={"width": 360, "height": 800})
    form = page.locator("[data-landing-form]")
    assert form.evaluate("f => f.noValidate") is True   # no browser bubble in its own language
    email, name = page.locator("#ld-email"), page.locator("#ld-name")
    name.fill("Giulia Ferraresi")
    email.fill("giulia@")
    form.locator("button[type=submit]").click()
    email_error = page.locator('[data-field-error="email"]')
    email_error.wait_for(state="visible")
    assert email_error.inner_text() == ("Scrivi un indirizzo email completo, per esempio "
                                        "nome@esempio.it.")
    # The constraint API knows the message; the field is marked and nothing typed is lost.
    assert email.evaluate("e => e.validationMessage") == email_error.inner_text()
    assert email.get_attribute("aria-invalid") == "true"
    assert (email.input_value(), name.input_value()) == ("giulia@", "Giulia Ferraresi")
    assert page.evaluate("document.activeElement.id") == "ld-email"
    assert page.locator("[data-landing-error]").inner_text() == "Controlla i campi evidenziati e riprova."
    # Styled like the site: the error colour is the brand's error token.
    colours = page.evaluate("""() => [getComputedStyle(document.querySelector('[data-field-error=email]')).color,
        (() => { const p = document.createElement('p'); p.style.color = 'var(--brand-error)';
                 document.body.append(p); const c = getComputedStyle(p).color; p.remove(); return c; })()]""")
    assert colours[0] == colours[1]
    # Corrected, the message goes as the reader types.
    email.fill("giulia@example.it")
    email_error.wait_for(state="hidden")
    assert email.get_attribute("aria-invalid") is None
    # An empty required field says so.
    name.fill("")
    form.locator("button[type=submit]").click()
    assert page.locator('[data-field-error="name"]').inner_text() == "Questo campo è obbligatorio."


def test_glossary_term_shows_its_definition_on_tap_then_opens_on_second_tap(kinds, served_site,
                                                                           open_page):
    page = open_page(served_site + kinds["guide"], viewport={"width": 360, "height": 800},
                     has_touch=True, is_mobile=True)
    term = page.locator("a.approdo-glossary").first
    start = page.url
    term.scroll_into_view_if_needed()
    term.tap()
    tooltip = page.locator("[role=tooltip]").first
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text().strip()
    assert page.url == start   # the first tap did not leave the page
    term.tap()
    page.wait_for_url("**/kb/glossario/**")


def test_glossary_term_shows_its_definition_on_keyboard_focus(kinds, served_site, open_page):
    page = open_page(served_site + kinds["guide"], viewport={"width": 1280, "height": 800})
    term = page.locator("a.approdo-glossary").first
    term.focus()
    tooltip = page.locator("[role=tooltip]")
    tooltip.first.wait_for(state="visible")
    assert tooltip.first.inner_text().strip()


# --- the colour palette (overrides/assets/javascripts/palette.js) -------------------------------

BODY_COLOURS = """() => ({scheme: document.body.dataset.mdColorScheme,
    media: document.body.dataset.mdColorMedia,
    toggles: [...document.querySelectorAll('[data-approdo-palette] label:not([hidden])')]
        .map(label => label.htmlFor),
    saved: Object.keys(localStorage)})"""
# Every attribute change on <body> while the page loads, recorded from the very start.
BODY_CHANGES = """window.__bodyChanges = [];
new MutationObserver(records => records.forEach(record => record.target === document.body &&
    window.__bodyChanges.push(record.attributeName)))
  .observe(document, {attributes: true, subtree: true});"""


@pytest.mark.parametrize("scheme, material_scheme", [("light", "default"), ("dark", "slate")])
def test_the_devices_scheme_is_applied_before_materials_bundle_runs(kinds, served_site, open_page,
                                                                     scheme, material_scheme):
    """A first visit follows the device: before the first paint, not when Material starts (its
    bundle is refused here). Nothing is stored on the reader's device."""
    page = open_page(color_scheme=scheme)
    page.route("**/bundle.*.min.js", lambda route: route.abort())
    page.goto(served_site + kinds["post"])
    assert page.evaluate(BODY_COLOURS) == {"scheme": material_scheme,
                                           "media": "(prefers-color-scheme)",
                                           "toggles": ["__palette_1"], "saved": []}


def test_materials_start_up_does_not_restyle_the_page(kinds, served_site, open_page):
    """Material's palette component set every colour attribute of <body> again while starting,
    which made the browser restyle the whole page in its longest task. Here <body> is set once,
    by the inline palette script, and only where it differs from the HTML."""
    page = open_page(color_scheme="dark")
    page.add_init_script(BODY_CHANGES)
    page.goto(served_site + kinds["post"])
    page.wait_for_function("() => window.document$ !== undefined")
    page.wait_for_load_state("load")
    assert sorted(page.evaluate("window.__bodyChanges")) == ["data-md-color-media",
                                                             "data-md-color-scheme"]


def test_the_palette_toggle_cycles_is_remembered_and_works_by_keyboard(kinds, served_site,
                                                                       open_page):
    page = open_page(served_site + kinds["post"], color_scheme="light")
    seen = []
    for _ in range(3):
        page.locator("[data-approdo-palette] label:not([hidden])").click()
        seen.append(page.evaluate(BODY_COLOURS))
    assert [(s["scheme"], s["media"], s["toggles"]) for s in seen] == [
        ("default", "(prefers-color-scheme: light)", ["__palette_2"]),
        ("slate", "(prefers-color-scheme: dark)", ["__palette_0"]),
        ("default", "(prefers-color-scheme)", ["__palette_1"])]
    assert all(len(s["saved"]) == 1 and s["saved"][0].endswith("__palette") for s in seen)
    # Dark chosen on one page holds on another, from the first paint.
    page.locator("[data-approdo-palette] label:not([hidden])").click()
    page.locator("[data-approdo-palette] label:not([hidden])").click()
    page.route("**/bundle.*.min.js", lambda route: route.abort())
    page.goto(served_site + kinds["guide"])
    assert page.evaluate(BODY_COLOURS)["scheme"] == "slate"
    # The browser's colour scheme follows once the page is idle.
    page.wait_for_function("""() => document.querySelector('meta[name="color-scheme"]')
        ?.content === 'dark'""")
    # Enter on the focused toggle moves on, and focus follows.
    page.unroute("**/bundle.*.min.js")
    page.reload()
    page.focus("[data-approdo-palette] input:checked")
    page.keyboard.press("Enter")
    assert page.evaluate(BODY_COLOURS)["media"] == "(prefers-color-scheme)"
    assert page.evaluate("document.activeElement.id") == "__palette_0"


def test_the_system_palette_follows_the_device_live(kinds, served_site, open_page):
    page = open_page(served_site + kinds["post"], color_scheme="light")
    assert page.evaluate(BODY_COLOURS)["scheme"] == "default"
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'")
    assert page.evaluate(BODY_COLOURS)["saved"] == []


def test_the_palette_works_where_the_site_may_not_store_anything(kinds, served_site, open_page):
    """Storage refused (a reader who blocks cookies): the toggle still switches, nothing breaks."""
    page = open_page(color_scheme="dark")
    page.add_init_script("""Object.defineProperty(window, 'localStorage', {get() {
        throw new DOMException('refused', 'SecurityError'); }});""")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(served_site + kinds["post"])
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    page.locator("[data-approdo-palette] label:not([hidden])").click()
    assert page.evaluate("document.body.dataset.mdColorScheme") == "default"
    assert not [error for error in errors if "palette" in error.lower() or "refused" in error]
