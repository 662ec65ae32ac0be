"""The changes feeds, ``<feed>-changes.rss`` and ``<feed>-changes.json``: what changed, when.

Owns one item per new, moved, changed or cancelled event of a feed (from the store's change
log, ``aggregator/clusters.py``), dated by the change rather than by the event, so readers and
embedding sites learn about a cancelled tour the day it is cancelled although calendar apps
refresh slowly. It must not decide what changed (the cluster sync does) or read the clock.

Deterministic: items come from stored rows in a fixed order, and the feed's own date is the
newest change, so an unchanged log gives byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from aggregator.clusters import Published, changes_since
from aggregator.model import EventRecord
from aggregator.publish.common import display_title, nb_date, nb_time, place, xml_safe
from aggregator.publish.feedinfo import FeedInfo
from aggregator.publish.rss import _Rss
from aggregator.store import Store
from aggregator.store_clusters import ChangeEntry

#: How far back the changes feeds reach, and how many items they carry at most.
KEEP = timedelta(days=30)
MAX_ITEMS = 200
LABELS = {"new": "Nytt", "moved": "Flyttet", "changed": "Endret", "cancelled": "AVLYST"}


def _when(dt: datetime, record: EventRecord, info: FeedInfo, now: datetime) -> str:
    local = dt.astimezone(info.zone)
    text = nb_date(local.date(), now.astimezone(info.zone).year)
    return text if record.all_day else f"{text} kl. {nb_time(local)}"


def _entries(
    store: Store, chosen: Sequence[Published], today: datetime
) -> list[tuple[ChangeEntry, Published]]:
    by_cluster = {p.cluster_id: p for p in chosen}
    found = [
        (c, by_cluster[c.cluster_id])
        for c in changes_since(store, today - KEEP)
        if c.cluster_id in by_cluster
    ]
    return found[:MAX_ITEMS]


def _texts(entry: ChangeEntry, pub: Published, info: FeedInfo, now: datetime) -> tuple[str, str]:
    record = pub.record
    title = record.title.strip()
    when = _when(entry.start, record, info, now)
    heading = f"{LABELS.get(entry.kind, entry.kind)}: {title} – {when}"
    lines = []
    if entry.kind == "moved" and entry.old_start is not None:
        lines.append(f"Flyttet fra {_when(entry.old_start, record, info, now)} til {when}.")
    elif entry.kind == "cancelled":
        lines.append(f"{display_title(record)} {when} er avlyst.")
    else:
        lines.append(f"{title}, {when}.")
    where = place(record)
    if where:
        lines.append(where)
    return heading, "\n".join(lines)


def render_changes(
    info: FeedInfo, store: Store, chosen: Sequence[Published], now: datetime, *, today: datetime
) -> list[tuple[str, bytes]]:
    """``(file name, body)`` for the feed's changes RSS and JSON Feed."""
    entries = _entries(store, chosen, today)
    rss = _Rss(
        title=xml_safe(f"{info.title} – endringer"),
        link=info.home_url,
        description=xml_safe(f"Nye, flyttede, endrede og avlyste arrangementer i {info.title}"),
        language=info.language,
        feed_url=f"{info.base_url.rstrip('/')}/feeds/{info.id}-changes.rss",
    )
    items = []
    for entry, pub in entries:
        heading, text = _texts(entry, pub, info, now)
        at = entry.at.astimezone(UTC)
        item_id = f"{entry.public_uid}#{entry.sequence}-{entry.kind}"
        link = info.link_for(pub.record)
        rss.add_item(
            title=xml_safe(heading),
            link=link,
            description=xml_safe(text.replace("\n", "<br>")),
            pubdate=at,
            updateddate=at,
            unique_id=xml_safe(item_id),
            unique_id_is_permalink=False,
        )
        items.append(
            {
                "id": item_id,
                "url": link,
                "title": heading,
                "content_text": text,
                "date_published": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "_aggregator": {
                    "kind": entry.kind,
                    "event_id": entry.public_uid,
                    "sequence": entry.sequence,
                    "start": entry.start.astimezone(info.zone).isoformat(),
                    "old_start": entry.old_start.astimezone(info.zone).isoformat()
                    if entry.old_start
                    else None,
                    "status": pub.record.status.value,
                },
            }
        )
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{info.title} – endringer",
        "home_page_url": info.home_url,
        "feed_url": f"{info.base_url.rstrip('/')}/feeds/{info.id}-changes.json",
        "language": info.language,
        "items": items,
    }
    body = json.dumps(feed, sort_keys=True, ensure_ascii=False, allow_nan=False, indent=1) + "\n"
    rss_body: str = rss.writeString("utf-8")
    return [
        (f"{info.id}-changes.rss", rss_body.encode("utf-8")),
        (f"{info.id}-changes.json", body.encode("utf-8", errors="replace")),
    ]
