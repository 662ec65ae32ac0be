"""The store on SQLite and on PostgreSQL: identity, fingerprints, sequence, missing/removed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aggregator.model import EventDraft, Status
from aggregator.normalise import Defaults, NormalEvent, normalise
from aggregator.store import Store
from tests.pg import pg_schema_url

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
WINDOW = (NOW, NOW + timedelta(days=180))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'test.db'}")
        yield s
        s.close()
        return
    with pg_schema_url() as url:
        s = Store(url)
        yield s
        s.close()


D = Defaults(zone=OSLO)


def ev(uid: str, day: int, title: str = "Språkkafé", rid: str | None = None, hour: int = 18) -> NormalEvent:
    return normalise(
        EventDraft(
            uid=uid,
            title=title,
            recurrence_id=rid,
            start=datetime(2026, 10, day, hour, tzinfo=OSLO),
            end=datetime(2026, 10, day, hour + 2, tzinfo=OSLO),
            categories=("språkkafé",),
            location="Borgen nærmiljøsentral",
        ),
        D,
    )


def test_insert_and_read_back_with_zone(store: Store) -> None:
    result = store.apply_run(
        "cafe", [ev("a", 24), ev("a", 26, rid="20261026T170000Z"), ev("b", 27)], NOW, WINDOW
    )
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    records = store.events_between(NOW, NOW + timedelta(days=90))
    assert [r.start.strftime("%d %H:%M %Z") for r in records] == [
        "24 18:00 CEST",
        "26 18:00 CET",
        "27 18:00 CET",
    ]
    first = records[0]
    assert first.tz == "Europe/Oslo" and first.sequence == 0 and first.categories == ("språkkafé",)
    assert first.created == NOW and first.modified == NOW
    assert len({r.public_uid for r in records}) == 3
    assert store.event(first.id) == first


def test_unchanged_keeps_sequence_and_modified(store: Store) -> None:
    store.apply_run("cafe", [ev("a", 24)], NOW, WINDOW)
    later = NOW + timedelta(hours=3)
    result = store.apply_run("cafe", [ev("a", 24)], later, WINDOW)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    [rec] = store.events_between(NOW, NOW + timedelta(days=90))
    assert rec.sequence == 0 and rec.modified == NOW


def test_change_bumps_sequence_once_and_keeps_uid(store: Store) -> None:
    store.apply_run("cafe", [ev("a", 24)], NOW, WINDOW)
    [before] = store.events_between(NOW, NOW + timedelta(days=90))
    later = NOW + timedelta(hours=3)
    result = store.apply_run("cafe", [ev("a", 24, hour=19)], later, WINDOW)
    assert result.updated == 1
    store.apply_run("cafe", [ev("a", 24, hour=19)], later + timedelta(hours=1), WINDOW)
    [after] = store.events_between(NOW, NOW + timedelta(days=90))
    assert after.public_uid == before.public_uid and after.id == before.id
    assert after.sequence == 1 and after.modified == later
    assert after.start.hour == 19


def test_missing_twice_an_hour_apart_is_removed_as_cancelled(store: Store) -> None:
    store.apply_run("cafe", [ev("a", 24), ev("b", 25)], NOW, WINDOW)
    r1 = store.apply_run("cafe", [ev("a", 24)], NOW + timedelta(minutes=10), WINDOW)
    r2 = store.apply_run("cafe", [ev("a", 24)], NOW + timedelta(minutes=40), WINDOW)
    assert r1.removed == r2.removed == 0  # two runs, but not an hour apart
    r3 = store.apply_run("cafe", [ev("a", 24)], NOW + timedelta(minutes=75), WINDOW)
    assert r3.removed == 1
    b = next(r for r in store.events_between(NOW, NOW + timedelta(days=90)) if r.uid == "b")
    assert b.status is Status.CANCELLED and b.sequence == 1
    # it comes back: restored with a higher sequence
    r4 = store.apply_run("cafe", [ev("a", 24), ev("b", 25)], NOW + timedelta(hours=2), WINDOW)
    assert r4.updated == 1
    b = next(r for r in store.events_between(NOW, NOW + timedelta(days=90)) if r.uid == "b")
    assert b.status is Status.SCHEDULED and b.sequence == 2


def test_past_events_never_go_missing(store: Store) -> None:
    store.apply_run("cafe", [ev("a", 24), ev("b", 25)], NOW, WINDOW)
    late = datetime(2026, 10, 26, tzinfo=UTC)
    for hours in (0, 2):
        store.apply_run("cafe", [], late + timedelta(hours=hours), (late, late + timedelta(days=180)))
    assert all(r.status is Status.SCHEDULED for r in store.events_between(NOW, NOW + timedelta(days=90)))


def test_sources_are_separate_identities(store: Store) -> None:
    store.apply_run("cafe", [ev("a", 24)], NOW, WINDOW)
    store.apply_run("bibliotek", [ev("a", 24)], NOW, WINDOW)
    records = store.events_between(NOW, NOW + timedelta(days=90))
    assert len(records) == 2 and len({r.public_uid for r in records}) == 2
    assert [r.source_id for r in store.events_between(NOW, NOW + timedelta(days=90), sources=["cafe"])] == [
        "cafe"
    ]


def test_naive_datetimes_are_refused(store: Store) -> None:
    bad = replace(ev("a", 24), start=datetime(2026, 10, 24, 18))
    with pytest.raises(Exception, match="naive"):
        store.apply_run("cafe", [bad], NOW, WINDOW)


def test_many_events_in_one_run(store: Store) -> None:
    events = [ev(f"u{i}", 1 + i % 28, title=f"Kurs {i}") for i in range(2000)]
    assert store.apply_run("big", events, NOW, WINDOW).created == 2000
    assert store.count_events("big") == 2000
