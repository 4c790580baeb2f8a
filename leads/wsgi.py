"""The receiver for production WSGI servers, configured from the environment::

    APPRODO_LEADS_DB=/var/lib/approdo/leads.sqlite3 \\
    APPRODO_LEADS_ORIGINS=https://www.example.it \\
    waitress-serve --host 127.0.0.1 --port 8001 leads.wsgi:application

Variables: see ``leads.config`` (database, site origins, body limit, rate limit, duplicate
window, whether posts without Origin are refused).
"""

from .app import LeadApp
from .config import Settings

application = LeadApp(Settings.from_env())
