"""Social cards drawn cheaply and in parallel look exactly as before, byte for byte the same
from one build to the next, and a card that cannot be drawn names its page."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess

import pytest
from PIL import Image

from approdo import cards, png
from conftest import MKDOCS, make_project, run_build

BRAND, FOOTER = "Maestrale Digitale", "maestrale.example"

# sha256 of the decoded RGB pixels (first 16 hex digits) drawn by the renderer before the
# background was drawn once per build and before the PNG encoding changed (RENDERER_VERSION 2,
# commit 4e2fbc1), with DejaVu Sans from the repo and Debian 12's Noto fonts. Any change in
# what a reader sees changes these.
GOLDEN = [
    (cards.Card("Perché i social non vendono: il caso di una pasticceria di Bologna", "Strategia",
                BRAND, FOOTER), "d7bc032efa1470cb"),
    (cards.Card("Guida gratuita al sito che porta clienti", brand=BRAND, footer=FOOTER,
                subtitle="Scarica la checklist in dieci punti per capire cosa cambiare prima di "
                         "investire in pubblicità"), "57bc4d1191b8f168"),
    (cards.Card("Social media che portano clienti, non solo like", brand=BRAND, footer=FOOTER),
     "9d2ef6e120008c05"),
    (cards.Card("Come abbiamo portato una piccola pasticceria di Bologna da zero a trecento "
                "richieste di preventivo al mese 🎂 con Instagram, una landing page e tanta "
                "pazienza", "Strategia", BRAND, FOOTER), "212c92e12c4a5218"),
    (cards.Card("東京のカフェ 🎉 un caso ❤️ 👩‍💻 e สวัสดี", "Notizie dal mondo", BRAND, FOOTER),
     "b1d7d5ac97902990"),
    (cards.Card("Titolo", "Una categoria dal nome davvero molto lungo che non entra nella pillola "
                "in alto", BRAND, "www.un-dominio-molto-lungo-per-il-footer.example.it"),
     "05822777e1829f22"),
]
# The Noto fonts the emoji, Japanese and Thai cards above were drawn with (sha256, 12 digits).
GOLDEN_NOTO = {"NotoColorEmoji.ttf": "e5899ed38b8e", "NotoSansCJK-Bold.ttc": "faa5f3656a78",
               "NotoSansThai-Bold.ttf": "97bbc8ea9832"}




def pixels(png: bytes) -> str:
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (cards.WIDTH, cards.HEIGHT)
        return hashlib.sha256(image.convert("RGB").tobytes()).hexdigest()[:16]


def test_cards_show_the_same_pixels_as_before(card_fonts):
    noto = {path.name: cards._file_digest(path)[:12] for path in card_fonts.files()}
    same_noto = all(noto.get(name) == digest for name, digest in GOLDEN_NOTO.items())
    checked = 0
    for card, expected in GOLDEN:
        latin_only = all(ord(char) < 0x2000 for char in card.title + card.kicker)
        if latin_only or same_noto:  # other Noto versions draw other (equally right) glyphs
            assert pixels(cards.render(card, card_fonts)) == expected, card.title
            checked += 1
    assert checked >= 4


def test_cards_drawn_in_worker_processes_are_the_bytes_drawn_here(card_fonts, tmp_path):
    jobs = [(card, tmp_path / f"card-{index}.png") for index, (card, _) in enumerate(GOLDEN)]
    assert cards.draw_all(jobs, card_fonts, workers=2) == []
    for card, path in jobs:
        assert path.read_bytes() == cards.render(card, card_fonts)
    assert not list(tmp_path.glob("*.part"))


def test_a_card_that_cannot_be_drawn_is_reported_and_the_others_are_drawn(card_fonts, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    jobs = [(GOLDEN[0][0], tmp_path / "ok-0.png"), (GOLDEN[1][0], tmp_path / "a-file" / "x.png"),
            (GOLDEN[2][0], tmp_path / "ok-2.png")]
    for workers in (0, 2):
        failures = cards.draw_all(jobs, card_fonts, workers=workers)
        assert [index for index, _ in failures] == [1]
        assert "a-file" in failures[0][1]
        assert (tmp_path / "ok-0.png").is_file() and (tmp_path / "ok-2.png").is_file()


def test_worker_processes_only_when_enough_cards_to_pay_and_a_core_is_free():
    assert cards.worker_count(0, 8) == 0
    assert cards.worker_count(cards.MIN_CARDS_PER_WORKER - 1, 8) == 0
    assert cards.worker_count(cards.MIN_CARDS_PER_WORKER * 2, 8) == 2
    assert cards.worker_count(10_000, 8) == 7  # one core renders the pages meanwhile
    assert cards.worker_count(10_000, 2) == 1
    assert cards.worker_count(10_000, 1) == 0
    assert cards.worker_count(10_000, None) == 0


def _posts(count: int) -> dict[str, str]:
    categories = ["Strategia", "Metriche", "News"]
    return {f"blog/posts/caso-{n}.md": (
        f"---\ntitle: Caso {n} 🎉 per una pasticceria\ndescription: Il caso numero {n}.\n"
        f"date: 2026-03-{n % 28 + 1:02d}\nauthors: [giulia]\ncategories: [{categories[n % 3]}]\n"
        f"---\n\n# Caso {n} 🎉 per una pasticceria\n\nTesto del caso {n}.\n\n<!-- more -->\n\n"
        "Il seguito.\n") for n in range(count)}


def _cards(site) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in (site / "assets/cards").glob("*.png")}


def test_a_blog_draws_its_cards_in_parallel_the_same_bytes_every_build(tmp_path):
    project = make_project(tmp_path, _posts(2 * cards.MIN_CARDS_PER_WORKER + 2))
    first_cache, second_cache = tmp_path / "cards-1", tmp_path / "cards-2"
    first = run_build(project, env={"APPRODO_CARD_CACHE": str(first_cache)}, site=tmp_path / "site-1")
    assert first.returncode == 0, first.output
    drawn = re.search(r"social cards: (\d+) used, (\d+) drawn, 0 from cache(?:, by (\d+) worker)?",
                      first.output)
    assert drawn and drawn.group(1) == drawn.group(2), first.output
    assert int(drawn.group(1)) > 2 * cards.MIN_CARDS_PER_WORKER
    workers = cards.worker_count(int(drawn.group(2)), os.cpu_count())
    assert int(drawn.group(3) or 0) == workers
    if (os.cpu_count() or 1) > 1:
        assert workers >= 1  # this build really drew in worker processes
    second = run_build(project, env={"APPRODO_CARD_CACHE": str(second_cache)}, site=tmp_path / "site-2")
    assert second.returncode == 0, second.output
    built = _cards(first.site)
    assert built and built == _cards(second.site)
    # From a full cache nothing is drawn and the site gets the same files.
    warm = run_build(project, env={"APPRODO_CARD_CACHE": str(first_cache)}, site=tmp_path / "site-3")
    assert re.search(r"social cards: \d+ used, 0 drawn", warm.output), warm.output
    assert _cards(warm.site) == built


def test_cards_that_cannot_be_drawn_fail_the_build_naming_each_page(tmp_path):
    project = make_project(tmp_path, _posts(2))
    (tmp_path / "not-a-folder").write_text("x")
    build = run_build(project, env={"APPRODO_CARD_CACHE": str(tmp_path / "not-a-folder" / "cards")})
    assert build.returncode != 0
    for n in range(2):
        assert f"docs/blog/posts/caso-{n}.md:2: its social card could not be drawn (" in build.output
    assert "mkdocs.yml:1: its social card could not be drawn (" in build.output
    assert "Traceback" not in build.output


def test_png_encoder_keeps_every_pixel_and_writes_no_metadata():
    image = Image.new("RGB", (257, 3))
    image.putdata([(x % 256, (x * 7) % 256, (x * 13 + y) % 256) for y in range(3) for x in range(257)])
    encoded = png.encode_rgb(image)
    with Image.open(io.BytesIO(encoded)) as decoded:
        assert decoded.format == "PNG" and decoded.mode == "RGB"
        assert decoded.tobytes() == image.tobytes()
        assert decoded.info == {}
    assert encoded == png.encode_rgb(image)
    with pytest.raises(ValueError):
        png.encode_rgb(image.convert("RGBA"))


def test_a_dirty_build_does_not_copy_the_cards_already_in_the_site(tmp_path):
    project = make_project(tmp_path, _posts(2))
    first = run_build(project)
    assert first.returncode == 0, first.output
    written = {path.name: path.stat().st_mtime_ns for path in (first.site / "assets/cards").glob("*.png")}
    assert len(written) >= 3
    # --dirty warns, so not --strict: MkDocs keeps site/ and rebuilds only changed pages.
    again = subprocess.run([*MKDOCS, "build", "--dirty"], cwd=project, capture_output=True, text=True,
                           env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=300)
    assert again.returncode == 0, again.stderr
    now = {path.name: path.stat().st_mtime_ns for path in (first.site / "assets/cards").glob("*.png")}
    assert now.keys() >= written.keys()
    assert {name: now[name] for name in written} == written
