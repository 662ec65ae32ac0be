r'''Declarative JSON mapper: turns any JSON event API into drafts from a few lines of settings.

Owns: mapping each item of a JSON document onto a draft by the source's settings, turning a
provider's date strings into aware datetimes under a per-source clock policy, and optionally
expanding weekly standing offers into dated occurrences. Safe JSON reading, dotted paths and
templates are ``aggregator.parsing.jsondoc``'s; wall clocks and stated offsets
``aggregator.parsing.clock``'s; absolute http(s) URLs ``aggregator.parsing.schemaorg.http_url``'s;
the weekly calendar walk ``aggregator.parsing.weekly``'s. It must not know any one provider:
everything provider-specific lives in settings.toml. Like every adapter it does no I/O, reads no
clock (``ctx.now`` only) and no environment.

Paths are dotted (``data.location.name``); a number indexes a list (``images.0.url``); ``*``
maps over a list (``topicEvent.*.topic.name``); ``a|b`` takes the first that is not empty. A field
whose value contains ``{path}`` placeholders is a template: ``"{street}, {zip} {city}"``.

The three portals the square uses, exactly as they appear in settings.toml (tests/sources/
test_jsonapi.py parses this snippet and checks it against the settings it tests). Shop, customer
and portal names for Asker are not confirmed; ``aggregator check`` tells the operator::

    # [sources.kulturskole-hoopla]  # Hoopla shop: start/end are true UTC instants (Z)
    # adapter = "jsonapi"
    # url = "https://borgen.hoopla.no/api/public/v3.0/organizations/0/events"
    # items = "events"
    # url_template = "https://borgen.hoopla.no/event/{event_id}"
    # cancelled_when = { is_cancelled = true }
    # [sources.kulturskole-hoopla.fields]
    # uid = "event_id"
    # title = "name"
    # start = "start"
    # end = "end"
    # location = "data.location.name"
    # address = "{data.location.street_address}, {data.location.postal_code} {data.location.postal_area}"
    # latitude = "data.location.coordinates.latitude"
    # longitude = "data.location.coordinates.longitude"
    # categories = "data.category"
    # image_url = "https://hoopla.twic.pics/production/{images.crop16x9.url|images.crop4x3.url}"
    #
    # [sources.husflid-checkin]  # Checkin GraphQL: POST; errors arrive as HTTP 200 + errors[]
    # adapter = "jsonapi"
    # url = "https://api.checkin.no/graphql"
    # method = "POST"
    # body = """{"operationName": "allEventRegistrations", \
    #   "variables": {"customerId": 0, "offset": 0, "length": 100}, \
    #   "query": "query allEventRegistrations($customerId: Int!, $offset: Int, $length: Int) { \
    #   allEventRegistrations(customerId: $customerId, offset: $offset, length: $length) { \
    #   records data { id name imageUrl description startsAt endsAt priceFrom currency \
    #   topicEvent { topic { name } } geoLocation { geoDescription description } } } }"}"""
    # items = "data.allEventRegistrations.data"
    # errors = "errors"
    # url_template = "https://checkin.no/event/{id}"
    # base_url = "https://checkin.no/"  # imageUrl is site-relative
    # [sources.husflid-checkin.fields]
    # uid = "id"
    # title = "name"
    # start = "startsAt"
    # end = "endsAt"
    # description_html = "description"
    # location = "geoLocation.description"
    # address = "geoLocation.geoDescription"
    # categories = "topicEvent.*.topic.name"
    # price = "priceFrom"
    # image_url = "imageUrl"
    #
    # [sources.asker-aktivitetforalle]  # naive Oslo times; "None" means null; crawl-delay 600 s
    # adapter = "jsonapi"
    # url = "https://asker.aktivitetforalle.no/api/v1/events"
    # items = "data"
    # require = { event_status = "public" }
    # free_when = { event_pricetype = "free" }
    # url_template = "https://asker.aktivitetforalle.no/event/{event_id}"
    # base_url = "https://asker.aktivitetforalle.no/"
    # [sources.asker-aktivitetforalle.fields]
    # uid = "event_id"
    # title = "event_title"
    # start = "event_from"
    # end = "event_to"
    # description = "event_description|event_summary"
    # location = "event_location_custom_title"
    # address = "{event_location_address1}, {event_location_zip} {event_location_city}"
    # latitude = "event_location_gps_lat"
    # longitude = "event_location_gps_long"
    # organizer = "event_organizer_name"
    # price = "event_price"
    # signup_url = "event_ticket_link"
    # image_url = "event_thumbnail.upload_url"
    # [sources.asker-aktivitetforalle.weekly]  # "activity" rows are weekly standing offers
    # when = { event_type = "activity" }
    # days = "event_weekdays"
    # interval = "event_week_interval"
'''

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aggregator.adapter import Adapter, RunContext
from aggregator.errors import ParseError, SkipEvent
from aggregator.model import EventDraft, Follow, Request, Response, Status
from aggregator.parsing.clock import after, stated, wall_clock
from aggregator.parsing.jsondoc import (
    MISSING,
    clean_text,
    fill_template,
    is_template,
    lookup,
    matches,
    nullify,
    read_json,
    resolve,
)
from aggregator.parsing.schemaorg import http_url
from aggregator.parsing.weekly import (
    WEEKDAY_NAMES,
    Slot,
    capped,
    first_in_month,
    horizon_dates,
    last_in_month,
    meetings,
)

