"""Build speed: full Approdo against plain Material on the same generated Italian blog.

Not a test: prints numbers. For each N it writes two projects into a temporary folder that
share the same generated posts, knowledge-base pages and landing pages:

(a) ``plain``: Material for MkDocs with this project's ``mkdocs.yml`` minus the hooks and the
    ``overrides/`` folder (same blog, tags and search settings, same Markdown extensions);
(b) ``approdo``: the full site (hooks, overrides), built ``cold`` (empty ``.cache/``: every
    social card drawn, every page converted) and ``warm`` (the cache left by the previous build).

Runs are interleaved (plain, cold, warm, plain, cold, warm, ...) so that a noisy neighbour slows
all three alike, and medians are printed with the ratio Approdo / plain. Each build is a child
process whose wall time, CPU time (user + system) and peak RSS come from ``os.wait4``.

    python bench/build_speed.py                      # N=100, 1 run each (quick)
    python bench/build_speed.py -n 100 -n 1000 --runs 3
    python bench/build_speed.py -n 1000 --profile    # cProfile one warm Approdo build, top costs
    python bench/build_speed.py -n 500 --profile --cold   # the same for a cold build
    python bench/build_speed.py -n 500 -n 1000 --runs 3 --no-warm  # plain against cold only
    python bench/build_speed.py -n 500 --hook-times --cold # CPU of each hook, no profiler
    python bench/build_speed.py -n 500 --keep /tmp/blog500   # keep the projects to reuse them
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CATEGORIES = ["Social media", "Strategia", "Metriche", "Inbound marketing", "News"]
AUTHORS = ["giulia", "marco"]
LANDINGS = ["guida-gratuita", "consulenza", "workshop-bologna"]
TAGS = ["social", "sito", "lead", "instagram", "facebook", "linkedin", "newsletter", "utm",
        "landing page", "metriche", "strategia", "contenuti", "pmi", "eventi", "privacy"]
SUBJECTS = ["Instagram", "LinkedIn", "Facebook", "la newsletter", "il sito", "una landing page",
            "il link in bio", "le storie", "i parametri UTM", "il calendario editoriale",
            "un lead magnet", "il modulo di contatto", "le campagne sponsorizzate",
            "il blog aziendale", "la pagina di ringraziamento"]
BUSINESSES = ["un B&B delle Langhe", "una pasticceria di Bologna", "uno studio dentistico",
              "un negozio di biciclette", "una cantina del Chianti", "un agriturismo in Umbria",
              "una palestra di quartiere", "uno studio di architettura", "una libreria di Parma",
              "un'officina meccanica", "una scuola di lingue", "un ristorante sul lago"]
GOALS = ["più richieste di preventivo", "più iscrizioni alla newsletter",
         "più prenotazioni dirette", "più contatti qualificati", "meno commissioni ai portali",
         "più partecipanti agli eventi"]
# Sentences use the glossary's terms (Conversione, Lead, Landing page, CTA, Funnel...), so the
# glossary extension has real work to do, as on the sample site.
SENTENCES = [
    "Con {subject} {business} ha ottenuto {goal} in meno di tre mesi, senza aumentare il budget.",
    "Il punto non è pubblicare di più, ma dare a chi legge un motivo concreto per arrivare sul sito.",
    "Ogni landing page deve avere un solo obiettivo e una CTA chiara, visibile senza scorrere.",
    "Un lead non è ancora un cliente: è una persona che ha alzato la mano e aspetta una risposta.",
    "Il tasso di conversione si misura sulla pagina, non sul social: i like non pagano l'affitto.",
    "Per {business} abbiamo costruito un funnel in tre tappe, dal post alla prima telefonata.",
    "I parametri UTM dicono quale post ha portato la visita, e quindi dove conviene insistere.",
    "Il lead magnet funziona quando risolve un problema piccolo e preciso, subito.",
    "Chi arriva da {subject} ha poca pazienza: la pagina deve caricarsi in un attimo.",
    "La copertura conta meno dell'engagement, e l'engagement conta meno delle conversioni.",
    "Il retargeting ha senso solo se la pagina di arrivo mantiene la promessa dell'annuncio.",
    "Scrivere per {business} vuol dire usare le parole dei suoi clienti, non quelle dell'agenzia.",
    "L'inbound marketing richiede costanza: risultati piccoli, misurabili, che crescono nel tempo.",
    "Il customer care sui social è parte del percorso: una risposta lenta è un cliente perso.",
    "Un calendario editoriale sostenibile batte sempre un piano ambizioso abbandonato a marzo.",
    "Nel funnel di {business} il passaggio più delicato era il modulo: troppi campi obbligatori.",
    "Abbiamo tolto tre campi dal modulo e le richieste sono salite del trenta per cento.",
    "La pagina di ringraziamento è il posto giusto per il passo successivo, non un vicolo cieco.",
    "Il branding si costruisce anche rispondendo bene ai commenti, ogni giorno, con lo stesso tono.",
    "Lo ZMOT è il momento in cui il cliente cerca informazioni prima ancora di contattarti.",
]
HEADINGS = ["Il punto di partenza", "Che cosa abbiamo cambiato", "I numeri", "Gli errori da evitare",
            "Come misurarlo", "Il modulo", "Il seguito", "Cosa portarsi a casa", "Un esempio",
            "Gli strumenti", "Il calendario", "Le domande frequenti"]
MONTHS = range(1, 13)


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float


# -- Generating the blog ---------------------------------------------------------------------------

def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES).format(subject=rng.choice(SUBJECTS),
                                                 business=rng.choice(BUSINESSES),
                                                 goal=rng.choice(GOALS))
                    for _ in range(sentences))


def _quoted(text: str) -> str:
    """A YAML single-quoted scalar."""
    return "'" + text.replace("'", "''") + "'"


def _post_name(index: int) -> str:
    return f"gen-{index:05d}.md"


def _post(index: int, count: int, kb_pages: list[str], rng: random.Random) -> str:
    subject, business = rng.choice(SUBJECTS), rng.choice(BUSINESSES)
    title = f"{subject[0].upper()}{subject[1:]} per {business}: caso {index}"
    year = 2019 + index * 7 // max(count, 1)
    date = f"{year}-{rng.choice(MONTHS):02d}-{rng.randint(1, 28):02d}"
    tags = sorted(set(rng.sample(TAGS, rng.randint(2, 4))))
    front = [
        "---",
        f"title: {_quoted(title)}",
        "description: " + _quoted(f"Come {business} ha usato {subject} per avere "
                                  f"{rng.choice(GOALS)}, passo passo, con i numeri del caso {index}."),
        f"date: {date}",
        f"authors: [{rng.choice(AUTHORS)}]",
        f"categories: [{rng.choice(CATEGORIES)}]",
        f"tags: [{', '.join(tags)}]",
    ]
    if rng.random() < 0.6:
        front.append(f"landing: {rng.choice(LANDINGS)}")
    if rng.random() < 0.5:
        front += ["social:", f"  text: {_quoted(_paragraph(rng, 1))}"]
    front.append("---")
    body = [f"# {title}", "", _paragraph(rng, 3), "", _paragraph(rng, 2), "", "<!-- more -->", ""]
    for heading in rng.sample(HEADINGS, 5):
        body += [f"## {heading}", "", _paragraph(rng, 4), "", _paragraph(rng, 3), ""]
        if rng.random() < 0.4:
            body += [f"- {_paragraph(rng, 1)}" for _ in range(3)] + [""]
        if rng.random() < 0.15:
            body += ["| Canale | Visite | Contatti |", "|---|---:|---:|"]
            body += [f"| {rng.choice(SUBJECTS)} | {rng.randint(100, 999)} | {rng.randint(1, 60)} |"
                     for _ in range(3)] + [""]
    other = rng.randrange(count)
    if other != index:
        body += [f"Un caso simile è raccontato in [questo articolo]({_post_name(other)}).", ""]
    kb = rng.choice(kb_pages)
    body += [f"Per approfondire, leggi [la guida](../../kb/{kb}).", ""]
    return "\n".join(front + [""] + body)


def _kb_page(index: int, rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS)
    title = f"Guida pratica: {subject} ({index})"
    body = [f"# {title}", ""]
    for heading in rng.sample(HEADINGS, 6):
        body += [f"## {heading}", "", _paragraph(rng, 5), "", _paragraph(rng, 4), ""]
    body += ["Le parole che usiamo sono spiegate nel [glossario](glossario.md).", ""]
    return "\n".join(["---", f"title: {_quoted(title)}",
                      f"description: Una guida passo passo su {subject} per piccole imprese.",
                      "tags: [guide]", "---", ""] + body)


def write_projects(base: Path, count: int, seed: int = 16) -> tuple[Path, Path]:
    """The Approdo and the plain-Material project for `count` generated posts."""
    rng = random.Random(seed)
    approdo, plain = base / "approdo", base / "plain"
    for folder in ("docs", "overrides", "hooks"):
        shutil.copytree(ROOT / folder, approdo / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    docs = approdo / "docs"
    kb_names = [f"gen-guida-{i:03d}.md" for i in range(max(2, count // 25))]
    for i, name in enumerate(kb_names):
        (docs / "kb" / name).write_text(_kb_page(i, rng), encoding="utf-8")
    posts = docs / "blog" / "posts"
    for i in range(count):
        (posts / _post_name(i)).write_text(_post(i, count, kb_names, rng), encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    kb_nav = "".join(f"      - kb/{name}\n" for name in kb_names)
    config = config.replace("      - kb/glossario.md\n", "      - kb/glossario.md\n" + kb_nav)
    (approdo / "mkdocs.yml").write_text(config, encoding="utf-8")

    # Plain Material: the same docs and settings without hooks and overrides.
    shutil.copytree(docs, plain / "docs")
    home = plain / "docs" / "index.md"
    home.write_text(home.read_text(encoding="utf-8").replace("template: home.html\n", ""),
                    encoding="utf-8")
    config = re.sub(r"\nhooks:\n(?:  .*\n|\s*#.*\n|\n)*", "\n", config)
    config = config.replace("  custom_dir: overrides\n", "")
    (plain / "mkdocs.yml").write_text(config, encoding="utf-8")
    return approdo, plain


# -- Building and measuring ------------------------------------------------------------------------

def build(project: Path, extra_args: tuple[str, ...] = ()) -> Run:
    """One `mkdocs build` in a child process: wall, CPU and peak RSS of that child alone."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1793491200"}
    env.pop("APPRODO_CARD_CACHE", None)
    if (project / "hooks").is_dir():  # the project's own copy of the approdo package
        env["PYTHONPATH"] = str(project / "hooks")
    start = time.perf_counter()
    log = tempfile.TemporaryFile()
    child = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q", *extra_args],
                             cwd=project, env=env, stdout=log, stderr=log)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status:
        log.seek(0)
        sys.exit(f"build of {project} failed:\n{log.read().decode(errors='replace')[-4000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def site_numbers(project: Path, count: int) -> tuple[float, float]:
    """Output size (MB) and search-index size per post (KB)."""
    site = project / "site"
    total = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    index = site / "search" / "search_index.json"
    return total / 2**20, index.stat().st_size / 1024 / max(count, 1)


def _median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(run, field) for run in runs)


