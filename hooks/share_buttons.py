"""Share buttons on posts, guides and landing pages: ``approdo_share`` for
``partials/approdo/share.html`` (plain links and a first-party copy button, no third-party
script or iframe)."""

from __future__ import annotations

from dataclasses import asdict

from material.plugins.blog.structure import Post

from approdo.cta import page_slug
from approdo.landing import is_landing_path
from approdo.share import copy_url, share_links

# Knowledge-base pages get buttons too, except the section index.
_GUIDES = "kb/"


def wants_share(page) -> bool:
    """Articles and landing pages; never listings, indexes, thank-you or generated pages."""
    src = page.file.src_uri
    if isinstance(page, Post) or is_landing_path(src):
        return True
    return src.startswith(_GUIDES) and not src.endswith("index.md") and not page.file.generated_by


def on_page_context(context, page, config, nav):
    if not page.canonical_url or not wants_share(page):
        return context
    campaign = page_slug(page.url)
    title = page.meta.get("title") or page.title or config.site_name
    text = page.meta.get("description") or ""
    context["approdo_share"] = {
        "links": [asdict(link) for link in share_links(page.canonical_url, str(title), str(text), campaign)],
        "copy_url": copy_url(page.canonical_url, campaign),
    }
    return context
