"""The production server: waitress, configured so that slow, idle or oversized clients cannot
starve the others.

Why waitress (and how it is set):
- One asynchronous loop reads every connection; a worker thread gets a request only when it
  has arrived complete. A client that sends its headers one byte at a time holds a socket and a
  few kilobytes of buffer, never a thread (the standard-library server gives each connection a
  thread: about 32 slow clients stopped it).
- ``max_request_body_size`` is the receiver's body limit: a longer ``Content-Length`` is
  refused with 413 as soon as the headers are in, a chunked body as soon as it passes the limit;
  ``inbuf_overflow`` is set above it, so a body is never spooled to disk.
- ``max_request_header_size`` 16 KiB: a browser's headers are 1-2 KiB.
- ``channel_timeout``: an idle connection (nothing received) is closed after this many seconds.
  waitress has no limit on the *total* time a request may take to arrive, so ``DeadlineServer``
  adds one: a request not complete ``request_timeout`` seconds after its first byte is dropped.
- ``connection_limit``: each open connection costs a socket and at most header + body limit
  bytes of memory; 1000 of them is ~32 MiB at most, within the usual 1024 open-file limit.
  When the limit is reached waitress stops accepting (new clients wait in the listen backlog)
  until the deadlines free some.
- ``threads``: requests are short (validate, one group commit); more threads than cores let
  several posts share one commit (see ``storage.GroupCommitter``).
- Client addresses come from ``X-Forwarded-For`` only when the connection comes from the
  configured ``trusted_proxy``; otherwise the header is removed.
"""

from __future__ import annotations

import logging
import resource
import signal
import threading
import time
from dataclasses import dataclass

from waitress.adjustments import Adjustments
from waitress.server import TcpWSGIServer
from waitress import wasyncore

from .app import LeadApp

log = logging.getLogger("leads")

HEADER_LIMIT = 16 * 1024
# Slack above the body limit for waitress's own buffer: what it reads beyond the headers.
BUFFER_SLACK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """The knobs that bound what one client can hold; see the module docstring for why."""

    threads: int = 16
    connection_limit: int = 1000
    # Seconds a connection may stay silent (before a request, or between two keep-alive ones).
    idle_timeout: int = 10
    # Seconds from a request's first byte to its last.
    request_timeout: float = 20.0
    # How often the deadlines are checked, in seconds.
    sweep_interval: int = 1
    trusted_proxy: str | None = None


def connection_limit(wanted: int) -> int:
    """``wanted``, or less if the process may not open that many files (keep 64 for the
    database, logs and the listening socket)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(16, min(wanted, soft - 64))


class DeadlineServer(TcpWSGIServer):
    """waitress's server plus a deadline on the time a request takes to arrive."""

    request_timeout = 20.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # channel -> (the partial request seen, when it was first seen)
        self._partial: dict[object, tuple[object, float]] = {}

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # idle connections (channel_timeout)
        seen: dict[object, tuple[object, float]] = {}
        for channel in list(self.active_channels.values()):
            request = channel.request  # the request still arriving, if any
            if request is None or channel.requests:
                continue
            previous = self._partial.get(channel)
            started = previous[1] if previous and previous[0] is request else now
            if now - started > self.request_timeout:
                channel.will_close = True  # closed by the loop on its next turn
                continue
            seen[channel] = (request, started)
        self._partial = seen


def make(app: LeadApp, host: str, port: int, limits: Limits = Limits()) -> DeadlineServer:
    """A listening (not yet running) production server for ``app``."""
    body_limit = app.settings.max_body_bytes
    options = dict(
        host=host, port=port, threads=limits.threads,
        connection_limit=connection_limit(limits.connection_limit),
        channel_timeout=limits.idle_timeout, cleanup_interval=limits.sweep_interval,
        max_request_body_size=body_limit, max_request_header_size=HEADER_LIMIT,
        inbuf_overflow=body_limit + HEADER_LIMIT + BUFFER_SLACK,
        asyncore_use_poll=True,  # select() cannot watch more than 1024 sockets
        ident="",  # no Server header naming the software
        clear_untrusted_proxy_headers=True,
        backlog=1024,
    )
    if limits.trusted_proxy:
        options.update(trusted_proxy=limits.trusted_proxy, trusted_proxy_headers={"x-forwarded-for"},
                       trusted_proxy_count=1)
    adj = Adjustments(**options)
    server = DeadlineServer(app, map={}, adj=adj, sockinfo=adj.listen[0])
    server.request_timeout = limits.request_timeout
    return server


def run(server: DeadlineServer, stop: threading.Event, grace: float = 10.0) -> None:
    """Serve until ``stop`` is set; then stop accepting, let the requests in flight finish
    (up to ``grace`` seconds) and close every connection."""
    loop_map = server._map
    while not stop.is_set():
        wasyncore.loop(timeout=0.2, map=loop_map, use_poll=True, count=1)
    wasyncore.dispatcher.close(server)  # the listening socket leaves the loop: no new connections
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(
            getattr(channel, "requests", None) or getattr(channel, "total_outbufs_len", 0)
            for channel in list(loop_map.values())):
        wasyncore.loop(timeout=0.05, map=loop_map, use_poll=True, count=1)
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=grace)
    wasyncore.close_all(loop_map)


def serve(app: LeadApp, host: str, port: int, limits: Limits = Limits()) -> None:
    """Serve until SIGINT/SIGTERM; requests in flight finish, the database is closed."""
    server = make(app, host, port, limits)
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Approdo lead receiver: http://{shown_host}:{server.effective_port}/leads "
          f"(database {app.store.path}, sites {', '.join(app.settings.site_origins)}, server waitress)",
          flush=True)
    if app.loop is not None and not app.loop.site.checking:
        log.warning("consent versions are not checked: pass --site-data (the built site or its URL)")
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    try:
        run(server, stop)
    finally:
        app.close()
