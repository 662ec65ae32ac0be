"""The database: SQLModel tables and every write. Nothing else writes the database.

SQLite (WAL) by default; any SQLAlchemy URL works and PostgreSQL is tested. Datetimes are
stored as UTC (naive in the column, aware in Python) with the event's zone name in its own
column, because SQLite keeps no offsets.

Lifecycle of an event row: inserted with ``sequence`` 0 and a ``public_uid`` that never
changes; a changed fingerprint bumps ``sequence`` once and sets ``modified``; an event absent
from a *complete* run is marked missing, and after two complete runs at least an hour apart
it is removed (published as cancelled until it has passed). Failed runs never touch events.

Declared here: events, sources, runs, the fetch cache and held removals. The dedup tables are
declared in ``store_clusters.py`` (written by ``clusters.py``); the datetime column type is in
``store_columns.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Index,
    LargeBinary,
    Text,
    UniqueConstraint,
    event,
    func,
    insert,
    update,
)
from sqlalchemy import delete as sa_delete
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

from aggregator.model import EventRecord, Status
from aggregator.normalise import NormalEvent
from aggregator.store_clusters import ChangeEntry, ClusterMember, ClusterRow, DedupDecision, DedupState
from aggregator.store_columns import UTCDateTime, utc_column

# The dedup tables and the column type moved to store_clusters.py and store_columns.py; they
# stay importable from here (and importing this module declares every table for create_all).
__all__ = [
    "ApplyResult",
    "ChangeEntry",
    "ClusterMember",
    "ClusterRow",
    "DedupDecision",
    "DedupState",
    "Event",
    "FetchCache",
    "HeldRemoval",
    "Run",
    "SourceState",
    "Store",
    "UTCDateTime",
    "public_uid",
    "to_record",
]

#: An event missing from complete runs is removed only after this many runs spanning this long.
REMOVE_AFTER_RUNS = 2
REMOVE_AFTER = timedelta(hours=1)
#: A complete run that would remove more than this share *and* more than HOLD_MIN of a
#: source's upcoming events is held (issue 4): applied only after HOLD_RUNS consecutive runs
#: spanning HOLD_SPAN, or when the operator runs `aggregator sources confirm`.
HOLD_SHARE = 0.2
HOLD_MIN = 5
HOLD_RUNS = 3
HOLD_SPAN = timedelta(hours=24)


class FetchCache(SQLModel, table=True):
    """The last good response to each request a source makes (listing pages, detail pages).

    Its validators make every request of the next run conditional, and its body answers a 304,
    so a multi-page source is re-read without downloading what did not change.
    """

    __tablename__ = "fetch_cache"
    source_id: str = Field(primary_key=True)
    #: sha256 of method, URL and request body (a GraphQL POST is one request per query)
    key: str = Field(primary_key=True)
    url: str = Field(sa_column=Column(Text, nullable=False))
    etag: str | None = Field(default=None, sa_column=Column(Text))
    last_modified: str | None = Field(default=None, sa_column=Column(Text))
    content_type: str | None = Field(default=None, sa_column=Column(Text))
    body_hash: str
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class SourceState(SQLModel, table=True):
    """What the core remembers about a source between runs."""

    __tablename__ = "source_state"
    id: str = Field(primary_key=True)
    #: how many follow-up requests (pages, details) the last complete run made
    follows: int = 0
    last_run: datetime | None = utc_column()
    last_success: datetime | None = utc_column()
    last_outcome: str | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    failures: int = 0
    event_count: int = 0
    # health (aggregator/health.py): ok | degraded | failing | stale | disabled, and since when
    health: str = "ok"
    health_since: datetime | None = utc_column()
    #: scheduled runs are skipped until then (Retry-After, back-off across failed runs)
    backoff_until: datetime | None = utc_column()
    #: set by an HTTP 410; the source is not collected until `aggregator sources enable`
    disabled_reason: str | None = Field(default=None, sa_column=Column(Text))


class Run(SQLModel, table=True):
    """One collection of one source."""

    __tablename__ = "run"
    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(index=True)
    started: datetime = utc_column(nullable=False)
    ended: datetime | None = utc_column()
    outcome: str = "running"  # ok | unchanged | failed
    requests: int = 0
    drafts: int = 0
    skipped: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text))
    warnings: str = Field(default="[]", sa_column=Column(Text, nullable=False))


class Event(SQLModel, table=True):
    """One occurrence as one source describes it."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("source_id", "uid", "recurrence_id", name="uq_event_identity"),
        Index("ix_event_start", "start"),
    )
    id: int | None = Field(default=None, primary_key=True)
    public_uid: str = Field(unique=True)
    source_id: str = Field(index=True)
    uid: str
    recurrence_id: str = ""
    title: str
    start: datetime = utc_column(nullable=False)
    end: datetime | None = utc_column()
    tz: str
    all_day: bool = False
    status: str = Status.SCHEDULED.value
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    description_html: str = Field(default="", sa_column=Column(Text, nullable=False))
    url: str | None = None
    location: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    organizer: str | None = None
    categories: str = "[]"
    audience: str = "[]"
    price: str | None = None
    free: bool | None = None
    signup_url: str | None = None
    image_url: str | None = None
    language: str | None = None
    fingerprint: str
    sequence: int = 0
    created: datetime = utc_column(nullable=False)
    modified: datetime = utc_column(nullable=False)
    missing_runs: int = 0
    missing_since: datetime | None = utc_column()
    removed: bool = False


