"""RSS 2.0 and Atom renderers (feedgenerator 2.2): upcoming events as feed items.

Owns how an event reads in a feed reader: the date and time lead the title (readers sort by
publication date, so the date must be visible), the first line of the body gives date, time and
place, ids are stable and built from the public uid. It must not choose which events belong in
the feed, read the clock (``now`` is passed in) or write files.

Output is deterministic: lastBuildDate/updated is the newest ``modified`` among the items (a
fixed epoch for an empty feed), never the wall clock that feedgenerator would otherwise use.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import nh3
from feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from aggregator.model import EventRecord
from aggregator.publish.common import heading, place, price_text, upcoming, when_long, xml_safe
from aggregator.publish.feedinfo import FeedInfo

#: lastBuildDate/updated of a feed with no items: fixed, so an empty feed is byte-stable too.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class _StableDate:
    """Mixin: the feed's own date is the newest item date, never ``datetime.now()``."""

    items: list[dict[str, Any]]

    def latest_post_date(self) -> datetime:
        dates = [d for item in self.items for d in (item.get("updateddate"), item.get("pubdate")) if d]
        return max(dates, default=EPOCH)


class _Rss(_StableDate, Rss201rev2Feed):  # type: ignore[misc]
    pass


class _Atom(_StableDate, Atom1Feed):  # type: ignore[misc]
    pass


def atom_id(record: EventRecord) -> str:
    """A valid, stable Atom id (an IRI) derived from the public uid, which may be any text."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "aggregator:event:" + record.public_uid))


def body_html(record: EventRecord, info: FeedInfo, now: datetime) -> str:
    """Item HTML: a first line with date, time and place, then the (re-sanitised) description."""
    first = f"<strong>{html.escape(when_long(record, info.zone, now))}</strong>"
    where = place(record)
    if where:
        first += ", " + html.escape(where)
    parts = [f"<p>{first}</p>"]
    if record.description_html.strip():
        # normalise already sanitised it; cleaning again is cheap and keeps the feed safe even
        # if a row was written by an older version.
        parts.append(nh3.clean(record.description_html))
    elif record.description.strip():
        parts.append("<p>" + html.escape(record.description.strip()).replace("\n", "<br>") + "</p>")
    extras = []
    price = price_text(record)
    if price:
        extras.append("Pris: " + html.escape(price))
    if record.signup_url and record.signup_url.startswith(("http://", "https://")):
        url = html.escape(record.signup_url, quote=True)
        extras.append(f'<a href="{url}">Påmelding</a>')
    if extras:
        parts.append("<p>" + "<br>".join(extras) + "</p>")
    return xml_safe("\n".join(parts))


def _build(
    feed: SyndicationFeed, info: FeedInfo, events: Iterable[EventRecord], now: datetime, *, atom: bool
) -> bytes:
    for record in upcoming(events, now):
        modified = record.modified.astimezone(UTC)
        feed.add_item(
            title=xml_safe(heading(record, info.zone, now)),
            link=info.link_for(record),
            description=body_html(record, info, now),
            pubdate=modified,
            updateddate=modified,
            unique_id=atom_id(record) if atom else xml_safe(record.public_uid),
            unique_id_is_permalink=False,
            categories=[xml_safe(c.strip()) for c in dict.fromkeys(record.categories) if c.strip()],
        )
    data: str = feed.writeString("utf-8")
    return data.encode("utf-8")


def _common(info: FeedInfo, ext: str) -> dict[str, Any]:
    return {
        "title": xml_safe(info.title),
        "link": info.home_url,
        "description": xml_safe(info.description or info.title),
        "language": info.language,
        "feed_url": info.feed_url(ext),
    }


def render_rss(info: FeedInfo, events: Iterable[EventRecord], *, now: datetime) -> bytes:
    """RSS 2.0: upcoming events sorted by start; guid = public uid (isPermaLink="false")."""
    ttl = max(1, int(info.refresh.total_seconds() // 60))
    feed = _Rss(**_common(info, "rss"), ttl=str(ttl))
    return _build(feed, info, events, now, atom=False)


def render_atom(info: FeedInfo, events: Iterable[EventRecord], *, now: datetime) -> bytes:
    """Atom 1.0: upcoming events sorted by start; entry ids are urn:uuid derived from the uid."""
    # Atom requires an author for every entry; one on the feed covers them all (RFC 4287 4.1.1).
    feed = _Atom(**_common(info, "atom"), author_name=xml_safe(info.title), feed_guid=info.feed_url("atom"))
    return _build(feed, info, events, now, atom=True)
