"""Fixtures for the publish tests: a record factory, a FeedInfo, the fixed clock, a season of events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from aggregator.model import EventRecord, Status
from aggregator.publish import FeedInfo
from tests.publish.publish_helpers import NOW, oslo, record


@pytest.fixture
def make_record() -> Callable[..., EventRecord]:
    return record


@pytest.fixture
def info() -> FeedInfo:
    return FeedInfo(
        id="borgen",
        title="Borgen innbyggertorg – hva skjer",
        description="Arrangementer på og rundt Borgen innbyggertorg, Søndre Borgen 11, Asker",
        base_url="http://127.0.0.1:8000",
    )


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def season(make_record: Callable[..., EventRecord]) -> list[EventRecord]:
    """A realistic autumn–spring mix around both DST changes, given in shuffled order."""
    r = make_record
    return [
        r(
            7,
            title="Aktiv på dagtid: stavgang",
            start=oslo(2027, 3, 29, 10),
            end=oslo(2027, 3, 29, 12),
            source_id="aktiv-pa-dagtid",
            organizer="Aktiv på dagtid <aktiv@asker.kommune.no>",
        ),
        r(1, title="Lørdagsåpent bibliotek", start=oslo(2026, 10, 24, 11), end=oslo(2026, 10, 24, 15)),
        r(
            3,
            title="Høstferie i Borgen nærmiljøsentral",
            start=date(2026, 10, 5),
            end=date(2026, 10, 10),
            categories=("Barn", "Ferie"),
            source_id="borgen-naermiljosentral",
        ),
        r(
            2,
            title="DNT Asker: kveldstur til Vardåsen",
            start=oslo(2026, 10, 26, 18),
            end=oslo(2026, 10, 26, 21),
            source_id="dnt-asker",
            categories=("Tur", "Friluftsliv"),
        ),
        r(
            5,
            title="Konsert med Asker kulturskole",
            start=oslo(2026, 12, 3, 18),
            end=oslo(2026, 12, 3, 19, 30),
            status=Status.CANCELLED,
            sequence=2,
            source_id="asker-kulturskole",
        ),
        r(
            6,
            title="Språkkafé",
            start=oslo(2027, 3, 27, 12),
            end=oslo(2027, 3, 27, 14),
            status=Status.POSTPONED,
            sequence=1,
        ),
        r(
            4,
            title="Julemarked på torget",
            start=date(2026, 12, 5),
            end=date(2026, 12, 6),
            latitude=None,
            longitude=None,
        ),
    ]
