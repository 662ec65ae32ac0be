"""Adapter ``jsonld``: schema.org ``Event`` JSON-LD embedded in HTML pages.

Owns: finding every ``<script type="application/ld+json">`` block, repairing the breakage that
hand-made blocks carry (comments, CDATA, control characters, bad escapes, stray quotes), walking
arrays and ``@graph`` for Event nodes, mapping schema.org properties onto ``EventDraft``, and the
per-source clock policy for platforms whose stated offsets lie (sources.md, "a stated offset is a
claim"): ``trust`` honours offsets, ``wallclock`` reads the digits in ctx.zone (TicketCo's false
``Z``), ``visible`` takes the time from the page's own card (Modern Events Calendar's doubled
offset).

Must not: fetch anything, read the clock or the environment, sanitise HTML (normalise does that
with nh3; hostile text passes through here as data), or decide identity across sources.
"""

from __future__ import annotations

import html
import json
import math
import re
import warnings
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import soupsieve
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import Tag
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from aggregator.adapter import Adapter, RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Follow, Response, Status

#: How deep the walk looks for Event nodes (ItemList > ListItem > item sits at depth 4); deeper
#: structures are not event listings but hostile input (badinputs authored__jsonld_deep_nesting).
_MAX_DEPTH = 12
_MAX_NESTING = 64  # containers deeper than this are dropped before decoding
_MAX_WHEN = 64  # longer "dates" are not ISO 8601; do not feed them to the parser

_STATUS = {
    "eventcancelled": Status.CANCELLED,
    "eventpostponed": Status.POSTPONED,
    "eventrescheduled": Status.RESCHEDULED,
    "eventmovedonline": Status.SCHEDULED,
    "eventscheduled": Status.SCHEDULED,
}
# MEC default card markup (samples/html_mec-wordpress_*.html, our mec_library.html).
_MEC_CARD, _MEC_DATE = ".mec-event-article", ".mec-start-date-label"
_MEC_START, _MEC_END = ".mec-start-time", ".mec-end-time"
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_MONTHS |= {"may": 5, "oct": 10, "dec": 12}  # English labels on sites set to English
# [^<>] keeps a search linear on text full of "<" without ">" (and "a < b" is not a tag).
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
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
        blocks = [s for s in soup.find_all("script") if _is_ld_json(s)]
        if not blocks:
            raise ParseError('no <script type="application/ld+json"> block in the page')
        nodes: list[dict[str, Any]] = []
        readable = 0
        for number, script in enumerate(blocks, 1):
            data = _load_block(script.string or "", number, ctx)
            if data is not _BROKEN:
                readable += 1
                _collect(data, 0, nodes)
        if not readable:
            # Publishing nothing would remove every stored event at the next complete run.
            raise ParseError(f"none of the {len(blocks)} JSON-LD blocks is readable JSON")
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
        title = _text(node.get("name"))
        if not title:
            ctx.skip("event without a name", _brief(node))
            return None
        start_w = _when(node.get("startDate"))
        if start_w is None:
            ctx.skip(f"unreadable startDate {str(node.get('startDate'))[:40]!r}", title)
            return None
        end_w = _when(node.get("endDate"))
        url = _http_url(node.get("url"), base)
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
        location, address, lat, lon = _place(node.get("location"))
        price, free, signup, availability = _offer(node.get("offers"), base)
        description = node.get("description")
        desc_text = desc_html = None
        if isinstance(description, str) and description.strip():
            if _TAG.search(description):
                desc_html = description
                desc_text = _html_text(description)
            else:
                desc_text = html.unescape(description).strip()
        kept = {
            "startDate": node.get("startDate"),
            "availability": availability,
            "attendance": _last(node.get("eventAttendanceMode")),
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
                status=_status(node.get("eventStatus")),
                description=desc_text or None,
                description_html=desc_html,
                url=url,
                location=location,
                address=address,
                latitude=lat,
                longitude=lon,
                organizer=_name_of(node.get("organizer")),
                audience=_audience(node.get("audience")),
                price=price,
                free=free,
                signup_url=signup,
                image_url=_image(node.get("image"), base),
                language=_language(node.get("inLanguage")),
                raw=raw,
            ),
        )


# --- blocks ------------------------------------------------------------------------------------

_BROKEN = object()
_JSON_ESCAPES = set('"\\/bfnrtu')


def _is_ld_json(script: Tag) -> bool:
    kind = script.get("type")
    return isinstance(kind, str) and kind.split(";")[0].strip().lower() == "application/ld+json"


def _load_block(text: str, number: int, ctx: RunContext) -> Any:
    """One block as JSON; a block that cannot be read is warned about and skipped, never fatal."""
    try:
        return _decode(text, number, ctx)
    except ValueError:
        pass
    try:
        data = _decode(_repair(text), number, ctx)
    except ValueError as err:
        ctx.warn(f"JSON-LD block {number} is not JSON and was skipped: {str(err)[:80]}")
        return _BROKEN
    ctx.warn(f"JSON-LD block {number} was malformed and read after repair")
    return data


