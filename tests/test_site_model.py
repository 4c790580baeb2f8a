"""The site model: the sources as their authors wrote them, parsed once per build, and never
the previous build's model read by mistake."""

from __future__ import annotations

import shutil

import pytest

from approdo import site_model
from conftest import ROOT


def _docs(tmp_path):
    docs = tmp_path / "docs"
    (docs / "blog" / "posts").mkdir(parents=True)
    shutil.copytree(ROOT / "docs" / "landing", docs / "landing")
    post = docs / "blog" / "posts" / "primo.md"
    post.write_text("---\ntitle: Primo\ndate: 2026-01-05\nsocial:\n  text: Ciao\n---\n\n# Primo\n",
                    encoding="utf-8")
    return docs, post


def test_model_holds_front_matter_and_landing_pages(tmp_path):
    docs, post = _docs(tmp_path)
    sources = [("blog/posts/primo.md", str(post)),
               ("landing/consulenza.md", str(docs / "landing" / "consulenza.md"))]
    model = site_model.read(docs, tmp_path, {}, sources)
    assert sorted(model.pages) == ["blog/posts/primo.md"]  # landing pages are in `landings`
    written = model.front_matter("blog/posts/primo.md", str(post))
    assert written.data["title"] == "Primo" and written.data["social"] == {"text": "Ciao"}
    assert sorted(model.valid_landings) == ["consulenza", "guida-gratuita", "workshop-bologna"]
    assert model.valid_landings["consulenza"].title == "Consulenza gratuita di 30 minuti"
    # A page the model does not hold (a landing page) is read from its file.
    landing = model.front_matter("landing/consulenza.md", str(docs / "landing" / "consulenza.md"))
    assert landing.data["title"] == "Consulenza gratuita di 30 minuti"


def test_an_edit_is_read_by_the_next_build(tmp_path):
    docs, post = _docs(tmp_path)
    sources = [("blog/posts/primo.md", str(post))]
    before = site_model.read(docs, tmp_path, {}, sources)
    post.write_text(post.read_text(encoding="utf-8").replace("title: Primo", "title: Il primo!"),
                    encoding="utf-8")
    after = site_model.read(docs, tmp_path, {}, sources)
    assert before.front_matter("blog/posts/primo.md", str(post)).data["title"] == "Primo"
    assert after.front_matter("blog/posts/primo.md", str(post)).data["title"] == "Il primo!"


def test_reading_the_model_before_it_is_built_fails_loudly(tmp_path):
    docs, post = _docs(tmp_path)
    site_model.publish(None)  # what the hook does when a build starts
    with pytest.raises(RuntimeError, match="before it is built"):
        site_model.current()
    model = site_model.read(docs, tmp_path, {}, [("blog/posts/primo.md", str(post))])
    site_model.publish(model)
    try:
        assert site_model.current() is model
    finally:
        site_model.publish(None)
