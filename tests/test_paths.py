"""approdo.paths.display_path: how every error message names a file."""

from __future__ import annotations

from approdo.paths import display_path


def test_inside_the_project_the_path_is_relative_and_posix(tmp_path):
    (tmp_path / "docs" / "blog").mkdir(parents=True)
    assert display_path(tmp_path / "docs" / "blog" / "x.md", tmp_path) == "docs/blog/x.md"
    assert display_path(str(tmp_path / "mkdocs.yml"), str(tmp_path)) == "mkdocs.yml"


def test_a_symlinked_root_still_gives_the_relative_path(tmp_path):
    (tmp_path / "real" / "docs").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert display_path(tmp_path / "real" / "docs" / "x.md", tmp_path / "link") == "docs/x.md"


def test_outside_the_project_the_path_is_whole(tmp_path):
    outside = tmp_path / "elsewhere" / "x.md"
    assert display_path(outside, tmp_path / "project") == outside.as_posix()
