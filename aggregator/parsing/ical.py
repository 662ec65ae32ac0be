"""iCalendar (RFC 5545) reading helpers: load a calendar safely, expand it into occurrences.

Owns: rejecting documents that are not a whole calendar (``ParseError``), resolving floating
and unknown-zone times (X-WR-TIMEZONE through the ``x-wr-timezone`` library, else the run's
zone), skipping single broken VEVENTs with ``ctx.skip``, and expanding RRULE/RDATE/EXDATE/
RECURRENCE-ID with ``recurring-ical-events`` inside the run's horizon and a per-event cap.
Each occurrence carries its identity: the VEVENT UID and the UTC text of its *original* start.

Must not: do I/O, read the clock (the horizon comes from ``ctx``), or build drafts — mapping
properties onto ``EventDraft`` fields is the adapter's job (``sources/ical.py``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import x_wr_timezone
from icalendar import Calendar, Component, vDDDTypes
from recurring_ical_events import EventAdapter, Occurrence, Series

from aggregator.adapter import RunContext
from aggregator.errors import ParseError

# A VEVENT with one of these broken (vBroken) cannot be placed in time: skip it.
_TIME_PROPS = ("DTSTART", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")
# These only give the length; when broken we drop them and keep the event (start is known).
_END_PROPS = ("DTEND", "DURATION")
#: How many rule instances (from DTSTART, also before the horizon) we generate for one rule
#: before calling it pathological. A daily rule started in 1970 needs ~21 000.
STEP_BUDGET = 50_000

_HTML_START = re.compile(r"\s*<(?:!doctype|html|head|body|\?xml)", re.IGNORECASE)
_BEGIN = re.compile(r"^BEGIN:VCALENDAR\s*$", re.IGNORECASE | re.MULTILINE)
_END = re.compile(r"^END:VCALENDAR\s*$", re.IGNORECASE | re.MULTILINE)


def load_calendars(text: str) -> list[Calendar]:
    """Parse ``text`` into its VCALENDARs, or raise ``ParseError`` naming what is wrong."""
    if not text.strip():
        raise ParseError("empty body: no calendar data")
    if _HTML_START.match(text):
        # Typical of a Google/Outlook share link that has gone private: a 200 login page.
        raise ParseError("got an HTML page instead of an iCalendar document (login or error page?)")
    begins = [m.start() for m in _BEGIN.finditer(text)]
    if not begins:
        raise ParseError("no BEGIN:VCALENDAR line: not an iCalendar document")
    # icalendar returns an empty or partial calendar for some truncations without an error
    # (tests/fixtures/sources/ical/truncated.ics), so the closing line must be checked here.
    if not any(m.start() > begins[-1] for m in _END.finditer(text)):
        raise ParseError("truncated calendar: no END:VCALENDAR after the last BEGIN:VCALENDAR")
    try:
        # Bytes, not str: icalendar 7 probes a str without line breaks as a local file path.
        parsed = Calendar.from_ical(text.encode("utf-8"), multiple=True)
    except Exception as err:  # icalendar raises ValueError, IndexError, KeyError... on hostile input
        raise ParseError(f"icalendar cannot parse the document: {err}") from err
    calendars = [c for c in parsed if isinstance(c, Calendar) and c.name == "VCALENDAR"]
    if not calendars:
        raise ParseError("no VCALENDAR component could be read")
    return calendars


def format_recurrence_id(value: date | datetime, zone: tzinfo, *, by_date: bool = False) -> str:
    """The stable text of an original start: ``YYYYMMDDTHHMMSSZ`` in UTC, or ``YYYYMMDD``.

    With ``by_date`` a timed start is reduced to its local date: a series that meets at most
    once a day keeps each occurrence's identity when the organiser moves the whole series to
    another hour (an identity must never depend on the time of day, design §5).
    """
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        if by_date:
            return aware.astimezone(zone).strftime("%Y%m%d")
        return aware.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


@dataclass(frozen=True, slots=True)
class Instance:
    """One occurrence inside the horizon: the component that describes it, and its identity.

    ``core`` is the series' main VEVENT when ``component`` is an override (so a caller can
    fill properties an override left out); ``end`` is None when the event has no length.
    """

    uid: str
    uid_derived: bool
    component: Component
    core: Component | None
    start: date | datetime
    end: date | datetime | None
    recurrence_id: str | None


class _FloatingWalker(x_wr_timezone.CalendarWalker):  # type: ignore[misc]
    """Reads floating (and unknown-TZID, hence naive) times as wall clock in one zone.

    Unlike ``x_wr_timezone.UTCChangingWalker`` it leaves UTC times alone: without
    X-WR-TIMEZONE a UTC series repeats in UTC (RFC 5545 3.3.5).
    """

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def walk_value_datetime(self, dt: datetime) -> datetime:
        return dt.replace(tzinfo=self.zone) if dt.tzinfo is None else dt


class _Adapter(EventAdapter):  # type: ignore[misc]
    """recurring-ical-events' VEVENT adapter, exposing the component it wraps."""

    def __init__(self, component: Component) -> None:
        super().__init__(component)
        self.component = component


