"""JSON Feed 1.1 renderer (https://www.jsonfeed.org/version/1.1/): upcoming events as items.

Owns the JSON Feed document and the ``_aggregator`` extension object that carries the event's
structured facts (start, end, place, status, ...) for programs. It must not choose which events
belong in the feed, read the clock (``now`` is passed in) or write files.

Deterministic: sorted keys, compact separators, UTF-8 without ASCII escaping, and
``allow_nan=False`` so a NaN coordinate can never produce invalid JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from aggregator.model import EventRecord
from aggregator.publish.common import display_title, heading, place, upcoming, when_long
from aggregator.publish.feedinfo import FeedInfo
from aggregator.publish.rss import body_html

VERSION = "https://jsonfeed.org/version/1.1"


def _rfc3339(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _text(record: EventRecord, info: FeedInfo, now: datetime) -> str:
    first = when_long(record, info.zone, now)
    where = place(record)
    lines = [f"{first}, {where}" if where else first]
    if record.description.strip():
        lines += ["", record.description.strip()]
    return "\n".join(lines)


def _extension(record: EventRecord, info: FeedInfo) -> dict[str, Any]:
    zone = info.zone
    lat, lon = _finite(record.latitude), _finite(record.longitude)
    return {
        "name": record.title,
        "start": record.start.astimezone(zone).isoformat(),
        "end": record.end.astimezone(zone).isoformat() if record.end is not None else None,
        "all_day": record.all_day,
        "timezone": info.timezone,
        "status": record.status.value,
        "location": record.location,
        "address": record.address,
        "place": place(record) or None,
        "geo": {"lat": lat, "lon": lon} if lat is not None and lon is not None else None,
        "organizer": record.organizer,
        "categories": list(dict.fromkeys(record.categories)),
        "audience": list(dict.fromkeys(record.audience)),
        "price": record.price,
        "free": record.free,
        "signup_url": record.signup_url,
        "source": record.source_id,
        "sequence": record.sequence,
    }


def _item(record: EventRecord, info: FeedInfo, now: datetime) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": record.public_uid,
        "url": info.link_for(record),
        "title": heading(record, info.zone, now),
        "summary": f"{when_long(record, info.zone, now)} – {display_title(record)}",
        "content_html": body_html(record, info, now),
        "content_text": _text(record, info, now),
        "date_published": _rfc3339(record.modified),
        "date_modified": _rfc3339(record.modified),
        "_aggregator": _extension(record, info),
    }
    if record.url and record.url != item["url"]:
        item["external_url"] = record.url
    tags = [c.strip() for c in dict.fromkeys(record.categories) if c.strip()]
    if tags:
        item["tags"] = tags
    if record.image_url and record.image_url.startswith(("http://", "https://")):
        item["image"] = record.image_url
    if record.language:
        item["language"] = record.language
    return item


def _with_also(
    item: dict[str, Any], also: Mapping[str, Sequence[tuple[str, str | None]]] | None
) -> dict[str, Any]:
    listed = (also or {}).get(item["id"])
    if listed:
        item["_aggregator"]["also_listed_by"] = [{"source": src, "url": url} for src, url in listed]
    return item


def render_jsonfeed(
    info: FeedInfo,
    events: Iterable[EventRecord],
    *,
    now: datetime,
    also: Mapping[str, Sequence[tuple[str, str | None]]] | None = None,
) -> bytes:
    """JSON Feed 1.1 of the upcoming events, sorted by start.

    ``also`` maps a public uid to the other sources listing the same event (issue 4): they go
    into ``_aggregator.also_listed_by`` as ``{"source", "url"}`` objects.
    """
    feed = {
        "version": VERSION,
        "title": info.title,
        "home_page_url": info.home_url,
        "feed_url": info.feed_url("json"),
        "description": info.description or info.title,
        "language": info.language,
        "authors": [{"name": info.title, "url": info.home_url}],
        "items": [_with_also(_item(record, info, now), also) for record in upcoming(events, now)],
    }
    # Compact on purpose: with an indent, json.dumps falls back to its pure-Python encoder,
    # which was most of publish's time and memory at 40,000 events (BENCHMARKS.md).
    text = json.dumps(feed, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    # A lone surrogate (from a broken provider escape) cannot be UTF-8; replace, never crash.
    return (text + "\n").encode("utf-8", errors="replace")