class HeldRemoval(SQLModel, table=True):
    """A source's large removal held back (issue 4): how many events, since when, seen in how
    many consecutive complete runs. Its own table, because collect saves SourceState whole."""

    __tablename__ = "held_removal"
    source_id: str = Field(primary_key=True)
    count: int = 0
    runs: int = 0
    since: datetime = utc_column(nullable=False)


@dataclass(frozen=True)
class ApplyResult:
    created: int
    updated: int
    unchanged: int
    removed: int
    #: events a large removal would take that are held back (see HOLD_* above)
    held: int = 0


def public_uid(source_id: str, uid: str, recurrence_id: str) -> str:
    digest = hashlib.sha256(f"{source_id}\x1f{uid}\x1f{recurrence_id}".encode()).hexdigest()[:24]
    return f"{digest}@aggregator.borgen"


def _row_values(ev: NormalEvent) -> dict[str, Any]:
    return {
        "title": ev.title,
        "start": ev.start,
        "end": ev.end,
        "tz": ev.tz,
        "all_day": ev.all_day,
        "status": ev.status.value,
        "description": ev.description,
        "description_html": ev.description_html,
        "url": ev.url,
        "location": ev.location,
        "address": ev.address,
        "latitude": ev.latitude,
        "longitude": ev.longitude,
        "organizer": ev.organizer,
        "categories": json.dumps(list(ev.categories), ensure_ascii=False),
        "audience": json.dumps(list(ev.audience), ensure_ascii=False),
        "price": ev.price,
        "free": ev.free,
        "signup_url": ev.signup_url,
        "image_url": ev.image_url,
        "language": ev.language,
        "fingerprint": ev.fingerprint,
    }