class _Occurrence(Occurrence):  # type: ignore[misc]
    """An occurrence that remembers its component and the start the rule generated."""

    def __init__(self, adapter: _Adapter, start: Any = None, end: Any = None, sequence: int = -1) -> None:
        super().__init__(adapter, start, end, sequence)
        self.component = adapter.component
        # A generated instance's original start is the rule's slot; RANGE=THISANDFUTURE
        # overrides shift later slots by move_recurrences_by, so undo that shift.
        self.generated = None if start is None else start - adapter.move_recurrences_by


class _Series(Series):  # type: ignore[misc]
    def occurrence(self, adapter: _Adapter, start: Any = None, end: Any = None) -> _Occurrence:
        return _Occurrence(adapter, start, end, sequence=self.sequence)


def _zone_for_floating(cal: Calendar, ctx: RunContext) -> tuple[tzinfo, bool]:
    """The zone floating times mean, and whether it came from X-WR-TIMEZONE."""
    declared = cal.get("X-WR-TIMEZONE")
    if declared is None:
        return ctx.zone, False
    try:
        return ZoneInfo(str(declared).strip()), True
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        ctx.warn(f"unknown X-WR-TIMEZONE {str(declared)!r}; floating times read in {ctx.zone.key}")
        return ctx.zone, False


def _usable(event: Component, ctx: RunContext) -> bool:
    """Whether a VEVENT can be placed in time; skips (with its UID) or repairs it otherwise."""
    uid = str(event.get("UID", "")) or "(no UID)"
    broken = {name for name, _ in event.errors}
    start = event.get("DTSTART")
    if start is None:
        ctx.skip(f"VEVENT {uid}: missing DTSTART", uid)
        return False
    for name in _TIME_PROPS:
        if name in broken:
            ctx.skip(f"VEVENT {uid}: unparseable {name}", uid)
            return False
    if not isinstance(start, vDDDTypes) or type(start.dt) not in (date, datetime):
        ctx.skip(f"VEVENT {uid}: DTSTART is not a date or date-time", uid)
        return False
    for name in _END_PROPS:
        value = event.get(name)
        if name in broken or (value is not None and not isinstance(value, vDDDTypes)):
            ctx.warn(f"VEVENT {uid}: unparseable {name} dropped")
            event.pop(name)
    if "SEQUENCE" in broken:
        # TicketCo sends SEQUENCE:17906925260 (ticketco_event.ics), outside RFC 5545's 32-bit
        # range, so icalendar leaves it broken and recurring-ical-events would crash comparing
        # it. Only its order matters (which duplicate wins): keep it as a plain int if it is one.
        text = str(event.pop("SEQUENCE")).strip()
        if re.fullmatch(r"[+-]?\d{1,30}", text):
            event["SEQUENCE"] = int(text)
    if "DTEND" in event and not _after(_dt(event, "DTEND"), start.dt):
        # recurring-ical-events would swap start and end; the start is the firmer claim.
        event.pop("DTEND")
    duration = _dt(event, "DURATION")
    if "DURATION" in event and (not isinstance(duration, timedelta) or duration <= timedelta(0)):
        event.pop("DURATION")
    return True


