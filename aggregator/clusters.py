"""The store's cluster sync: applies dedup's verdicts to the cluster tables, and reads them back.

Part of the store (it writes only the tables declared in ``store.py``: cluster, cluster_member,
dedup_decision, change_log). It owns the published identity of a cluster — its UID, SEQUENCE
and LAST-MODIFIED, which never go back, whichever member is canonical and wherever the event
moves — the "moved" bookkeeping, the change log the changes feeds read, and the operator's
split/merge decisions. It must not compare events (``aggregator.dedup``) or render any format.

A cluster keeps its row as long as any of its members stays in a cluster that inherits it: a
regrouping gives each new group the old cluster most of its members came from (the one holding
the old canonical member first), so the UID survives a canonical change, a new source joining,
and a split (the split-off member gets back the UID it had before it was merged, if any).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from aggregator.dedup import Cluster, Decisions, Key, cluster, key_of, merge, with_notes
from aggregator.dedup.merge import moved_text
from aggregator.model import EventRecord, Status
from aggregator.store import ChangeEntry, ClusterMember, ClusterRow, DedupDecision, Event, Store

#: How long a moved event says "FLYTTET fra …" in its description.
MOVED_NOTE_FOR = timedelta(days=14)


@dataclass(frozen=True)
class Published:
    """One cluster as the feeds show it, with the member events it was built from."""

    record: EventRecord
    members: tuple[EventRecord, ...]
    also: tuple[tuple[str, str | None], ...]
    cluster_id: int
    links: tuple[tuple[str, float, str], ...] = ()  # (member source, score, reasons) per merge


def _hash(values: Sequence[Any]) -> str:
    return hashlib.sha256(json.dumps(values, ensure_ascii=False, default=str).encode()).hexdigest()[:32]


def _material(r: EventRecord) -> str:
    return _hash([r.title, r.start, r.end, r.all_day, r.status.value, r.url, r.location, r.address])


def _published_fp(r: EventRecord) -> str:
    return _hash(
        [
            r.title,
            r.start,
            r.end,
            r.all_day,
            r.status.value,
            r.description,
            r.url,
            r.location,
            r.address,
            r.signup_url,
        ]
    )


def decisions(store: Store) -> Decisions:
    with store.session() as s:
        rows = s.exec(select(DedupDecision).order_by(col(DedupDecision.id))).all()
    together: set[frozenset[Key]] = set()
    apart: set[frozenset[Key]] = set()
    for d in rows:
        pair = frozenset({(d.a_source, d.a_uid, d.a_rid), (d.b_source, d.b_uid, d.b_rid)})
        (together if d.kind == "together" else apart).add(pair)
        (apart if d.kind == "together" else together).discard(pair)  # the latest decision wins
    return Decisions(frozenset(together), frozenset(apart))


def record_decision(store: Store, kind: str, a: Key, b: Key, now: datetime) -> None:
    """Persist an operator decision ("together" or "apart") between two event identities."""
    with store.session() as s:
        s.add(
            DedupDecision(
                kind=kind,
                a_source=a[0],
                a_uid=a[1],
                a_rid=a[2],
                b_source=b[0],
                b_uid=b[1],
                b_rid=b[2],
                created=now,
            )
        )
        s.commit()


def sync(
    store: Store,
    priorities: dict[str, int],
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    write: bool = True,
) -> list[Published]:
    """Cluster the stored events between ``start`` and ``end``, bring the cluster tables up to
    date (writing only what changed) and return the clusters as published, sorted by start.

    With ``write=False`` nothing is kept (the transaction is rolled back): the web server reads
    the clusters this way, so serving never writes; publishing after each collection persists.
    """
    records = store.events_between(start, end)
    with store.session() as s:
        ids = [r.id for r in records]
        removed = _removed_ids(s, ids)
        groups = cluster(records, priorities, zone, decisions(store))
        # Plain rows, not ORM objects: at 40,000 events building objects was most of the cost.
        members_of = {m.event_id: m for m in s.execute(sa_select(ClusterMember.__table__)).all()}  # type: ignore[attr-defined]
        clusters = {c.id: c for c in s.execute(sa_select(ClusterRow.__table__)).all()}  # type: ignore[attr-defined]
        owner = _assign(groups, records, members_of, clusters)
        out = _apply(s, groups, records, removed, owner, members_of, clusters, priorities, zone, now)
        if write:
            s.commit()
        else:
            s.rollback()
    return sorted(out, key=lambda p: (p.record.start, p.record.public_uid))


def _removed_ids(s: Session, ids: list[int]) -> set[int]:
    found: set[int] = set()
    for i in range(0, len(ids), 20000):
        chunk = ids[i : i + 20000]
        stmt = sa_select(col(Event.id)).where(col(Event.id).in_(chunk), col(Event.removed).is_(True))
        found.update(int(x) for x in s.execute(stmt).scalars())
    return found


def _assign(
    groups: list[Cluster],
    records: Sequence[EventRecord],
    members_of: dict[int, Any],
    clusters: dict[int | None, Any],
) -> dict[int, int | None]:
    """For each group (by position), the existing cluster id it inherits, or None."""
    offers: list[tuple[int, int, int, int]] = []  # (-holds canonical, -count, cluster id, group)
    for g, group in enumerate(groups):
        counts = Counter(
            members_of[records[i].id].cluster_id for i in group.members if records[i].id in members_of
        )
        event_ids = {records[i].id for i in group.members}
        for cid, n in counts.items():
            row = clusters.get(cid)
            holds = row is not None and row.canonical_event_id in event_ids
            offers.append((-int(holds), -n, cid, g))
    offers.sort()
    owner: dict[int, int | None] = {}
    taken: set[int] = set()
    for _, _, cid, g in offers:
        if g not in owner and cid not in taken:
            owner[g] = cid
            taken.add(cid)
    by_uid = {row.public_uid: cid for cid, row in clusters.items() if cid is not None}
    for g, group in enumerate(groups):
        if g in owner:
            continue
        # A member split off (or a cluster that lost its members earlier) gets its old row back.
        for i in group.members:
            old = by_uid.get(records[i].public_uid)
            if old is not None and old not in taken:
                owner[g] = old
                taken.add(old)
                break
        else:
            owner[g] = None
    return owner


def _apply(
    s: Session,
    groups: list[Cluster],
    records: Sequence[EventRecord],
    removed: set[int],
    owner: dict[int, int | None],
    members_of: dict[int, Any],
    clusters: dict[int | None, Any],
    priorities: dict[str, int],
    zone: ZoneInfo,
    now: datetime,
) -> list[Published]:
    used_uids = {row.public_uid for row in clusters.values()}
    next_id = max((cid for cid in clusters if cid is not None), default=0) + 1
    new_rows: list[dict[str, Any]] = []
    row_updates: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    member_writes: list[dict[str, Any]] = []
    out: list[Published] = []
    for g, group in enumerate(groups):
        index_removed = {i for i in group.members if records[i].id in removed}
        merged = merge(records, group.members, priorities, index_removed)
        base = merged.record
        members = [records[i] for i in group.members]
        row = clusters.get(owner[g])
        material = _material(base)
        if row is None:
            cid: int = next_id
            uid = base.public_uid if base.public_uid not in used_uids else _fresh_uid(base, used_uids)
            used_uids.add(uid)
            next_id += 1
            sequence = max(m.sequence for m in members)
            modified = max(m.modified for m in members)
            published = replace(
                with_notes(base, merged.also, None), public_uid=uid, sequence=sequence, modified=modified
            )
            new_rows.append(
                {
                    "id": cid,
                    "public_uid": uid,
                    "fingerprint": _published_fp(published),
                    "material": material,
                    "sequence": sequence,
                    "created": now,
                    "modified": modified,
                    "start": base.start,
                    "status": base.status.value,
                    "title": base.title,
                    "moved_from": None,
                    "moved_at": None,
                    "canonical_event_id": base.id,
                }
            )
            kind = "cancelled" if base.status is Status.CANCELLED else "new"
            changes.append(_change(cid, published, kind, None, modified))
        else:
            assert row.id is not None
            cid = row.id
            moved_from, moved_at = row.moved_from, row.moved_at
            if row.start is not None and row.start != base.start:
                moved_from, moved_at = row.start, now
            note = None
            if moved_from is not None and moved_at is not None and now - moved_at < MOVED_NOTE_FOR:
                note = moved_text(moved_from, zone, now, base.all_day)
            published = with_notes(base, merged.also, note)
            fp = _published_fp(published)
            sequence, modified = row.sequence, row.modified
            if fp != row.fingerprint:
                sequence = row.sequence + 1
                latest = max(m.modified for m in members)
                modified = latest if latest > row.modified else now
                kind = None
                if base.status is Status.CANCELLED and row.status != Status.CANCELLED.value:
                    kind = "cancelled"
                elif row.start != base.start:
                    kind = "moved"
                elif material != row.material:
                    kind = "changed"
                published = replace(
                    published, public_uid=row.public_uid, sequence=sequence, modified=modified
                )
                if kind:
                    changes.append(
                        _change(cid, published, kind, row.start if kind == "moved" else None, modified)
                    )
                row_updates.append(
                    {
                        "id": cid,
                        "fingerprint": fp,
                        "material": material,
                        "sequence": sequence,
                        "modified": modified,
                        "start": base.start,
                        "status": base.status.value,
                        "title": base.title,
                        "moved_from": moved_from,
                        "moved_at": moved_at,
                        "canonical_event_id": base.id,
                    }
                )
            elif row.canonical_event_id != base.id:
                row_updates.append(_keep(row, canonical_event_id=base.id))
            published = replace(published, public_uid=row.public_uid, sequence=sequence, modified=modified)
        why = {link.member: link for link in group.links}
        for i in group.members:
            link = why.get(i)
            score = link.score if link else 0.0
            reason = json.dumps(
                {"with": list(key_of(records[link.other])), "why": list(link.reasons)} if link else {},
                ensure_ascii=False,
            )
            old = members_of.get(records[i].id)
            if old is None or old.cluster_id != cid or old.score != score or old.reason != reason:
                member_writes.append(
                    {"event_id": records[i].id, "cluster_id": cid, "score": score, "reason": reason}
                )
        links = tuple((records[lk.member].source_id, lk.score, ", ".join(lk.reasons)) for lk in group.links)
        out.append(Published(published, tuple(members), merged.also, cid, links))
    if new_rows:
        s.execute(insert(ClusterRow), new_rows)
    for group_rows in _same_keys(row_updates):
        s.execute(update(ClusterRow), group_rows)
    if member_writes:
        known = [w for w in member_writes if w["event_id"] in members_of]
        fresh = [w for w in member_writes if w["event_id"] not in members_of]
        if fresh:
            s.execute(insert(ClusterMember), fresh)
        if known:
            s.execute(update(ClusterMember), known)
    if changes:
        s.execute(insert(ChangeEntry), changes)
    return out


def _keep(row: Any, **changes: Any) -> dict[str, Any]:
    return {"id": row.id, **changes}


def _same_keys(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())


def _fresh_uid(record: EventRecord, used: set[str]) -> str:
    n = 1
    while True:
        digest = hashlib.sha256(f"{record.public_uid}\x1f{n}".encode()).hexdigest()[:24]
        uid = f"{digest}@aggregator.borgen"
        if uid not in used:
            return uid
        n += 1


def _change(cid: int, r: EventRecord, kind: str, old_start: datetime | None, at: datetime) -> dict[str, Any]:
    return {
        "cluster_id": cid,
        "public_uid": r.public_uid,
        "at": at,
        "kind": kind,
        "title": r.title,
        "start": r.start,
        "old_start": old_start,
        "sequence": r.sequence,
    }


def changes_since(store: Store, since: datetime) -> list[ChangeEntry]:
    """Change-log entries at or after ``since``, newest first."""
    with store.session() as s:
        stmt = select(ChangeEntry).where(col(ChangeEntry.at) >= since)
        return list(s.exec(stmt.order_by(col(ChangeEntry.at).desc(), col(ChangeEntry.id).desc())).all())
