"""Share buttons: plain links to each network's own share page, nothing loaded from them.

The shared address is the page's canonical URL tagged ``utm_medium=share`` with the network
as ``utm_source`` (and the page slug as campaign), so a visit from a reader's share is told
apart from the site's own posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from approdo.utm import tracked_url

# Network -> (Italian label, Material icon, share-page address with {url} and {text}).
# Every value is percent-encoded before it is put in (spaces as %20: mailto: needs that).
NETWORKS: dict[str, tuple[str, str, str]] = {
    "facebook": ("Facebook", "fontawesome/brands/facebook",
                 "https://www.facebook.com/sharer/sharer.php?u={url}"),
    "linkedin": ("LinkedIn", "fontawesome/brands/linkedin",
                 "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
    "x": ("X", "fontawesome/brands/x-twitter",
          "https://x.com/intent/post?url={url}&text={title}"),
    "whatsapp": ("WhatsApp", "fontawesome/brands/whatsapp",
                 "https://wa.me/?text={title_and_url}"),
    "telegram": ("Telegram", "fontawesome/brands/telegram",
                 "https://t.me/share/url?url={url}&text={title}"),
    "email": ("Email", "material/email-outline",
              "mailto:?subject={title}&body={text_and_url}"),
}
# The copy button's link: pasted anywhere, so the source says only "a copied link".
COPY_SOURCE = "link"


@dataclass(frozen=True)
class ShareLink:
    channel: str
    label: str
    icon: str
    # The network's share page (what the button opens).
    href: str
    # The address the reader shares (canonical URL + UTM), before encoding into ``href``.
    shared_url: str


def share_links(canonical_url: str, title: str, text: str, campaign: str) -> list[ShareLink]:
    """One share link per network for a page, each sharing its own tagged URL."""
    links = []
    for channel, (label, icon, pattern) in NETWORKS.items():
        shared = shared_url(canonical_url, channel, campaign)
        values = {
            "url": shared,
            "title": title,
            "title_and_url": f"{title} {shared}",
            "text_and_url": f"{text}\n\n{shared}" if text else shared,
        }
        href = pattern.format(**{key: quote(value, safe="") for key, value in values.items()})
        links.append(ShareLink(channel, label, icon, href, shared))
    return links


def shared_url(canonical_url: str, source: str, campaign: str) -> str:
    """The canonical URL as shared on ``source``: ``utm_medium=share``."""
    return tracked_url(canonical_url, source, "share", campaign)


def copy_url(canonical_url: str, campaign: str) -> str:
    """What the copy-link button puts on the clipboard."""
    return shared_url(canonical_url, COPY_SOURCE, campaign)
