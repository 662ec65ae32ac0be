"""FeedInfo: the few facts about one published feed that every renderer needs.

Owns the feed's identity (id, title, description), where it is served (base_url and the URLs
derived from it), its language, output time zone and refresh interval. It must not know which
events belong in the feed (that is the lead's orchestration) nor read settings or the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.model import EventRecord


@dataclass(frozen=True)
class FeedInfo:
    """One published feed as the renderers see it.

    ``base_url`` is the public root of the web app (no trailing slash needed); feed files are
    served at ``<base_url>/feeds/<id>.<ext>`` and event pages at ``<base_url>/events/<id>``.
    ``timezone`` is the *output* zone: every time in every format is written in it.
    """

    id: str
    title: str
    description: str = ""
    base_url: str = "http://127.0.0.1:8000"
    language: str = "nb"
    timezone: str = "Europe/Oslo"
    refresh: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        problems = []
        if not self.id or any(c in self.id for c in "/\\ \t\r\n"):
            problems.append(f"feed id {self.id!r} must be a non-empty name without slashes or spaces")
        if not self.base_url.startswith(("http://", "https://")):
            problems.append(f"base_url {self.base_url!r} must start with http:// or https://")
        if self.refresh <= timedelta(0):
            problems.append(f"refresh {self.refresh} must be positive")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"timezone {self.timezone!r} is not a known IANA zone")
        if problems:
            raise ValueError("; ".join(problems))

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def home_url(self) -> str:
        return self.base_url.rstrip("/") + "/"

    def feed_url(self, ext: str) -> str:
        """The public URL of this feed rendered as ``ext`` (ics, rss, atom, json)."""
        return f"{self.base_url.rstrip('/')}/feeds/{self.id}.{ext}"

    def event_url(self, record: EventRecord) -> str:
        """The event's own page on our site, used when the source gave no URL."""
        return f"{self.base_url.rstrip('/')}/events/{record.id}"

    def link_for(self, record: EventRecord) -> str:
        """The link a subscriber follows: the source's page when it is a web URL, else ours."""
        url = record.url
        if url and url.startswith(("http://", "https://")) and not any(c.isspace() for c in url):
            # Feeds and .ics URIs must be ASCII (RFC 3986): percent-encode an IRI's "é" etc.,
            # keeping reserved characters and existing %-escapes as they are.
            return quote(url, safe="/:?#[]@!$&'()*+,;=%~", errors="replace")
        return self.event_url(record)
