"""Generic RSS 2.0 / RSS 1.0 (RDF) / Atom adapter: event feeds read with feedparser.

Owns: turning one feed document into drafts. The event time comes from the RSS 1.0 event
module (``ev:startdate``/``ev:enddate``, namespace http://purl.org/rss/1.0/modules/event/),
else from the source's ``date_regex`` over title and text, or, only when the source says
``time_from = "pubdate"``, from the entry's publication time.
Must not: treat ``pubDate``/``updated`` as the event time by default (it is when the post was
published: ../shared/sources.md, "RSS"; tests/fixtures/sources/rss/ev_module_rss2.xml), do
I/O, read the clock, or key identity on the start time. Feed safety lives in
``aggregator.parsing.feeds``.
"""

from __future__ import annotations

import calendar
import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from aggregator.adapter import Adapter, RunContext
from aggregator.model import EventDraft, Follow, Response, Status
from aggregator.parsing.clock import after
from aggregator.parsing.feeds import html_to_text, match_date_regex, parse_event_time, read_feed

NO_TIME = "no event time (pubDate is the publication date, not the event date)"
NO_PUBDATE = 'no pubDate, and time_from = "pubdate" takes the event time from it'
# "AVLYST: ..." is how Norwegian organisers cancel in a title (sources.md, "cancellation").
_CANCELLED = re.compile(r"\bavlys(?:t|es)\b", re.IGNORECASE)
_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>")


class RssOptions(BaseModel):
    """Keys of a ``[sources.<id>]`` table with ``adapter = "rss"``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: where the event time comes from: "event" (ev: module, then date_regex) or "pubdate"
    #: (the entry's published time IS the start; only for feeds known to do that)
    time_from: Literal["event", "pubdate"] = "event"
    #: a regular expression with named groups day, month (number or Norwegian name), and
    #: optionally year, hour, minute, end_hour, end_minute; tried on the title, then the text
    date_regex: str | None = None

    @field_validator("date_regex")
    @classmethod
    def _check_regex(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            groups = re.compile(value).groupindex
        except re.error as err:
            raise ValueError(f"date_regex does not compile: {err}") from None
        missing = {"day", "month"} - set(groups)
        if missing:
            raise ValueError(f"date_regex needs the named group(s) {', '.join(sorted(missing))}")
        return value


def _title(entry: Any) -> str:
    value = entry.get("title", "")
    detail = entry.get("title_detail") or {}
    # Titles arrive double-escaped ("Quiz &amp;amp; vafler") or as HTML; users want the text.
    text = html_to_text(value) if detail.get("type") == "text/html" else html.unescape(value)
    return " ".join(text.split())


def _html_parts(entry: Any) -> tuple[str | None, str | None]:
    """(description text, description HTML): content:encoded wins for HTML, summary for text."""
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    summary = entry.get("summary", "") or ""
    markup = contents[0] if contents else summary
    text = html_to_text(summary or markup)
    # RSS <description> is often plain text; only real markup is worth keeping as HTML.
    return (text or None), (markup if _MARKUP.search(markup) else None)


class RssAdapter(Adapter):
    name = "rss"
    Options = RssOptions

    def parse(self, response: Response, ctx: RunContext) -> Iterator[EventDraft | Follow]:
        options = self.options
        if not isinstance(options, RssOptions):
            raise TypeError(f"rss needs RssOptions, got {type(options).__name__}")
        pattern = re.compile(options.date_regex) if options.date_regex else None
        feed, notes = read_feed(response.body, response.headers.get("content-type"))
        for note in notes:
            ctx.warn(note)
        language = feed.feed.get("language") or None
        seen: set[str] = set()
        for entry in feed.entries:
            title = _title(entry)
            text, markup = _html_parts(entry)
            try:
                when = _when(options, entry, title, text, pattern, ctx)
            except ValueError as err:
                ctx.skip(f"unreadable event time: {err}", title)
                continue
            if when is None:
                ctx.skip(NO_PUBDATE if options.time_from == "pubdate" else NO_TIME, title)
                continue
            start, end = when
            if not title:
                ctx.skip("no title", str(entry.get("id") or entry.get("link") or ""))
                continue
            local_day = start.date() if isinstance(start, datetime) else start
            # guid/id, else link, else title + local date: never the start time (design.md §5).
            uid = entry.get("id") or entry.get("link") or f"{title}|{local_day.isoformat()}"
            if uid in seen:
                ctx.skip(f"duplicate uid {uid}", title)
                continue
            seen.add(uid)
            yield EventDraft(
                uid=uid,
                title=title,
                start=start,
                end=end,
                status=Status.CANCELLED if _CANCELLED.search(title) else Status.SCHEDULED,
                description=text,
                description_html=markup,
                url=entry.get("link") or None,
                location=_clean(entry.get("ev_location")),
                organizer=_clean(entry.get("ev_organizer")),
                categories=_categories(entry),
                image_url=_image(entry),
                language=language,
                raw={k: entry[k] for k in ("published", "updated", "ev_type") if entry.get(k)},
            )


def _when(
    options: RssOptions,
    entry: Any,
    title: str,
    text: str | None,
    pattern: re.Pattern[str] | None,
    ctx: RunContext,
) -> tuple[datetime | date, datetime | date | None] | None:
    """The entry's (start, end), None when it states no event time; ValueError when unreadable."""
    if options.time_from == "pubdate":
        stamp = entry.get("published_parsed")
        if stamp is None:
            return None
        # feedparser's *_parsed are UTC struct_times whatever offset the feed wrote
        # (pubdate_source.xml writes +0000 and must land on Oslo wall clock in CEST and CET).
        return datetime.fromtimestamp(calendar.timegm(stamp), UTC).astimezone(ctx.zone), None
    if entry.get("ev_startdate"):
        start, claim = parse_event_time(entry["ev_startdate"], ctx.zone)
        if claim:
            ctx.warn(f"{title}: {claim}")
        end = None
        if entry.get("ev_enddate"):
            end, claim = parse_event_time(entry["ev_enddate"], ctx.zone)
            if claim:
                ctx.warn(f"{title}: {claim}")
        return start, _fit_end(start, end, title, ctx)
    if pattern is not None:
        found = match_date_regex(pattern, [title, text or ""], ctx.now.astimezone(ctx.zone))
        if found is not None:
            return found.start, found.end
    return None


