"""Material pages load our `extra_css` as one file (approdo.stylesheets says why): the list in
mkdocs.yml names the sources, in order; they are joined into approdo.stylesheets.JOINED."""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from approdo import stylesheets

_sources: list[str] = []


def on_config(config):
    _sources[:] = [str(path) for path in config.extra_css]
    config.extra_css = [stylesheets.JOINED] if _sources else []
    return config


def on_files(files, config):
    sheets = []
    for path in _sources:
        source = files.get_file_from_path(path)
        if source is None:
            raise PluginError(f"mkdocs.yml: extra_css lists {path}, which is neither in docs/ "
                              "nor in overrides/ (expected a stylesheet of this site)")
        sheets.append((path, source.content_string))
    if sheets:
        try:
            files.append(File.generated(config, stylesheets.JOINED, content=stylesheets.joined(sheets)))
        except ValueError as problem:
            raise PluginError(str(problem)) from None
    return files
