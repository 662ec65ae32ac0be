"""What every feed format shares: ordering, "upcoming", display titles, places and Norwegian dates.

Owns the presentation rules that must agree across .ics, RSS, Atom and JSON Feed (the
"AVLYST: " prefix, how a place is written, how a date reads in Norwegian bokmål). It must not
render any format, read the clock (``now`` is always passed in) or decide which events belong
in a feed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aggregator.model import EventRecord, Status

# Norwegian bokmål abbreviations as Språkrådet writes them: short month names are not cut
# ("mars", "mai", "juni", "juli") and so carry no full stop.
WEEKDAYS = ("man.", "tir.", "ons.", "tor.", "fre.", "lør.", "søn.")
MONTHS = ("jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "des.")

_PREFIX = {Status.CANCELLED: ("AVLYST: ", "avlyst"), Status.POSTPONED: ("UTSATT: ", "utsatt")}


def sort_key(record: EventRecord) -> tuple[datetime, str]:
    """Start instant, then the published uid, so equal starts still order the same every time."""
    return (record.start, record.public_uid)


def ordered(events: Iterable[EventRecord]) -> list[EventRecord]:
    return sorted(events, key=sort_key)


def effective_end(record: EventRecord) -> datetime:
    """When the event is over: its end, else the end of its day (all-day) or its start."""
    if record.end is not None and record.end > record.start:
        return record.end
    if record.all_day:
        return record.start + timedelta(days=1)
    return record.start


def upcoming(events: Iterable[EventRecord], now: datetime) -> list[EventRecord]:
    """Events not yet over at ``now``, sorted by start (what RSS/Atom/JSON Feed list)."""
    return ordered(e for e in events if effective_end(e) > now)


def display_title(record: EventRecord) -> str:
    """The title subscribers see: cancelled/postponed say so, because some clients hide STATUS."""
    title = record.title.strip()
    prefix = _PREFIX.get(record.status)
    if prefix and prefix[1] not in title.casefold():
        return prefix[0] + title
    return title


def place(record: EventRecord) -> str:
    """Location and address in one line, without repeating an address the name already holds."""
    loc = (record.location or "").strip()
    addr = (record.address or "").strip()
    if loc and addr and addr.casefold() not in loc.casefold():
        return f"{loc}, {addr}"
    return loc or addr


def local_date(record: EventRecord, zone: ZoneInfo) -> date:
    """The calendar date the event starts on, as a subscriber in ``zone`` reads it.

    An all-day event's date is its own (a local midnight in ``record.tz``), never shifted by a
    zone conversion.
    """
    if record.all_day:
        return record.start.date()
    return record.start.astimezone(zone).date()


def last_day(record: EventRecord, zone: ZoneInfo) -> date:
    """The last calendar date the event touches (inclusive)."""
    first = local_date(record, zone)
    if record.end is None or record.end <= record.start:
        return first
    if record.all_day:
        return max(first, record.end.date() - timedelta(days=1))
    return max(first, record.end.astimezone(zone).date())


def nb_date(d: date, now_year: int) -> str:
    """``tir. 3. nov.``; the year is added when it is not the current one."""
    text = f"{WEEKDAYS[d.weekday()]} {d.day}. {MONTHS[d.month - 1]}"
    return text if d.year == now_year else f"{text} {d.year}"


def nb_time(dt: datetime) -> str:
    """Norwegian clock time with a full stop: ``18.00``."""
    return f"{dt.hour:02d}.{dt.minute:02d}"


def when_short(record: EventRecord, zone: ZoneInfo, now: datetime) -> str:
    """Date and start time for a title: ``tir. 3. nov. kl. 18.00``; all-day: just the date."""
    year = now.astimezone(zone).year
    if record.all_day:
        return nb_date(local_date(record, zone), year)
    start = record.start.astimezone(zone)
    return f"{nb_date(start.date(), year)} kl. {nb_time(start)}"


def when_long(record: EventRecord, zone: ZoneInfo, now: datetime) -> str:
    """Date and time range for a first line: ``tir. 3. nov. kl. 18.00–20.00``."""
    year = now.astimezone(zone).year
    first, last = local_date(record, zone), last_day(record, zone)
    if record.all_day:
        if last == first:
            return nb_date(first, year)
        return f"{nb_date(first, year)} – {nb_date(last, year)}"
    start = record.start.astimezone(zone)
    text = f"{nb_date(first, year)} kl. {nb_time(start)}"
    if record.end is None or record.end <= record.start:
        return text
    end = record.end.astimezone(zone)
    if last == first:
        return f"{text}–{nb_time(end)}"
    return f"{text} – {nb_date(last, year)} kl. {nb_time(end)}"


def heading(record: EventRecord, zone: ZoneInfo, now: datetime) -> str:
    """Feed-reader title: readers sort by publication date, so the date leads the title."""
    return f"{when_short(record, zone, now)} – {display_title(record)}"


def price_text(record: EventRecord) -> str:
    if record.price and record.price.strip():
        return record.price.strip()
    if record.free:
        return "Gratis"
    return ""


# Characters XML 1.0 cannot carry at all; a provider's stray form feed or NUL would make the
# whole feed unparseable (feedparser bozo), so they go, everywhere.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    return _XML_INVALID.sub("", text)
