"""Values that end up inside an HTML attribute (href, src, title, class), checked for their kind.

Material prints author avatars, `extra:` links and status texts into attributes without
escaping them: a quote would end the attribute and start a new one, a ``javascript:`` link
would run. A link is an http(s) URL or a path on the site; a name is text without quotes or
angle brackets. No MkDocs import.
"""

from __future__ import annotations

import re
from typing import Any

# Characters that end an attribute, start a tag or escape a string in HTML or JavaScript.
_BREAKS = re.compile(r"[\s\"'<>`\\]")
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d+)?(?:[/?#]\S*)?", re.I)
# A site path: "assets/x.png", "/privacy/", "../kb/", with an optional query or fragment.
# "//host/x" is another site's address, not a path.
_PATH = re.compile(r"(?![A-Za-z][A-Za-z0-9+.-]*:)(?!//)[A-Za-z0-9._~/%+@-]+(?:[?#]\S*)?")
LINK_EXPECTED = "an https:// address or a path on this site, without spaces or quotes"
LOCAL_EXPECTED = "a path to a file of this site, e.g. assets/images/autori/giulia.svg"
TEXT_EXPECTED = "plain text without < > or quotes"


def link_problem(value: Any, mailto: bool = False, local: bool = False) -> str:
    """Why ``value`` is not a safe link ("" when it is): an http(s) URL, a site path, or
    (with ``mailto``) a mailto: address. With ``local`` only a site path will do: an image a
    page loads from another site would tell that site who reads the page."""
    if not isinstance(value, str) or not value.strip():
        return f"{value!r} is not a link"
    if _BREAKS.search(value):
        return f"link {value!r} contains spaces, quotes or < >"
    if _PATH.fullmatch(value):
        return ""
    if local:
        return f"{value!r} is not a path on this site"
    if _URL.fullmatch(value) or (mailto and value.lower().startswith("mailto:") and "@" in value):
        return ""
    return f"link {value!r} is neither an http(s) address nor a path on this site"


def text_problem(value: Any) -> str:
    """Why ``value`` cannot be printed raw inside an attribute ("" when it can)."""
    if not isinstance(value, str):
        return f"{value!r} is not text"
    if re.search(r"[\"'<>`]", value):
        return f"{value!r} contains quotes or < >"
    return ""
