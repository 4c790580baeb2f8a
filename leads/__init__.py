"""Approdo's lead receiver: a small WSGI application that stores landing-page leads in SQLite.

Modules, one concern each: ``validation`` (the form contract applied to a post), ``storage``
(SQLite, migrations, erasure, retention), ``app`` (the WSGI endpoint), ``server`` (a threaded
standard-library server for local use), ``export``, ``stats`` and ``cli``. ``leads.wsgi``
exposes ``application`` for production WSGI servers.
"""
