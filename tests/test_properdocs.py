"""The sample site builds with ProperDocs (the maintained continuation of MkDocs 1.x) and gives
the same site as MkDocs: same files, same bytes, except the generator line that names the tool.
See handbook/docs/beyond-material.md."""

from __future__ import annotations

import re
import sys

from conftest import ROOT, run_build

# The only expected difference: <meta name="generator" content="mkdocs-1.6.1, ..."> becomes
# "mkdocs-ProperDocs 1.6.7, ...".
GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def normalised(data: bytes) -> bytes:
    return GENERATOR.sub(b'<meta name="generator" content="...">', data)


def test_properdocs_builds_the_same_site_as_mkdocs(real_site, tmp_path):
    build = run_build(ROOT, "-f", "mkdocs.yml", site=tmp_path / "site",
                      command=[sys.executable, "-m", "properdocs"])
    assert build.returncode == 0, build.output
    site = build.site
    assert "ProperDocs" in (site / "index.html").read_text(encoding="utf-8")

    def files(root):
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    expected = files(real_site.site)
    assert len(expected) > 100 and "index.html" in expected
    assert files(site) == expected
    different = [name for name in expected
                 if normalised((site / name).read_bytes())
                 != normalised((real_site.site / name).read_bytes())]
    assert different == []
