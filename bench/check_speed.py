"""How long `approdo check` takes against `mkdocs build` on a large blog (not a test: prints numbers).

Copies the sample project into a temporary folder, adds N generated posts (each with a heading,
links to other posts and to a glossary anchor, a call to action), then times both commands in
interleaved pairs and prints the medians and their ratio, of the wall clock and of the CPU time
the command used (on a busy shared machine the wall clock also waits for other work). The target
of issue 13 is a check in at most a tenth of the build time at 1000 posts. The build keeps caches in the project's .cache/: the
first build is timed on its own (cold), the interleaved pairs compare with warm builds.

    python bench/check_speed.py                     # 100 and 1000 posts, 3 pairs each
    python bench/check_speed.py --posts 1000 --runs 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CATEGORIES = ("Social media", "Strategia", "Metriche", "Inbound marketing", "News")

POST = """\
---
title: "Articolo di prova numero {n}"
description: Un articolo generato per misurare il tempo del controllo e della costruzione.
date: {date}
authors: [{author}]
categories: [{category}]
tags: [prova, misura]
---

# Articolo di prova numero {n}

Un'introduzione con un link al [glossario](../../../kb/glossario.md#landing-page) e all'articolo
[precedente]({previous}).

<!-- more -->

## Un paragrafo con i dettagli

Testo dell'articolo, con qualche frase in più per avere un corpo realistico. Le landing page
e i link tracciati aiutano a capire da dove arrivano i contatti.

[[cta: consulenza]]

## Conclusione

Per approfondire, leggi la sezione [dettagli](#un-paragrafo-con-i-dettagli).
"""


def make_project(folder: Path, posts: int) -> Path:
    project = folder / "project"
    for name in ("docs", "overrides", "hooks"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    out = project / "docs" / "blog" / "posts" / "bench"
    out.mkdir(parents=True)
    start = dt.date(2020, 1, 1)
    for n in range(posts):
        previous = f"post-{n - 1:04d}.md" if n else "../costanza-tempo-budget.md"
        (out / f"post-{n:04d}.md").write_text(POST.format(
            n=n, date=(start + dt.timedelta(days=n)).isoformat(), author=("giulia", "marco")[n % 2],
            category=CATEGORIES[n % len(CATEGORIES)], previous=previous), encoding="utf-8")
    return project


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one run. On a shared, busy machine the CPU time
    (user + system of the child) says more than the wall clock, which waits for other work."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def measure(posts: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = make_project(Path(folder), posts)
        check = [str(BIN / "approdo"), "check"]
        build = [str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(Path(folder) / "site")]
        # The build keeps converted pages and social cards in .cache/ (hooks/page_cache.py,
        # hooks/social_cards.py): the first build fills it, later ones are what an author waits
        # for while writing. Time the first one on its own, then compare with warm builds.
        cold = timed(build, project)
        print(f"{posts:5d} posts  first (cold-cache) build: wall {cold[0]:.2f} s, CPU {cold[1]:.2f} s", flush=True)
        checks, builds = [], []
        for _ in range(runs):  # interleaved, so a busy moment on the machine hits both alike
            checks.append(timed(check, project))
            builds.append(timed(build, project))
        for index, kind in ((0, "wall"), (1, "CPU ")):
            check_median = statistics.median(run[index] for run in checks)
            build_median = statistics.median(run[index] for run in builds)
            print(f"{posts:5d} posts  {kind}  check {check_median:6.2f} s  warm build {build_median:7.2f} s  "
                  f"check/build {check_median / build_median:5.3f}  "
                  f"(runs: check {', '.join(f'{run[index]:.2f}' for run in checks)}; "
                  f"build {', '.join(f'{run[index]:.2f}' for run in builds)})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for posts in args.posts:
        measure(posts, args.runs)


if __name__ == "__main__":
    main()
