r'''Declarative JSON mapper: turns any JSON event API into drafts from a few lines of settings.

Owns: reading a JSON document safely (``read_json``), resolving dotted paths into it, turning a
provider's date strings into aware datetimes under a per-source clock policy, and optionally
expanding weekly standing offers into dated occurrences. It must not know any one provider:
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
from urllib.parse import quote, urljoin, urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aggregator.adapter import Adapter, RunContext
from aggregator.errors import ParseError, SkipEvent
from aggregator.model import EventDraft, Follow, Request, Response, Status

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
_MISSING = object()
_UTC = ZoneInfo("UTC")


# --- helpers shared with other JSON adapters (sources/tribe.py) -------------------------------


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN/Infinity by default (JSONTestSuite n_number_NaN.json).
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # i_number_huge_exp.json decodes to inf
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def read_json(response: Response) -> Any:
    """The body as JSON, or ParseError: NaN, Infinity, overflow and runaway nesting are refused."""
    text = response.text()
    if not text.strip():
        raise ParseError("the response body is empty, not JSON")
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:  # n_structure_100000_opening_arrays.json
        raise ParseError("JSON nested too deeply") from None
    except ValueError as err:
        head = text.lstrip()[:1]
        hint = " (looks like HTML)" if head == "<" else ""
        raise ParseError(f"not valid JSON{hint}: {err}") from None


def clean_text(value: str) -> str:
    """Replace lone surrogates (JSONTestSuite i_string_lone_second_surrogate) so UTF-8 output works."""
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace").strip()


def wall_clock(naive: datetime, zone: ZoneInfo, fold: int = 0) -> datetime:
    """A local wall-clock reading as an aware datetime in ``zone`` (zoneinfo, never a fixed offset).

    In the repeated hour of an autumn change ``fold`` picks the first (0) or second (1) reading;
    a time inside the spring gap does not exist and is moved forward by the gap's length.
    """
    aware = naive.replace(tzinfo=zone, fold=fold)
    return aware.astimezone(_UTC).astimezone(zone)


# --- paths and values -------------------------------------------------------------------------


def after(later: datetime, earlier: datetime) -> bool:
    """``later > earlier`` as instants: same-zone comparison ignores ``fold`` (PEP 495)."""
    return later.astimezone(_UTC) > earlier.astimezone(_UTC)


def resolve(data: Any, path: str) -> Any:
    """Follow a dotted path (``_MISSING`` when absent); ``*`` maps over a list."""
    if path == "":
        return data
    current = data
    parts = path.split(".")
    for index, part in enumerate(parts):
        if part == "*":
            if not isinstance(current, list):
                return _MISSING
            rest = ".".join(parts[index + 1 :])
            found = [resolve(element, rest) for element in current]
            return [value for value in found if value is not _MISSING and value is not None]
        if isinstance(current, dict):
            current = current.get(part, _MISSING)
        elif isinstance(current, list) and part.lstrip("-").isdigit():
            position = int(part)
            current = current[position] if -len(current) <= position < len(current) else _MISSING
        else:
            return _MISSING
        if current is _MISSING:
            return _MISSING
    return current


def _matches(item: Any, conditions: Mapping[str, Any]) -> bool:
    """Every ``path = value`` holds (a list of values means any of them)."""
    for path, expected in conditions.items():
        value = resolve(item, path)
        if isinstance(expected, list):
            if value not in expected:
                return False
        elif value != expected:
            return False
    return True


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
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
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("monday", "mandag", "måndag", "mon"),
            ("tuesday", "tirsdag", "tysdag", "tue"),
            ("wednesday", "onsdag", "wed"),
            ("thursday", "torsdag", "thu"),
            ("friday", "fredag", "fri"),
            ("saturday", "lørdag", "laurdag", "sat"),
            ("sunday", "søndag", "sundag", "sun"),
        ]
    )
    for name in names
}
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
        #: trust: honour offsets and Z, naive values are local; wallclock: read the digits locally
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
            if problems is not _MISSING and problems:
                raise ParseError(f"the provider reported errors at {opts.errors!r}: {_first_error(problems)}")
        items = resolve(document, opts.items)
        if items is _MISSING:
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
                    if not _matches(item, {path: expected}):
                        found = resolve(item, path)
                        found = None if found is _MISSING else found
                        raise SkipEvent(f"{path} is {found!r}, not {expected!r}")
                if opts.weekly is not None and _matches(item, opts.weekly.when):
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
        if _PLACEHOLDER.search(spec):
            value: Any = self._template(item, spec, quoted=field in _URL_FIELDS)
        else:
            value = self._lookup(item, spec)
        if field in _URL_FIELDS and isinstance(value, str):
            value = _absolute(value, base)
        return value

    def _lookup(self, item: Any, spec: str) -> Any:
        """``a|b``: the first alternative that is not empty; "None" counts as empty (Aktivitet for
        Alle event 43 in aktivitetforalle_events.json falls back from description to summary)."""
        for alternative in spec.split("|"):
            value = self._nullify(resolve(item, alternative.strip()))
            if value is not None and value != []:
                return value
        return None

    def _nullify(self, value: Any) -> Any:
        if value is _MISSING or value is None:
            return None
        if isinstance(value, str):
            text = clean_text(value)
            return None if text in self.options.null_strings else text
        if isinstance(value, list):
            kept = [self._nullify(element) for element in value]
            return [element for element in kept if element is not None]
        return value

    def _template(self, item: Any, template: str, *, quoted: bool) -> str | None:
        filled = 0

        def fill(match: re.Match[str]) -> str:
            nonlocal filled
            value = self._lookup(item, match.group(1))
            if value is None or isinstance(value, dict | list):
                return ""
            filled += 1
            text = str(value)
            return quote(text, safe="/:?=&%#+@") if quoted else text

        text = _PLACEHOLDER.sub(fill, template)
        if not filled:
            return None
        # A template with some parts empty ("{street}, {zip} {city}" with no street) leaves
        # stray separators behind: collapse them.
        text = re.sub(r"\s+", " ", text)
        text = re.sub(r"(\s*,)+", ",", text)
        return text.strip(" ,")

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
        if opts.cancelled_when and _matches(item, opts.cancelled_when):
            status = Status.CANCELLED
        free = _free(price_text)
        if opts.free_when and _matches(item, opts.free_when):
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
            return parsed.astimezone(ctx.zone)
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
        interval = self._nullify(resolve(item, weekly.interval)) if weekly.interval else None
        if interval not in (None, "each-week", "weekly", "first-of-month", "last-of-month"):
            raise SkipEvent(f"weekly offer with interval {interval!r} cannot be expanded")
        days = resolve(item, weekly.days)
        if not isinstance(days, list) or not days:
            raise SkipEvent(f"weekly offer without weekdays ({weekly.days!r})")
        slots: list[tuple[int, time, time | None]] = []
        for day in days:
            name = str(resolve(day, weekly.weekday)).strip().lower()
            if name not in _WEEKDAYS:
                raise SkipEvent(f"weekly offer with unknown weekday {name!r}")
            starts = _clock(resolve(day, weekly.from_time))
            if starts is None:
                raise SkipEvent(f"weekly offer without a time on {name}")
            slots.append((_WEEKDAYS[name], starts, _clock(resolve(day, weekly.to_time))))
        seen: set[str] = set()
        count = 0
        day = max(first, ctx.horizon_start.astimezone(ctx.zone).date())
        end_day = min(last, ctx.horizon_end.astimezone(ctx.zone).date())
        while day <= end_day:
            for weekday, starts, ends in slots:
                if day.weekday() != weekday or not _in_interval(day, interval):
                    continue
                if count >= ctx.max_occurrences:
                    ctx.warn(f"weekly offer {uid} stopped at {count} occurrences")
                    return
                start = wall_clock(datetime.combine(day, starts), ctx.zone)
                end = wall_clock(datetime.combine(day, ends), ctx.zone) if ends else None
                # Identity is the offer's id plus the local date, never the time of day.
                recurrence = day.isoformat()
                if recurrence in seen:
                    recurrence = f"{recurrence}T{starts:%H:%M}"
                seen.add(recurrence)
                count += 1
                draft = self._build(
                    item,
                    base,
                    uid=_uid(uid),
                    title=title,
                    start=start,
                    end=end if end and after(end, start) else None,
                )
                yield replace(draft, recurrence_id=recurrence)
            day += timedelta(days=1)
        if not count:
            ctx.skip(f"weekly offer has no occurrence from {first} to {last} in the horizon", str(uid))

    def _season(self, item: dict[str, Any], base: str, ctx: RunContext) -> tuple[date, date]:
        start = self._moment(self._value(item, "start", base), "start", ctx)
        raw_end = self._value(item, "end", base)
        end = self._moment(raw_end, "end", ctx) if raw_end is not None else None
        first = start.date() if isinstance(start, datetime) else start
        if end is None:
            return first, ctx.horizon_end.astimezone(ctx.zone).date()
        return first, end.date() if isinstance(end, datetime) else end


# --- small pure helpers -----------------------------------------------------------------------


def _in_interval(day: date, interval: Any) -> bool:
    if interval == "first-of-month":
        return day.day <= 7
    if interval == "last-of-month":
        return (day + timedelta(days=7)).month != day.month
    return True


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
    url = urljoin(base, value)
    return url if urlsplit(url).scheme in ("http", "https") else None


def _label(item: Any, fields: Mapping[Any, str], position: int) -> str:
    if isinstance(item, dict):
        for field in ("uid", "title"):
            value = resolve(item, fields[field]) if field in fields else _MISSING
            if value is not _MISSING and value is not None and not isinstance(value, dict | list):
                return clean_text(str(value))[:80]
    return f"item {position}"