def measure(count: int, runs: int, keep: Path | None, warm: bool = True) -> None:
    base = keep or Path(tempfile.mkdtemp(prefix=f"approdo-bench-{count}-"))
    approdo, plain = base / "approdo", base / "plain"
    if not (approdo / "mkdocs.yml").exists():
        write_projects(base, count)
    results: dict[str, list[Run]] = {"plain": [], "cold": [], "warm": []}
    for _ in range(runs):
        results["plain"].append(build(plain))
        shutil.rmtree(approdo / ".cache", ignore_errors=True)
        results["cold"].append(build(approdo))
        if warm:
            results["warm"].append(build(approdo))
    load = os.getloadavg()[0]
    plain_wall = _median(results["plain"], "wall")
    plain_cpu = _median(results["plain"], "cpu")
    print(f"\nN = {count} posts, {runs} interleaved run(s) each, load average {load:.1f} "
          f"on {os.cpu_count()} cores")
    print(f"{'build':<14}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}{'site MB':>9}"
          f"{'index KB/post':>15}{'wall/plain':>12}{'CPU/plain':>11}")
    for name, project in (("plain", plain), ("cold", approdo), ("warm", approdo))[:3 if warm else 2]:
        size, index = site_numbers(project, count)
        wall, cpu = _median(results[name], "wall"), _median(results[name], "cpu")
        label = "plain Material" if name == "plain" else f"Approdo {name}"
        print(f"{label:<14}{wall:>8.1f}{cpu:>8.1f}"
              f"{_median(results[name], 'rss_mb'):>9.0f}{size:>9.1f}{index:>15.2f}"
              f"{wall / plain_wall:>12.2f}{cpu / plain_cpu:>11.2f}")
    print("runs (wall s): " + "; ".join(
        f"{name} {[round(run.wall, 1) for run in items]}" for name, items in results.items() if items))
    print("runs (CPU s): " + "; ".join(
        f"{name} {[round(run.cpu, 1) for run in items]}" for name, items in results.items() if items))
    if keep is None:
        shutil.rmtree(base, ignore_errors=True)


