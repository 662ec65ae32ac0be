"""Wall clocks and stated offsets: turning what a source writes into aware datetimes in a zone.

Owns: reading a naive local time in a zone through zoneinfo (``wall_clock``, with the DST rules
every adapter shares: a time in the spring gap moves forward by the gap, a repeated autumn time
takes the reading ``fold`` asks for), choosing the reading of a repeated time that a source's
own UTC value names (``wall_clock_at``), reading a value that states an offset and telling
whether that offset is the zone's at that instant (``stated``), and comparing moments as
instants (``after``, ``utc``). Used by sources/jsonapi.py, tribe.py, jsonld.py, dnt.py, rss.py
and manual.py and by aggregator/parsing/dates.py and feeds.py.

Must not: read the clock, parse strings (each provider's ISO quirks stay with its adapter),
use a fixed UTC offset for a local time, or decide what to do about a false offset: it says
so, and the adapter warns, keeps or ignores it under its clock policy.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

__all__ = ["after", "stated", "utc", "wall_clock", "wall_clock_at", "wall_clock_on"]


def wall_clock(naive: datetime, zone: ZoneInfo, fold: int = 0) -> datetime:
    """A local wall-clock reading as an aware datetime in ``zone`` (zoneinfo, never a fixed offset).

    In the repeated hour of an autumn change (02:30 on 2026-10-25) ``fold`` picks the first,
    summer-time reading (0) or the second (1). A time inside the spring gap (02:30 on
    2027-03-28) does not exist: the round trip through UTC moves it forward by the gap's length,
    as a clock would, to 03:30 CEST, instead of keeping a phantom time.
    """
    aware = naive.replace(tzinfo=zone, fold=fold)
    return aware.astimezone(UTC).astimezone(zone)


def wall_clock_on(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """``wall_clock`` for a date and a time of day read apart (listings, hand-kept files)."""
    return wall_clock(datetime.combine(day, clock), zone)


def wall_clock_at(naive: datetime, zone: ZoneInfo, instant: datetime) -> datetime | None:
    """The reading of ``naive`` in ``zone`` that is ``instant``, or None when neither is.

    A source that gives both a local time and its UTC value (Tribe's ``utc_start_date``) tells
    which of the two 02:30 of 2026-10-25 it means. Compared in UTC: PEP 495 makes ``==``
    between zones False for any ambiguous local time.
    """
    for fold in (0, 1):
        reading = wall_clock(naive, zone, fold=fold)
        if utc(reading) == utc(instant):
            return reading
    return None


def stated(moment: datetime, zone: ZoneInfo, *, question_utc: bool = False) -> tuple[datetime, bool]:
    """The instant an aware ``moment`` names, in ``zone``, and whether to question its offset.

    The second value is True when the stated offset is not ``zone``'s at that instant (a source
    claiming +02:00 in December may have shifted the wall clock, not the instant). A zero
    offset (``Z``) is the usual way to state a true instant and is questioned only when
    ``question_utc`` says so (for a source that never writes UTC).
    """
    local = moment.astimezone(zone)
    offset = moment.utcoffset()
    if not offset and not question_utc:
        return local, False
    return local, local.utcoffset() != offset


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC: the form in which two readings of one zone compare as instants."""
    return moment.astimezone(UTC)


def after(later: datetime, earlier: datetime) -> bool:
    """``later > earlier`` as instants: same-zone comparison ignores ``fold`` (PEP 495)."""
    return utc(later) > utc(earlier)
