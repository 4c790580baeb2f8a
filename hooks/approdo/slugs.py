"""ASCII slugs for URLs that get pasted into social posts."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, separator: str = "-") -> str:
    """Return a lowercase ASCII slug: accents are transliterated, not kept or dropped.

    "Perché i social non vendono" -> "perche-i-social-non-vendono". The signature matches what
    Material's blog plugin expects for ``post_slugify`` and ``categories_slugify``.
    """
    # NFKD splits "é" into "e" + a combining accent, which the ASCII encode then drops.
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    # Apostrophes join words in Italian ("dell'azienda"): treat them as separators.
    return _NOT_WORD.sub(separator, ascii_text.lower()).strip(separator)
