"""Shared test helpers: build a real site (the sample one, or a fixture written into tmp_path)
and read what a reader or a crawler would get."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from browser import CHROMIUM, CHROMIUM_ARGS, OffSiteGuard, serve_directory

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs"]

# Every build in the tests runs "as of" this instant (approdo.clock reads SOURCE_DATE_EPOCH),
# so the suite passes whatever day it runs on: the sample offers are still open on this day.
# Tests about other days (tests/test_clock.py) pass their own SOURCE_DATE_EPOCH.
AS_OF = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)


def epoch(moment: dt.datetime) -> str:
    """``SOURCE_DATE_EPOCH`` for ``moment``."""
    return str(int(moment.timestamp()))


os.environ["SOURCE_DATE_EPOCH"] = epoch(AS_OF)


# --- Scheduling on pytest-xdist workers (./dev test: --dist loadfile --no-loadscope-reorder) ---
#
# A test file is one unit of work (its module fixtures are built once, on the worker that runs
# it), except the tests listed in OWN_UNIT: each of their parameters is a unit of its own (the
# page matrix: one colour scheme per worker). Units are handed out in collection order, sorted
# here longest first, so the run ends with short units on every worker instead of one worker
# finishing a long one alone. Measured with `./dev test --durations=60`; the order only changes
# when a test runs, never what it checks.
OWN_UNIT = ("tests/test_pages_browser.py::test_every_page_kind_fits_loads_cleanly_and_is_accessible[",)
LONGEST_FIRST = tuple(f"tests/{name}" for name in (
    "test_lighthouse.py", "test_pages_browser.py::test_every_page_kind", "test_page_cache.py",
    "test_build_speed.py", "test_social.py", "test_clock.py", "test_site.py", "test_handbook.py",
    "test_landing_browser.py", "test_metrics_browser.py", "test_security.py",
    "test_social_browser.py", "test_lead_loop_browser.py", "test_quality.py", "test_hook_order.py",
    "test_reproducible.py", "test_seo_fixture.py", "test_authoring.py", "test_leads_load.py",
    "test_leads_health.py", "test_lead_loop.py", "test_authoring_errors.py", "test_landing.py",
    "test_events.py", "test_leads_spam.py", "test_end_to_end.py", "test_pages_browser.py",
    "test_leads_serving.py", "test_properdocs.py",
))


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its file, or itself if it is in OWN_UNIT."""
    return nodeid if nodeid.startswith(OWN_UNIT) else nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((n for n, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)),
                    len(LONGEST_FIRST))

    items.sort(key=rank)   # a stable sort: each file's tests keep their order


