"""The store's cluster sync: applies dedup's verdicts to the cluster tables, and reads them back.

Part of the store (it writes only the tables declared in ``store_clusters.py``: cluster,
cluster_member, dedup_decision, change_log, dedup_state). It owns the published identity of a
cluster — its UID, SEQUENCE and LAST-MODIFIED, which never go back, whichever member is
canonical and wherever the event moves — the "moved" bookkeeping, the change log the changes
feeds read, and the operator's split/merge decisions. It must not compare events
(``aggregator.dedup``) or render any format.

A cluster keeps its row as long as any of its members stays in a cluster that inherits it: a
regrouping gives each new group the old cluster most of its members came from (the one holding
the old canonical member first), so the UID survives a canonical change, a new source joining,
and a split (the split-off member gets back the UID it had before it was merged, if any).

A sync whose inputs are unchanged since the last persisted one (a digest kept in the
``dedup_state`` table) reads the stored clusters back instead of clustering and diffing again,
so a publish after a collection that changed nothing stays cheap.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import String, insert, type_coerce, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from aggregator.dedup import Cluster, Decisions, Key, cluster, key_of, merge, with_notes
from aggregator.dedup.cluster import gc_paused
from aggregator.dedup.merge import evolve, moved_text
from aggregator.model import EventRecord, Status
from aggregator.store import Event, Store
from aggregator.store_clusters import ChangeEntry, ClusterMember, ClusterRow, DedupDecision, DedupState
from aggregator.store_columns import UTCDateTime

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
    moved_from: datetime | None = None  # the old start while the description says "FLYTTET fra …"


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


#: Part of the sync digest: bump it when matching, clustering or merging changes, so clusters
#: stored by older code are never reused.
#: 5: weighted word evidence at one place and start, lexicon.toml, operator same_words;
#: 4: average linkage, kinds of place, operator same_places; 3: lexicon, compounds, fixtures.
DEDUP_VERSION = "33"


class _Member(NamedTuple):
    """A cluster_member row as read with the window's events."""

    event_id: int
    cluster_id: int
    score: float
    reason: str


class _Stored(NamedTuple):
    """What a reused view needs of a cluster row."""

    id: int
    public_uid: str
    sequence: int
    modified: datetime
    start: datetime | None
    moved_from: datetime | None
    moved_at: datetime | None
    canonical_event_id: int | None


#: EventRecord's fields, read as plain rows (in this order) plus what the digest needs.
_RECORD_COLUMNS = tuple(f.name for f in fields(EventRecord))
_COLUMNS = (*_RECORD_COLUMNS, "fingerprint", "removed")


def sync(
    store: Store,
    priorities: dict[str, int],
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    write: bool = True,
    same_places: Sequence[Sequence[str]] = (),
    same_words: Sequence[Sequence[str]] = (),
    names: Mapping[str, Sequence[str]] | None = None,
    kinds: Sequence[tuple[str, Sequence[str]]] = (),
) -> list[Published]:
    """Cluster the stored events between ``start`` and ``end``, bring the cluster tables up to
    date (writing only what changed) and return the clusters as published, sorted by start.

    When nothing the clusters depend on changed since the last persisted sync (the window, the
    events' id/fingerprint/removed/sequence/modified, the operator's decisions, the priorities,
    the zone, ``DEDUP_VERSION``) and no "moved" note has expired, the stored clusters are read
    back instead: no clustering, no table diff, nothing written (``DedupState``).

    With ``write=False`` nothing is kept (the transaction is rolled back): the web server reads
    the clusters this way, so serving never writes; publishing after each collection persists.
    """
    chosen = decisions(store)
    # Tens of thousands of records and published copies, no reference cycles: see gc_paused.
    with gc_paused(), store.session() as s:
        records, removed, members_of, digest = _read_window(
            s, start, end, priorities, zone, chosen, same_places, same_words, names or {}, kinds
        )
        state = s.get(DedupState, 1)
        reused = None
        if (
            state is not None
            and state.digest == digest
            and (state.valid_until is None or now < state.valid_until)
        ):
            reused = _reuse(s, start, end, records, removed, members_of, priorities, zone, now)
        if reused is not None:
            s.rollback()
            out = reused
        else:
            groups = cluster(records, priorities, zone, chosen, same_places, same_words, names or {}, kinds)
            # Plain rows, not ORM objects: at 40,000 events building objects was most of the cost.
            clusters = {c.id: c for c in s.execute(sa_select(ClusterRow.__table__)).all()}  # type: ignore[attr-defined]
            owner = _assign(groups, records, members_of, clusters)
            out, valid_until = _apply(
                s, groups, records, removed, owner, members_of, clusters, priorities, zone, now
            )
            if write:
                if state is None:
                    state = DedupState(id=1)
                state.digest, state.valid_until, state.synced = digest, valid_until, now
                s.add(state)
                s.commit()
            else:
                s.rollback()
    return sorted(out, key=lambda p: (p.record.start, p.record.public_uid))