def _decode(text: str, number: int, ctx: RunContext) -> Any:
    try:
        return json.loads(text, strict=False)  # strict=False: raw newlines inside strings
    except RecursionError:
        # The stdlib decoder recurses per level and gives up near 1000 levels
        # (badinputs authored__jsonld_deep_nesting.html): cut the deep part, keep the top.
        ctx.warn(
            f"JSON-LD block {number} nests deeper than {_MAX_NESTING} levels; the deeper part was dropped"
        )
        return json.loads(_prune(text, _MAX_NESTING), strict=False)


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|[^"\[\]{}]+|"')


def _prune(text: str, limit: int) -> str:
    """The JSON text with every object or array nested deeper than ``limit`` replaced by null."""
    out: list[str] = []
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("{", "["):
            depth += 1
            if depth == limit + 1:
                out.append("null")
            if depth > limit:
                continue
        elif token in ("}", "]"):
            depth -= 1
            if depth >= limit:
                continue
        elif depth > limit:
            continue
        out.append(token)
    return "".join(out)


def _repair(text: str) -> str:
    """Rewrite hand-made JSON into JSON, string-aware (badinputs jsonld/extruct__JSONLD_*).

    Drops CDATA/HTML-comment wrappers and // or /* */ comments outside strings, trailing commas,
    stray control characters; inside strings fixes \\' and \\xHH, keeps unknown escapes as a
    literal backslash, and escapes a quote that is not followed by , : } ] (an unescaped quote
    inside the text, as WordPress writes ``style="..."`` into descriptions).
    """
    text = _unwrap(text)
    out: list[str] = []
    i, n, in_str = 0, len(text), False
    while i < n:
        c = text[i]
        if in_str:
            if c == "\\":
                nxt = text[i + 1] if i + 1 < n else ""
                if nxt and nxt in _JSON_ESCAPES:
                    out.append(c + nxt)
                    i += 2
                elif nxt == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 2 : i + 4]):
                    out.append("\\u00" + text[i + 2 : i + 4])
                    i += 4
                elif nxt == "'":
                    out.append("'")
                    i += 2
                else:
                    out.append("\\\\")
                    i += 1
                continue
            if c == '"':
                j = i + 1
                while j < n and text[j] in " \t\r\n":
                    j += 1
                if j >= n or text[j] in ",:}]":
                    in_str = False
                    out.append(c)
                else:
                    out.append('\\"')
            else:
                out.append(c)
            i += 1
            continue
        if c == '"':
            in_str = True
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        elif c in "}]":
            k = len(out) - 1
            while k >= 0 and out[k] in " \t\r\n":
                k -= 1
            if k >= 0 and out[k] == ",":
                del out[k]
        elif ord(c) < 32 and c not in "\t\r\n":
            c = " "
        out.append(c)
        i += 1
    return "".join(out)


def _unwrap(text: str) -> str:
    """Drop bare <![CDATA[ ]]> / <!-- --> around a block; "//<![CDATA[" is a comment line anyway."""
    text = text.strip()
    while True:
        before = text
        for mark in ("<![CDATA[", "<!--"):
            text = text.removeprefix(mark).lstrip()
        for mark in ("]]>", "-->"):
            text = text.removesuffix(mark).rstrip()
        if text == before:
            return text


def _collect(value: Any, depth: int, out: list[dict[str, Any]]) -> None:
    """Event nodes in a block: the block itself, array items, @graph, ItemList items, ...

    The walk is depth-limited and does not descend into an Event (subEvent chains are hostile
    input more often than festival programmes: badinputs authored__jsonld_deep_nesting.html).
    """
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            _collect(item, depth + 1, out)
    elif isinstance(value, dict):
        if _is_event(value):
            out.append(value)
            return
        for item in value.values():
            if isinstance(item, list | dict):
                _collect(item, depth + 1, out)


def _is_event(node: dict[str, Any]) -> bool:
    kind = node.get("@type")
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return any(isinstance(k, str) and _last(k).endswith("Event") for k in kinds)


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


def _local(naive: datetime, zone: ZoneInfo) -> datetime:
    # A wall time in the spring-forward gap (02:30 on 2027-03-28) does not exist; the UTC round
    # trip turns it into the real wall clock of the same instant instead of a phantom time.
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _at(when: _When, clock: str, zone: ZoneInfo, claims: list[str]) -> datetime | date:
    if not isinstance(when.value, datetime):
        return when.value
    if clock == "wallclock" or when.offset is None:
        return _local(when.value, zone)
    stated = when.value.replace(tzinfo=timezone(when.offset))
    local = stated.astimezone(zone)
    if when.offset and local.utcoffset() != when.offset:
        claims.append(stated.isoformat())  # e.g. +02:00 in December: the instant may be wrong
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
    return start, (end if end > start else None)


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
    start = _local(datetime.combine(start_day, card.start), zone)
    if card.end is None:
        return start, None
    end_day = _day(end_w, card.end) if end_w is not None and not card.day else start_day
    end_day = max(end_day, start_day)
    end = _local(datetime.combine(end_day, card.end), zone)
    if end <= start and end_day == start_day:  # "22:00 - 01:00" ends the next day
        end = _local(datetime.combine(end_day + timedelta(days=1), card.end), zone)
    return start, (end if end > start else None)


