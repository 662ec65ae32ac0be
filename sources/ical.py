"""The generic iCalendar adapter: any RFC 5545 feed (Google, Outlook, fotball.no, TicketCo...).

Owns: mapping one expanded VEVENT occurrence onto an ``EventDraft`` (title, text, HTML
description, place, coordinates, organizer, categories, status, identity). Loading,
time-zone resolution and recurrence expansion live in ``aggregator.parsing.ical``.

Must not: fetch anything (the core rewrites ``webcal://`` and downloads), read the clock,
or interpret titles ("AVLYST" is the core's business); identity never uses the start time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Component, vCalAddress, vGeo, vText
from icalendar.parser import unescape_backslash

from aggregator.adapter import Adapter, RunContext
from aggregator.model import EventDraft, Follow, Response, Status
from aggregator.parsing.ical import Instance, expand, load_calendars

# Fields an override (RECURRENCE-ID) may leave out and then inherits from its series' main
# VEVENT: Google repeats them, but Outlook and hand-edited files often send only what changed.
_INHERITED = (
    "title",
    "description",
    "description_html",
    "location",
    "url",
    "latitude",
    "longitude",
    "organizer",
    "categories",
)
_MISSING = (None, "", ())


class IcalAdapter(Adapter):
    """Reads one iCalendar document into one draft per occurrence within the horizon."""

    name = "ical"

    def parse(self, response: Response, ctx: RunContext) -> Iterator[EventDraft | Follow]:
        text = response.text()
        if "\ufffd" in text:
            # A wrong charset claim or broken bytes: the text is readable but damaged.
            ctx.warn("the calendar text holds U+FFFD replacement characters: encoding damage")
        calendars = load_calendars(text)
        fields: dict[int, dict[str, Any]] = {}  # per component: read once, shared by its occurrences
        for inst in expand(calendars, ctx):
            own = _cached(inst.component, fields)
            if inst.core is not None:
                base = _cached(inst.core, fields)
                own = {k: base[k] if k in _INHERITED and v in _MISSING else v for k, v in own.items()}
            if not own["title"]:
                ctx.skip(f"VEVENT {inst.uid}: no SUMMARY", inst.uid)
                continue
            yield _draft(inst, own, ctx.zone)


def _zoned(value: Any, zone: ZoneInfo) -> Any:
    """A time in a zone built from the file's own VTIMEZONE (Outlook's "W. Europe Standard Time")
    keeps its instant but is expressed in the IANA zone, so the store gets a real zone name."""
    if (
        isinstance(value, datetime)
        and value.tzinfo not in (None, UTC)
        and not isinstance(value.tzinfo, ZoneInfo)
    ):
        return value.astimezone(zone)
    return value


def _draft(inst: Instance, f: dict[str, Any], zone: ZoneInfo) -> EventDraft:
    return EventDraft(
        uid=inst.uid,
        title=f["title"],
        start=_zoned(inst.start, zone),
        end=_zoned(inst.end, zone),
        recurrence_id=inst.recurrence_id,
        status=f["status"],
        description=f["description"],
        description_html=f["description_html"],
        url=f["url"],
        location=f["location"],
        latitude=f["latitude"],
        longitude=f["longitude"],
        organizer=f["organizer"],
        categories=f["categories"],
        raw=f["raw"] | ({"uid_derived": True} if inst.uid_derived else {}),
    )


def _cached(component: Component, cache: dict[int, dict[str, Any]]) -> dict[str, Any]:
    key = id(component)
    if key not in cache:
        cache[key] = _fields(component)
    return cache[key]


def _fields(event: Component) -> dict[str, Any]:
    geo = event.get("GEO")
    latlon = (geo.latitude, geo.longitude) if isinstance(geo, vGeo) else (None, None)
    status = _text(event.get("STATUS")).upper()
    sequence = event.get("SEQUENCE")
    return {
        "title": _text(event.get("SUMMARY")),
        "description": _text(event.get("DESCRIPTION")) or None,
        "description_html": _html(event.get("X-ALT-DESC")),
        "location": _text(event.get("LOCATION")) or None,
        "url": _text(event.get("URL")) or None,
        "latitude": latlon[0],
        "longitude": latlon[1],
        "organizer": _organizer(event.get("ORGANIZER")),
        "categories": _categories(event.get("CATEGORIES")),
        # RFC 5545 STATUS for VEVENT: TENTATIVE / CONFIRMED / CANCELLED. Tentative still happens.
        "status": Status.CANCELLED if status == "CANCELLED" else Status.SCHEDULED,
        # Kept for the operator only; the core owns our SEQUENCE. TicketCo's can exceed 32 bits
        # (ticketco_event.ics); aggregator.parsing.ical turned it into a plain int.
        "raw": {"sequence": int(sequence)} if isinstance(sequence, int) else {},
    }


def _first(value: Any) -> Any:
    """A property given more than once arrives as a list; the first one counts."""
    return value[0] if isinstance(value, list) and value else value


def _text(value: Any) -> str:
    value = _first(value)
    return str(value).strip() if value is not None else ""


def _html(value: Any) -> str | None:
    # fotball.no puts a whole HTML page in X-ALT-DESC;FMTTYPE=text/html (fotball_no_vtimezone.ics);
    # other FMTTYPEs (or none) are not HTML we should sanitise and show.
    for item in value if isinstance(value, list) else [value]:
        params = getattr(item, "params", {})
        if item is not None and str(params.get("FMTTYPE", "")).lower() == "text/html":
            # icalendar leaves X- properties escaped (vUnknown): undo RFC 5545 TEXT escapes
            # (\n, \,) ourselves, but never twice on a value it already read as text.
            text = str(item) if isinstance(item, vText) else unescape_backslash(str(item))
            return text.strip() or None
    return None


def _organizer(value: Any) -> str | None:
    value = _first(value)
    if value is None:
        return None
    cn = str(value.params.get("CN", "")).strip() if isinstance(value, vCalAddress) else ""
    if cn:
        return cn
    address = str(value).strip()
    if address.lower().startswith("mailto:"):
        address = address[len("mailto:") :]
    return address or None


def _categories(value: Any) -> tuple[str, ...]:
    found: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        cats = getattr(item, "cats", None)
        names = cats if cats is not None else ([] if item is None else str(item).split(","))
        for name in names:
            text = str(name).strip()
            if text and text not in found:
                found.append(text)
    return tuple(found)