def _dt(event: Component, name: str) -> Any:
    """The value of a date/time property, or None when absent or not a date/time value."""
    prop = event.get(name)
    return prop.dt if isinstance(prop, vDDDTypes) else None


def _after(end: Any, start: Any) -> bool:
    """Whether ``end`` is a usable end for ``start``: same kind (date, aware or naive), later."""
    if type(end) is not type(start) or not isinstance(end, date):
        return False  # a date end on a date-time start (or the reverse) is not a usable end
    if isinstance(end, datetime) and (end.tzinfo is None) != (start.tzinfo is None):
        return False
    return bool(end > start)


def _derive_uid(event: Component, used: set[str]) -> str:
    """A UID for a VEVENT without one: summary + start *date*, never the time (design §5)."""
    start = _dt(event, "DTSTART")
    day = start.date() if isinstance(start, datetime) else start
    digest = hashlib.sha1(f"{event.get('SUMMARY', '')}|{day.isoformat()}".encode()).hexdigest()
    uid, n = f"derived-{digest[:16]}", 1
    while uid in used:  # two UID-less events with the same title on the same day
        n += 1
        uid = f"derived-{digest[:16]}-{n}"
    used.add(uid)
    return uid


def _groups(calendars: list[Calendar], ctx: RunContext) -> Iterator[tuple[str, bool, list[Component]]]:
    """Usable VEVENTs grouped into series by UID, with floating times resolved."""
    groups: dict[str, list[Component]] = {}
    derived: set[str] = set()
    for cal in calendars:
        zone, from_x_wr = _zone_for_floating(cal, ctx)
        walker = x_wr_timezone.UTCChangingWalker(zone) if from_x_wr else _FloatingWalker(zone)
        for event in cal.walk("VEVENT"):
            if not _usable(event, ctx):
                continue
            _warn_unknown_tzid(event, ctx, zone)
            try:
                event = walker.walk_event(event)
            except Exception as err:  # hostile values the walker cannot convert
                uid = str(event.get("UID", "(no UID)"))
                ctx.skip(f"VEVENT {uid}: unreadable times: {err}", uid)
                continue
            uid = str(event.get("UID", "")).strip()
            if not uid:
                uid = _derive_uid(event, derived)
                ctx.warn(f"VEVENT {event.get('SUMMARY', '')!s:.60} has no UID; derived {uid}")
            groups.setdefault(uid, []).append(event)
    for uid, events in groups.items():
        cores = [e for e in events if "RECURRENCE-ID" not in e]
        if len(cores) < 2:
            yield uid, uid in derived, events
            continue
        # Two main VEVENTs with one UID: RFC 5545 does not allow it, recurring-ical-events would
        # keep only one, and badly generated feeds do it for distinct events. Keep them all,
        # apart by document order (badinputs authored/duplicate_uid_distinct_events.ics).
        ctx.warn(f"UID {uid} names {len(cores)} separate events; numbered {uid}#2 and on")
        extras = {id(e) for e in cores[1:]}
        yield uid, uid in derived, [e for e in events if id(e) not in extras]
        for n, extra in enumerate(cores[1:], 2):
            yield f"{uid}#{n}", uid in derived, [extra]


def _warn_unknown_tzid(event: Component, ctx: RunContext, zone: tzinfo) -> None:
    start = event["DTSTART"]
    tzid = start.params.get("TZID")
    value = _dt(event, "DTSTART")
    if tzid and isinstance(value, datetime) and value.tzinfo is None:
        ctx.warn(f"VEVENT {event.get('UID', '')}: unknown TZID {tzid!r} read as {zone}")


