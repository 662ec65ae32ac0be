"""The .ics renderer: EventRecords in, RFC 5545 calendar bytes out, within a size budget.

Owns the published iCalendar text: calendar properties, the VTIMEZONE, one VEVENT per record,
TEXT escaping, 75-octet folding, CRLF, and narrowing the horizon when the file would exceed the
budget. It must not choose which events belong in a feed (the caller does), read the clock
(``now`` is passed in), read the store or write files (``writer.py`` does).

It writes the text directly instead of building ``icalendar`` objects: publishing ~40,000
occurrences must cost no more than 1.5x icalendar's bare serialisation (see
the spine benchmark, bench/spine.py), and a string writer with a precomputed VTIMEZONE is several times
faster. Output is deterministic: the same records give byte-identical files (stable ETags).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import nh3

from aggregator.model import EventRecord, Status
from aggregator.publish.common import (
    display_title,
    effective_end,
    local_date,
    ordered,
    place,
    price_text,
)
from aggregator.publish.feedinfo import FeedInfo
from aggregator.publish.vtimezone import vtimezone

PRODID = "-//aggregator//Borgen innbyggertorg//NB"
DEFAULT_MAX_BYTES = 1_000_000  # Google Calendar drops subscribed calendars over about 1 MB

_STATUS = {
    Status.SCHEDULED: "CONFIRMED",
    Status.RESCHEDULED: "CONFIRMED",
    Status.CANCELLED: "CANCELLED",
    Status.POSTPONED: "TENTATIVE",
}

# Control characters are not allowed in TEXT values (RFC 5545 3.3.11); tabs and newlines are
# handled separately (newlines become the \n escape).
# Lone surrogates (a provider's broken \\ud83d escape) cannot be encoded as UTF-8 at all.
_CTRL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def escape_text(value: str) -> str:
    """RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines; control chars dropped."""
    if _CTRL.search(value):
        value = _CTRL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    if len(line) <= 75 and line.isascii():
        return line  # the common case: short ASCII lines need no encoding at all
    if line.isascii():
        parts = [line[:75]]
        parts.extend(line[i : i + 74] for i in range(75, len(line), 74))
        return "\r\n ".join(parts)
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    chunks = []
    pos, limit, size = 0, 75, len(data)
    while pos < size:
        cut = pos + limit
        if cut < size:
            while data[cut] & 0xC0 == 0x80:  # a continuation byte: step back to the char start
                cut -= 1
        chunks.append(data[pos:cut].decode("utf-8"))
        pos, limit = cut, 74  # continuation lines start with a space, which counts
    return "\r\n ".join(chunks)


def _utc(dt: datetime) -> str:
    u = dt.astimezone(UTC)
    return f"{u.year:04d}{u.month:02d}{u.day:02d}T{u.hour:02d}{u.minute:02d}{u.second:02d}Z"


def _local(dt: datetime) -> str:
    return f"{dt.year:04d}{dt.month:02d}{dt.day:02d}T{dt.hour:02d}{dt.minute:02d}{dt.second:02d}"


def _date(d: date) -> str:
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def duration(delta: timedelta) -> str:
    """An RFC 5545 DURATION such as PT1H, P1D or P1DT30M."""
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if not seconds:
        return "PT0S"
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")


def _plain_description(record: EventRecord) -> str:
    text = record.description.strip()
    if not text and record.description_html:
        # Only HTML was given: strip every tag (nh3 keeps the text, entity-escaped).
        text = html.unescape(nh3.clean(record.description_html, tags=set())).strip()
    extras = []
    price = price_text(record)
    if price:
        extras.append(f"Pris: {price}")
    if record.signup_url:
        extras.append(f"Påmelding: {record.signup_url}")
    if record.organizer and not _EMAIL.search(record.organizer):
        extras.append(f"Arrangør: {record.organizer.strip()}")
    if extras:
        text = (text + "\n\n" if text else "") + "\n".join(extras)
    return text


def _organizer(raw: str | None) -> str | None:
    """ORGANIZER needs a cal-address; only an organizer with an e-mail address can have one."""
    if not raw:
        return None
    match = _EMAIL.search(raw)
    if not match:
        return None
    name = (raw[: match.start()] + raw[match.end() :]).strip(" <>()\t\"'")
    # A quoted parameter value may hold anything but DQUOTE and control characters (3.1).
    name = _CTRL.sub("", name.replace('"', "").replace("\n", " ").replace("\t", " ")).strip()
    cn = f';CN="{name}"' if name else ""
    return f"ORGANIZER{cn}:mailto:{match.group(0)}"


def vevent(info: FeedInfo, record: EventRecord) -> str:
    """One VEVENT as folded, CRLF-terminated text."""
    zone = info.zone
    tzid = info.timezone
    lines = ["BEGIN:VEVENT", "UID:" + escape_text(record.public_uid), "DTSTAMP:" + _utc(record.modified)]
    if record.all_day:
        first = local_date(record, zone)
        last = record.end.date() if record.end is not None else first
        if last <= first:
            last = first + timedelta(days=1)  # DTEND of a DATE is exclusive (RFC 5545 3.6.1)
        lines.append("DTSTART;VALUE=DATE:" + _date(first))
        lines.append("DTEND;VALUE=DATE:" + _date(last))
    else:
        lines.append(f"DTSTART;TZID={tzid}:" + _local(record.start.astimezone(zone)))
        if record.end is not None and record.end > record.start:  # DTEND must be later (3.8.2.2)
            lines.append(f"DTEND;TZID={tzid}:" + _local(record.end.astimezone(zone)))
    lines.append(f"SEQUENCE:{max(record.sequence, 0)}")
    lines.append("STATUS:" + _STATUS[record.status])
    lines.append("SUMMARY:" + escape_text(display_title(record)))
    description = _plain_description(record)
    if description:
        lines.append("DESCRIPTION:" + escape_text(description))
    where = place(record)
    if where:
        lines.append("LOCATION:" + escape_text(where))
    lat, lon = record.latitude, record.longitude
    if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        lines.append(f"GEO:{lat:.6f};{lon:.6f}")  # the range test also rejects NaN
    lines.append("URL:" + info.link_for(record))
    categories = [escape_text(c.strip()) for c in dict.fromkeys(record.categories) if c.strip()]
    if categories:
        lines.append("CATEGORIES:" + ",".join(categories))
    organizer = _organizer(record.organizer)
    if organizer:
        lines.append(organizer)
    lines.append("CREATED:" + _utc(record.created))
    lines.append("LAST-MODIFIED:" + _utc(record.modified))
    # Subscribed public events are suggestions, not the subscriber's appointments: they must
    # not mark the person busy in free/busy lookups.
    lines.append("TRANSP:TRANSPARENT")
    lines.append("END:VEVENT")
    return "\r\n".join([fold(line) for line in lines]) + "\r\n"


def shown(record: EventRecord, now: datetime) -> bool:
    """A cancellation is shown until its date has passed (design §7); then it says nothing."""
    return record.status is not Status.CANCELLED or effective_end(record) > now


def _header(info: FeedInfo) -> str:
    refresh = duration(info.refresh)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:" + escape_text(PRODID),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "NAME:" + escape_text(info.title),
        "X-WR-CALNAME:" + escape_text(info.title),
    ]
    if info.description:
        lines.append("DESCRIPTION:" + escape_text(info.description))
        lines.append("X-WR-CALDESC:" + escape_text(info.description))
    lines += [
        "X-WR-TIMEZONE:" + info.timezone,
        "URL:" + info.home_url,
        "SOURCE;VALUE=URI:" + info.feed_url("ics"),
        "REFRESH-INTERVAL;VALUE=DURATION:" + refresh,
        "X-PUBLISHED-TTL:" + refresh,
    ]
    return "\r\n".join([fold(line) for line in lines]) + "\r\n"


_FOOTER = b"END:VCALENDAR\r\n"


class _Rendered:
    """Each shown event rendered once, with what the budget needs to know about it."""

    def __init__(self, info: FeedInfo, events: Iterable[EventRecord], now: datetime) -> None:
        self.info = info
        self.records = [e for e in ordered(events) if shown(e, now)]
        self.blocks = [vevent(info, e).encode("utf-8") for e in self.records]
        self.days = [local_date(e, info.zone) for e in self.records]
        self.now_year = now.astimezone(info.zone).year
        # Running min/max of the years each prefix of events needs in its VTIMEZONE, so the
        # budget search asks for a prefix's block in O(1). A timed event that ends in a later
        # year than it starts needs that year's rules too.
        self.first_years: list[int] = []
        self.last_years: list[int] = []
        for record, day in zip(self.records, self.days, strict=True):
            last = day.year
            if record.end is not None and not record.all_day:
                last = max(last, record.end.astimezone(info.zone).year)
            self.first_years.append(min(day.year, self.first_years[-1]) if self.first_years else day.year)
            self.last_years.append(max(last, self.last_years[-1]) if self.last_years else last)
        self.header = _header(info).encode("utf-8")

    def timezone_block(self, count: int) -> bytes:
        """The VTIMEZONE covering the first ``count`` events (an empty calendar gets this year's).

        RFC 5545 wants at least one component in a calendar, so even an empty feed carries it.
        """
        if count:
            first, last = self.first_years[count - 1], self.last_years[count - 1]
        else:
            first = last = self.now_year
        return vtimezone(self.info.timezone, first, last).encode("ascii")

    def assemble(self, count: int) -> bytes:
        return b"".join([self.header, self.timezone_block(count), *self.blocks[:count], _FOOTER])

    def size(self, count: int) -> int:
        return (
            len(self.header)
            + len(self.timezone_block(count))
            + len(_FOOTER)
            + sum(len(b) for b in self.blocks[:count])
        )


def render_ics(info: FeedInfo, events: Iterable[EventRecord], *, now: datetime) -> bytes:
    """The whole calendar, sorted by start then public uid; cancellations already past are left out.

    ``now`` decides only that; it never appears in the output.
    """
    rendered = _Rendered(info, events, now)
    return rendered.assemble(len(rendered.blocks))


def fit_ics(
    info: FeedInfo, events: Iterable[EventRecord], *, now: datetime, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[bytes, date | None, list[str]]:
    """Render within ``max_bytes`` by dropping the latest days whole, and say so.

    Returns (calendar bytes, last date kept or None when nothing was dropped, warnings).
    Every VEVENT is rendered once; the cut is found by summing sizes, not by re-rendering.
    Events are dropped by their local start date, whole days at a time, so a day is either
    complete or absent, and no event is ever cut in the middle.
    """
    rendered = _Rendered(info, events, now)
    total = len(rendered.blocks)
    full = rendered.size(total)
    if full <= max_bytes:
        return rendered.assemble(total), None, []
    # Day boundaries: keep[i] is the count of events whose day is <= days[i-1]. The records are
    # sorted by start instant, and local start dates follow that order.
    fixed = len(rendered.header) + len(_FOOTER)
    prefix = [0]
    for block in rendered.blocks:
        prefix.append(prefix[-1] + len(block))
    count = total
    while count > 0:
        # drop the whole last day
        day = rendered.days[count - 1]
        while count > 0 and rendered.days[count - 1] == day:
            count -= 1
        if fixed + len(rendered.timezone_block(count)) + prefix[count] <= max_bytes:
            break
    data = rendered.assemble(count)
    horizon = rendered.days[count - 1] if count else rendered.days[0] - timedelta(days=1)
    message = (
        f"feed '{info.id}': {full / 1e6:.2f} MB over the {max_bytes / 1e6:.2f} MB budget; "
        f"horizon narrowed to {horizon.isoformat()} ({total - count} events left out)"
    )
    return data, horizon, [message]
