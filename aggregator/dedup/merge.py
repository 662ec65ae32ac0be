"""The canonical copy of a cluster and its merged fields, plus the notes subscribers read.

Owns the choice of the canonical member (highest source ``priority``; a member still listed by
its source beats one removed from it), the field merge (the richest description, the
organiser's sign-up link, the most precise place, every category), the "Også oppført hos …"
note that keeps every source's link, and the "FLYTTET fra …" note of a moved event. It must
not decide membership, identity, sequence or time of change (the store's cluster sync does)
or render any format.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aggregator.model import EventRecord, Status
from aggregator.publish.common import nb_date, nb_time


@dataclass(frozen=True)
class Merged:
    """A cluster's merged record (identity fields still the canonical member's) and its sources."""

    record: EventRecord
    canonical: int  # index of the canonical member in the input records
    also: tuple[tuple[str, str | None], ...]  # (source id, url) of every other member


def _rank(rec: EventRecord, priorities: dict[str, int], removed: bool) -> tuple[int, int, datetime, str, str]:
    # Lower sorts first: live before removed, higher priority, older, then a stable tiebreak.
    return (int(removed), -priorities.get(rec.source_id, 0), rec.created, rec.source_id, rec.uid)


def merge(
    records: Sequence[EventRecord],
    members: Sequence[int],
    priorities: dict[str, int],
    removed: Collection[int] = (),
) -> Merged:
    """Merge the ``members`` (indices into ``records``) of one cluster."""
    order = sorted(members, key=lambda i: _rank(records[i], priorities, i in removed))
    canon = records[order[0]]
    if len(order) == 1:
        return Merged(canon, order[0], ())
    live = [records[i] for i in order if i not in removed] or [canon]
    ranked = [records[i] for i in order]
    richest = max(
        live, key=lambda r: (len(r.description.strip()) + len(r.description_html.strip()) // 4, r is canon)
    )
    placed = max(
        live,
        key=lambda r: (
            r.latitude is not None and r.longitude is not None,
            bool(r.address),
            len(r.location or ""),
            r is canon,
        ),
    )

    def first(attr: str) -> object:
        return next((getattr(r, attr) for r in ranked if getattr(r, attr) not in (None, "")), None)

    record = evolve(
        canon,
        description=richest.description,
        description_html=richest.description_html,
        url=canon.url or first("url"),
        # The organiser's sign-up link: the canonical (highest priority) source is the organiser
        # in Borgen's settings (DNT, the kulturskole); others only repeat it.
        signup_url=canon.signup_url or first("signup_url"),
        location=placed.location,
        address=placed.address,
        latitude=placed.latitude,
        longitude=placed.longitude,
        organizer=canon.organizer or first("organizer"),
        categories=tuple(dict.fromkeys(c for r in ranked for c in r.categories)),
        audience=tuple(dict.fromkeys(a for r in ranked for a in r.audience)),
        price=canon.price or first("price"),
        free=canon.free if canon.free is not None else first("free"),
        image_url=canon.image_url or first("image_url"),
        language=canon.language or first("language"),
        status=canon.status if order[0] not in removed else Status.CANCELLED,
    )
    also = tuple((records[i].source_id, records[i].url) for i in order[1:])
    return Merged(record, order[0], also)


def also_listed_text(also: Sequence[tuple[str, str | None]]) -> str:
    parts = [f"{src} ({url})" if url else src for src, url in also]
    return "Også oppført hos: " + ", ".join(parts) + "." if parts else ""


def moved_text(moved_from: datetime, zone: ZoneInfo, now: datetime, all_day: bool) -> str:
    local = moved_from.astimezone(zone)
    when = nb_date(local.date(), now.astimezone(zone).year)
    if not all_day:
        when += f" kl. {nb_time(local)}"
    return f"{MOVED_PREFIX}{when}."


#: How the moved note begins (the event page takes it out again: ``web.pages.without_moved_note``).
MOVED_PREFIX = "FLYTTET fra "


_FIELDS = frozenset(f.name for f in fields(EventRecord))


def evolve(record: EventRecord, **changes: Any) -> EventRecord:
    """``dataclasses.replace`` for records, without its per-field ``__init__``: a publish makes
    one or two per published event, and at 40,000 events ``replace`` was a fifth of a cluster
    sync. The record's fields are copied as they are (they were checked when it was made)."""
    unknown = changes.keys() - _FIELDS
    if unknown or not hasattr(record, "__dict__"):
        return replace(record, **changes)  # raises on an unknown field, as replace does
    new = object.__new__(EventRecord)
    new.__dict__.update(record.__dict__)
    new.__dict__.update(changes)
    return new


def with_notes(
    record: EventRecord,
    also: Sequence[tuple[str, str | None]],
    moved: str | None,
    **changes: Any,
) -> EventRecord:
    """The record as published: the moved note first, the other sources last, in text and HTML
    (and any other ``changes``: the cluster's UID, SEQUENCE and LAST-MODIFIED)."""
    text, markup = record.description.strip(), record.description_html.strip()
    if moved:
        text = f"{moved}\n\n{text}" if text else moved
        if markup:
            markup = f"<p><strong>{html.escape(moved)}</strong></p>\n{markup}"
    note = also_listed_text(also)
    if note:
        text = f"{text}\n\n{note}" if text else note
        if markup:
            links = ", ".join(
                f'<a href="{html.escape(url, quote=True)}">{html.escape(src)}</a>'
                if url
                else html.escape(src)
                for src, url in also
            )
            markup = f"{markup}\n<p>Også oppført hos: {links}.</p>"
    return evolve(record, description=text, description_html=markup, **changes)