FieldName = Literal[
    "uid",
    "title",
    "start",
    "end",
    "description",
    "description_html",
    "url",
    "location",
    "address",
    "latitude",
    "longitude",
    "organizer",
    "categories",
    "audience",
    "price",
    "image_url",
    "signup_url",
    "status",
]
_URL_FIELDS = {"url", "image_url", "signup_url"}


_STATUS_WORDS = {
    "cancelled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
    "eventcancelled": Status.CANCELLED,
    "avlyst": Status.CANCELLED,
    "postponed": Status.POSTPONED,
    "eventpostponed": Status.POSTPONED,
    "utsatt": Status.POSTPONED,
    "rescheduled": Status.RESCHEDULED,
    "eventrescheduled": Status.RESCHEDULED,
}
#: Aktivitet for Alle's monthly intervals; absent, "each-week" and "weekly" meet every week
_MONTH_WEEKS = {"first-of-month": first_in_month, "last-of-month": last_in_month}
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Weekly(BaseModel):
    """How to expand a weekly standing offer (Aktivitet for Alle ``event_type = "activity"``).

    Items matching ``when`` are expanded over their season (``fields.start`` .. ``fields.end``,
    clipped to the run's horizon): one occurrence per listed weekday, at its ``from_time``. The
    ``interval`` values understood are every week (absent, ``each-week``, ``weekly``),
    ``first-of-month`` and ``last-of-month``; any other interval skips the item with its reason,
    as an every-other-week schedule has no stated phase to count from.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    when: dict[str, Any]
    days: str
    weekday: str = "value"
    from_time: str = "from_time"
    to_time: str = "to_time"
    interval: str | None = None


class JsonApiAdapter(Adapter):
    """Any JSON event API, mapped by settings: Hoopla, Checkin GraphQL, Aktivitet for Alle."""

    name = "jsonapi"

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

        #: HTTP method; POST sends ``body`` (e.g. a GraphQL query as JSON).
        method: Literal["GET", "POST"] = "GET"
        body: str | None = None
        headers: dict[str, str] = Field(default_factory=dict)
        #: dotted path to the list of items; "" when the document is the list
        items: str
        #: dotted path that fails the run when not empty (GraphQL ``errors`` with HTTP 200)
        errors: str | None = None
        #: draft field -> dotted path (or template) into each item
        fields: dict[FieldName, str]
        #: path -> value; an item matching all of them is cancelled (Hoopla ``is_cancelled``)
        cancelled_when: dict[str, Any] = Field(default_factory=dict)
        #: path -> value; an item matching all of them is free of charge
        free_when: dict[str, Any] = Field(default_factory=dict)
        #: path -> value; an item that does not match is skipped (e.g. unpublished drafts)
        require: dict[str, Any] = Field(default_factory=dict)
        #: trust: honour offsets and Z (warning when Oslo lacks the offset then), naive values are
        #: local; wallclock: read the digits locally
        clock: Literal["trust", "wallclock"] = "trust"
        #: strings that mean "no value" (Aktivitet for Alle writes "None")
        null_strings: list[str] = Field(default_factory=lambda: ["None", ""])
        #: the event page when the item has no url field, e.g. "https://x.hoopla.no/event/{event_id}"
        url_template: str | None = None
        #: base for relative urls (default: the response's own url)
        base_url: str | None = None
        weekly: Weekly | None = None

        @model_validator(mode="after")
        def _check(self) -> JsonApiAdapter.Options:
            missing = [name for name in ("uid", "title", "start") if name not in self.fields]
            if missing:
                raise ValueError(f"fields must map {', '.join(missing)}")
            if self.body is not None and self.method != "POST":
                raise ValueError('body needs method = "POST"')
            ctype = next((v for k, v in self.headers.items() if k.lower() == "content-type"), "json")
            if self.body is not None and "json" in ctype.lower():
                try:  # a GraphQL body is JSON: a typo should fail when settings load, not every run
                    json.loads(self.body)
                except ValueError as err:
                    raise ValueError(f"body is not valid JSON: {err}") from None
            return self

    options: Options

    def requests(self, url: str | None) -> list[Request]:
        if url is None:
            return []
        opts = self.options
        headers = {"accept": "application/json", **opts.headers}
        body = opts.body.encode("utf-8") if opts.body is not None else None
        if body is not None and not any(key.lower() == "content-type" for key in headers):
            headers["content-type"] = "application/json"
        return [Request(url=url, method=opts.method, headers=headers, body=body)]

    def parse(self, response: Response, ctx: RunContext) -> Iterator[EventDraft | Follow]:
        opts = self.options
        document = read_json(response)
        if opts.errors is not None:
            problems = resolve(document, opts.errors)
            if problems is not MISSING and problems:
                raise ParseError(f"the provider reported errors at {opts.errors!r}: {_first_error(problems)}")
        items = resolve(document, opts.items)
        if items is MISSING:
            raise ParseError(f"items path {opts.items!r} is missing from the document")
        if not isinstance(items, list):
            raise ParseError(f"items path {opts.items!r} is a {type(items).__name__}, not a list")
        if not items:
            ctx.warn("the provider listed no items")
        base = opts.base_url or response.url
        for position, item in enumerate(items):
            label = _label(item, opts.fields, position)
            try:
                if not isinstance(item, dict):
                    raise SkipEvent(f"item is a {type(item).__name__}, not an object")
                for path, expected in opts.require.items():
                    if not matches(item, {path: expected}):
                        found = resolve(item, path)
                        found = None if found is MISSING else found
                        raise SkipEvent(f"{path} is {found!r}, not {expected!r}")
                if opts.weekly is not None and matches(item, opts.weekly.when):
                    yield from self._weekly(item, opts.weekly, base, ctx)
                else:
                    yield self._draft(item, base, ctx)
            except SkipEvent as skip:
                ctx.skip(str(skip), label)

    # --- one item -----------------------------------------------------------------------------

    def _value(self, item: Any, field: FieldName, base: str) -> Any:
        """The field's value: None when unmapped, missing, or one of the null strings."""
        spec = self.options.fields.get(field)
        if spec is None and field == "url":
            spec = self.options.url_template
        if spec is None:
            return None
        if is_template(spec):
            value: Any = fill_template(
                spec, lambda path: self._lookup(item, path), quoted=field in _URL_FIELDS
            )
        else:
            value = self._lookup(item, spec)
        if field in _URL_FIELDS and isinstance(value, str):
            value = _absolute(value, base)
        return value

    def _lookup(self, item: Any, spec: str) -> Any:
        return lookup(item, spec, self.options.null_strings)

    def _draft(self, item: dict[str, Any], base: str, ctx: RunContext) -> EventDraft:
        fields = self.options.fields
        uid = self._value(item, "uid", base)
        if uid is None or isinstance(uid, dict | list | bool):
            raise SkipEvent(f"missing uid ({fields['uid']!r})")
        title = self._value(item, "title", base)
        if not isinstance(title, str) or not title:
            raise SkipEvent(f"missing title ({fields['title']!r})")
        raw_start = self._value(item, "start", base)
        if raw_start is None:
            raise SkipEvent(f"missing start ({fields['start']!r})")
        start = self._moment(raw_start, "start", ctx)
        end = self._end(start, self._value(item, "end", base), ctx)
        return self._build(item, base, uid=_uid(uid), title=title, start=start, end=end)

    def _build(self, item: dict[str, Any], base: str, **core: Any) -> EventDraft:
        opts = self.options
        price = self._value(item, "price", base)
        price_text = _text(price)
        status = _status(self._value(item, "status", base))
        if opts.cancelled_when and matches(item, opts.cancelled_when):
            status = Status.CANCELLED
        free = _free(price_text)
        if opts.free_when and matches(item, opts.free_when):
            free = True
        return EventDraft(
            **core,
            status=status,
            description=_text(self._value(item, "description", base)),
            description_html=_text(self._value(item, "description_html", base)),
            url=_text(self._value(item, "url", base)),
            location=_text(self._value(item, "location", base)),
            address=_text(self._value(item, "address", base)),
            latitude=_number(self._value(item, "latitude", base)),
            longitude=_number(self._value(item, "longitude", base)),
            organizer=_text(self._value(item, "organizer", base)),
            categories=_texts(self._value(item, "categories", base)),
            audience=_texts(self._value(item, "audience", base)),
            price=price_text,
            free=free,
            signup_url=_text(self._value(item, "signup_url", base)),
            image_url=_text(self._value(item, "image_url", base)),
        )

    def _moment(self, value: Any, field: str, ctx: RunContext) -> datetime | date:
        if not isinstance(value, str):
            raise SkipEvent(f"{field} {value!r} is not a date string")
        text = value.strip()
        if _DATE_ONLY.match(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise SkipEvent(f"{field} {text!r} is not a date") from None
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise SkipEvent(f"{field} {text!r} is not an ISO date-time") from None
        if parsed.tzinfo is not None and self.options.clock == "trust":
            # The stated offset is a claim: keep the instant it names, but say when Oslo does
            # not have that offset then (+02:00 in December may be a shifted wall clock, as
            # jsonld, rss and dnt report). Z is how Hoopla states true instants: not questioned.
            local, questionable = stated(parsed, ctx.zone)
            if questionable:
                ctx.warn(
                    f"{field} {text!r} states an offset that {ctx.zone.key} does not have then;"
                    f" kept as {local.isoformat()}"
                )
            return local
        # Naive values (Aktivitet for Alle "2025-06-23 17:00:00") and every value under the
        # wallclock policy are Oslo wall-clock digits: resolve them through zoneinfo.
        return wall_clock(parsed.replace(tzinfo=None), ctx.zone)

    def _end(self, start: datetime | date, value: Any, ctx: RunContext) -> datetime | date | None:
        if value is None:
            return None
        try:
            end = self._moment(value, "end", ctx)
        except SkipEvent as problem:
            ctx.warn(f"{problem}; end dropped")
            return None
        if not isinstance(start, datetime):
            # An all-day start: a provider's end date is the last day, RFC 5545 wants the day after.
            last = end.date() if isinstance(end, datetime) else end
            return last + timedelta(days=1) if last >= start else None
        if not isinstance(end, datetime):
            end = wall_clock(datetime.combine(end, time(23, 59)), ctx.zone)
        return end if after(end, start) else None  # an end not after its start is no end

    # --- weekly standing offers -------------------------------------------------------------

    def _weekly(
        self, item: dict[str, Any], weekly: Weekly, base: str, ctx: RunContext
    ) -> Iterator[EventDraft]:
        uid = self._value(item, "uid", base)
        title = self._value(item, "title", base)
        if uid is None or not isinstance(title, str) or not title:
            raise SkipEvent("weekly offer without uid or title")
        first, last = self._season(item, base, ctx)
        interval = (
            nullify(resolve(item, weekly.interval), self.options.null_strings) if weekly.interval else None
        )
        if interval not in (None, "each-week", "weekly", "first-of-month", "last-of-month"):
            raise SkipEvent(f"weekly offer with interval {interval!r} cannot be expanded")
        days = resolve(item, weekly.days)
        if not isinstance(days, list) or not days:
            raise SkipEvent(f"weekly offer without weekdays ({weekly.days!r})")
        slots: list[Slot] = []
        for day in days:
            name = str(resolve(day, weekly.weekday)).strip().lower()
            if name not in WEEKDAY_NAMES:
                raise SkipEvent(f"weekly offer with unknown weekday {name!r}")
            starts = _clock(resolve(day, weekly.from_time))
            if starts is None:
                raise SkipEvent(f"weekly offer without a time on {name}")
            slots.append(Slot(WEEKDAY_NAMES[name], starts, _clock(resolve(day, weekly.to_time))))
        lo, hi = horizon_dates(ctx)
        held = _MONTH_WEEKS.get(interval) if isinstance(interval, str) else None
        occurrences = meetings(slots, max(first, lo), min(last, hi), held=held)
        stopped: list[int] = []
        seen: set[str] = set()
        for day, slot in capped(occurrences, ctx.max_occurrences, stopped.append):
            assert slot.start is not None  # every slot above has its from_time
            start = wall_clock(datetime.combine(day, slot.start), ctx.zone)
            end = wall_clock(datetime.combine(day, slot.end), ctx.zone) if slot.end else None
            # Identity is the offer's id plus the local date, never the time of day.
            recurrence = day.isoformat()
            if recurrence in seen:
                recurrence = f"{recurrence}T{slot.start:%H:%M}"
            seen.add(recurrence)
            draft = self._build(
                item,
                base,
                uid=_uid(uid),
                title=title,
                start=start,
                end=end if end and after(end, start) else None,
            )
            yield replace(draft, recurrence_id=recurrence)
        if stopped:
            ctx.warn(f"weekly offer {uid} stopped at {stopped[0]} occurrences")
        elif not seen:
            ctx.skip(f"weekly offer has no occurrence from {first} to {last} in the horizon", str(uid))

    def _season(self, item: dict[str, Any], base: str, ctx: RunContext) -> tuple[date, date]:
        start = self._moment(self._value(item, "start", base), "start", ctx)
        raw_end = self._value(item, "end", base)
        end = self._moment(raw_end, "end", ctx) if raw_end is not None else None
        first = start.date() if isinstance(start, datetime) else start
        if end is None:
            return first, horizon_dates(ctx)[1]
        return first, end.date() if isinstance(end, datetime) else end


# --- small pure helpers -----------------------------------------------------------------------


def _clock(value: Any) -> time | None:
    if not isinstance(value, str):
        return None
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        return None


def _uid(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value) if str(value) else None


def _texts(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    found: list[str] = []
    for element in values:
        text = _text(element)
        if text and text not in found:
            found.append(text)
    return tuple(found)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _free(price: str | None) -> bool | None:
    if price is None:
        return None
    if price.strip().lower() in {"gratis", "free", "fri entré", "gratis inngang"}:
        return True
    try:
        return float(price.replace(",", ".")) == 0
    except ValueError:
        return None


def _status(value: Any) -> Status:
    if not isinstance(value, str):
        return Status.SCHEDULED
    word = value.rsplit("/", 1)[-1].strip().lower()
    return _STATUS_WORDS.get(word, Status.SCHEDULED)


def _first_error(problems: Any) -> str:
    first = problems[0] if isinstance(problems, list) and problems else problems
    message = first.get("message", first) if isinstance(first, dict) else first
    return clean_text(str(message))[:300]


def _absolute(value: str, base: str) -> str | None:
    # schema.org's http_url: http(s) only, and a value urllib cannot split ("http://[x",
    # "Invalid IPv6 URL") is dropped instead of ending the whole document with a ValueError.
    return http_url(value, base)


def _label(item: Any, fields: Mapping[Any, str], position: int) -> str:
    if isinstance(item, dict):
        for field in ("uid", "title"):
            value = resolve(item, fields[field]) if field in fields else MISSING
            if value is not MISSING and value is not None and not isinstance(value, dict | list):
                return clean_text(str(value))[:80]
    return f"item {position}"
