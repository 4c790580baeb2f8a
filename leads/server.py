"""A small multi-threaded HTTP server for local use (``approdo-leads serve``), from the standard library.

For production put the same WSGI application (``leads.wsgi:application``) under waitress or
gunicorn behind a TLS proxy (see README).
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

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


class PooledWSGIServer(WSGIServer):
    """Connections are handled by a fixed pool of threads: no thread start per request (a
    third of the server's CPU per post on this kind of machine) and a bound on the threads a
    burst can create; further connections wait in the queue."""

    # Keep many posts queued instead of refusing connections under a burst.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type, threads: int = 32):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="leads-http")
        super().__init__(address, handler)

    def process_request(self, request: socket.socket, client_address: tuple) -> None:
        self.pool.submit(self._handle, request, client_address)

    def _handle(self, request: socket.socket, client_address: tuple) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def handle_error(self, request: socket.socket, client_address: tuple) -> None:
        # socketserver's own prints the client's address and a traceback to stderr (e.g. for
        # every client that times out): say what happened, never who it happened to.
        kind = sys.exc_info()[0]
        log.warning("connection dropped: %s", kind.__name__ if kind else "unknown error")

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=True)  # let the requests in flight finish


def make(app: LeadApp, host: str, port: int, threads: int = 32,
         timeout: float = QuietHandler.timeout) -> PooledWSGIServer:
    handler = QuietHandler if timeout == QuietHandler.timeout else type(
        "QuietHandler", (QuietHandler,), {"timeout": timeout})
    server = PooledWSGIServer((host, port), handler, threads)
    server.set_app(app)
    return server


def serve(app: LeadApp, host: str, port: int, threads: int = 32) -> None:
    """Serve until SIGINT/SIGTERM; in-flight requests finish, the database is closed."""
    server = make(app, host, port, threads)
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Approdo lead receiver: http://{shown_host}:{server.server_port}/leads "
          f"(database {app.store.path}, sites {', '.join(app.settings.site_origins)})", flush=True)
    if app.loop is not None and not app.loop.site.checking:
        log.warning("consent versions are not checked: pass --site-data (the built site or its URL)")

    def stop(signum: int, frame: object) -> None:
        # shutdown() waits for serve_forever(), which runs in this thread: ask from another.
        threading.Thread(target=server.shutdown, daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.close()
