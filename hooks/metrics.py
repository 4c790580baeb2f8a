"""Cookie-free counting on the site's pages: tells the templates where beacons go.

The receiver's address comes from ``approdo.metrics.beacon_url`` (the bundled receiver next to
the lead form's action, or ``extra.approdo.metrics.receiver``); ``partials/approdo/metrics.html``
prints it as a ``<meta>`` that ``landing.js`` (views) and ``metrics.js`` (calls to action)
read. Short links get it from ``hooks/short_links.py``, which renders them before ``on_env``.
"""

from __future__ import annotations

from approdo import metrics


def on_env(env, config, files):
    env.globals["approdo_metrics_url"] = metrics.beacon_url(config.extra)
    return env
