"""Politeness per host: one request at a time and a minimum interval between requests.

Owns the per-host locks and the time each host may next be asked (the settings'
``host_interval``, raised by a robots.txt ``Crawl-delay``). ``fetch.py`` wraps every network
request (robots.txt, every hop of a redirect chain under the hop's own host, adapter
follow-ups) in ``slot(host)``, so the rule holds however many sources share a host, however
many threads collect, and whichever host a redirect lands on. It must not fetch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: A Crawl-delay above this is treated as this: a source is better read slowly than never.
MAX_CRAWL_DELAY = 60.0


class HostGate:
    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._next: dict[str, float] = {}
        self._delay: dict[str, float] = {}

    def set_crawl_delay(self, host: str, seconds: float | None) -> None:
        with self._guard:
            if seconds:
                self._delay[host] = min(max(0.0, seconds), MAX_CRAWL_DELAY)
            else:
                self._delay.pop(host, None)

    def interval_for(self, host: str) -> float:
        return max(self.interval, self._delay.get(host, 0.0))

    def defer(self, host: str, seconds: float) -> None:
        """Ask nothing of ``host`` for ``seconds`` (a Retry-After within the run)."""
        with self._guard:
            self._next[host] = max(self._next.get(host, 0.0), self.clock() + seconds)

    @contextmanager
    def slot(self, host: str) -> Iterator[float]:
        """Hold ``host`` for one request; yields the seconds spent waiting for it (for the lock
        and the interval), which fetch.py does not count against the request's deadline."""
        started = self.clock()
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            wait = self._next.get(host, 0.0) - self.clock()
            if wait > 0:
                self.sleep(wait)
            try:
                yield max(0.0, self.clock() - started)
            finally:
                # Measured from the end of this request: a slow host gets more rest, not less.
                with self._guard:
                    self._next[host] = max(self._next.get(host, 0.0), self.clock() + self.interval_for(host))
