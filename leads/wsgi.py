"""The receiver for production WSGI servers, configured from the environment::

    APPRODO_LEADS_DB=/var/lib/approdo/leads.sqlite3 \\
    APPRODO_LEADS_ORIGINS=https://www.example.it \\
    waitress-serve --host 127.0.0.1 --port 8001 leads.wsgi:application

Variables: see ``leads.config`` (database, site origins, body limit, rate limit, duplicate
window, whether posts without Origin are refused) and ``leads.loop_settings`` (SMTP, notification
addresses, link secret and public URL, site data, webhook; handbook/docs/lead-loop.md).
"""

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
