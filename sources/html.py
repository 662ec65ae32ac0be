"""Generic HTML listing scraper: CSS selectors per source, Norwegian dates read by dates.py.

Owns: turning one listing page into drafts, one per element matching the source's ``item``
selector, with title, date, times, place, link, description and image read by further
selectors inside that element (BeautifulSoup + lxml). Serves pages that have no feed:
volunteer centres on WisWeb (tests/fixtures/sources/html/frivilligsentral.html), Drupal
"views" listings (drupal_views.html) and Modern Events Calendar list cards (mec_cards.html).

Must not: do I/O, read the clock (``ctx.now`` is the reference for year-less dates), key
identity on the start time, or publish nothing quietly: a page where ``item`` matches nothing
raises ``ParseError``, because that is what a changed layout looks like. A listing that is
empty on purpose ("Ingen arrangementer") looks the same to a generic scraper and fails too;
there is no general way to tell the two apart, so such a source shows as failing until events
return (set ``enabled = false`` or accept the failing status for a seasonal source).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal
from urllib.parse import urljoin

import soupsieve
from bs4 import BeautifulSoup, Tag
from pydantic import BaseModel, ConfigDict, field_validator

from aggregator.adapter import Adapter, RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Follow, Response, Status
from aggregator.parsing.dates import DateTextError, parse_when, resolve, scan_times, split_time_prefix

# "AVLYST: ..." is how Norwegian organisers cancel in a title (sources.md, "cancellation").
_CANCELLED = re.compile(r"\bavlys(?:t|es)\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


class HtmlOptions(BaseModel):
    """Keys of a ``[sources.<id>]`` table with ``adapter = "html"``: CSS selectors.

    Every selector except ``item`` and ``year_selector`` is applied inside one item.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: one listing card, e.g. "article.mec-event-article" or "div.u-timeline-v3"
    item: str
    #: the title; a leading "11.00 - 13.30: " (WisWeb) is cut off and read as the times
    title: str
    #: the date text; when it matches several elements (WisWeb's stacked weekday/day/month/year
    #: spans) their texts are joined with " / "
    date: str
    #: the start time, or a range such as "13:30 - 15:00"; else times come from the date text,
    #: else from a time prefix of the title
    time: str | None = None
    #: the end time, when the page prints it apart (MEC's ".mec-end-time")
    end_time: str | None = None
    #: the place (named place_selector because "place" is the common default-place key)
    place_selector: str | None = None
    #: an <a> (or an element holding one); made absolute against the page's url
    link: str | None = None
    description: str | None = None
    #: an <img> (or an element holding one)
    image: str | None = None
    #: where the page states the current year (a footer "2026 © ..."), searched in the whole
    #: page; year-less dates take it instead of a year guessed from the date
    year_selector: str | None = None
    #: identity: the item's link (several items sharing one link add their local date), or the
    #: title and the local date; never the time, or correcting a time would duplicate an event
    uid_from: Literal["link", "title_date"] = "link"

    @field_validator(
        "item",
        "title",
        "date",
        "time",
        "end_time",
        "place_selector",
        "link",
        "description",
        "image",
        "year_selector",
    )
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                soupsieve.compile(value)
            except soupsieve.SelectorSyntaxError as err:
                raise ValueError(f"not a CSS selector: {value!r} ({err})") from None
        return value


@dataclass(frozen=True)
class _Card:
    title: str
    start: datetime | date
    end: datetime | date | None
    url: str | None
    place: str | None
    description: str | None
    image: str | None
    raw: dict[str, str]

    @property
    def local_date(self) -> date:
        return self.start.date() if isinstance(self.start, datetime) else self.start


def _text(element: Tag | None) -> str:
    if element is None:
        return ""
    return " ".join(element.get_text(" ").split())  # split() also takes &nbsp;


