"""Builds the site model (``approdo.site_model``): the sources parsed once, for every hook."""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import event_priority

from approdo import site_model


# First of all on_config handlers (with build_clock): a new build has no model yet.
@event_priority(110)
def on_config(config):
    site_model.publish(None)
    return config


# 110: before every other on_files handler (validators 100, page generators 95, content_errors
# 90, Material's blog), all of which may read the model; it holds only what authors wrote, as
# MkDocs found it (the hooks' generated pages are added after this).
@event_priority(110)
def on_files(files, config):
    root = Path(config.config_file_path).parent
    sources = [(file.src_uri, file.abs_src_path) for file in files.documentation_pages()
               if file.abs_src_path and not file.generated_by]
    site_model.publish(site_model.read(config.docs_dir, root, config.extra, sources))
    return files
