"""A folder of converted pages, one JSON file per key, written atomically and pruned per build.

Pure storage and hashing: what goes into a key and what an entry holds is decided by the
``page_cache`` hook. Entries are found by the hash of everything a page's HTML depends on, so
an entry is never stale: a change to any input makes a new key, and the old entry is pruned.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from approdo import atomic_files

# Bump when the layout of an entry changes.
FORMAT = 1


def digest(value: Any) -> str:
    """A stable hash of ``value`` (JSON data; functions and objects by their code)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=code_identity)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def code_identity(value: Any) -> str:
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


def toc_tokens(toc) -> list:
    """A table of contents (MkDocs' ``TableOfContents``) as the Python-Markdown tokens from
    which ``mkdocs.structure.toc.get_toc`` builds it again."""
    def token(item) -> dict:
        return {"level": item.level, "id": item.id, "name": item.title,
                "children": [token(child) for child in item.children]}
    return [token(item) for item in toc.items]


class PageStore:
    """Entries under ``folder/<2 hex>/<key>.json``.

    ``salt`` (the configuration's digest) goes into every key. ``converted`` lists the names
    of what had to be converted in this build.
    """

    def __init__(self, folder: Path, salt: str = "") -> None:
        self.folder = folder
        self.salt = salt
        self.used: set[str] = set()
        self.hits = 0
        self.converted: list[str] = []
        # What could not be looked up (its inputs could not be told): done without the cache.
        self.uncached = 0

    def convert(self, name: str, inputs: Any, files, convert: Callable[[], dict]) -> dict:
        """``convert()``'s result (JSON data) for ``inputs``, from the cache if possible.

        ``files`` is MkDocs' file collection (None when ``convert`` looks no file up): every
        ``get_file_from_path`` made while converting is recorded with its answer, and an entry
        is used only while each of those paths still resolves to the same URL. Messages logged under ``mkdocs`` while
        converting are stored and logged again when the entry is used.
        """
        key = digest([self.salt, inputs])
        entry = self.get(key)
        if entry is not None and all(_resolution(files.get_file_from_path(path)) == resolved
                                     for path, resolved in entry["lookups"].items()
                                     if files is not None):
            for logger, level, message in entry["logs"]:
                logging.getLogger(logger).log(level, message)
            self.hits += 1
            return entry["result"]
        result, lookups, logs = _recorded(files, convert)
        self.put(key, {"result": result, "lookups": lookups, "logs": logs})
        self.converted.append(name)
        return result

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        path = self._path(key)
        try:
            text = _memory.get(path) if _memory is not None else None
            entry = json.loads(text if text is not None else path.read_text(encoding="utf-8"))
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
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".tmp-{os.getpid()}-")
        try:
            text = json.dumps({**entry, "format": FORMAT}, ensure_ascii=False)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, path)
            if _memory is not None:
                _memory[path] = text
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.used.add(key)

    def prune(self) -> int:
        """Delete every entry this build did not use; returns how many were deleted."""
        removed = 0
        if not self.folder.is_dir():
            return removed
        stale = [*self.folder.glob("*/*.json"),
                 *(path for path in self.folder.glob("*/.tmp-*") if _orphaned(path))]
        for path in stale:
            if path.stem not in self.used:
                path.unlink(missing_ok=True)
                removed += 1
        if _memory is not None:
            for path in [path for path in _memory if path.parent.parent == self.folder
                         and path.stem not in self.used]:
                del _memory[path]
        return removed


def _orphaned(temporary: Path) -> bool:
    """Whether the process that was writing this temporary file is gone (killed mid-write).
    Two builds may share the folder: another live build's file is about to be renamed."""
    parts = temporary.name.split("-")
    return len(parts) < 3 or atomic_files.writer_gone(parts[1])


def _resolution(found) -> list | None:
    return None if found is None else [found.url, found.inclusion.is_excluded()]


def _recorded(files, convert: Callable[[], dict]) -> tuple[dict, dict, list]:
    """Run ``convert`` recording the file lookups it makes and what it logs."""
    lookups: dict[str, list | None] = {}
    records: list[logging.LogRecord] = []
    original = files.get_file_from_path if files is not None else None

    def recording_lookup(path):
        found = original(path)
        lookups[path] = _resolution(found)
        return found

    handler = _Recorder(records)
    mkdocs_log = logging.getLogger("mkdocs")
    if files is not None:
        files.get_file_from_path = recording_lookup
    mkdocs_log.addHandler(handler)
    try:
        result = convert()
    finally:
        mkdocs_log.removeHandler(handler)
        if files is not None:
            del files.get_file_from_path  # back to the class's method
    return result, lookups, [[r.name, r.levelno, r.getMessage()] for r in records]


class _Recorder(logging.Handler):
    def __init__(self, records: list) -> None:
        super().__init__(logging.NOTSET)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# The store of the build in progress (set by the page_cache hook), for whoever converts
# Markdown: MkDocs' pages through the hook, Material's excerpts through material_speedups.
_active: PageStore | None = None

# While serving, every entry read or written is also kept in this process (as its JSON text,
# so that no caller can change it): a rebuild after a save reads no file. This module, unlike
# the hooks, is not executed again when `mkdocs serve` reloads the configuration.
_memory: dict[Path, str] | None = None
_dirty = False


def started(serving: bool, dirty: bool) -> None:
    """Called once when MkDocs starts; ``serving``: `mkdocs serve` (keep entries in memory);
    ``dirty``: only changed pages are built (no build may then prune what others use)."""
    global _memory, _dirty
    if serving and _memory is None:
        _memory = {}
    _dirty = dirty


def dirty() -> bool:
    return _dirty


def activate(store: PageStore | None, derived: PageStore | None = None) -> None:
    """Set the stores of the build in progress: ``store`` for converted Markdown, ``derived``
    for values computed from a page's HTML by others (``remember``)."""
    global _active, _derived
    _active, _derived = store, derived


_derived: PageStore | None = None


def remember(name: str, inputs: Any, compute: Callable[[], Any]) -> Any:
    """``compute()`` (JSON data), kept under ``inputs`` in the build's store of derived values."""
    if _derived is None:
        return compute()
    return _derived.convert(name, inputs, None, lambda: {"value": compute()})["value"]


def derived() -> PageStore | None:
    return _derived


def fingerprint(text: str | None) -> str | None:
    """A short stand-in for a long text inside a cache key (hashing is cheaper than encoding
    the whole text into the key's JSON)."""
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def active() -> PageStore | None:
    return _active
