"""Archive pages are titled like Italian headings: "Novembre 2026", not "novembre 2026".

Material's blog plugin names each archive page with the configured date format (MMMM yyyy),
and Italian month names are lower case; a heading and a navigation entry start with a capital.
"""

from __future__ import annotations

from material.plugins.blog.structure import Archive


def heading_case(text: str) -> str:
    """``text`` with its first letter in upper case and the rest untouched."""
    return text[:1].upper() + text[1:]


def on_page_markdown(markdown, page, config, files):
    # The plugin writes the archive page as "# <name>": its title comes from that heading.
    if isinstance(page, Archive):
        page.name = heading_case(page.name or "")
        first, _, rest = markdown.partition("\n")
        if first.startswith("# "):
            markdown = "# " + heading_case(first[2:]) + ("\n" + rest if rest else "")
    return markdown