def _attr(element: Tag | None, tag: str, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` on ``element`` if it is a ``tag``, else on the first such child."""
    if element is None:
        return None
    found = element if element.name == tag else element.find(tag)
    if not isinstance(found, Tag):
        return None
    for name in names:
        value = found.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


class HtmlAdapter(Adapter):
    """A listing page read with CSS selectors; see ``HtmlOptions`` for the keys."""

    name = "html"
    Options = HtmlOptions

    def parse(self, response: Response, ctx: RunContext) -> Iterator[EventDraft | Follow]:
        opts = self.options
        assert isinstance(opts, HtmlOptions)
        text = response.text()
        if not text.strip():
            raise ParseError("the page is empty")
        soup = BeautifulSoup(text, "lxml")
        year = self._page_year(soup, opts)
        items = soup.select(opts.item)
        if not items:
            raise ParseError(f"selector {opts.item!r} matched no items: the page layout may have changed")
        cards = [card for item in items if (card := self._card(item, opts, response.url, year, ctx))]
        for card, uid in zip(cards, self._uids(cards, opts), strict=True):
            yield EventDraft(
                uid=uid,
                title=card.title,
                start=card.start,
                end=card.end,
                status=Status.CANCELLED if _CANCELLED.search(card.title) else Status.SCHEDULED,
                description=card.description,
                url=card.url,
                location=card.place,
                image_url=card.image,
                raw=card.raw,
            )

    @staticmethod
    def _page_year(soup: BeautifulSoup, opts: HtmlOptions) -> int | None:
        if opts.year_selector is None:
            return None
        element = soup.select_one(opts.year_selector)
        if element is None:
            raise ParseError(
                f"year_selector {opts.year_selector!r} matched nothing: the page layout may have changed"
            )
        found = _YEAR.search(_text(element))
        if found is None:
            raise ParseError(f"year_selector {opts.year_selector!r} holds no year: {_text(element)[:80]!r}")
        return int(found.group())

    @staticmethod
    def _card(item: Tag, opts: HtmlOptions, base: str, year: int | None, ctx: RunContext) -> _Card | None:
        shown = _text(item)[:120]
        time_prefix, title = split_time_prefix(_text(item.select_one(opts.title)))
        if not title:
            ctx.skip(f"no title at {opts.title!r}", shown)
            return None
        date_text = " / ".join(t for t in (_text(e) for e in item.select(opts.date)) if t)
        if not date_text:
            ctx.skip(f"no date at {opts.date!r}", title)
            return None
        try:
            when = parse_when(date_text, reference=ctx.now.date(), year=year)
        except DateTextError as err:
            ctx.skip(f"unreadable date {date_text!r}: {err}", title)
            return None
        time_text = _text(item.select_one(opts.time)) if opts.time else ""
        # times: the time field, else the date text's own, else the title's prefix (WisWeb)
        clock_text = time_text or (time_prefix if when.start_time is None else "")
        if clock_text:
            clocks = scan_times(clock_text)
            if clocks.times:
                start_time, end_time = clocks.times[0]
                when = replace(when, start_time=start_time, end_time=end_time, all_day=False)
            elif not clocks.all_day:
                ctx.warn(f"{title!r}: no time in {clock_text!r}; kept as an all-day event")
        end_text = _text(item.select_one(opts.end_time)) if opts.end_time else ""
        if end_text and when.start_time is not None and (ends := scan_times(end_text).times):
            when = replace(when, end_time=ends[0][0])
        for warning in when.warnings:
            ctx.warn(f"{title!r}: {warning}")
        start, end = resolve(when, ctx.zone)
        if when.end_time is not None and end is None:
            ctx.warn(f"{title!r}: end {when.end_time:%H:%M} is not after the start; dropped")
        href = _attr(item.select_one(opts.link), "a", ("href",)) if opts.link else None
        src = _attr(item.select_one(opts.image), "img", ("src", "data-src")) if opts.image else None
        raw = {"date_text": date_text}
        if clock_text:
            raw["time_text"] = clock_text
        return _Card(
            title=title,
            start=start,
            end=end,
            url=urljoin(base, href) if href and not href.startswith(("#", "javascript:")) else None,
            place=_text(item.select_one(opts.place_selector)) or None if opts.place_selector else None,
            description=_text(item.select_one(opts.description)) or None if opts.description else None,
            image=urljoin(base, src) if src else None,
            raw=raw,
        )

    @staticmethod
    def _uids(cards: list[_Card], opts: HtmlOptions) -> list[str]:
        """Stable, unique uids. A link shared by several cards (MEC repeats one post for every
        occurrence, sources.md "Libraries") adds the local date; what is still equal (two
        sessions on one day) is numbered in page order."""
        links = Counter(card.url for card in cards if card.url)
        bases: list[str] = []
        for card in cards:
            day = card.local_date.isoformat()
            if opts.uid_from == "link" and card.url:
                bases.append(card.url if links[card.url] == 1 else f"{card.url}#{day}")
            else:
                bases.append(f"{' '.join(card.title.casefold().split())}|{day}")
        seen: Counter[str] = Counter()
        uids = []
        for base in bases:
            seen[base] += 1
            uids.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
        return uids
