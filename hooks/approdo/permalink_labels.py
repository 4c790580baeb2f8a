"""A Python-Markdown extension: the permalink that ``toc`` puts after each heading (the ``¶``)
carries its ``permalink_title`` as ``aria-label`` instead of ``title``.

With ``content.tooltips`` Material mounts a tooltip, at start-up, for every element that has a
``title``, and a page has one permalink per heading. On a post with seven headings, with the CPU
slowed down 4x as Lighthouse's phone is, the main thread was blocked 281 ms at start-up with
the titles and 211 ms without (median of nine loads each): that start-up is what keeps the
post below 100 in Lighthouse (handbook/docs/design.md). A screen reader reads the same name;
only the hover text on the ``¶`` goes. Glossary links keep their ``title``: it is their tooltip.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# Right after ``toc`` (5), which adds the permalinks.
PRIORITY = 4


class PermalinkLabels(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for link in root.iter("a"):
            if "headerlink" in link.get("class", "").split() and "title" in link.attrib:
                link.set("aria-label", link.attrib.pop("title"))


class PermalinkLabelsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(PermalinkLabels(md), "approdo_permalink_labels", PRIORITY)


def makeExtension(**kwargs) -> PermalinkLabelsExtension:  # noqa: N802 (Python-Markdown's name)
    return PermalinkLabelsExtension(**kwargs)
