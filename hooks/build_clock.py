"""Read "now" once per build (``approdo.clock``) and make Material's blog agree with it.

Material's blog plugin decides whether a post dated in the future is a draft
(``draft_if_future_date``) with its own reading of the wall clock, and reads a date without a
time zone as UTC. This hook gives that one decision to ``approdo.clock``: the post is
scheduled until this build's instant, its date read in the site's time zone, so that a build
"as of" ``SOURCE_DATE_EPOCH`` lists the same posts as the home page, feeds and sitemap.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from approdo import clock
from seo_pages import post_dates


# First of all hooks: every other hook may read the clock from its own on_config on.
@event_priority(100)
def on_config(config):
    try:
        clock.start_build(config.extra)
    except clock.ClockError as error:
        raise PluginError(str(error)) from None
    blog = config.plugins.get("material/blog")
    if blog is not None and hasattr(blog, "_is_excluded"):
        # Material has no setting for its clock: replace this one instance's check (not the
        # class), keeping Material's own rule for posts marked (or not) as drafts.
        material_check = type(blog)._is_excluded

        def is_excluded(post):
            if (not blog.config.draft and blog.config.draft_if_future_date
                    and not isinstance(post.config.draft, bool)):
                return post_dates(post)[0] > clock.now()
            return material_check(blog, post)

        blog._is_excluded = is_excluded
    return config
