"""What the web shows: the visitor's filter (from the query string) and the events it selects.

Owns ``WebQuery`` (category, audience, place, source, free, date range, text search, paging,
the feed it narrows), its canonical query string (so every filter combination has one
shareable URL), and ``shown()``, the ONE function every page, the API and the filtered feeds
call to list events. It lists published clusters (one entry per real-world event, its
canonical copy), computed read-only so that serving never writes to the database.

It must not render anything or write the store; it never trusts the query string (values
are length- and count-capped, unknown feeds fall back to the default one).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

from aggregator.clusters import Published
from aggregator.filters import EventFilter, fold
from aggregator.model import EventRecord
from aggregator.publish.build import cluster_view, day_start, feed_filter
from aggregator.publish.common import effective_end, ordered
from aggregator.settings import Settings
from aggregator.store import Store

T = TypeVar("T")
MAX_VALUES = 20  # per filter key: more is an attack or a bug, not a visitor
MAX_LEN = 100
PAGE_SIZE = 60  # keeps the calendar page well under 100 kB even with 2,000 upcoming events
FILTER_KEYS = ("category", "audience", "place", "source", "free", "from", "to", "q")


def _values(params: Mapping[str, Sequence[str]], key: str) -> tuple[str, ...] | None:
    raw = [v.strip()[:MAX_LEN] for v in params.get(key, ())[:MAX_VALUES]]
    kept = tuple(dict.fromkeys(v for v in raw if v))
    return kept or None


def _date(params: Mapping[str, Sequence[str]], key: str) -> date | None:
    for value in params.get(key, ())[:1]:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _int(params: Mapping[str, Sequence[str]], key: str, default: int, low: int, high: int) -> int:
    for value in params.get(key, ())[:1]:
        try:
            return max(low, min(high, int(value)))
        except ValueError:
            return default
    return default


@dataclass(frozen=True)
class WebQuery:
    """One visitor's filter. ``None`` means "no restriction" for every list."""

    feed: str
    categories: tuple[str, ...] | None = None
    audience: tuple[str, ...] | None = None
    places: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    free: bool = False
    start: date | None = None
    end: date | None = None
    text: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, Sequence[str]], settings: Settings) -> WebQuery:
        """From a multi-valued query mapping (``request.query_params`` as lists)."""
        feeds = list(settings.feeds)
        wanted = (params.get("feed") or [""])[0]
        feed = wanted if wanted in settings.feeds else (feeds[0] if feeds else "")
        return cls(
            feed=feed,
            categories=_values(params, "category"),
            audience=_values(params, "audience"),
            places=_values(params, "place"),
            sources=_values(params, "source"),
            free=(params.get("free") or [""])[0] in ("1", "true", "on", "ja", "yes"),
            start=_date(params, "from"),
            end=_date(params, "to"),
            text=((params.get("q") or [""])[0]).strip()[:MAX_LEN],
            page=_int(params, "page", 1, 1, 10_000),
        )

    @property
    def is_filtered(self) -> bool:
        return any((self.categories, self.audience, self.places, self.sources, self.free, self.text))

    def extra_filter(self) -> EventFilter | None:
        """The list filters as an EventFilter (the same matching rules as configured feeds)."""
        if not any((self.categories, self.audience, self.places, self.sources)):
            return None
        return EventFilter(
            sources=self.sources, categories=self.categories, audience=self.audience, places=self.places
        )

    def pairs(self, *, with_feed: bool = True, with_dates: bool = True) -> list[tuple[str, str]]:
        """The canonical query: fixed key order, values in the order given."""
        out: list[tuple[str, str]] = []
        if with_feed and self.feed:
            out.append(("feed", self.feed))
        for key, values in (
            ("category", self.categories),
            ("audience", self.audience),
            ("place", self.places),
            ("source", self.sources),
        ):
            out += [(key, v) for v in values or ()]
        if self.free:
            out.append(("free", "1"))
        if with_dates and self.start:
            out.append(("from", self.start.isoformat()))
        if with_dates and self.end:
            out.append(("to", self.end.isoformat()))
        if self.text:
            out.append(("q", self.text))
        return out

    def query_string(self, *, lang: str | None = None, **changes: object) -> str:
        """``?feed=…&category=…`` for links; ``lang`` kept only when the visitor chose it."""
        query = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        pairs = query.pairs()
        if query.page > 1:
            pairs.append(("page", str(query.page)))
        if lang:
            pairs.append(("lang", lang))
        return "?" + urlencode(pairs) if pairs else ""

    def feed_query(self) -> str:
        """The query of the filtered feed URL: list filters only (feeds have their own window)."""
        pairs = self.pairs(with_feed=False, with_dates=False)
        pairs = [(k, v) for k, v in pairs if k != "q"]
        return "?" + urlencode(pairs) if pairs else ""


class Reader(Protocol):
    def events_between(
        self, start: datetime, end: datetime, sources: Iterable[str] | None = None
    ) -> list[EventRecord]: ...