# --- cards (clock = "visible") -------------------------------------------------------------------


def _cards(soup: BeautifulSoup, base: str, opts: JsonLdOptions) -> list[_Card]:
    cards = []
    for tag in soup.select(opts.card or _MEC_CARD):
        urls = {u for a in tag.select("a[href]") if (u := _http_url(a.get("href"), base))}
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


def _last(value: Any) -> str:
    """'https://schema.org/EventCancelled', 'schema:Event', 'Event' -> the last segment."""
    if isinstance(value, dict):
        value = value.get("@id")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), "")
    return re.split(r"[/#:]", value.strip())[-1] if isinstance(value, str) else ""


def _status(value: Any) -> Status:
    return _STATUS.get(_last(value).lower(), Status.SCHEDULED)


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    if isinstance(value, dict):
        value = value.get("@value")
    if not isinstance(value, str):
        return None
    # WordPress titles carry entities (&#8211;, &amp;); whitespace is layout, not content.
    return " ".join(html.unescape(value).split()) or None


def _fold(value: str) -> str:
    return " ".join(html.unescape(value).split()).casefold()


def _brief(node: dict[str, Any]) -> str:
    return json.dumps(node, ensure_ascii=False, default=str)[:80]


def _html_text(markup: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(markup, "lxml").get_text(" ", strip=True)


def _http_url(value: Any, base: str) -> str | None:
    """An absolute http(s) URL, or None: javascript:, data: and the like never get through."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str):
        return None
    value = re.sub(r"[\t\r\n]", "", value.strip())  # browsers drop these too ("java\nscript:")
    if not value or any(ord(c) < 32 for c in value):
        return None
    try:
        absolute = urljoin(base, value)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    return absolute if parts.scheme in ("http", "https") and parts.hostname else None


def _same(url: str) -> str:
    """A URL compared loosely: no fragment, no trailing slash, case-insensitive host."""
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}?{parts.query}"


def _image(value: Any, base: str) -> str | None:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("url") or item.get("contentUrl") or item.get("@id")
        if url := _http_url(item, base):
            return url
    return None


def _name_of(value: Any) -> str | None:
    for item in value if isinstance(value, list) else [value]:
        name = _text(item.get("name")) if isinstance(item, dict) else _text(item)
        if name:
            return name
    return None


def _audience(value: Any) -> tuple[str, ...]:
    found = []
    for item in value if isinstance(value, list) else [value]:
        name = _text(item.get("audienceType") or item.get("name")) if isinstance(item, dict) else _text(item)
        if name and name not in found:
            found.append(name)
    return tuple(found)


def _language(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    return _text(value)


def _address(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        street = _text(value.get("streetAddress"))
        town = " ".join(t for t in (_text(value.get("postalCode")), _text(value.get("addressLocality"))) if t)
        return ", ".join(p for p in (street, town) if p) or None
    return _text(value)


def _coordinate(value: Any, limit: float) -> float | None:
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and -limit <= number <= limit else None


def _place(value: Any) -> tuple[str | None, str | None, float | None, float | None]:
    """location as a Place, a plain string or a list of those; a VirtualLocation is no place."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and (name := _text(item)):
            return name, None, None, None
        if not isinstance(item, dict) or _last(item.get("@type")) == "VirtualLocation":
            continue
        name, address = _text(item.get("name")), _address(item.get("address"))
        geo = item.get("geo")
        geo = geo if isinstance(geo, dict) else {}
        lat, lon = _coordinate(geo.get("latitude"), 90), _coordinate(geo.get("longitude"), 180)
        if name or address:
            return name, address, (lat if lon is not None else None), (lon if lat is not None else None)
    return None, None, None, None


def _offer(value: Any, base: str) -> tuple[str | None, bool | None, str | None, str | None]:
    """offers (object or list) -> price "150 NOK", free (price 0), signup url, availability."""
    offers = [o for o in (value if isinstance(value, list) else [value]) if isinstance(o, dict)]
    if not offers:
        return None, None, None, None
    first = offers[0]
    signup = next((u for o in offers if (u := _http_url(o.get("url"), base))), None)
    availability = _last(first.get("availability")) or None
    amount = first.get("price", first.get("lowPrice"))
    currency = _text(first.get("priceCurrency")) or ""
    if isinstance(amount, bool) or amount is None or amount == "":
        return None, None, signup, availability
    if isinstance(amount, str) and amount.strip().casefold() in ("gratis", "free"):
        return None, True, signup, availability
    try:
        number = Decimal(str(amount).strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return _text(amount), None, signup, availability
    if not number.is_finite() or number < 0:
        return None, None, signup, availability
    if number == 0:
        return None, True, signup, availability
    shown = str(int(number)) if number == number.to_integral_value() else f"{number:.2f}"
    return f"{shown} {currency}".strip(), False, signup, availability
