"""robots.txt rules per host (RFC 9309), parsed with protego (the stdlib parser ignores
wildcards). Owns the cache of parsed rules and what an unreachable robots.txt means; fetch.py
downloads the file and asks here. It must not talk to the network itself.

RFC 9309 §2.3.1: a 4xx robots.txt means "no rules"; a 5xx or an unreachable one means
"assume everything is disallowed" for now, so such answers are cached only briefly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

#: the product token our robots.txt rules are matched against (``User-agent: aggregator``)
AGENT = "aggregator"
KEEP = 24 * 3600.0  # a fetched robots.txt is trusted this long
KEEP_FAILURE = 600.0  # an unreachable one is asked again after this
#: RFC 9309 §2.5: parsers must read at least 500 KiB; more is not needed
MAX_ROBOTS_BYTES = 512 * 1024


@dataclass(frozen=True)
class Rules:
    parser: Protego | None  # None: no rules (4xx)
    disallow_all: str | None  # why everything is disallowed (5xx, unreachable), or None
    fetched: float

    def allows(self, url: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, AGENT))

    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(AGENT)
        return float(delay) if delay else None


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def from_response(status: int, body: bytes, now: float) -> Rules:
    if 200 <= status < 300:
        text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        return Rules(Protego.parse(text), None, now)
    if 400 <= status < 500:
        return Rules(None, None, now)
    return Rules(None, f"robots.txt answered HTTP {status}", now)


def unreachable(reason: str, now: float) -> Rules:
    return Rules(None, f"robots.txt unreachable ({reason})", now)


class RobotsCache:
    """Parsed rules per origin (scheme://host:port); thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._rules: dict[str, Rules] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> Rules | None:
        with self._lock:
            rules = self._rules.get(origin(url))
        if rules is None:
            return None
        keep = KEEP_FAILURE if rules.disallow_all else KEEP
        return rules if self.clock() - rules.fetched < keep else None

    def put(self, url: str, rules: Rules) -> None:
        with self._lock:
            self._rules[origin(url)] = rules