def _build_here(count: int, keep: Path | None, cold: bool) -> Path:
    """Prepare to build the Approdo project of ``count`` posts in this process, with an empty
    cache (``cold``) or the cache of a build run now; returns the projects' folder."""
    base = keep or Path(tempfile.mkdtemp(prefix=f"approdo-{count}-"))
    approdo = base / "approdo"
    if not (approdo / "mkdocs.yml").exists():
        write_projects(base, count)
    if cold:
        shutil.rmtree(approdo / ".cache", ignore_errors=True)
    else:
        build(approdo)  # fill the cache
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    os.environ["SOURCE_DATE_EPOCH"] = "1793491200"
    os.chdir(approdo)
    sys.path.insert(0, str(approdo / "hooks"))  # the project's own copy of the approdo package
    return base


def profile(count: int, keep: Path | None, top: int, cold: bool = False) -> None:
    """cProfile one warm (or, with ``cold``, cold) Approdo build in this process; print the
    costliest functions."""
    base = _build_here(count, keep, cold)
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    profiler = cProfile.Profile()
    profiler.enable()
    mkdocs_build(load_config("mkdocs.yml"))
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(out.getvalue())
    # Approdo's own share, cumulative: the hooks' event handlers (they never call each other)
    # and the cache lookups that replace MkDocs' and Material's work (a page's conversion,
    # its rendering, its search entries, an excerpt's conversion). In a warm build every
    # lookup hits, so their time is Approdo's (the key and the read), not the replaced work.
    lookups = {("page_cache.py", "_render"), ("page_cache.py", "render"),
               ("page_cache.py", "cached_add_entry"), ("material_speedups.py", "_render_excerpt")}
    handlers = sorted(((stat[3], f"{Path(path).name}:{name}")
                       for (path, _, name), stat in stats.stats.items()  # type: ignore[attr-defined]
                       if "/hooks/" in path and "/hooks/approdo/" not in path
                       and (name.startswith("on_") and not path.endswith("material_speedups.py")
                            or (Path(path).name, name) in lookups)), reverse=True)
    for seconds, name in handlers[:10]:
        print(f"  {seconds:7.2f}s  {name}")
    own = sum(seconds for seconds, _ in handlers)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"Approdo's own code (hook handlers and page-cache lookups, cumulative): {own:.1f}s "
          f"of {total:.1f}s = {100 * own / total:.0f}%")
    if keep is None:
        shutil.rmtree(base, ignore_errors=True)


