"""Slowing down bots without tracking anyone: fixed-window counters in the cache.

The counter key is a SHA-256 of the scope and the caller's key (an IP address, a user name),
so the cache holds no address in clear, and the entry disappears with its window. With
``CANDOR_REDIS_URL`` set the counters are shared by every app server; otherwise each process
counts for itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Throttle:
    """At most ``limit`` attempts per ``window`` seconds for one key within ``scope``."""

    scope: str
    limit: int
    window: int

    def _key(self, key: str) -> str:
        digest = hashlib.sha256(f"{self.scope}\x00{key}".encode()).hexdigest()
        return f"throttle:{self.scope}:{digest[:32]}"

    def hit(self, key: str) -> bool:
        """Count one attempt; True while the key is within its limit, False once it is over."""
        cache_key = self._key(key)
        if cache.add(cache_key, 1, timeout=self.window):
            return True
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=self.window)
            return True
        return count <= self.limit

    def blocked(self, key: str) -> bool:
        """Whether the key is over its limit, without counting an attempt."""
        count = cache.get(self._key(key))
        return count is not None and count > self.limit

    def reset(self, key: str) -> None:
        cache.delete(self._key(key))


def client_address(request: HttpRequest) -> str:
    """The caller's address for throttling only (never stored). Behind a proxy, the web
    server is expected to set REMOTE_ADDR from the forwarded header."""
    return str(request.META.get("REMOTE_ADDR", ""))
