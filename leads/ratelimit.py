"""A sliding-window limit on posts per client, kept in memory only.

Clients are told apart by a keyed hash of their address: the address itself is never kept,
and the key is random per process, so the hashes mean nothing outside it. An IPv6 client is
its /64 network (one home or phone gets a whole /64 and can rotate addresses inside it at
will); an IPv4 client is its address (a NAT shares one, so keep the limit generous). Which
address is the client's is the server's business: behind a proxy, only a configured trusted
proxy's X-Forwarded-For is believed (see leads.production).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import threading
import time
from collections import OrderedDict, deque
from typing import Callable


class RateLimiter:
    """At most ``limit`` hits per client in any ``window`` seconds (``limit`` 0: no limit)."""

    def __init__(self, limit: int, window: float, max_clients: int = 50_000,
                 clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self.clock = clock
        self._key = secrets.token_bytes(16)
        self._hits: OrderedDict[bytes, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, client: str) -> float:
        """Count one post; returns 0 if allowed, else the seconds until the next is allowed."""
        if self.limit <= 0:
            return 0.0
        key = hashlib.blake2b(client_key(client).encode("utf-8", "replace"), key=self._key,
                              digest_size=16).digest()
        now = self.clock()
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            # Most recently active last: the oldest idle clients are forgotten first.
            self._hits[key] = hits
            if len(self._hits) > self.max_clients:
                self._hits.popitem(last=False)
            if len(hits) >= self.limit:
                return max(hits[0] + self.window - now, 0.001)
            hits.append(now)
            return 0.0


def client_key(address: str) -> str:
    """What the limit counts: an IPv6 /64 network, an IPv4 address (also when written as an
    IPv4-mapped IPv6 address), or the text as it is when it is not an address."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]").split("%")[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