def _in_window(start: datetime, end: datetime) -> Any:
    """The filter of ``Store.events_between``: events that end after ``start`` and begin before ``end``."""
    return (col(Event.start) < end) & (
        (col(Event.end) > start) | (col(Event.end).is_(None) & (col(Event.start) >= start))
    )


def _read_window(
    s: Session,
    start: datetime,
    end: datetime,
    priorities: dict[str, int],
    zone: ZoneInfo,
    chosen: Decisions,
    same_places: Sequence[Sequence[str]] = (),
    same_words: Sequence[Sequence[str]] = (),
    names: Mapping[str, Sequence[str]] | None = None,
    kinds: Sequence[tuple[str, Sequence[str]]] = (),
) -> tuple[list[EventRecord], set[int], dict[int, _Member], str]:
    """The window's events as records (sorted like ``Store.events_between``), the ids of those
    removed by their source, their cluster memberships, and the digest of everything the
    clusters depend on.

    One query of plain rows: building 40,000 ORM objects and converting them was a quarter of a
    sync (``Store.events_between``), and reading the memberships apart another tenth."""
    table = Event.__table__  # type: ignore[attr-defined]
    member = ClusterMember.__table__  # type: ignore[attr-defined]
    stmt = (
        sa_select(*_plain(table, _COLUMNS), member.c.cluster_id, member.c.score, member.c.reason)
        .select_from(table.outerjoin(member, member.c.event_id == table.c.id))
        .where(_in_window(start, end))
        .order_by(table.c.start, table.c.public_uid)
    )
    n = len(_COLUMNS)
    members_of: dict[int, _Member] = {}
    zones: dict[str, ZoneInfo] = {}
    lists: dict[str, tuple[str, ...]] = {"[]": ()}
    records: list[EventRecord] = []
    removed: set[int] = set()
    h = hashlib.sha256()
    h.update(
        json.dumps(
            [
                DEDUP_VERSION,
                start,
                end,
                str(zone),
                sorted(priorities.items()),
                same_places,
                same_words,
                sorted((k, list(v)) for k, v in (names or {}).items()),
                [(k, list(v)) for k, v in kinds],
            ],
            default=str,
        ).encode()
    )
    h.update(json.dumps(sorted(sorted(map(list, p)) for p in chosen.together)).encode())
    h.update(json.dumps(sorted(sorted(map(list, p)) for p in chosen.apart)).encode())
    for row in s.execute(stmt):
        values = dict(zip(_COLUMNS, row[:n], strict=True))
        if row[n] is not None:
            members_of[values["id"]] = _Member(values["id"], *row[n:])
        tz = values["tz"]
        z = zones.get(tz) or zones.setdefault(tz, ZoneInfo(tz))
        values["start"] = _utc(values["start"]).astimezone(z)
        if values["end"] is not None:
            values["end"] = _utc(values["end"]).astimezone(z)
        values["created"], values["modified"] = _utc(values["created"]), _utc(values["modified"])
        values["status"] = Status(values["status"])
        for name in ("categories", "audience"):
            raw = values[name]
            parsed = lists.get(raw)
            if parsed is None:
                parsed = lists.setdefault(raw, tuple(json.loads(raw)))
            values[name] = parsed
        fp, gone = values.pop("fingerprint"), values.pop("removed")
        record = _record(values)
        records.append(record)
        if gone:
            removed.add(record.id)
        h.update(
            f"{record.id}|{fp}|{int(bool(gone))}|{record.sequence}|{record.modified.isoformat()}\n".encode()
        )
    return records, removed, members_of, h.hexdigest()


_DATETIMES = frozenset(
    name
    for table in (Event.__table__, ClusterRow.__table__)  # type: ignore[attr-defined]
    for name, column in table.c.items()
    if isinstance(column.type, UTCDateTime)
)


def _plain(table: Any, names: Sequence[str]) -> list[Any]:
    """Columns to select; datetimes as the driver gives them (``_utc`` converts them): the
    store's UTCDateTime on top of SQLAlchemy's own parsing was a third of reading 40,000 rows."""
    return [type_coerce(table.c[n], String) if n in _DATETIMES else table.c[n] for n in names]


