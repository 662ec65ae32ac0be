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

import logging
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
WARM_EVERY = 0.5  # seconds between the warmer's looks at the store (one aggregate query, < 1 ms)
log = logging.getLogger(__name__)
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

    Reading and clustering 2,000 events costs ~250 ms on the reference machine (the ORM read
    is ~60 ms of it), far more than the 50 ms a page may take; the rendering itself is a few
    ms. So results are kept, keyed by what was asked, in one *generation* per store version
    (``Store.events_version()``, one cheap aggregate query). Cached values are shared between
    requests: callers never mutate them (every filter here builds a new list).

    Without the warmer (tests, scripts) every request compares the version and a write starts
    a new, empty generation at once: a visitor sees a write on the next request and the first
    one pays for the read. With the warmer (``start_warming()``; the app's lifespan starts it
    under uvicorn) requests never look at the store's version: a thread notices a new version
    (or a new local day) within ``WARM_EVERY`` seconds, computes the cluster view and only
    then swaps in the new generation. Visitors keep being served the previous, consistent
    generation meanwhile, about a second behind the store at worst (pages are cached for 60 s
    by browsers anyway), and nobody pays for the read; if the store cannot be read, the last
    good generation stays. Either way a value already being computed is waited for, never
    computed twice (single flight).
    """

    def __init__(self, store: Store, size: int = 64) -> None:
        self.store = store
        self.size = size
        self._version: tuple[Any, ...] | None = None
        self._memo: dict[Hashable, Any] = {}
        self._lock = threading.Lock()
        self._inflight: dict[Hashable, threading.Event] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.warmed = 0  # generations the warmer swapped in (tests and the benchmark read it)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        version: tuple[Any, ...] | None = None
        while True:
            with self._lock:
                warming = self._thread is not None
            if not warming:
                version = self.store.events_version()
            with self._lock:
                if not warming and version != self._version:
                    self._memo = {}
                    self._version = version
                memo = self._memo
                if key in memo:
                    return memo[key]  # type: ignore[no-any-return]
                running = self._inflight.get((id(memo), key))
                if running is None:
                    done = self._inflight[(id(memo), key)] = threading.Event()
                    break
            # Someone (another request) is computing this very value: wait for it, then look again.
            running.wait(timeout=30)
        try:
            value = compute()
            with self._lock:
                if self._memo is memo:  # the generation it was computed for is still current
                    if len(memo) >= self.size:
                        memo.pop(next(iter(memo)))
                    memo[key] = value
            return value
        finally:
            with self._lock:
                self._inflight.pop((id(memo), key), None)
            done.set()

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

    def cluster_index(self, settings: Settings, now: datetime) -> dict[int, Published]:
        """Each member event's id -> its published cluster (the event page's lookup)."""
        day = day_start(settings, now)
        return self.memo(("cluster-index", day), lambda: _index(self.clusters(settings, now)))

    def start_warming(self, settings: Settings, clock: Callable[[], datetime]) -> None:
        """Keep the cluster view computed in a daemon thread until ``stop_warming()``."""
        with self._lock:
            if self._thread is not None:
                return
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._warm_loop, args=(settings, clock), name="web-cache-warmer", daemon=True
            )
        self._thread.start()

    def stop_warming(self) -> None:
        self._stop.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=30)

    def _warm_loop(self, settings: Settings, clock: Callable[[], datetime]) -> None:
        seen: tuple[Any, ...] | None = None
        while not self._stop.is_set():
            try:
                now = clock()
                version, day = self.store.events_version(), day_start(settings, now)
                if (version, day) != seen:
                    # Computed outside the lock and outside any generation: visitors go on
                    # reading the current one until the new one is complete.
                    view = cluster_view(settings, self.store, now, write=False)
                    fresh: dict[Hashable, Any] = {
                        ("clusters", day): view,
                        ("cluster-index", day): _index(view),
                    }
                    with self._lock:
                        self._version, self._memo = version, fresh
                    seen = (version, day)
                    self.warmed += 1
            except Exception:  # a database hiccup must not stop the warmer: the last view stays
                log.warning("web cache warmer: could not read the store", exc_info=True)
            self._stop.wait(WARM_EVERY)


def _index(view: list[Published]) -> dict[int, Published]:
    return {m.id: p for p in view for m in p.members}


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
    if isinstance(store, CachedReader):
        return store.cluster_index(settings, now).get(event_id)
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
