"""Column types shared by the store's table modules (``store.py``, ``store_clusters.py``).

Owns how a datetime column is stored: aware datetimes in, aware UTC datetimes out, naive in the
column because SQLite keeps no offsets. It is its own module so that both table modules can
use it without importing each other. It must not declare tables or touch a database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlmodel import Field


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive values are a bug and are refused."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_column(nullable: bool = True) -> Any:
    """A SQLModel field stored as a UTCDateTime column (default None)."""
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable))
