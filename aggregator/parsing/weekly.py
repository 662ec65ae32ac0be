"""Standing weekly offers: the dates a "every Tuesday 18:00" schedule meets on in the horizon.

Owns: the day names a weekly schedule may use (Norwegian from ``aggregator.parsing.dates``,
plus English, and for files staff type by hand the three-letter and æøå-less forms), the
run's horizon as local dates (``horizon_dates``), walking a schedule's meetings day by day
within a season (``meetings``, with a ``held`` rule for exceptions such as holidays or "first
of the month"), and stopping a series at the run's occurrence cap (``capped``). Used by
sources/jsonapi.py (``[sources.<id>.weekly]``, Aktivitet for Alle's activities) and
sources/manual.py (``[[weekly]]``).

Must not: build drafts, choose identities or decide what a moved or cancelled meeting is
(those rules differ per adapter and stay there), resolve times (``aggregator.parsing.clock``
does), or read the clock: the horizon comes from the RunContext.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import TypeVar

from aggregator.adapter import RunContext
from aggregator.parsing.dates import DAY_NAMES, WEEKDAYS

__all__ = [
    "TYPED_WEEKDAY_NAMES",
    "WEEKDAY_NAMES",
    "Slot",
    "capped",
    "first_in_month",
    "horizon_dates",
    "last_in_month",
    "meetings",
]

T = TypeVar("T")

_ENGLISH = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: day names (Monday = 0) as APIs and settings write them: Norwegian (bokmål and nynorsk, from
#: dates.py), English, and English three-letter abbreviations ("mon")
WEEKDAY_NAMES: dict[str, int] = {
    **WEEKDAYS,
    **{name: number for number, name in enumerate(_ENGLISH)},
    **{name[:3]: number for number, name in enumerate(_ENGLISH)},
}
#: ... and what staff type by hand in a TOML or CSV file: Norwegian three-letter forms ("tir")
#: and æøå written as o/a ("lordag", as a keyboard without them leaves it)
TYPED_WEEKDAY_NAMES: dict[str, int] = {
    **WEEKDAY_NAMES,
    **{name[:3]: number for number, name in enumerate(DAY_NAMES)},
    **{name.translate(str.maketrans("øå", "oa")): number for name, number in WEEKDAYS.items()},
}


@dataclass(frozen=True)
class Slot:
    """One weekly meeting: a weekday (Monday = 0) and its local clock times (None: not given)."""

    weekday: int
    start: time | None = None
    end: time | None = None


def horizon_dates(ctx: RunContext) -> tuple[date, date]:
    """The first and last local date of the run's horizon, in ``ctx.zone``."""
    return ctx.horizon_start.astimezone(ctx.zone).date(), ctx.horizon_end.astimezone(ctx.zone).date()


def meetings(
    slots: Sequence[Slot], first: date, last: date, *, held: Callable[[date], bool] | None = None
) -> Iterator[tuple[date, Slot]]:
    """Each (date, slot) from ``first`` to ``last`` (both included) on a slot's weekday, in
    date order and, on one date, in the slots' order; a date ``held`` refuses is left out."""
    day = first
    while day <= last:
        for slot in slots:
            if slot.weekday == day.weekday() and (held is None or held(day)):
                yield day, slot
        day += timedelta(days=1)


def capped(occurrences: Iterable[T], limit: int, on_limit: Callable[[int], object]) -> Iterator[T]:
    """At most ``limit`` of ``occurrences``; when there would be more, ``on_limit(limit)`` is
    called once (the adapter warns) and the series stops. A series that ends at the limit
    exactly is not reported."""
    for count, occurrence in enumerate(occurrences):
        if count >= limit:
            on_limit(limit)
            return
        yield occurrence


def first_in_month(day: date) -> bool:
    """Whether ``day`` is the first of its weekday in its month ("first Monday")."""
    return day.day <= 7


def last_in_month(day: date) -> bool:
    """Whether ``day`` is the last of its weekday in its month ("last Friday")."""
    return (day + timedelta(days=7)).month != day.month