@pytest.hookimpl(optionalhook=True)   # pytest -p no:xdist runs without it
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` with the units of ``unit_of``. (pytest-xdist's own `--dist loadgroup`
    cannot be used: with pytest 9 the group it appends to a test's id is lost.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Units(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    return Units(config, log)


@dataclass
class Build:
    """The result of one `mkdocs build --strict`: exit status, log, and the built site."""

    returncode: int
    output: str
    site: Path

    def read(self, url_path: str) -> str:
        """The built file behind a site URL path such as "blog/" or "search/search_index.json"."""
        path = self.site / url_path.lstrip("/")
        if url_path.endswith("/") or path.is_dir():
            path = path / "index.html"
        return path.read_text(encoding="utf-8")


def run_build(project: Path, *extra_args: str, env: dict[str, str] | None = None,
              site: Path | None = None, command: list[str] = MKDOCS) -> Build:
    """``mkdocs build --strict`` (or ``command build --strict``) in ``project``, into ``site``
    (default: ``project/site``)."""
    site = site or project / "site"
    result = subprocess.run(
        [*command, "build", "--strict", "--site-dir", str(site), *extra_args],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=300,
    )
    return Build(result.returncode, result.stdout + result.stderr, site)


def make_project(tmp_path: Path, files: dict[str, str], config: dict | None = None,
                 keep_docs: bool = False) -> Path:
    """Copy the real project's configuration, overrides and hooks into ``tmp_path``.

    ``files`` maps paths under ``docs/`` to their text; with ``keep_docs`` they are written over
    a copy of the sample content, otherwise over a minimal site (home, blog index, authors).
    ``config`` is merged (top-level keys replaced) into the real ``mkdocs.yml``.
    """
    project = tmp_path / "project"
    shutil.copytree(ROOT / "overrides", project / "overrides")
    shutil.copytree(ROOT / "hooks", project / "hooks",
                    ignore=shutil.ignore_patterns("__pycache__"))
    if keep_docs:
        shutil.copytree(ROOT / "docs", project / "docs")
    else:
        for name, text in MINIMAL_DOCS.items():
            target = project / "docs" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        shutil.copytree(ROOT / "docs" / "assets", project / "docs" / "assets")
        # mkdocs.yml names sample landing pages (calls to action per category): keep them.
        shutil.copytree(ROOT / "docs" / "landing", project / "docs" / "landing")
        shutil.copy(ROOT / "docs" / "privacy.md", project / "docs" / "privacy.md")
    for name, text in files.items():
        target = project / "docs" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    config_text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    if not keep_docs:
        # The real nav lists every guide; a minimal site has only the section pages.
        config = {"nav": MINIMAL_NAV, **(config or {})}
    if config:
        config_text += "\n" + yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    (project / "mkdocs.yml").write_text(config_text, encoding="utf-8")
    return project


# The least a site needs to build with the real mkdocs.yml (its nav names these pages).
MINIMAL_DOCS = {
    "index.md": "---\ntitle: Home\ndescription: Pagina iniziale di prova.\n---\n\n# Home\n",
    "blog/index.md": "---\ntitle: Blog & News\ndescription: Il blog di prova.\n---\n\n# Blog & News\n",
    "blog/.authors.yml": (
        "authors:\n"
        "  giulia:\n    name: Giulia Ferraresi\n    description: Strategist\n"
        "    avatar: assets/images/autori/giulia.svg\n"
        "  marco:\n    name: Marco Bellandi\n    description: Social media manager\n"
        "    avatar: assets/images/autori/marco.svg\n"
    ),
    "kb/index.md": "---\ntitle: Guide\ndescription: Le guide di prova.\n---\n\n# Guide\n",
    "tags.md": "---\ntitle: Tag\ndescription: I tag.\n---\n\n# Tag\n\n<!-- material/tags -->\n",
}


MINIMAL_NAV = [
    {"Home": "index.md"},
    {"Blog & News": ["blog/index.md"]},
    {"Guide": ["kb/index.md"]},
    {"Tag": "tags.md"},
]


# Loaded as sitecustomize.py into a build process: every connection or name lookup that is not
# for this machine is written to $APPRODO_NET_LOG and refused, so a build that needs the network
# fails and says where it wanted to go.
NETWORK_GUARD = textwrap.dedent("""
    import os, socket
    _log = os.environ["APPRODO_NET_LOG"]
    _connect = socket.socket.connect
    def _guard(self, address, *args):
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost") and self.family != socket.AF_UNIX:
            with open(_log, "a") as log:
                log.write(f"{host}\\n")
            raise OSError("network disabled during the build")
        return _connect(self, address, *args)
    socket.socket.connect = _guard
    _getaddrinfo = socket.getaddrinfo
    def _resolve(host, *args, **kwargs):
        if host not in (None, "127.0.0.1", "::1", "localhost"):
            with open(_log, "a") as log:
                log.write(f"dns {host}\\n")
            raise OSError("network disabled during the build")
        return _getaddrinfo(host, *args, **kwargs)
    socket.getaddrinfo = _resolve
""")


def run_folder(tmp_path_factory) -> Path:
    """The temporary folder of the whole test run, common to every pytest-xdist worker."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def shared_once(tmp_path_factory, name: str, make):
    """``make(folder)`` once per test run, even with several pytest-xdist workers: the first
    worker builds into a folder all workers share, under a lock; the others wait and reuse it.
    ``make`` returns a JSON-able dict describing what it made."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return make(tmp_path_factory.mktemp(name))
    shared = run_folder(tmp_path_factory)
    folder, done = shared / name, shared / f"{name}.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            folder.mkdir()
            done.write_text(json.dumps(make(folder)), encoding="utf-8")
    return json.loads(done.read_text(encoding="utf-8"))


# Processes that serve the whole run (the live site's host and receiver), whichever worker
# started them: the process that owns the run stops them at its end (pytest_sessionfinish).
RUN_PROCESSES = "run-processes.txt"
_started: list[subprocess.Popen] = []   # kept, not collected: they outlive the fixture


def run_owner() -> int:
    """The pid of the process that owns the test run: the xdist controller, whose child each
    worker is, or this process without xdist."""
    return os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()


def start_for_the_run(tmp_path_factory, args: list[str], log: Path, **options) -> str:
    """Start ``args`` in a session of its own, writing to ``log``; returns the first line it
    prints (within 60 s). The process lives until the end of the test run, and no longer than
    the process that owns the run (tests/lifeline.py)."""
    lifeline = [sys.executable, str(ROOT / "tests" / "lifeline.py"), str(run_owner())]
    with open(log, "w") as out:
        process = subprocess.Popen([*lifeline, *args], stdout=out, stderr=subprocess.STDOUT,
                                   text=True, start_new_session=True, **options)
    _started.append(process)
    with open(run_folder(tmp_path_factory) / RUN_PROCESSES, "a") as pids:
        pids.write(f"{process.pid}\n")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8")
        if "\n" in text:
            return text.split("\n", 1)[0]
        if process.poll() is not None:
            break
        time.sleep(0.05)  # polling the log, with a deadline
    raise AssertionError(f"{args} printed nothing: {log.read_text(encoding='utf-8')}")


def pytest_sessionfinish(session) -> None:
    if hasattr(session.config, "workerinput"):
        return   # a pytest-xdist worker: the controller owns the run
    pids = session.config._tmp_path_factory.getbasetemp() / RUN_PROCESSES
    if not pids.exists():
        return
    for pid in map(int, pids.read_text(encoding="utf-8").split()):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    pids.unlink()


@dataclass
class RealBuild(Build):
    """The sample site's build, made in a process that cannot reach the network and with an
    empty social-card cache (every card drawn): ``network`` lists what it tried to reach."""

    network: list[str]


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> RealBuild:
    """The sample site exactly as the handbook builds it, built once per test run."""

    def build(folder: Path) -> dict:
        (folder / "guard").mkdir()
        (folder / "guard" / "sitecustomize.py").write_text(NETWORK_GUARD, encoding="utf-8")
        log = folder / "network.log"
        result = subprocess.run(
            [*MKDOCS, "build", "--strict", "--site-dir", str(folder / "site")],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(folder / "guard"),
                 "APPRODO_NET_LOG": str(log), "APPRODO_CARD_CACHE": str(folder / "cards")},
        )
        network = log.read_text(encoding="utf-8").split() if log.exists() else []
        return {"returncode": result.returncode, "output": result.stdout + result.stderr,
                "site": str(folder / "site"), "network": network}

    made = shared_once(tmp_path_factory, "real-site", build)
    real = RealBuild(made["returncode"], made["output"], Path(made["site"]), made["network"])
    assert real.returncode == 0, real.output
    return real


# --- Browser tests (Playwright driving Debian's Chromium; helpers in tests/browser.py) ----------

@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium, launched once for the whole run (each test gets fresh contexts)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def open_page(chromium):
    """A page factory: ``open_page(url=None, **context_options)`` opens a page in a new context
    (viewport, color_scheme, java_script_enabled, permissions...) and goes to ``url`` if given.
    Every request not to 127.0.0.1 is aborted and recorded; after the test there must be none."""
    guard = OffSiteGuard()
    contexts = []

    def factory(url: str | None = None, **options):
        context = guard.install(chromium.new_context(**options))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if url is not None:
            page.goto(url)
        return page

    yield factory
    for context in contexts:
        context.close()
    assert guard.urls == [], f"requests to other origins: {guard.urls}"


@pytest.fixture(scope="session")
def served_site(real_site):
    """The sample site (``real_site``) on an ephemeral 127.0.0.1 port: its base URL, ending in /.
    For a site built elsewhere, use ``browser.serve_directory(path)``."""
    with serve_directory(real_site.site) as url:
        yield url


@dataclass
class LiveSite:
    """The sample site built for its own address and served, beside the real lead receiver."""

    url: str        # the site's base URL, ending in /
    receiver: str   # the receiver's origin (http://127.0.0.1:<port>)
    site: Path


@pytest.fixture(scope="session")
def live_site(tmp_path_factory) -> LiveSite:
    """The sample site as a visitor meets it: built with its lead action pointing at
    `python -m leads serve` (on a free port, as `./dev serve` does on 8001) and served like a
    static host (gzip, 404.html). Landing pages talk to the receiver from the moment they load
    (the proof-of-work challenge), so the browser checks need it running. Built and started
    once per test run, for every worker: host and receiver are processes of their own."""

    def make(folder: Path) -> dict:
        url = start_for_the_run(tmp_path_factory,
                                [sys.executable, str(ROOT / "tests" / "browser.py"),
                                 str(folder / "site")], folder / "host.log")
        line = start_for_the_run(
            tmp_path_factory,
            [sys.executable, "-m", "leads", "serve", "--port", "0", "--db",
             str(folder / "data" / "leads.sqlite3"), "--site-origin", url.rstrip("/"),
             "--rate-limit", "0", "--quiet"],
            folder / "receiver.log", cwd=ROOT,
            env={k: v for k, v in os.environ.items()
                 if not k.startswith(("APPRODO_SMTP", "APPRODO_LEADS"))})
        origin = line[line.index("http://127.0.0.1:"):].split("/leads")[0]
        build = run_build(ROOT, site=folder / "site",
                          env={"APPRODO_LEAD_ACTION": f"{origin}/leads", "APPRODO_SITE_URL": url})
        return {"url": url, "receiver": origin, "site": str(folder / "site"),
                "returncode": build.returncode, "output": build.output}

    made = shared_once(tmp_path_factory, "live-site", make)
    assert made["returncode"] == 0, made["output"]
    return LiveSite(made["url"], made["receiver"], Path(made["site"]))


@pytest.fixture(scope="session")
def card_fonts():
    """The social cards' font stack as the build finds it: DejaVu from the repo, Debian's Noto."""
    from approdo import card_text, cards

    folder = ROOT / "overrides" / "assets" / "fonts"
    fonts = cards.Fonts(folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf",
                        card_text.find_fallbacks(), card_text.find_emoji())
    # ./dev installs Debian's fonts-noto-color-emoji, fonts-noto-cjk and fonts-noto-core.
    assert fonts.emoji is not None and fonts.fallbacks, card_text.missing_packages()
    return fonts
