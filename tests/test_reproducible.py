"""Reproducible builds: two checkouts of the same commit, made on different days in different
folders, build byte-identical sites when they are built "as of" the same instant
(``SOURCE_DATE_EPOCH``). Every output file is compared, not a sample."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import MKDOCS, ROOT

# What a checkout holds that the build reads (caches and earlier output are git-ignored).
SOURCES = ("docs", "overrides", "hooks", "mkdocs.yml")
# Two checkouts: different folders, file times on different days; built by machines in
# different time zones, on different days (CLOCK_SHIFT), with different hash seeds (the order
# of a set, or of dict keys built from one, must not reach the output).
CHECKOUTS = {
    "clone-monday": (dt.datetime(2026, 11, 2, 9, 15, tzinfo=dt.timezone.utc),
                     {"TZ": "Europe/Rome", "PYTHONHASHSEED": "1", "APPRODO_CLOCK_SHIFT": "0"}),
    "altra-copia-venerdi": (dt.datetime(2026, 11, 27, 18, 40, tzinfo=dt.timezone.utc),
                            {"TZ": "America/Los_Angeles", "PYTHONHASHSEED": "2",
                             "APPRODO_CLOCK_SHIFT": str(25 * 86400 + 3 * 3600)}),
}


def _checkout(folder: Path, made: dt.datetime) -> None:
    """Copy the site's sources into ``folder`` and give every file and folder the time ``made``
    (git sets a file's time to when it was checked out)."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, folder / name)
    stamp = made.timestamp()
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (stamp, stamp))


# Loaded as sitecustomize.py into a build: the wall clock reads APPRODO_CLOCK_SHIFT seconds
# later than it is (time.time and datetime's now/today), so the two builds also run on
# different days. Only SOURCE_DATE_EPOCH may decide what a build writes.
CLOCK_SHIFT = textwrap.dedent("""
    import datetime, os, time
    _shift = float(os.environ["APPRODO_CLOCK_SHIFT"])
    _time, _time_ns, _real = time.time, time.time_ns, datetime.datetime
    # date.today() asks time.time(); datetime.now() reads the system clock itself.
    time.time = lambda: _time() + _shift
    time.time_ns = lambda: _time_ns() + int(_shift * 1e9)

    class _Same(type):
        # Every datetime is still an instance of datetime.datetime (arithmetic makes real ones).
        def __instancecheck__(cls, value):
            return isinstance(value, _real)

        def __subclasscheck__(cls, other):
            return issubclass(other, _real)

    class _Datetime(_real, metaclass=_Same):
        @classmethod
        def now(cls, tz=None):
            return _real.now(tz) + datetime.timedelta(seconds=_shift)

        @classmethod
        def utcnow(cls):
            return _real.utcnow() + datetime.timedelta(seconds=_shift)

        @classmethod
        def today(cls):
            return cls.now()

    datetime.datetime = _Datetime
""")



def _files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


def test_two_checkouts_on_different_days_build_identical_sites(tmp_path):
    folders = {name: tmp_path / name for name in CHECKOUTS}
    for name, (made, _) in CHECKOUTS.items():
        _checkout(folders[name], made)
    # Both builds at once (the machine's other core), each in its checkout with its own fresh
    # page and card caches, as on two machines; the same SOURCE_DATE_EPOCH (conftest sets it).
    env = {key: value for key, value in os.environ.items()
           if key not in ("APPRODO_PAGE_CACHE", "APPRODO_CARD_CACHE")}
    (tmp_path / "clock").mkdir()
    (tmp_path / "clock" / "sitecustomize.py").write_text(CLOCK_SHIFT, encoding="utf-8")
    env["PYTHONPATH"] = str(tmp_path / "clock")
    builds = {name: subprocess.Popen(
        [*MKDOCS, "build", "--strict"], cwd=folders[name], env={**env, **machine, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for name, (_, machine) in CHECKOUTS.items()}
    try:
        outputs = {name: build.communicate(timeout=600)[0] for name, build in builds.items()}
    finally:
        for build in builds.values():
            build.kill()  # only if still running (a timeout): a finished process ignores it
    for name, build in builds.items():
        assert build.returncode == 0, f"{name}:\n{outputs[name]}"
    first, second = (_files(folder / "site") for folder in folders.values())
    assert len(first) > 100, sorted(first)
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == [], f"{len(differing)} files differ between the two checkouts: {differing}"
    # Nor does the output name a folder of this machine (a checkout, the Python install).
    local = [str(folder).encode() for folder in folders.values()] + [sys.prefix.encode()]
    naming = [name for name, data in first.items() if any(path in data for path in local)]
    assert naming == [], f"files naming a local folder: {naming}"