def _utc(value: Any) -> Any:
    """An aware UTC datetime from a plain-read column (SQLite: text; PostgreSQL: a datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _record(values: dict[str, Any]) -> EventRecord:
    """An EventRecord from a stored row's values, without the frozen dataclass's per-field
    ``__init__`` (a fifth of reading 40,000 rows); the row was checked when it was stored."""
    if not hasattr(EventRecord, "__dict__") or "__slots__" in vars(EventRecord):
        return EventRecord(**values)
    record = object.__new__(EventRecord)
    record.__dict__.update(values)
    return record


def _reuse(
    s: Session,
    start: datetime,
    end: datetime,
    records: list[EventRecord],
    removed: set[int],
    members_of: dict[int, _Member],
    priorities: dict[str, int],
    zone: ZoneInfo,
    now: datetime,
) -> list[Published] | None:
    """The clusters as the last persisted sync stored them, or None when the tables do not
    hold every event of the window (then the caller clusters afresh). Merging is repeated (it
    is cheap and pure); membership, identity, SEQUENCE and the reasons are read back."""
    in_window = sa_select(col(Event.id)).where(_in_window(start, end))
    member_table = ClusterMember.__table__  # type: ignore[attr-defined]
    cluster_table = ClusterRow.__table__  # type: ignore[attr-defined]
    wanted = sa_select(member_table.c.cluster_id).where(member_table.c.event_id.in_(in_window))
    query = sa_select(*_plain(cluster_table, _Stored._fields)).where(cluster_table.c.id.in_(wanted))
    clusters: dict[int, _Stored] = {}
    for values in s.execute(query):
        stored = _Stored(
            *(_utc(v) if n in _DATETIMES else v for n, v in zip(_Stored._fields, values, strict=True))
        )
        clusters[stored.id] = stored
    by_cluster: dict[int, list[int]] = {}
    for i, rec in enumerate(records):
        member = members_of.get(rec.id)
        if member is None or member.cluster_id not in clusters:
            return None
        by_cluster.setdefault(member.cluster_id, []).append(i)
    out: list[Published] = []
    for cid, indices in by_cluster.items():
        row = clusters[cid]
        merged = merge(records, indices, priorities, {i for i in indices if records[i].id in removed})
        base = merged.record
        if row.canonical_event_id != base.id or row.start != base.start:
            return None  # not what the last sync left: cluster afresh
        note = None
        if row.moved_from is not None and row.moved_at is not None and now - row.moved_at < MOVED_NOTE_FOR:
            note = moved_text(row.moved_from, zone, now, base.all_day)
        published = with_notes(
            base, merged.also, note, public_uid=row.public_uid, sequence=row.sequence, modified=row.modified
        )
        links: list[tuple[float, int, tuple[str, float, str]]] = []
        for i in indices:
            _, _, score, reason = members_of[records[i].id]
            why = json.loads(reason).get("why") if reason and reason != "{}" else None
            if why:
                links.append((-score, i, (records[i].source_id, score, ", ".join(why))))
        links.sort(key=lambda t: (t[0], t[1]))
        members = tuple(records[i] for i in indices)
        out.append(
            Published(
                published,
                members,
                merged.also,
                cid,
                tuple(link for *_, link in links),
                row.moved_from if note else None,
            )
        )
    return out


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
) -> tuple[list[Published], datetime | None]:
    """Write what changed; return the clusters as published and when the first "moved" note
    in them expires (a reused view is valid until then; None: no note)."""
    expiries: list[datetime] = []
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
        note: str | None = None  # the moved note, and its old start, of a known cluster
        moved_from: datetime | None = None
        if row is None:
            cid: int = next_id
            uid = base.public_uid if base.public_uid not in used_uids else _fresh_uid(base, used_uids)
            used_uids.add(uid)
            next_id += 1
            sequence = max(m.sequence for m in members)
            modified = max(m.modified for m in members)
            published = evolve(
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
            if moved_from is not None and moved_at is not None and now - moved_at < MOVED_NOTE_FOR:
                note = moved_text(moved_from, zone, now, base.all_day)
                # The note goes at its expiry, and its date reads differently in a new year.
                expiries += [moved_at + MOVED_NOTE_FOR, _next_new_year(now, zone)]
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
                published = evolve(published, public_uid=row.public_uid, sequence=sequence, modified=modified)
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
            published = evolve(published, public_uid=row.public_uid, sequence=sequence, modified=modified)
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
        out.append(
            Published(published, tuple(members), merged.also, cid, links, moved_from if note else None)
        )
    if new_rows:
        s.execute(insert(ClusterRow.__table__), new_rows)  # type: ignore[attr-defined]
    for group_rows in _same_keys(row_updates):
        s.execute(update(ClusterRow), group_rows)
    if member_writes:
        known = [w for w in member_writes if w["event_id"] in members_of]
        fresh = [w for w in member_writes if w["event_id"] not in members_of]
        if fresh:
            s.execute(insert(ClusterMember.__table__), fresh)  # type: ignore[attr-defined]
        if known:
            s.execute(update(ClusterMember), known)
    if changes:
        s.execute(insert(ChangeEntry.__table__), changes)  # type: ignore[attr-defined]
    return out, min(expiries, default=None)


def _next_new_year(now: datetime, zone: ZoneInfo) -> datetime:
    return datetime(now.astimezone(zone).year + 1, 1, 1, tzinfo=zone)


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
