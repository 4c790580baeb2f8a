"""A folder of converted pages, one JSON file per key, written atomically and pruned per build.

Pure storage and hashing: what goes into a key and what an entry holds is decided by the
``page_cache`` hook. Entries are found by the hash of everything a page's HTML depends on, so
an entry is never stale: a change to any input makes a new key, and the old entry is pruned.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

# Bump when the layout of an entry changes.
FORMAT = 1


def digest(value: Any) -> str:
    """A stable hash of ``value`` (JSON data; functions and objects by their code)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=_code_identity)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _code_identity(value: Any) -> str:
    """Functions and extension objects (their repr holds a memory address) by their source."""
    kind = value if inspect.isroutine(value) or inspect.isclass(value) else type(value)
    name = f"{getattr(kind, '__module__', '')}.{getattr(kind, '__qualname__', repr(kind))}"
    return f"{name}@{_source_digest(_source_file(kind))}"


def _source_file(value: Any) -> str:
    try:
        return inspect.getsourcefile(value) or ""
    except TypeError:  # built-in
        return ""


@lru_cache(maxsize=None)
def _source_digest(path: str) -> str:
    if not path:
        return ""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


class PageStore:
    """Entries under ``folder/<2 hex>/<key>.json``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("format") != FORMAT:
            return None
        self.used.add(key)
        return entry

    def put(self, key: str, entry: dict) -> None:
        """Write an entry with a rename, so a reader never sees half of it."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({**entry, "format": FORMAT}, out, ensure_ascii=False)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.used.add(key)

    def prune(self) -> int:
        """Delete every entry this build did not use; returns how many were deleted."""
        removed = 0
        if not self.folder.is_dir():
            return removed
        for path in [*self.folder.glob("*/*.json"), *self.folder.glob("*/.tmp-*")]:
            if path.stem not in self.used:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
