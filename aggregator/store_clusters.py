"""The dedup tables: clusters, their members, operator decisions, the change log, sync state.

Owns the SQLModel declarations of ``cluster``, ``cluster_member``, ``dedup_decision``,
``change_log`` and ``dedup_state`` (issue 4). They are part of the store: ``store.py`` imports
this module so ``Store()`` creates them, and re-exports them for older imports. The sync that
writes them is ``aggregator/clusters.py``. It must not hold logic, open sessions or write rows,
and must not declare the event, source, run or fetch-cache tables (``store.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from aggregator.model import Status
from aggregator.store_columns import utc_column


class ClusterRow(SQLModel, table=True):
    """One published event: the events of several sources that describe one occurrence.

    ``public_uid``, ``sequence`` and ``modified`` are what subscribers see; they belong to the
    cluster and never go back, whichever member is canonical.
    """

    __tablename__ = "cluster"
    id: int | None = Field(default=None, primary_key=True)
    public_uid: str = Field(unique=True)
    fingerprint: str = ""  # over the published fields, notes included: moves SEQUENCE
    material: str = ""  # over the material fields only: decides the change-log kind
    sequence: int = 0
    created: datetime = utc_column(nullable=False)
    modified: datetime = utc_column(nullable=False)
    start: datetime | None = utc_column()
    status: str = Status.SCHEDULED.value
    title: str = ""
    moved_from: datetime | None = utc_column()
    moved_at: datetime | None = utc_column()
    canonical_event_id: int | None = None


class ClusterMember(SQLModel, table=True):
    """Which cluster an event belongs to, and why it joined (empty reason: the first member)."""

    __tablename__ = "cluster_member"
    event_id: int = Field(primary_key=True)
    cluster_id: int = Field(index=True)
    score: float = 0.0
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))


class DedupDecision(SQLModel, table=True):
    """An operator's split ("apart") or merge ("together") of two event identities.

    Keyed by identity (source, uid, recurrence id), not by row id, so it survives re-imports.
    """

    __tablename__ = "dedup_decision"
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # together | apart
    a_source: str
    a_uid: str
    a_rid: str = ""
    b_source: str
    b_uid: str
    b_rid: str = ""
    created: datetime = utc_column(nullable=False)


class ChangeEntry(SQLModel, table=True):
    """One new, moved, changed or cancelled published event, for the changes feeds."""

    __tablename__ = "change_log"
    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(index=True)
    public_uid: str
    at: datetime = utc_column(nullable=False)
    kind: str  # new | moved | changed | cancelled
    title: str
    start: datetime = utc_column(nullable=False)
    old_start: datetime | None = utc_column()
    sequence: int = 0


class DedupState(SQLModel, table=True):
    """What the cluster tables were last synced from (aggregator/clusters.py): a digest of the
    window, its events' (id, fingerprint, removed, sequence), the decisions and priorities. A
    publish whose inputs hash the same before ``valid_until`` (when a "moved" note expires)
    reuses the stored clusters instead of re-clustering and diffing every table."""

    __tablename__ = "dedup_state"
    id: int = Field(default=1, primary_key=True)
    digest: str = ""
    valid_until: datetime | None = utc_column()
    synced: datetime | None = utc_column()
