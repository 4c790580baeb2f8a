"""Helpers for the SEO tests: read a built page's <head> the way a crawler does.

(Named test_seo_* so that it belongs to the SEO tests; it holds no tests itself.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from conftest import NETWORK_GUARD
from dom import dom


@dataclass
class Head:
    """What a social network or search engine reads from one page's <head>."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    links: list[dict[str, str]] = field(default_factory=list)
    json_ld_raw: list[str] = field(default_factory=list)
    title: str = ""

    def one(self, key: str) -> str:
        """The only value of a meta property/name; fails if missing or repeated."""
        values = self.meta.get(key, [])
        assert len(values) == 1, f"{key}: {values}"
        return values[0]

    def all(self, key: str) -> list[str]:
        return self.meta.get(key, [])

    def link(self, rel: str) -> list[dict[str, str]]:
        return [link for link in self.links if rel in link.get("rel", "").split()]

    @property
    def json_ld(self) -> list[dict]:
        return [json.loads(raw) for raw in self.json_ld_raw]

    def objects(self) -> list[dict]:
        """Every JSON-LD object with a @type, at any depth."""
        found: list[dict] = []

        def walk(value):
            if isinstance(value, dict):
                if "@type" in value:
                    found.append(value)
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        for document in self.json_ld:
            walk(document)
        return found

    def of_type(self, kind: str) -> list[dict]:
        return [obj for obj in self.objects() if obj.get("@type") == kind]


def read_head(html: str) -> Head:
    head = Head()
    for element in (node for found in dom(html).find_all("head") for node in found.iter()):
        if element.tag == "meta":
            key = element.get("property") or element.get("name")
            if key and element.has("content"):
                head.meta.setdefault(key, []).append(element.attrs["content"])
        elif element.tag == "link":
            head.links.append(element.attrs)
        elif element.tag == "script" and element.get("type") == "application/ld+json":
            head.json_ld_raw.append(element.raw_text())
        elif element.tag == "title":
            head.title += element.raw_text()
    return head


def site_file(site: Path, url: str, site_url: str) -> Path:
    """The built file behind an absolute URL of the site."""
    assert url.startswith(site_url), url
    relative = url[len(site_url):]
    path = site / relative
    return path / "index.html" if relative.endswith("/") or relative == "" else path


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (no image library needed to check it)."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# Cuts the network inside the build process: any connection not to 127.0.0.1 is refused and
# recorded (Python's site module imports sitecustomize from PYTHONPATH at start-up).
# The network guard the real site is built with (see conftest.py), for fixture builds too.
SITECUSTOMIZE = NETWORK_GUARD

