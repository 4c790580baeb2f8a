"""The one function that builds every tracked link, tested directly."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from approdo.utm import has_utm, internal_links_with_utm, is_internal, tracked_url


def test_exact_query_in_fixed_order():
    url = tracked_url("https://example.org/landing/consulenza/", "blog", "cta", "consulenza",
                      "perche-i-social-non-vendono")
    assert url == ("https://example.org/landing/consulenza/?utm_source=blog&utm_medium=cta"
                   "&utm_campaign=consulenza&utm_content=perche-i-social-non-vendono")


def test_existing_query_and_fragment_kept_and_old_utm_replaced():
    url = tracked_url("/landing/x/?ref=a%26b&utm_source=Facebook&lang=it#modulo",
                      "instagram", "social", "x", term="bio 1")
    parts = urlsplit(url)
    assert parts.fragment == "modulo"
    assert parse_qsl(parts.query) == [
        ("utm_source", "instagram"), ("utm_medium", "social"), ("utm_campaign", "x"),
        ("utm_term", "bio 1"), ("ref", "a&b"), ("lang", "it")]


@pytest.mark.parametrize("source, medium", [
    ("Facebook", "social"), ("facebook", "Social"), ("tiktok", "social"), ("blog", "cpc"),
    ("", "cta")])
def test_vocabulary_is_fixed_and_lowercase(source, medium):
    with pytest.raises(ValueError, match="unknown UTM"):
        tracked_url("/x/", source, medium, "c")


@pytest.mark.parametrize("campaign, content", [
    ("", None), ("a/b", None), ("ok", "<script>"), ("x" * 101, None)])
def test_values_the_lead_form_would_refuse_are_rejected(campaign, content):
    with pytest.raises(ValueError):
        tracked_url("/x/", "blog", "cta", campaign, content)


def test_has_utm():
    assert has_utm("/a/?utm_medium=x")
    assert not has_utm("/a/?utm=x&source=y")


@pytest.mark.parametrize("url, internal", [
    ("../landing/x/", True), ("#top", True), ("/blog/", True),
    ("https://maestrale.example/blog/", True), ("HTTPS://MAESTRALE.EXAMPLE/x", True),
    ("https://other.example/blog/", False), ("mailto:ciao@maestrale.example", False),
    ("https://maestrale.example/", True)])
def test_internal_navigation_predicate(url, internal):
    assert is_internal(url, "https://maestrale.example/") is internal


def test_internal_respects_site_subpath():
    assert not is_internal("https://host.example/other/", "https://host.example/sito/")
    assert is_internal("https://host.example/sito/blog/", "https://host.example/sito/")


def test_internal_links_with_utm_found_outside_code():
    body = ("Vai [qui](../landing/x/?utm_source=blog \"titolo\") e [fuori](https://altro.example/?utm_source=x).\n"
            "`[esempio](../a/?utm_source=x)` e <http://127.0.0.1:8000/blog/?utm_medium=social>\n"
            "```\n[codice](../b/?utm_source=y)\n```\n"
            "<a href=\"/kb/?utm_campaign=z\">k</a> [pulito](../kb/?ref=1)\n")
    assert internal_links_with_utm(body, 5, "http://127.0.0.1:8000/") == [
        (5, "../landing/x/?utm_source=blog"), (6, "http://127.0.0.1:8000/blog/?utm_medium=social"),
        (10, "/kb/?utm_campaign=z")]