def hook_times(count: int, keep: Path | None, cold: bool) -> None:
    """CPU time of every hook's event handlers in one Approdo build in this process, without
    a profiler (cProfile inflates pure-Python code several times over C code such as PNG
    encoding). A handler's time includes what it asks MkDocs or Material to do."""
    base = _build_here(count, keep, cold)
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    config = load_config("mkdocs.yml")
    spent: dict[str, float] = {}

    def timed(method, label):
        def run(*args, **kwargs):
            start = _cpu()
            try:
                return method(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + _cpu() - start
        return run

    plugins = config.plugins
    for event, methods in plugins.events.items():
        for index, method in enumerate(methods):
            origin = plugins._event_origins.get(method, "?")
            label = f"{Path(origin).name}:{getattr(method, '__name__', event)}"
            methods[index] = timed(method, label)
    start = _cpu()
    mkdocs_build(config)
    total = _cpu() - start
    hooks = {label: seconds for label, seconds in spent.items()
             if label.split(":")[0].endswith(".py")}
    print(f"\n{'cold' if cold else 'warm'} build of {count} posts: {total:.1f}s CPU "
          "(this process and the card workers)")
    for label, seconds in sorted(hooks.items(), key=lambda item: -item[1])[:25]:
        print(f"  {seconds:7.2f}s  {100 * seconds / total:5.1f}%  {label}")
    others = sorted(((seconds, label) for label, seconds in spent.items() if label not in hooks),
                    reverse=True)[:6]
    print("  plugins: " + ", ".join(f"{label} {seconds:.1f}s" for seconds, label in others))
    own = sum(hooks.values())
    print(f"hooks' handlers: {own:.1f}s of {total:.1f}s = {100 * own / total:.0f}%")
    if keep is None:
        shutil.rmtree(base, ignore_errors=True)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the card workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--posts", type=int, action="append",
                        help="number of generated posts (repeatable; default 100)")
    parser.add_argument("--runs", type=int, default=1, help="interleaved runs per build kind")
    parser.add_argument("--keep", type=Path, help="write (or reuse) the projects here")
    parser.add_argument("--profile", action="store_true", help="profile one warm Approdo build")
    parser.add_argument("--cold", action="store_true", help="with --profile: profile a cold build")
    parser.add_argument("--no-warm", action="store_true", help="build plain and cold only")
    parser.add_argument("--hook-times", action="store_true",
                        help="CPU time of each hook handler in one warm (or --cold) build")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    for count in args.posts or [100]:
        keep = args.keep / str(count) if args.keep else None
        if args.hook_times:
            hook_times(count, keep, args.cold)
        elif args.profile:
            profile(count, keep, args.top, args.cold)
        else:
            measure(count, args.runs, keep, warm=not args.no_warm)


if __name__ == "__main__":
    main()
