"""A small threaded HTTP server for local use (``approdo-leads serve``), from the standard library.

For production put the same WSGI application (``leads.wsgi:application``) under waitress or
gunicorn behind a TLS proxy (see README).
"""

from __future__ import annotations

import logging
import signal
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .app import LeadApp

log = logging.getLogger("leads")


class QuietHandler(WSGIRequestHandler):
    """The application logs each request itself, without the client's address."""

    # A client that stops sending mid-request frees its thread after this many seconds.
    timeout = 15

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        log.debug(format, *args)

    def log_request(self, code: object = "-", size: object = "-") -> None:
        pass


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # Keep many posts queued instead of refusing connections under a burst.
    request_queue_size = 128


def make(app: LeadApp, host: str, port: int) -> ThreadingWSGIServer:
    return make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)


def serve(app: LeadApp, host: str, port: int, ready: threading.Event | None = None) -> None:
    """Serve until SIGINT/SIGTERM; in-flight requests finish, the database is closed."""
    server = make(app, host, port)
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Approdo lead receiver: http://{shown_host}:{server.server_port}/leads "
          f"(database {app.store.path}, sites {', '.join(app.settings.site_origins)})", flush=True)

    def stop(signum: int, frame: object) -> None:
        # shutdown() waits for serve_forever(), which runs in this thread: ask from another.
        threading.Thread(target=server.shutdown, daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    if ready is not None:
        ready.set()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.store.close()