def _cutoff(series: Any, ctx: RunContext) -> datetime | None:
    """Where to stop expanding a series whose rules are too dense, or None when they are not.

    ``Series.between`` asks dateutil for a *list* of instances, so an every-second rule
    would build millions of datetimes (tests/fixtures/sources/ical/pathological.ics).
    Here each rule is walked lazily, from DTSTART (dateutil cannot start later), and the walk
    stops past the horizon, after ``max_occurrences`` instances inside it, or after
    STEP_BUDGET instances in all. dateutil caches what was walked, so the later
    ``between`` call re-reads it instead of recomputing it.
    """
    recurrence = series.recurrence
    if not recurrence.has_core:
        return None
    tz = recurrence.tzinfo
    lo, hi = ctx.horizon_start, ctx.horizon_end
    if tz is None:  # all-day series: dateutil works in naive midnights
        lo = lo.astimezone(ctx.zone).replace(tzinfo=None)
        hi = hi.astimezone(ctx.zone).replace(tzinfo=None)
    cutoff: datetime | None = None
    for rule in recurrence.rrules:
        inside = 0
        for steps, start in enumerate(rule, 1):
            if start > hi:
                break
            if start >= lo:
                inside += 1
            if inside > ctx.max_occurrences or steps > STEP_BUDGET:
                cutoff = start if cutoff is None else min(cutoff, start)
                break
    if cutoff is not None and cutoff.tzinfo is None:
        cutoff = cutoff.replace(tzinfo=ctx.zone)
    return cutoff


def _sort_key(value: date | datetime, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return datetime(value.year, value.month, value.day, tzinfo=zone)


def expand(calendars: list[Calendar], ctx: RunContext) -> Iterator[Instance]:
    """Every occurrence overlapping ``[ctx.horizon_start, ctx.horizon_end]``, series by series.

    A series that cannot be expanded is skipped with its UID; a series with more than
    ``ctx.max_occurrences`` occurrences in the horizon is cut there with a warning.
    """
    for uid, derived, events in _groups(calendars, ctx):
        try:
            series = _Series([_Adapter(e) for e in events])
            cutoff = _cutoff(series, ctx)
            stop = ctx.horizon_end if cutoff is None else min(cutoff, ctx.horizon_end)
            found: list[_Occurrence] = []
            if stop > ctx.horizon_start:
                found = list(series.between(ctx.horizon_start, stop))
            found.sort(key=lambda o: _sort_key(o.start, ctx.zone))
        except Exception as err:  # bad rules, mixed date kinds, ... in one series only
            ctx.skip(f"VEVENT {uid}: cannot expand its recurrence: {err}", uid)
            continue
        if cutoff is not None and cutoff <= ctx.horizon_start:
            ctx.warn(
                f"VEVENT {uid}: recurrence too dense to reach the horizon "
                f"({STEP_BUDGET} instances stopped at {cutoff}); none of it is read"
            )
        elif cutoff is not None or len(found) > ctx.max_occurrences:
            ctx.warn(
                f"VEVENT {uid}: recurrence truncated to the first {ctx.max_occurrences} "
                f"occurrences in the horizon (cut at {cutoff or found[ctx.max_occurrences].start})"
            )
        found = found[: ctx.max_occurrences]
        core = series.recurrence.core.component if series.recurrence.has_core else None
        recurring = len(events) > 1 or any(k in e for e in events for k in ("RRULE", "RDATE"))
        instances = [_instance(uid, derived, occ, core, recurring, ctx.zone, True) for occ in found]
        rids = [i.recurrence_id for i in instances if i.recurrence_id is not None]
        if len(rids) != len(set(rids)):
            # Several occurrences on one local day (an hourly rule, an RDATE list): only the
            # full original start tells them apart.
            instances = [_instance(uid, derived, occ, core, recurring, ctx.zone, False) for occ in found]
        yield from instances


def _instance(
    uid: str,
    derived: bool,
    occ: _Occurrence,
    core: Component | None,
    recurring: bool,
    zone: tzinfo,
    by_date: bool,
) -> Instance:
    component = occ.component
    rid: str | None = None
    override = component.get("RECURRENCE-ID")
    if occ.generated is not None and recurring:
        rid = format_recurrence_id(occ.generated, zone, by_date=by_date)
    elif override is not None:
        rid = format_recurrence_id(_dt(component, "RECURRENCE-ID"), zone, by_date=by_date)
    start, end = occ.start, occ.end
    if not _after(end, start):  # no DTEND/DURATION (end == start): a point in time
        end = None
    return Instance(uid, derived, component, None if component is core else core, start, end, rid)
