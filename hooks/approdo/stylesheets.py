"""Our stylesheets served to Material pages as one file.

Material links each `extra_css` entry separately. On a phone each stylesheet is a request that
holds back the first paint, and over HTTP/1.1 a connection of its own: with the three of ours
(brand tokens, site styles, social) Lighthouse put the post's first paint at 1.21 s and its
largest at 1.57 s; joined, 1.06 s and 1.49 s (handbook/docs/design.md). The sources stay as they
are, and are still published on their own for the stand-alone pages that use some of them.
"""

from __future__ import annotations

import posixpath

JOINED = "assets/stylesheets/approdo-site.css"


def joined(sheets: list[tuple[str, str]]) -> str:
    """The text of ``sheets`` ((site path, text) pairs) in order, each under a comment naming
    its source. Each must sit in the joined file's folder, so that its relative url()s still
    resolve, and must not use @import or @charset, which are only valid at a sheet's start."""
    folder = posixpath.dirname(JOINED)
    parts = []
    for path, text in sheets:
        if posixpath.dirname(path) != folder:
            raise ValueError(f"{path}: a stylesheet joined into {JOINED} must be in {folder}/")
        if "@import" in text or "@charset" in text:
            raise ValueError(f"{path}: @import and @charset cannot be joined into {JOINED}")
        parts.append(f"/* {path} */\n{text.strip()}\n")
    return "\n".join(parts)