def _fit_end(
    start: datetime | date, end: datetime | date | None, title: str, ctx: RunContext
) -> datetime | date | None:
    if end is None:
        return None
    if isinstance(start, datetime) != isinstance(end, datetime):
        ctx.warn(f"{title}: ev:enddate mixes a date and a time with ev:startdate; end dropped")
        return None
    if isinstance(start, datetime) and isinstance(end, datetime):
        # As instants (clock.after): in Oslo's zone "2026-10-25T02:15:00+01:00" (the second
        # 02:15) sorts before "02:30:00+02:00" (the first 02:30), 45 minutes before it.
        later = after(end, start)
    else:
        # A date-only ev:enddate names the last day; drafts (like RFC 5545) want it exclusive.
        end = end + timedelta(days=1)
        later = end > start
    if not later:
        ctx.warn(f"{title}: ev:enddate is not after ev:startdate; end dropped")
        return None
    return end


def _clean(value: Any) -> str | None:
    text = " ".join(html.unescape(value).split()) if isinstance(value, str) else ""
    return text or None


def _categories(entry: Any) -> tuple[str, ...]:
    terms = [tag.get("term") for tag in entry.get("tags", [])] + [entry.get("ev_type")]
    cleaned = (_clean(t) for t in terms)
    return tuple(dict.fromkeys(t for t in cleaned if t))


def _image(entry: Any) -> str | None:
    for enclosure in entry.get("enclosures", []):
        if str(enclosure.get("type", "")).startswith("image/") and enclosure.get("href"):
            return str(enclosure["href"])
    return None
