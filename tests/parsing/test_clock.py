"""aggregator.parsing.clock: wall clocks through zoneinfo on both sides of both DST changes, the
UTC claim that picks a repeated hour's reading, and questioning a stated offset."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from aggregator.parsing.clock import after, stated, utc, wall_clock, wall_clock_at, wall_clock_on

OSLO = ZoneInfo("Europe/Oslo")


@pytest.mark.parametrize(
    ("naive", "fold", "expected"),
    [
        (datetime(2026, 10, 24, 18, 0), 0, "2026-10-24T18:00:00+02:00"),  # the day before: CEST
        (datetime(2026, 10, 25, 2, 30), 0, "2026-10-25T02:30:00+02:00"),  # repeated hour, first
        (datetime(2026, 10, 25, 2, 30), 1, "2026-10-25T02:30:00+01:00"),  # repeated hour, second
        (datetime(2026, 10, 25, 18, 0), 0, "2026-10-25T18:00:00+01:00"),  # the day after: CET
        (datetime(2027, 3, 27, 9, 30), 0, "2027-03-27T09:30:00+01:00"),
        (datetime(2027, 3, 28, 2, 30), 0, "2027-03-28T03:30:00+02:00"),  # spring gap: moved on
        (datetime(2027, 3, 28, 20, 0), 0, "2027-03-28T20:00:00+02:00"),
    ],
)
def test_wall_clock_resolves_through_zoneinfo(naive: datetime, fold: int, expected: str) -> None:
    moment = wall_clock(naive, OSLO, fold=fold)
    assert moment.isoformat() == expected
    assert moment.tzinfo is OSLO  # the zone, never a fixed offset


def test_wall_clock_on_is_wall_clock_of_the_combined_reading() -> None:
    assert wall_clock_on(date(2027, 3, 28), time(2, 30), OSLO) == wall_clock(
        datetime(2027, 3, 28, 2, 30), OSLO
    )
    assert wall_clock_on(date(2026, 12, 1), time(18), OSLO).utcoffset() == timedelta(hours=1)


def test_wall_clock_at_picks_the_reading_the_utc_value_names() -> None:
    naive = datetime(2026, 10, 25, 2, 30)
    first = wall_clock_at(naive, OSLO, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    second = wall_clock_at(naive, OSLO, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert first is not None and first.utcoffset() == timedelta(hours=2)
    assert second is not None and second.utcoffset() == timedelta(hours=1)
    assert wall_clock_at(naive, OSLO, datetime(2026, 10, 25, 4, 0, tzinfo=UTC)) is None
    summer = wall_clock_at(datetime(2026, 9, 9, 18), OSLO, datetime(2026, 9, 9, 16, tzinfo=UTC))
    assert summer == datetime(2026, 9, 9, 18, tzinfo=OSLO)


def test_stated_keeps_the_instant_and_questions_a_foreign_offset() -> None:
    december = datetime(2026, 12, 5, 18, tzinfo=timezone(timedelta(hours=2)))  # Oslo is +01:00 then
    local, questionable = stated(december, OSLO)
    assert questionable
    assert utc(local) == utc(december) and local.isoformat() == "2026-12-05T17:00:00+01:00"
    assert stated(datetime(2026, 9, 9, 18, tzinfo=timezone(timedelta(hours=2))), OSLO)[1] is False
    assert stated(datetime(2027, 3, 28, 20, tzinfo=timezone(timedelta(hours=2))), OSLO)[1] is False
    assert stated(datetime(2027, 3, 27, 20, tzinfo=timezone(timedelta(hours=2))), OSLO)[1] is True


def test_stated_questions_z_only_when_asked() -> None:
    zulu = datetime(2026, 10, 23, 18, 30, tzinfo=UTC)
    assert stated(zulu, OSLO) == (datetime(2026, 10, 23, 20, 30, tzinfo=OSLO), False)
    assert stated(zulu, OSLO, question_utc=True)[1] is True


def test_after_compares_instants_across_the_repeated_hour() -> None:
    first = wall_clock(datetime(2026, 10, 25, 2, 30), OSLO, fold=0)
    second = wall_clock(datetime(2026, 10, 25, 2, 15), OSLO, fold=1)
    assert second < first  # Python compares same-zone wall clocks and ignores fold (PEP 495)
    assert after(second, first)
    assert not after(first, second)
    assert not after(first, first)
