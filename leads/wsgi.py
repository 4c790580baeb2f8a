"""The receiver as a WSGI application for other servers, configured from the environment.

The production command is ``approdo-leads serve`` (waitress with limits against slow clients,
see ``leads.production``). ``waitress-serve leads.wsgi:application`` with waitress's defaults
lets 100 idle connections stop it and spools a 1 GiB body to disk before the receiver can
refuse it: under any other server, set the equivalent limits (connections, idle and request
timeouts, body size) in the server and in the reverse proxy in front of it.

Variables: see ``leads.config`` (database, site origins, body limit, rate limit, duplicate
window, whether posts without Origin are refused) and ``leads.loop_settings`` (SMTP, notification
addresses, link secret and public URL, site data, webhook; handbook/docs/lead-loop.md).
"""

import atexit
import logging
import sys

from .app import LeadApp
from .config import Settings

# One line per request (no personal data) on stderr, unless the server configured logging.
_log = logging.getLogger("leads")
if not _log.handlers and not logging.getLogger().handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    _log.addHandler(_handler)
    _log.setLevel(logging.INFO)
    _log.propagate = False  # waitress configures the root logger later: print each line once

application = LeadApp(Settings.from_env())
# Visit counters live in memory for up to two seconds: write them (and stop the lead loop's
# worker) when the server stops.
atexit.register(application.close)
