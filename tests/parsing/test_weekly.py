"""aggregator.parsing.weekly: day names, the horizon as local dates, walking a weekly schedule
with exceptions and month rules, and the occurrence cap."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest

from aggregator.adapter import RunContext
from aggregator.parsing.weekly import (
    TYPED_WEEKDAY_NAMES,
    WEEKDAY_NAMES,
    Slot,
    capped,
    first_in_month,
    horizon_dates,
    last_in_month,
    meetings,
)


@pytest.mark.parametrize(
    ("name", "number"), [("tirsdag", 1), ("tysdag", 1), ("Tuesday".lower(), 1), ("sun", 6)]
)
def test_weekday_names(name: str, number: int) -> None:
    assert WEEKDAY_NAMES[name] == number
    assert TYPED_WEEKDAY_NAMES[name] == number


def test_typed_names_add_what_staff_type_and_settings_do_not_take() -> None:
    for typed, number in (("tir", 1), ("lør", 5), ("lordag", 5), ("sondag", 6), ("man", 0)):
        assert TYPED_WEEKDAY_NAMES[typed] == number
        assert typed not in WEEKDAY_NAMES


def test_horizon_dates_are_local(make_ctx: Callable[..., RunContext]) -> None:
    # 22:30 UTC is already the next day in Oslo (00:30 CEST): the local date counts.
    ctx = make_ctx(now=datetime(2026, 8, 31, 22, 30, tzinfo=UTC), horizon_days=10)
    first, last = horizon_dates(ctx)
    assert last == date(2026, 9, 11) != ctx.horizon_end.date()
    assert first == ctx.horizon_start.date() + timedelta(days=1)


def test_meetings_walk_slots_in_date_then_slot_order() -> None:
    slots = [Slot(1, time(18)), Slot(3, time(10)), Slot(1, time(12))]
    found = list(meetings(slots, date(2026, 9, 1), date(2026, 9, 10)))
    assert [(d.isoformat(), s.start) for d, s in found] == [
        ("2026-09-01", time(18)),
        ("2026-09-01", time(12)),
        ("2026-09-03", time(10)),
        ("2026-09-08", time(18)),
        ("2026-09-08", time(12)),
        ("2026-09-10", time(10)),
    ]


def test_meetings_leave_out_what_held_refuses() -> None:
    closed = {date(2026, 9, 8)}
    found = [
        d for d, _ in meetings([Slot(1)], date(2026, 9, 1), date(2026, 9, 30), held=lambda d: d not in closed)
    ]
    assert found == [date(2026, 9, 1), date(2026, 9, 15), date(2026, 9, 22), date(2026, 9, 29)]
    assert list(meetings([Slot(1)], date(2026, 9, 30), date(2026, 9, 1))) == []


def test_month_rules() -> None:
    mondays = [d for d, _ in meetings([Slot(0)], date(2026, 11, 1), date(2026, 11, 30))]
    assert [d for d in mondays if first_in_month(d)] == [date(2026, 11, 2)]
    assert [d for d in mondays if last_in_month(d)] == [date(2026, 11, 30)]


def test_capped_stops_and_reports_only_when_there_is_more() -> None:
    reported: list[int] = []
    assert list(capped(range(5), 3, reported.append)) == [0, 1, 2]
    assert reported == [3]
    reported.clear()
    assert list(capped(range(3), 3, reported.append)) == [0, 1, 2]
    assert reported == []
