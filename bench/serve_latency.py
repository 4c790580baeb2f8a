"""Live preview: seconds from saving a post to `mkdocs serve` serving the rebuilt page.

Not a test: prints numbers. Generates a blog of N posts (bench/build_speed.py), starts
`mkdocs serve` in each mode, waits for the first build, then edits a post several times (a new
sentence each time) and polls the post's URL until the sentence is served. Beside the wall
time it prints the CPU time the server used for each save (from /proc: on a shared machine
the wall time depends on the neighbours, the CPU time much less).

    python bench/serve_latency.py                    # N=500, 3 edits, both modes
    python bench/serve_latency.py -n 100 --edits 2 --mode dirty
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hooks"))

from build_speed import write_projects  # noqa: E402

from approdo.slugs import slugify  # noqa: E402

MODES = {
    # What `./dev serve` runs: every save rebuilds the whole site (the page cache helps).
    "full": ["--livereload"],
    # Only the saved page is rebuilt; listings and navigation wait for a full build.
    "dirty": ["--livereload", "--dirtyreload"],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def _wait_for(url: str, text: str, deadline: float, log: Path) -> float:
    while time.monotonic() < deadline:
        body = _get(url)
        if body is not None and text in body:
            return time.monotonic()
        time.sleep(0.05)
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
    raise SystemExit(f"timed out waiting for {text!r} at {url}; the server said:\n{tail}")


def _post_url(post: Path) -> str:
    text = post.read_text(encoding="utf-8")
    title = re.search(r"^title: '(.*)'$", text, re.M).group(1).replace("''", "'")
    year, month = re.search(r"^date: (\d{4})-(\d{2})", text, re.M).groups()
    return f"blog/{year}/{month}/{slugify(title)}/"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux: /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(project: Path, mode: str, edits: int,
            startup_timeout: float) -> tuple[float, list[float], list[float]]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1793491200",
           "PYTHONPATH": str(project / "hooks")}
    log_path = project.parent / f"serve-{mode}.log"
    log = log_path.open("wb")
    start = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", *MODES[mode],
                               "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=project, env=env, stdout=log, stderr=log)
    try:
        post = project / "docs/blog/posts/gen-00001.md"
        url = base + _post_url(post)
        _wait_for(url, "</html>", start + startup_timeout, log_path)
        first = time.monotonic() - start
        times, cpu = [], []
        for edit in range(edits):
            marker = f"Modifica di prova numero {edit} delle {time.time_ns()}."
            text = post.read_text(encoding="utf-8")
            used = _cpu_seconds(server.pid)
            saved = time.monotonic()
            post.write_text(text + f"\n{marker}\n", encoding="utf-8")
            times.append(_wait_for(url, marker, saved + startup_timeout, log_path) - saved)
            cpu.append(_cpu_seconds(server.pid) - used)
            time.sleep(1)  # let the server settle (its file watcher debounces)
        return first, times, cpu
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--posts", type=int, default=500)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--mode", choices=sorted(MODES), action="append")
    parser.add_argument("--keep", type=Path, help="write (or reuse) the project here")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds to wait for a build (a busy machine needs many)")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="approdo-serve-"))
    if not (base / "approdo" / "mkdocs.yml").exists():
        write_projects(base, args.posts)
    project = base / "approdo"
    for mode in args.mode or ["full", "dirty"]:
        first, times, cpu = measure(project, mode, args.edits, args.timeout)
        print(f"N = {args.posts}, mode {mode} ({' '.join(MODES[mode])}): first build {first:.1f}s, "
              f"save -> page median {statistics.median(times):.1f}s wall "
              f"(runs {[round(t, 1) for t in times]}), {statistics.median(cpu):.1f}s CPU "
              f"(runs {[round(t, 1) for t in cpu]}), load average {os.getloadavg()[0]:.1f}")
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
