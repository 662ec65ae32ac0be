"""The held-removal rule of the store (issue 4): a complete run that would remove more than 20%
and more than 5 of a source's upcoming events is held until it is seen in 3 consecutive runs
over at least 24 hours (or confirmed); small removals and explicit cancellations are not held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aggregator.model import EventDraft, Status
from aggregator.normalise import Defaults, NormalEvent, normalise
from aggregator.store import Store

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
D = Defaults(zone=OSLO)


def window(now: datetime) -> tuple[datetime, datetime]:
    return (now, now + timedelta(days=180))


def cafe(n: int, status: Status = Status.SCHEDULED) -> NormalEvent:
    # evenings on both sides of the DST change of 2026-10-25
    start = datetime(2026, 10, 21, 18, tzinfo=OSLO) + timedelta(days=n)
    draft = EventDraft(
        uid=f"kime-{n}",
        title="Kafé KIME",
        start=start,
        end=start + timedelta(hours=2),
        location="Borgen innbyggertorg",
        status=status,
    )
    return normalise(draft, D)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'held.db'}")


def cancelled_count(store: Store) -> int:
    rows = store.events_between(NOW, NOW + timedelta(days=90))
    return sum(r.status is Status.CANCELLED for r in rows)


def test_held_until_three_runs_over_a_day(store: Store) -> None:
    full = [cafe(n) for n in range(10)]
    store.apply_run("kime", full, NOW, window(NOW))
    times = [NOW + timedelta(hours=h) for h in (1, 13, 23)]
    for when in times:
        result = store.apply_run("kime", full[:3], when, window(when))
        assert (result.removed, result.held) == (0, 7)
        assert cancelled_count(store) == 0
    assert store.held_removals()["kime"].count == 7 and store.held_removals()["kime"].runs == 3
    # the third run was only 23 hours after the first: still held; a fourth after 24 hours applies
    when = NOW + timedelta(hours=25)
    result = store.apply_run("kime", full[:3], when, window(when))
    assert result.removed == 7 and cancelled_count(store) == 7
    assert store.held_removals() == {}


def test_a_recovered_source_clears_the_hold(store: Store) -> None:
    full = [cafe(n) for n in range(10)]
    store.apply_run("kime", full, NOW, window(NOW))
    store.apply_run("kime", full[:3], NOW + timedelta(hours=1), window(NOW + timedelta(hours=1)))
    assert "kime" in store.held_removals()
    store.apply_run("kime", full, NOW + timedelta(hours=2), window(NOW + timedelta(hours=2)))
    assert store.held_removals() == {}
    assert cancelled_count(store) == 0


def test_small_removals_and_cancellations_are_not_held(store: Store) -> None:
    full = [cafe(n) for n in range(10)]
    store.apply_run("kime", full, NOW, window(NOW))
    # 5 of 10 missing is not "more than 5": the normal lifecycle (2 runs, 1 hour) applies
    for h in (1, 3):
        when = NOW + timedelta(hours=h)
        result = store.apply_run("kime", full[5:], when, window(when))
        assert result.held == 0
    assert cancelled_count(store) == 5
    # every remaining event explicitly cancelled: applied at once, never held
    when = NOW + timedelta(hours=4)
    result = store.apply_run("kime", [cafe(n, Status.CANCELLED) for n in range(5, 10)], when, window(when))
    assert result.held == 0 and result.updated == 5 and cancelled_count(store) == 10


def test_confirm_applies_the_held_removal(store: Store) -> None:
    full = [cafe(n) for n in range(10)]
    store.apply_run("kime", full, NOW, window(NOW))
    store.apply_run("kime", full[:2], NOW + timedelta(hours=1), window(NOW + timedelta(hours=1)))
    assert store.confirm_held("kime", NOW + timedelta(hours=2)) == 8
    assert cancelled_count(store) == 8 and store.held_removals() == {}
    assert store.confirm_held("kime", NOW + timedelta(hours=3)) == 0
