"""WordPress "The Events Calendar" (Tribe) REST API: ``/wp-json/tribe/events/v1/events``.

Owns: building the listing URL from a site root, following ``next_rest_url`` page by page up to
``max_pages``, and reading one Tribe event into a draft. Tribe gives ``start_date``/``end_date``
as the *local wall clock* in the event's IANA ``timezone``; ``utc_start_date`` is only a claim we
cross-check. It must not fetch anything itself, read the clock, or key identity on times
(the uid is Tribe's post ``id``).

    [sources.asker-bibliotek-tec]   # a WordPress site running The Events Calendar
    adapter = "tribe"
    url = "https://example-library.no"  # the site root, or the full events endpoint
    max_pages = 20
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aggregator.adapter import Adapter, RunContext
from aggregator.errors import ParseError, SkipEvent
from aggregator.model import EventDraft, Follow, Request, Response
from aggregator.parsing.clock import after, wall_clock, wall_clock_at
from aggregator.parsing.jsondoc import clean_text, read_json

ENDPOINT = "/wp-json/tribe/events/v1/events"
_FREE_WORDS = {"gratis", "free", "0", "kr 0", "0 kr", "kr 0,-", "gratis inngang", "fri entré"}


class TribeAdapter(Adapter):
    """The Events Calendar REST listing, paginated through ``next_rest_url``."""

    name = "tribe"

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

        #: events per page; Tribe refuses more than 50, so larger values are capped
        per_page: int = Field(default=50, ge=1)
        #: stop following next_rest_url after this many pages (a warning says so)
        max_pages: int = Field(default=20, ge=1)
        #: Tribe's own start_date filter ("2026-09-01"); default: Tribe's "today"
        start_date: str | None = None

        @field_validator("per_page")
        @classmethod
        def _cap(cls, value: int) -> int:
            return min(value, 50)

    options: Options

    def requests(self, url: str | None) -> list[Request]:
        if url is None:
            return []
        parts = urlsplit(url.strip())
        path = parts.path.rstrip("/")
        if not path.endswith(ENDPOINT):
            path += ENDPOINT
        query = dict(parse_qsl(parts.query))
        query.setdefault("per_page", str(self.options.per_page))
        query.setdefault("page", "1")
        if self.options.start_date:
            query.setdefault("start_date", self.options.start_date)
        listing = urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))
        return [Request(url=listing, headers={"accept": "application/json"}, meta={"page": 1})]

    def parse(self, response: Response, ctx: RunContext) -> Iterator[EventDraft | Follow]:
        document = read_json(response)
        if not isinstance(document, dict):
            raise ParseError(f"expected a JSON object with 'events', got a {type(document).__name__}")
        if "events" not in document:
            raise ParseError("the 'events' key is missing: not a Tribe events listing")
        events = document["events"]
        if not isinstance(events, list):
            raise ParseError(f"'events' is a {type(events).__name__}, not a list")
        page = int(response.meta.get("page", 1))
        if not events:
            # bomloteater's upcoming listing is 200 {"events":[],"total":0}: empty, not broken.
            ctx.warn("calendar is empty" if page == 1 else f"page {page} is empty")
        for position, event in enumerate(events):
            try:
                if not isinstance(event, dict):
                    raise SkipEvent(f"event is a {type(event).__name__}, not an object")
                yield self._draft(event, ctx)
            except SkipEvent as skip:
                label = event.get("id", position) if isinstance(event, dict) else position
                ctx.skip(str(skip), f"event {label}")
        follow = self._next(document, response, page, ctx)
        if follow is not None:
            yield follow

    def _next(
        self, document: dict[str, Any], response: Response, page: int, ctx: RunContext
    ) -> Follow | None:
        next_url = document.get("next_rest_url")
        if not isinstance(next_url, str) or not next_url:
            return None
        if page >= self.options.max_pages:
            ctx.warn(f"stopped after {page} pages (max_pages); total_pages is {document.get('total_pages')}")
            return None
        if urlsplit(next_url).netloc != urlsplit(response.url).netloc:
            ctx.warn(f"next_rest_url points to another host, not followed: {next_url[:120]}")
            return None
        return Follow(Request(url=next_url, headers={"accept": "application/json"}, meta={"page": page + 1}))

    def _draft(self, event: dict[str, Any], ctx: RunContext) -> EventDraft:
        if event.get("id") in (None, ""):
            raise SkipEvent("event without an id")
        uid = str(event["id"])
        title = _text(event.get("title"))
        if not title:
            raise SkipEvent("event without a title")
        start, end = self._times(event, ctx)
        venue = event.get("venue")
        venue = venue if isinstance(venue, dict) else {}  # Tribe sends [] when there is no venue
        cost = _text(event.get("cost"))
        image = event.get("image")
        image_url = image.get("url") if isinstance(image, dict) else None  # image is false when none
        return EventDraft(
            uid=uid,
            title=title,
            start=start,
            end=end,
            description_html=_raw(event.get("description")),
            url=_url(event.get("url")),
            location=_text(venue.get("venue")),
            address=_address(venue),
            latitude=_coordinate(venue.get("geo_lat")),
            longitude=_coordinate(venue.get("geo_lng")),
            organizer=", ".join(_names(event.get("organizer"), "organizer")) or None,
            categories=tuple(_names(event.get("categories"), "name")),
            price=cost,
            free=None if cost is None else cost.lower() in _FREE_WORDS,
            # website is &amp;-escaped in the JSON (bikeleague sample, our tribe fixture).
            signup_url=_url(event.get("website")),
            image_url=_url(image_url),
            raw={"tags": _names(event.get("tags"), "name"), "timezone": event.get("timezone")},
        )

    def _times(
        self, event: dict[str, Any], ctx: RunContext
    ) -> tuple[datetime | date, datetime | date | None]:
        zone = _zone(event.get("timezone"), ctx)
        start_local = _naive(event.get("start_date"))
        if start_local is None:
            raise SkipEvent(f"unreadable start_date {event.get('start_date')!r}")
        end_local = _naive(event.get("end_date"))
        if event.get("all_day") is True:
            # All-day events run 00:00:00 to 23:59:59 of their last day: the exclusive end is the
            # next day.
            first = start_local.date()
            last = end_local.date() if end_local and end_local.date() >= first else first
            return first, last + timedelta(days=1)
        start = self._instant(start_local, zone, _naive(event.get("utc_start_date")), ctx, event)
        end = wall_clock(end_local, zone) if end_local else None
        return start, end if end and after(end, start) else None

    def _instant(
        self,
        local: datetime,
        zone: ZoneInfo,
        claimed_utc: datetime | None,
        ctx: RunContext,
        event: dict[str, Any],
    ) -> datetime:
        if claimed_utc is None:
            return wall_clock(local, zone)
        # The UTC claim tells which 02:30 of the repeated autumn hour is meant.
        chosen = wall_clock_at(local, zone, claimed_utc.replace(tzinfo=UTC))
        if chosen is not None:
            return chosen
        ctx.warn(
            f"event {event.get('id')}: utc_start_date {claimed_utc:%Y-%m-%d %H:%M} disagrees with "
            f"start_date {local:%Y-%m-%d %H:%M} in {zone.key}; the local wall clock is used"
        )
        return wall_clock(local, zone)


def _zone(name: Any, ctx: RunContext) -> ZoneInfo:
    if isinstance(name, str) and name.strip():
        try:
            return ZoneInfo(name.strip())
        except (ZoneInfoNotFoundError, ValueError):
            # Sites set to a manual offset report "UTC+2": a fixed offset is wrong half the year.
            ctx.warn(f"timezone {name!r} is not an IANA zone; using {ctx.zone.key}")
    return ctx.zone


def _naive(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


def _text(value: Any) -> str | None:
    """Tribe titles and names carry HTML entities (&#8211;, &amp;): decode and tidy them."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    text = re.sub(r"\s+", " ", clean_text(html.unescape(str(value)))).strip()
    return text or None


def _raw(value: Any) -> str | None:
    return clean_text(value) or None if isinstance(value, str) else None


def _url(value: Any) -> str | None:
    text = _text(value)
    if text and urlsplit(text).scheme in ("http", "https"):
        return text
    return None


def _names(values: Any, key: str) -> list[str]:
    found: list[str] = []
    for value in values if isinstance(values, list) else []:
        name = _text(value.get(key)) if isinstance(value, dict) else None
        if name and name not in found:
            found.append(name)
    return found


def _address(venue: dict[str, Any]) -> str | None:
    town = " ".join(part for part in (_text(venue.get("zip")), _text(venue.get("city"))) if part)
    parts = [part for part in (_text(venue.get("address")), town) if part]
    return ", ".join(parts) or None


def _coordinate(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -180.0 <= number <= 180.0 and number != 0.0 else None
