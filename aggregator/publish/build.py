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

from aggregator.clusters import Published, sync
from aggregator.filters import EventFilter
from aggregator.model import EventRecord
from aggregator.publish import ics, jsonfeed, rss
from aggregator.publish.changes import render_changes
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


def cluster_view(settings: Settings, store: Store, now: datetime, *, write: bool = True) -> list[Published]:
    """Every cluster from a week back to the longest feed horizon, brought up to date in the
    store (issue 4: a feed shows each real-world event once, under the cluster's UID).
    ``write=False`` computes the same view without keeping anything (the web's read path)."""
    today = day_start(settings, now)
    horizon = max((f.horizon_days for f in settings.feeds.values()), default=settings.horizon_days)
    priorities = {sid: src.priority for sid, src in settings.sources.items()}
    return sync(
        store,
        priorities,
        settings.zone,
        today - timedelta(days=PAST_DAYS_IN_CALENDAR),
        today + timedelta(days=horizon + 1),
        now,
        write=write,
        same_places=settings.same_places,
        same_words=settings.same_words,
        kinds=settings.kinds,
        names={sid: src.names for sid, src in settings.sources.items() if src.names},
    )


def feed_clusters(
    settings: Settings,
    feed: FeedSettings,
    view: list[Published],
    now: datetime,
    extra: EventFilter | None = None,
) -> list[Published]:
    """The clusters of one feed: those with a member the feed's filter accepts, within its horizon."""
    end = day_start(settings, now) + timedelta(days=feed.horizon_days + 1)
    wanted = feed_filter(feed)
    return [
        p
        for p in view
        if p.record.start < end
        and any(wanted.matches(m) and (extra is None or extra.matches(m)) for m in p.members)
    ]


def select_events(
    settings: Settings,
    store: Store,
    feed: FeedSettings,
    now: datetime,
    extra: EventFilter | None = None,
    view: list[Published] | None = None,
) -> list[EventRecord]:
    """Events of a feed for its calendar file: a week back to the feed's horizon, one per cluster."""
    if view is None:
        view = cluster_view(settings, store, now)
    return [p.record for p in feed_clusters(settings, feed, view, now, extra)]


def upcoming(events: list[EventRecord], settings: Settings, now: datetime) -> list[EventRecord]:
    """Events that have not ended before today (RSS/Atom/JSON show only these)."""
    today = day_start(settings, now)
    return [e for e in events if (e.end or e.start) > today or e.start >= today]


def render_feed(
    settings: Settings,
    feed: FeedSettings,
    events: list[EventRecord],
    now: datetime,
    fmt: str,
    also: dict[str, tuple[tuple[str, str | None], ...]] | None = None,
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
        return jsonfeed.render_jsonfeed(info, soon, now=today, also=also), []
    raise ValueError(f"unknown format {fmt!r}")


def publish_all(settings: Settings, store: Store, now: datetime) -> PublishReport:
    report = PublishReport()
    settings.feeds_dir.mkdir(parents=True, exist_ok=True)
    view = cluster_view(settings, store, now)
    for feed in settings.feeds.values():
        chosen = feed_clusters(settings, feed, view, now)
        events = [p.record for p in chosen]
        also = {p.record.public_uid: p.also for p in chosen if p.also}
        report.counts[feed.id] = len(events)
        for name, body in render_changes(
            feed_info(settings, feed), store, chosen, now, today=day_start(settings, now)
        ):
            path = settings.feeds_dir / name
            (report.written if write_atomic(path, body) else report.unchanged).append(path)
        for fmt in FORMATS:
            body, warnings = render_feed(settings, feed, events, now, fmt, also)
            for warning in warnings:
                log.warning("%s", warning)
            report.warnings.extend(warnings)
            path = settings.feeds_dir / f"{feed.id}.{fmt}"
            (report.written if write_atomic(path, body) else report.unchanged).append(path)
    return report
