"""Publish every configured feed from the store: choose events, render, write atomically.

The time window is computed from the *local day* of ``now``, so publishing twice on the same
day from the same store gives byte-identical files (and stable ETags). Calendar files keep a
week of the recent past so subscribers still see what just happened; RSS/Atom/JSON carry
only upcoming events. Removed and cancelled events stay (as cancelled) until they have passed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from aggregator.filters import EventFilter
from aggregator.model import EventRecord
from aggregator.publish import ics, jsonfeed, rss
from aggregator.publish.feedinfo import FeedInfo
from aggregator.publish.writer import write_atomic
from aggregator.settings import FeedSettings, Settings
from aggregator.store import Store

log = logging.getLogger("aggregator.publish")

PAST_DAYS_IN_CALENDAR = 7
FORMATS = ("ics", "rss", "atom", "json")


@dataclass
class PublishReport:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def feed_info(settings: Settings, feed: FeedSettings) -> FeedInfo:
    return FeedInfo(
        id=feed.id,
        title=feed.title,
        description=feed.description,
        base_url=settings.base_url,
        timezone=settings.timezone,
    )


def feed_filter(feed: FeedSettings) -> EventFilter:
    return EventFilter(
        sources=feed.sources,
        categories=feed.categories,
        audience=feed.audience,
        places=feed.places,
        near=feed.near,
    )


def day_start(settings: Settings, now: datetime) -> datetime:
    local = now.astimezone(settings.zone)
    return datetime.combine(local.date(), time(0), tzinfo=settings.zone)


def select_events(
    settings: Settings, store: Store, feed: FeedSettings, now: datetime, extra: EventFilter | None = None
) -> list[EventRecord]:
    """Events of a feed for its calendar file: a week back to the feed's horizon."""
    today = day_start(settings, now)
    events = store.events_between(
        today - timedelta(days=PAST_DAYS_IN_CALENDAR),
        today + timedelta(days=feed.horizon_days + 1),
        sources=feed.sources,
    )
    events = feed_filter(feed).apply(events)
    return extra.apply(events) if extra is not None else events


def upcoming(events: list[EventRecord], settings: Settings, now: datetime) -> list[EventRecord]:
    """Events that have not ended before today (RSS/Atom/JSON show only these)."""
    today = day_start(settings, now)
    return [e for e in events if (e.end or e.start) > today or e.start >= today]


def render_feed(
    settings: Settings, feed: FeedSettings, events: list[EventRecord], now: datetime, fmt: str
) -> tuple[bytes, list[str]]:
    info = feed_info(settings, feed)
    today = day_start(settings, now)
    if fmt == "ics":
        body, _last_day, warnings = ics.fit_ics(info, events, now=today, max_bytes=feed.max_bytes)
        return body, warnings
    soon = upcoming(events, settings, now)
    if fmt == "rss":
        return rss.render_rss(info, soon, now=today), []
    if fmt == "atom":
        return rss.render_atom(info, soon, now=today), []
    if fmt == "json":
        return jsonfeed.render_jsonfeed(info, soon, now=today), []
    raise ValueError(f"unknown format {fmt!r}")


def publish_all(settings: Settings, store: Store, now: datetime) -> PublishReport:
    report = PublishReport()
    settings.feeds_dir.mkdir(parents=True, exist_ok=True)
    for feed in settings.feeds.values():
        events = select_events(settings, store, feed, now)
        report.counts[feed.id] = len(events)
        for fmt in FORMATS:
            body, warnings = render_feed(settings, feed, events, now, fmt)
            for warning in warnings:
                log.warning("%s", warning)
            report.warnings.extend(warnings)
            path = settings.feeds_dir / f"{feed.id}.{fmt}"
            (report.written if write_atomic(path, body) else report.unchanged).append(path)
    return report