class CachedReader:
    """The store's reads, remembered until the store changes.

    Reading 2,000 rows through the ORM costs ~100 ms on the reference machine, more than the
    50 ms a page may take; the rendering itself is a few ms. So results are kept, keyed by
    what was asked, and all are dropped as soon as ``Store.events_version()`` (one cheap
    aggregate query per request) says any event was written. Cached lists are shared between
    requests: callers never mutate them (every filter here builds a new list).
    """

    def __init__(self, store: Store, size: int = 64) -> None:
        self.store = store
        self.size = size
        self._version: tuple[Any, ...] | None = None
        self._memo: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        version = self.store.events_version()
        with self._lock:
            if version != self._version:
                self._memo.clear()
                self._version = version
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            if self._version == version:
                if len(self._memo) >= self.size:
                    self._memo.pop(next(iter(self._memo)))
                self._memo[key] = value
        return value

    def events_between(
        self, start: datetime, end: datetime, sources: Iterable[str] | None = None
    ) -> list[EventRecord]:
        wanted = tuple(sources) if sources is not None else None
        return self.memo(
            ("between", start, end, wanted), lambda: self.store.events_between(start, end, wanted)
        )

    def clusters(self, settings: Settings, now: datetime) -> list[Published]:
        """The published clusters (one per real-world event), computed read-only once per store
        change and local day: the same view `aggregator publish` wrote to the feeds."""
        day = day_start(settings, now)
        return self.memo(("clusters", day), lambda: cluster_view(settings, self.store, now, write=False))


def today(settings: Settings, now: datetime) -> date:
    return now.astimezone(settings.zone).date()


def _midnight(settings: Settings, d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=settings.zone)


@lru_cache(maxsize=16_384)
def _folded(text: str) -> str:
    # Folding 2,000 descriptions on every search costs ~30 ms; the texts rarely change.
    return fold(text)


def _matches_text(record: EventRecord, folded: str) -> bool:
    hay = " ".join(filter(None, (record.title, record.description, record.location, record.organizer)))
    return folded in _folded(hay)


def shown(
    settings: Settings,
    store: Reader,
    query: WebQuery,
    now: datetime,
    *,
    days: int | None = None,
    upcoming_only: bool = True,
) -> list[EventRecord]:
    """THE list of events the web shows for ``query``: the feed's filter, the visitor's filters,
    the date range (default: today to the feed's horizon), sorted by start.

    Events that have already ended are left out when ``upcoming_only`` (the calendar, the
    screen); the print programme asks for whole days.
    """
    return refine(window(settings, store, query, now, days=days, upcoming_only=upcoming_only), query)


def window(
    settings: Settings,
    store: Reader,
    query: WebQuery,
    now: datetime,
    *,
    days: int | None = None,
    upcoming_only: bool = True,
) -> list[EventRecord]:
    """The feed's events in the query's date range, before the visitor's list filters."""
    feed = settings.feeds.get(query.feed)
    first = query.start or today(settings, now)
    horizon = feed.horizon_days if feed else settings.horizon_days
    last = query.end or (first + timedelta(days=days if days is not None else horizon))
    if last < first:
        first, last = last, first
    start, end = _midnight(settings, first), _midnight(settings, last + timedelta(days=1))
    wanted = feed_filter(feed) if feed is not None else None
    # One entry per cluster (cross-source duplicates shown once, canonical copy); a cluster
    # belongs to the feed when any of its members passes the feed's filter.
    events = [
        p.record
        for p in _clusters(settings, store, now)
        if p.record.start < end
        and (p.record.end or p.record.start) > start
        and (wanted is None or any(wanted.matches(m) for m in p.members))
    ]
    if upcoming_only:
        events = [e for e in events if effective_end(e) > now]
    return ordered(events)


def refine(events: list[EventRecord], query: WebQuery) -> list[EventRecord]:
    """The visitor's filters over a window: lists, free, text."""
    extra = query.extra_filter()
    if extra is not None:
        events = extra.apply(events)
    if query.free:
        events = [e for e in events if e.free]
    if query.text:
        folded = fold(query.text)
        events = [e for e in events if _matches_text(e, folded)]
    return events


def _clusters(settings: Settings, store: Reader, now: datetime) -> list[Published]:
    if isinstance(store, CachedReader):
        return store.clusters(settings, now)
    assert isinstance(store, Store)
    return cluster_view(settings, store, now, write=False)


def cluster_of(settings: Settings, store: Reader, event_id: int, now: datetime) -> Published | None:
    """The published cluster an event belongs to (by any member's id), if it is in the window."""
    for p in _clusters(settings, store, now):
        if p.record.id == event_id or any(m.id == event_id for m in p.members):
            return p
    return None


def listed_by(settings: Settings, store: Reader, record: EventRecord, now: datetime) -> list[EventRecord]:
    """Every source's copy of this event: the members of its cluster (or just itself)."""
    found = cluster_of(settings, store, record.id, now)
    return list(found.members) if found is not None else [record]


def facet_values(events: list[EventRecord]) -> dict[str, list[str]]:
    """The choices the filter form offers: what the window's events actually carry."""
    cats: set[str] = set()
    auds: set[str] = set()
    places: set[str] = set()
    sources: set[str] = set()
    for e in events:
        cats.update(c for c in e.categories if c)
        auds.update(a for a in e.audience if a)
        if e.location:
            places.add(e.location)
        sources.add(e.source_id)
    return {
        "category": sorted(cats, key=fold),
        "audience": sorted(auds, key=fold),
        "place": sorted(places, key=fold)[:200],
        "source": sorted(sources),
    }
