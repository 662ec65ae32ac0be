"""Adapter ``jsonld``: schema.org ``Event`` JSON-LD embedded in HTML pages.

Owns: mapping the schema.org Event nodes of a page onto ``EventDraft`` (identity included), and
the per-source clock policy for platforms whose stated offsets lie (sources.md, "a stated offset is a
claim"): ``trust`` honours offsets, ``wallclock`` reads the digits in ctx.zone (TicketCo's false
``Z``), ``visible`` takes the time from the page's own card (Modern Events Calendar's doubled
offset). Finding, repairing and walking the JSON-LD blocks is ``aggregator.parsing.jsonld``'s;
reading schema.org property shapes is ``aggregator.parsing.schemaorg``'s.

Must not: fetch anything, read the clock or the environment, sanitise HTML (normalise does that
with nh3; hostile text passes through here as data), or decide identity across sources.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import soupsieve
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import Tag
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from aggregator.adapter import Adapter, RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Follow, Response
from aggregator.parsing import schemaorg as so
from aggregator.parsing.clock import after, stated, wall_clock
from aggregator.parsing.dates import MONTHS
from aggregator.parsing.jsonld import event_nodes, schema_term

_MAX_WHEN = 64  # longer "dates" are not ISO 8601; do not feed them to the parser

# MEC default card markup (samples/html_mec-wordpress_*.html, our mec_library.html).
_MEC_CARD, _MEC_DATE = ".mec-event-article", ".mec-start-date-label"
_MEC_START, _MEC_END = ".mec-start-time", ".mec-end-time"
# Card dates are read by their month's first three letters: dates.py's Norwegian names, plus the
# English ones that differ, for sites set to English.
_MONTHS = {name[:3]: number for name, number in MONTHS.items()} | {"may": 5, "oct": 10, "dec": 12}
_CLOCK = re.compile(r"(?<!\d)([01]?\d|2[0-3])\s*[:.]\s*([0-5]\d)(?!\d)(?:\s*([ap])\.?\s?m\b\.?)?", re.I)


class JsonLdOptions(BaseModel):
    """Keys of a ``[sources.<id>]`` table with ``adapter = "jsonld"``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: trust: offsets honoured, naive times read in the local zone. wallclock: any stated offset
    #: or Z is ignored and the digits are Oslo wall clock (TicketCo). visible: the time comes from
    #: the page's card next to the event (Modern Events Calendar); without one, wallclock + warning.
    clock: Literal["trust", "wallclock", "visible"] = "trust"
    #: CSS selector of the visible start time inside a card (default ".mec-start-time").
    visible_start: str | None = None
    #: CSS selector of the visible end time inside a card (default ".mec-end-time").
    visible_end: str | None = None
    #: CSS selector of the visible date inside a card ("9. september 2026"; default
    #: ".mec-start-date-label"). When found and readable it wins over the JSON-LD date and pairs
    #: repeating events with their own card; otherwise the JSON-LD date is used.
    visible_date: str | None = None
    #: CSS selector of one card holding the visible time and the event's link or title
    #: (default ".mec-event-article").
    card: str | None = None

    @field_validator("visible_start", "visible_end", "visible_date", "card")
    @classmethod
    def _is_selector(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                soupsieve.compile(value)
            except soupsieve.SelectorSyntaxError as err:
                raise ValueError(f"not a CSS selector: {value!r}") from err
        return value

    @model_validator(mode="after")
    def _selectors_need_visible(self) -> JsonLdOptions:
        used = [k for k in ("visible_start", "visible_end", "visible_date", "card") if getattr(self, k)]
        if used and self.clock != "visible":
            raise ValueError(f'{", ".join(used)} only apply with clock = "visible"')
        return self


@dataclass(frozen=True)
class _When:
    """A parsed startDate/endDate: the digits as written and the offset the source claims."""

    value: datetime | date  # naive datetime, or a date for date-only values
    offset: timedelta | None


@dataclass
class _Card:
    urls: set[str]
    names: set[str]
    day: date | None
    start: time | None
    end: time | None
    used: bool = False


@dataclass
class _Parsed:
    key: str | None  # @id or url: the provider's identity before the date is added
    title: str
    day: date
    fields: dict[str, Any] = field(default_factory=dict)


class JsonLdAdapter(Adapter):
    """schema.org Event JSON-LD in a page, with a per-source clock policy."""

    name = "jsonld"
    Options = JsonLdOptions

    def parse(self, response: Response, ctx: RunContext) -> Iterator[EventDraft | Follow]:
        opts = self.options
        assert isinstance(opts, JsonLdOptions)
        text = response.text()
        if not text.strip():
            raise ParseError("empty document: expected an HTML page with JSON-LD")
        with warnings.catch_warnings():
            # bs4 warns when a body looks like a URL or like XML; a wrong page is ParseError below.
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            soup = BeautifulSoup(text, "lxml")
        nodes = event_nodes(soup, ctx.warn)
        if not nodes:
            ctx.warn("the page's JSON-LD holds no schema.org Event")
            return
        cards = _cards(soup, response.url, opts) if opts.clock == "visible" else []
        claims: list[str] = []
        parsed = [p for node in nodes if (p := self._read(node, response.url, ctx, cards, claims))]
        if claims:
            ctx.warn(
                f"{len(claims)} event(s) state an offset that is not {ctx.zone.key}'s on that date "
                f"(e.g. {claims[0]}): check this source's clock policy"
            )
        yield from _with_uids(parsed, opts.clock == "visible", ctx)

    def _read(
        self, node: dict[str, Any], base: str, ctx: RunContext, cards: list[_Card], claims: list[str]
    ) -> _Parsed | None:
        opts = self.options
        assert isinstance(opts, JsonLdOptions)
        title = so.text(node.get("name"))
        if not title:
            ctx.skip("event without a name", _brief(node))
            return None
        start_w = _when(node.get("startDate"))
        if start_w is None:
            ctx.skip(f"unreadable startDate {str(node.get('startDate'))[:40]!r}", title)
            return None
        end_w = _when(node.get("endDate"))
        url = so.http_url(node.get("url"), base)
        if opts.clock == "visible":
            card = _pair(cards, url, title, start_w)
            if card is None or card.start is None:
                ctx.warn(f"{title}: no visible time on the page; read the JSON-LD digits as wall clock")
                start, end = _resolve(start_w, end_w, "wallclock", ctx.zone, claims)
            else:
                start, end = _visible(start_w, end_w, card, ctx.zone)
        else:
            start, end = _resolve(start_w, end_w, opts.clock, ctx.zone, claims)
        day = start.astimezone(ctx.zone).date() if isinstance(start, datetime) else start
        ident = node.get("@id")
        # A blank node ("_:b0") names nothing outside this document.
        if isinstance(ident, str) and ident.strip() and not ident.startswith("_:"):
            key: str | None = ident.strip()
        else:
            key = url
        location, address, lat, lon = so.place(node.get("location"))
        price, free, signup, availability = so.offer(node.get("offers"), base)
        desc_text, desc_html = so.description(node.get("description"))
        kept = {
            "startDate": node.get("startDate"),
            "availability": availability,
            "attendance": schema_term(node.get("eventAttendanceMode")),
        }
        raw = {k: v for k, v in kept.items() if isinstance(v, str) and v}
        return _Parsed(
            key=key,
            title=title,
            day=day,
            fields=dict(
                title=title,
                start=start,
                end=end,
                status=so.status(node.get("eventStatus")),
                description=desc_text,
                description_html=desc_html,
                url=url,
                location=location,
                address=address,
                latitude=lat,
                longitude=lon,
                organizer=so.name_of(node.get("organizer")),
                audience=so.audience(node.get("audience")),
                price=price,
                free=free,
                signup_url=signup,
                image_url=so.image(node.get("image"), base),
                language=so.language(node.get("inLanguage")),
                raw=raw,
            ),
        )


# --- times -------------------------------------------------------------------------------------


def _when(value: Any) -> _When | None:
    """An ISO 8601 date or date-time string; numbers (Unix times) and prose are not schema.org."""
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_WHEN:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return _When(date.fromisoformat(text), None)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not 1900 <= parsed.year <= 2200:  # keeps zone arithmetic far from datetime's limits
        return None
    return _When(parsed.replace(tzinfo=None), parsed.utcoffset())


def _at(when: _When, clock: str, zone: ZoneInfo, claims: list[str]) -> datetime | date:
    if not isinstance(when.value, datetime):
        return when.value
    if clock == "wallclock" or when.offset is None:
        return wall_clock(when.value, zone)
    claimed = when.value.replace(tzinfo=timezone(when.offset))
    local, questionable = stated(claimed, zone)
    if questionable:
        claims.append(claimed.isoformat())  # e.g. +02:00 in December: the instant may be wrong
    return local


def _resolve(
    start_w: _When, end_w: _When | None, clock: str, zone: ZoneInfo, claims: list[str]
) -> tuple[datetime | date, datetime | date | None]:
    start = _at(start_w, clock, zone, claims)
    if end_w is None:
        return start, None
    end = _at(end_w, clock, zone, claims)
    if isinstance(start, datetime) != isinstance(end, datetime):
        return start, None  # a date end on a timed start (or the reverse) says nothing reliable
    if not isinstance(start, datetime) and not isinstance(end, datetime):
        # schema.org's endDate is the last day; drafts want an exclusive end (RFC 5545).
        return start, (end + timedelta(days=1) if end >= start else None)
    assert isinstance(start, datetime) and isinstance(end, datetime)
    # As instants: an Oslo-zone ">" ignores fold, so the first 02:30 of 2026-10-25 to the
    # second 02:15 (45 minutes) would lose its end and the reverse would keep a backwards one.
    return start, (end if after(end, start) else None)


def _day(when: _When, shown: time) -> date:
    """The local date of a JSON-LD value whose time the card shows as ``shown``.

    MEC writes a 22:30 event as 00:30+02:00 the next day (wall clock shifted by the offset and
    labelled with it again). When the digits minus the offset give the visible time, that is the
    bug and its date is the true one (mec_library.html, "Nattåpent bibliotek").
    """
    if not isinstance(when.value, datetime):
        return when.value
    if when.offset is not None:
        unshifted = when.value - when.offset
        if unshifted.time() == shown:
            return unshifted.date()
    return when.value.date()


def _visible(
    start_w: _When, end_w: _When | None, card: _Card, zone: ZoneInfo
) -> tuple[datetime, datetime | None]:
    assert card.start is not None
    start_day = card.day or _day(start_w, card.start)
    start = wall_clock(datetime.combine(start_day, card.start), zone)
    if card.end is None:
        return start, None
    end_day = _day(end_w, card.end) if end_w is not None and not card.day else start_day
    end_day = max(end_day, start_day)
    end = wall_clock(datetime.combine(end_day, card.end), zone)
    # Compared as instants like every end in this module (clock.after), though both readings
    # here take fold 0 and same-zone order would agree.
    if not after(end, start) and end_day == start_day:  # "22:00 - 01:00" ends the next day
        end = wall_clock(datetime.combine(end_day + timedelta(days=1), card.end), zone)
    return start, (end if after(end, start) else None)


# --- cards (clock = "visible") -------------------------------------------------------------------


def _cards(soup: BeautifulSoup, base: str, opts: JsonLdOptions) -> list[_Card]:
    cards = []
    for tag in soup.select(opts.card or _MEC_CARD):
        urls = {u for a in tag.select("a[href]") if (u := so.http_url(a.get("href"), base))}
        names = {_fold(t.get_text(" ")) for t in tag.select("h1, h2, h3, h4, h5, h6, a")}
        found = tag.select_one(opts.visible_date or _MEC_DATE)
        day = _card_day(found.get_text(" ")) if found else None
        cards.append(
            _Card(
                urls={_same(u) for u in urls},
                names=names - {""},
                day=day,
                start=_shown(tag, opts.visible_start or _MEC_START),
                end=_shown(tag, opts.visible_end or _MEC_END),
            )
        )
    return cards


def _shown(card: Tag, selector: str) -> time | None:
    found = card.select_one(selector)
    match = _CLOCK.search(found.get_text(" ")) if found else None
    if match is None:
        return None
    hour, minute, half = int(match[1]), int(match[2]), (match[3] or "").lower()
    if half and hour <= 12:
        hour = hour % 12 + (12 if half == "p" else 0)
    return time(hour, minute)


def _card_day(text: str) -> date | None:
    """'9. september 2026', 'Sep 09 2026', '09.09.2026' or '2026-09-09' on a card; else None."""
    try:
        if m := re.search(r"(\d{4})-(\d{2})-(\d{2})", text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.search(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := re.search(r"(\d{1,2})\.?\s*([^\W\d_]{3,})\.?,?\s*(\d{4})", text):
            month = _MONTHS.get(m[2][:3].lower())
            return date(int(m[3]), month, int(m[1])) if month else None
        if m := re.search(r"([^\W\d_]{3,})\.?\s*(\d{1,2}),?\s*(\d{4})", text):
            month = _MONTHS.get(m[1][:3].lower())
            return date(int(m[3]), month, int(m[2])) if month else None
    except ValueError:
        return None
    return None


def _pair(cards: list[_Card], url: str | None, title: str, when: _When) -> _Card | None:
    """The unused card of this event: by url, else by title; a dated card must show its date."""
    pool = [c for c in cards if url and _same(url) in c.urls] or [c for c in cards if _fold(title) in c.names]
    days = {when.value if not isinstance(when.value, datetime) else when.value.date()}
    if isinstance(when.value, datetime) and when.offset is not None:
        days.add((when.value - when.offset).date())
    for card in pool:
        if not card.used and (card.day is None or card.day in days):
            card.used = True
            return card
    return None


# --- fields --------------------------------------------------------------------------------------


def _with_uids(parsed: list[_Parsed], always_dated: bool, ctx: RunContext) -> Iterator[EventDraft]:
    """uid = @id or url; + "#" + local date when that key has several dates (MEC repeating posts).

    With clock = "visible" (MEC) the date is always added: a repeating post's uid must not change
    when only one occurrence is left on the page. Without a key: title + local date. Never the time.
    """
    days: dict[str, set[date]] = defaultdict(set)
    for p in parsed:
        if p.key:
            days[p.key].add(p.day)
    seen: dict[str, list[Any]] = {}
    for p in parsed:
        if p.key and not always_dated and len(days[p.key]) == 1:
            uid = p.key
        else:
            uid = f"{p.key or p.title}#{p.day.isoformat()}"
        starts = seen.setdefault(uid, [])
        if p.fields["start"] in starts:
            ctx.skip("the same event appears twice on the page", p.title)
            continue
        starts.append(p.fields["start"])
        # Two sessions of one event on one day: numbered in page order, not by their time.
        yield EventDraft(uid=uid if len(starts) == 1 else f"{uid}#{len(starts)}", **p.fields)


def _fold(value: str) -> str:
    return " ".join(html.unescape(value).split()).casefold()


def _brief(node: dict[str, Any]) -> str:
    return json.dumps(node, ensure_ascii=False, default=str)[:80]


def _same(url: str) -> str:
    """A URL compared loosely: no fragment, no trailing slash, case-insensitive host."""
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}?{parts.query}"