class Store:
    """All reads and writes of the database go through here."""

    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        SQLModel.metadata.create_all(self.engine)
        _upgrade_schema(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    # -- sources and runs -------------------------------------------------------------

    def fetch_cache(self, source_id: str) -> dict[str, FetchCache]:
        with self.session() as s:
            rows = s.exec(select(FetchCache).where(FetchCache.source_id == source_id)).all()
            return {r.key: r for r in rows}

    def save_fetch_cache(self, source_id: str, entries: Sequence[FetchCache]) -> None:
        """Replace a source's cached responses with those of its latest complete run."""
        with self.session() as s:
            s.execute(sa_delete(FetchCache).where(col(FetchCache.source_id) == source_id))
            s.add_all([FetchCache.model_validate(e.model_dump()) for e in entries])
            s.commit()

    def source_state(self, source_id: str) -> SourceState:
        with self.session() as s:
            state = s.get(SourceState, source_id)
            return state if state is not None else SourceState(id=source_id)

    def save_source_state(self, state: SourceState) -> None:
        with self.session() as s:
            s.merge(state)
            s.commit()

    def all_source_states(self) -> dict[str, SourceState]:
        with self.session() as s:
            return {st.id: st for st in s.exec(select(SourceState)).all()}

    def record_run(self, run: Run) -> Run:
        with self.session() as s:
            s.add(run)
            s.commit()
            s.refresh(run)
            return run

    def last_runs(self, source_id: str, limit: int = 10) -> list[Run]:
        with self.session() as s:
            stmt = select(Run).where(Run.source_id == source_id).order_by(col(Run.id).desc()).limit(limit)
            return list(s.exec(stmt).all())

    # -- events -----------------------------------------------------------------------

    def apply_run(
        self,
        source_id: str,
        events: Sequence[NormalEvent],
        now: datetime,
        window: tuple[datetime, datetime] | None = None,
    ) -> ApplyResult:
        """Store the events of one *complete* run of one source, in one transaction.

        Only stored events that start inside ``window`` can go missing: past events and events
        beyond the horizon are naturally absent from a source's current document. Without a
        window (an incomplete run) nothing goes missing.
        """
        created = updated = removed = unchanged = 0
        with self.session() as s:
            cols = (
                Event.id,
                Event.uid,
                Event.recurrence_id,
                Event.fingerprint,
                Event.sequence,
                Event.missing_runs,
                Event.missing_since,
                Event.removed,
                Event.start,
            )
            rows: Sequence[Any] = s.execute(
                sa_select(*(col(c) for c in cols)).where(col(Event.source_id) == source_id)
            ).all()
            existing = {(r.uid, r.recurrence_id): r for r in rows}
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            seen: set[tuple[str, str]] = set()
            for ev in events:
                key = (ev.uid, ev.recurrence_id)
                if key in seen:
                    continue
                seen.add(key)
                row = existing.get(key)
                if row is None:
                    values = _row_values(ev)
                    values.update(
                        source_id=source_id,
                        uid=ev.uid,
                        recurrence_id=ev.recurrence_id,
                        public_uid=public_uid(source_id, ev.uid, ev.recurrence_id),
                        sequence=0,
                        created=now,
                        modified=now,
                        missing_runs=0,
                        missing_since=None,
                        removed=False,
                    )
                    inserts.append(values)
                    created += 1
                elif row.fingerprint != ev.fingerprint or row.removed:
                    values = _row_values(ev)
                    values.update(
                        id=row.id,
                        sequence=row.sequence + 1,
                        modified=now,
                        missing_runs=0,
                        missing_since=None,
                        removed=False,
                    )
                    updates.append(values)
                    updated += 1
                else:
                    unchanged += 1
                    if row.missing_runs:
                        updates.append({"id": row.id, "missing_runs": 0, "missing_since": None})
            gone = [
                r
                for key, r in existing.items()
                if key not in seen
                and not r.removed
                and window is not None
                and window[0] <= r.start < window[1]
            ]
            release = self._hold(s, source_id, gone, existing.values(), window, now)
            held = 0 if release is not False else len(gone)
            for r in gone:
                first = r.missing_since or now
                runs = r.missing_runs + 1
                if release is True or (
                    release is None and runs >= REMOVE_AFTER_RUNS and now - first >= REMOVE_AFTER
                ):
                    updates.append(
                        {
                            "id": r.id,
                            "removed": True,
                            "missing_runs": runs,
                            "missing_since": first,
                            "sequence": r.sequence + 1,
                            "modified": now,
                            "status": Status.CANCELLED.value,
                        }
                    )
                    removed += 1
                else:
                    updates.append({"id": r.id, "missing_runs": runs, "missing_since": first})
            if inserts:
                s.execute(insert(Event), inserts)
            if updates:
                for group in _group_by_keys(updates):
                    s.execute(update(Event), group)
            s.commit()
        return ApplyResult(created=created, updated=updated, unchanged=unchanged, removed=removed, held=held)

    def _hold(
        self,
        s: Session,
        source_id: str,
        gone: Sequence[Any],
        rows: Iterable[Any],
        window: tuple[datetime, datetime] | None,
        now: datetime,
    ) -> bool | None:
        """The held-removal rule for one complete run. None: no hold, the normal lifecycle
        applies; False: the removal is held (gone events are only counted as missing); True:
        the same large removal was seen HOLD_RUNS times over HOLD_SPAN, so it applies now."""
        hold = s.get(HeldRemoval, source_id)
        upcoming = sum(
            1 for r in rows if not r.removed and window is not None and window[0] <= r.start < window[1]
        )
        if not (len(gone) > HOLD_MIN and len(gone) > HOLD_SHARE * upcoming):
            if hold is not None:
                s.delete(hold)
            return None
        if hold is None:
            hold = HeldRemoval(source_id=source_id, count=0, runs=0, since=now)
        hold.count, hold.runs = len(gone), hold.runs + 1
        if hold.runs >= HOLD_RUNS and now - hold.since >= HOLD_SPAN:
            if hold in s:
                s.delete(hold)
            return True
        s.add(hold)
        return False

    def held_removals(self) -> dict[str, HeldRemoval]:
        with self.session() as s:
            return {h.source_id: h for h in s.exec(select(HeldRemoval)).all()}

    def confirm_held(self, source_id: str, now: datetime) -> int:
        """The operator confirms a held removal: every event the held runs found missing is
        removed now (published as cancelled until it has passed). Returns how many."""
        with self.session() as s:
            hold = s.get(HeldRemoval, source_id)
            if hold is None:
                return 0
            rows = s.exec(
                select(Event).where(
                    col(Event.source_id) == source_id,
                    col(Event.removed).is_(False),
                    col(Event.missing_runs) > 0,
                )
            ).all()
            for row in rows:
                row.removed = True
                row.status = Status.CANCELLED.value
                row.sequence += 1
                row.modified = now
                s.add(row)
            s.delete(hold)
            s.commit()
            return len(rows)

    def count_events(self, source_id: str) -> int:
        with self.session() as s:
            stmt = sa_select(func.count()).where(
                col(Event.source_id) == source_id, col(Event.removed).is_(False)
            )
            return int(s.execute(stmt).scalar_one())

    def events_between(
        self, start: datetime, end: datetime, sources: Iterable[str] | None = None
    ) -> list[EventRecord]:
        """Events that end after ``start`` and begin before ``end``, as records, sorted by start."""
        with self.session() as s:
            stmt = (
                select(Event)
                .where(col(Event.start) < end)
                .where((col(Event.end) > start) | (col(Event.end).is_(None) & (col(Event.start) >= start)))
            )
            if sources is not None:
                stmt = stmt.where(col(Event.source_id).in_(list(sources)))
            rows = s.exec(stmt.order_by(col(Event.start), col(Event.public_uid))).all()
            return [to_record(r) for r in rows]

    def event(self, event_id: int) -> EventRecord | None:
        with self.session() as s:
            row = s.get(Event, event_id)
            return to_record(row) if row is not None else None

    def events_version(self) -> tuple[Any, ...]:
        """A cheap marker that changes whenever any stored event changes (insert, update,
        removal): the web's caches compare it instead of re-reading thousands of rows."""
        with self.session() as s:
            stmt = sa_select(
                func.count(),
                func.max(Event.id),
                func.max(Event.modified),
                func.sum(Event.sequence),
                func.count(col(Event.id)).filter(col(Event.removed).is_(True)),
            )
            return tuple(s.execute(stmt).one())


def _group_by_keys(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Bulk UPDATE by primary key needs every row in one call to have the same keys."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    yield from groups.values()


def to_record(row: Event) -> EventRecord:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(row.tz)
    assert row.id is not None
    return EventRecord(
        id=row.id,
        public_uid=row.public_uid,
        source_id=row.source_id,
        uid=row.uid,
        recurrence_id=row.recurrence_id,
        title=row.title,
        start=row.start.astimezone(zone),
        end=row.end.astimezone(zone) if row.end else None,
        tz=row.tz,
        all_day=row.all_day,
        status=Status(row.status),
        description=row.description,
        description_html=row.description_html,
        url=row.url,
        location=row.location,
        address=row.address,
        latitude=row.latitude,
        longitude=row.longitude,
        organizer=row.organizer,
        categories=tuple(json.loads(row.categories)),
        audience=tuple(json.loads(row.audience)),
        price=row.price,
        free=row.free,
        signup_url=row.signup_url,
        image_url=row.image_url,
        language=row.language,
        sequence=row.sequence,
        created=row.created,
        modified=row.modified,
    )


def _upgrade_schema(engine: Engine) -> None:
    """Add columns that a database created by an older version lacks (no migrations yet).

    create_all() makes missing tables but never alters existing ones; each missing column of a
    known table is added with ALTER TABLE ADD COLUMN (SQLite and PostgreSQL both accept it).
    """
    from sqlalchemy import inspect, text

    models = {getattr(m, "__tablename__", None): m for m in SQLModel.__subclasses__()}
    inspector = inspect(engine)
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {c["name"] for c in inspector.get_columns(table.name)}
            model = models.get(table.name)
            for column in table.columns:
                if column.name in present:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                field = model.model_fields.get(column.name) if model is not None else None
                value = field.default if field is not None else None
                default = ""
                if isinstance(value, bool | int):
                    default = f" DEFAULT {int(value)}"
                elif isinstance(value, str):
                    default = " DEFAULT '" + value.replace("'", "''") + "'"
                conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}{default}'))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the web server read while a collection writes.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
