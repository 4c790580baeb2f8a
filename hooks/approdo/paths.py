"""How error messages name a file: relative to the project root, in POSIX form ("docs/x.md").

No MkDocs import: callers pass the project root (the folder of mkdocs.yml).
"""

from __future__ import annotations

from pathlib import Path


def display_path(path: str | Path, root: str | Path) -> str:
    """``path`` relative to ``root`` ("docs/blog/posts/x.md"), or whole when outside it."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()
