"""VTIMEZONE blocks generated from zoneinfo, cached per zone and year range.

Owns turning an IANA zone (tzdata) into the RFC 5545 VTIMEZONE that a published .ics must
declare for every TZID it uses. It must not know about events or feeds; callers pass the years
their events cover.

Why not ``icalendar.Timezone.from_tzinfo``: in icalendar 7.3 it writes the DAYLIGHT onset in
the *new* wall-clock time (``DTSTART:20260329T030000`` for Europe/Oslo) while RFC 5545 (its own
US-Eastern example) and every tzurl.org zone give the onset in the wall clock *before* the
change (02:00), and it adds a COMMENT inside VTIMEZONE that libical flags. Walking zoneinfo
ourselves is a few lines, exact, and lets us emit only what clients need.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_State = tuple[timedelta, bool, str]  # utcoffset, is daylight, tzname


def _state(ts: int, zone: ZoneInfo) -> _State:
    local = datetime.fromtimestamp(ts, zone)
    offset = local.utcoffset() or timedelta(0)
    return (offset, bool(local.dst()), local.tzname() or "")


def _offset(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _wall(ts: int, offset: timedelta) -> str:
    """The local wall-clock time of instant ``ts`` under ``offset``, as an iCalendar DATE-TIME."""
    return (datetime.fromtimestamp(ts, UTC) + offset).strftime("%Y%m%dT%H%M%S")


def transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[tuple[int, _State, _State]]:
    """Every change of offset/dst/name between the local new years of the range, to the second."""
    # Step a day at a time in UTC and bisect each change down to the second.
    lo = int(datetime(first_year, 1, 1, tzinfo=UTC).timestamp()) - 86400
    hi = int(datetime(last_year + 1, 1, 1, tzinfo=UTC).timestamp()) + 86400
    found = []
    ts, state = lo, _state(lo, zone)
    while ts < hi:
        nxt = min(ts + 86400, hi)
        if _state(nxt, zone) == state:
            ts = nxt
            continue
        a, b = ts, nxt  # state(a) == state != state(b): bisect to the first changed second
        while b - a > 1:
            mid = (a + b) // 2
            if _state(mid, zone) == state:
                a = mid
            else:
                b = mid
        after = _state(b, zone)
        found.append((b, state, after))
        ts, state = b, after  # scan on from the change, so two changes in a day are both seen
    return found


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int, last_year: int) -> str:
    """The VTIMEZONE for ``tzid`` valid from 1 January ``first_year`` to 31 December ``last_year``.

    Returned as CRLF-terminated text ready to splice into a calendar. Each onset gets its own
    STANDARD/DAYLIGHT component with a DTSTART and no RDATE: ical.js 2.2 (Thunderbird) ignores
    an observance's DTSTART as soon as it has an RDATE, so the grouped form icalendar writes
    loses the first change of the range there (summer 2026 read as +01:00; see
    tests/publish/test_publish_ics.py::test_icaljs_reads_dst_wall_clocks_all_day_and_status).
    """
    if last_year < first_year:
        raise ValueError(f"year range {first_year}..{last_year} is empty")
    zone = ZoneInfo(tzid)
    start = int(datetime(first_year, 1, 1, tzinfo=UTC).timestamp()) - 86400
    offset, daylight, name = _state(start, zone)
    # The first observance pins the offset in force before the first change in the range.
    onsets = [(_wall(start, offset), offset, offset, daylight, name)]
    for ts, before, after in transitions(zone, first_year, last_year):
        # The onset is written in the wall clock in force *before* the change (RFC 5545 3.6.5).
        onsets.append((_wall(ts, before[0]), before[0], after[0], after[1], after[2]))
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    for onset, frm, to, is_daylight, tzname in onsets:
        kind = "DAYLIGHT" if is_daylight else "STANDARD"
        lines.append(f"BEGIN:{kind}")
        lines.append(f"DTSTART:{onset}")
        if tzname:
            lines.append(f"TZNAME:{tzname}")
        lines.append(f"TZOFFSETFROM:{_offset(frm)}")
        lines.append(f"TZOFFSETTO:{_offset(to)}")
        lines.append(f"END:{kind}")
    lines.append("END:VTIMEZONE")
    return "\r\n".join(lines) + "\r\n"
