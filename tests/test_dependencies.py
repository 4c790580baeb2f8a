"""Dependencies: the lock files match pyproject.toml, and the lead receiver runs on a server that
has neither MkDocs, Material nor Pillow (`pip install .` from locks/server.txt)."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
import tomllib

import leads
from conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS = PROJECT["optional-dependencies"]
# What only the site build needs: a receiver-only install must not bring any of these.
SITE_ONLY = {"mkdocs", "mkdocs-material", "pillow", "pymdown-extensions", "markdown", "pyyaml"}


def pins(requirements: list[str]) -> dict[str, str]:
    """{normalised name: version} of ``name==version`` lines (markers and hashes dropped)."""
    found = {}
    for line in requirements:
        match = re.match(r"([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line.strip())
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def locked(name: str) -> dict[str, str]:
    return pins((ROOT / "locks" / name).read_text(encoding="utf-8").splitlines())


def test_every_pin_in_pyproject_is_in_the_lock_at_the_same_version():
    """Fails when pyproject.toml changed without `./dev lock`."""
    for lock_name, extras in (("dev.txt", ["site", "test", "lint", "properdocs"]),
                              ("server.txt", ["server"])):
        wanted = pins([*PROJECT["dependencies"], *(r for e in extras for r in EXTRAS[e])])
        assert wanted, lock_name
        lock = locked(lock_name)
        assert {name: lock.get(name) for name in wanted} == wanted, (
            f"locks/{lock_name} is stale: run ./dev lock")


def test_lock_files_pin_every_package_with_hashes():
    for name in ("dev.txt", "server.txt", "tools.txt"):
        text = (ROOT / "locks" / name).read_text(encoding="utf-8")
        entries = re.findall(r"^(\S+==\S+)(.*?)(?=^\S|\Z)", text, flags=re.M | re.S)
        assert entries, name
        for requirement, rest in entries:
            assert "--hash=sha256:" in rest, f"{name}: {requirement} has no hash"
    # The whole tree is pinned, not only the direct dependencies.
    assert {"jinja2", "babel", "pygments", "click"} <= set(locked("dev.txt"))


def test_receiver_install_brings_no_site_packages():
    assert not {re.sub(r"[=<>!~ ;].*", "", d).lower() for d in PROJECT["dependencies"]} & SITE_ONLY
    server = set(locked("server.txt"))
    assert "waitress" in server
    assert not server & SITE_ONLY


# Runs in a fresh interpreter where the site's packages cannot be imported, as on a server that
# installed only locks/server.txt and the project.
IMPORT_WITHOUT_SITE_PACKAGES = """
import importlib, sys
class Absent:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"mkdocs", "material", "PIL", "pymdownx", "markdown", "yaml",
                                  "babel", "pygments", "properdocs"}:
            raise ModuleNotFoundError(f"No module named {name!r} (not on a receiver-only server)")
sys.meta_path.insert(0, Absent())
for name in sys.argv[1:]:
    importlib.import_module(name)
print("imported", len(sys.argv) - 1)
"""


def test_every_receiver_module_imports_without_mkdocs_material_or_pillow():
    # __main__ runs the command line when imported; it only calls leads.cli.
    modules = ["leads", *(f"leads.{m.name}" for m in pkgutil.iter_modules(leads.__path__)
                          if m.name != "__main__")]
    assert "leads.app" in modules and "leads.wsgi" in modules
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_WITHOUT_SITE_PACKAGES, *modules],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"imported {len(modules)}"
