"""Files written whole or not at all, in cache folders that several builds may share.

A file is written under a temporary name that carries the writer's process id, then renamed
over its real name: a reader never sees half of it, two builds drawing the same card never
write into the same temporary file, and a build cleaning the folder can tell another live
build's file being written (kept) from the leftover of a killed one (deleted).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SUFFIX = ".part"


def temporary_for(path: Path) -> Path:
    """A unique temporary name beside ``path``: ``.<name>.<pid>.<random>.part``."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{SUFFIX}")


def write_bytes(path: Path, data: bytes) -> None:
    temporary = temporary_for(path)
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def writer_gone(pid_text: str) -> bool:
    """Whether the process ``pid_text`` names has ended (or the text names none)."""
    try:
        os.kill(int(pid_text), 0)
    except (ValueError, ProcessLookupError):
        return True
    except PermissionError:
        return False  # alive, under another user
    return False


def abandoned(temporary: Path) -> bool:
    """Whether ``temporary`` (named by ``temporary_for``) was left by a writer that is gone."""
    parts = temporary.name.rsplit(".", 3)
    return len(parts) < 4 or writer_gone(parts[1])
