"""Tests of the generic rss adapter (sources/rss.py) and its helpers (aggregator/parsing/feeds.py).

Fixtures in tests/fixtures/sources/rss/ are authored Borgen feeds; the hostile-input tests read
../shared/corpus/badinputs in place and skip when it is absent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from aggregator.adapter import RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Request, Response, Status
from aggregator.parsing.feeds import AUTHOR_CAP, cap_author_fields, html_to_text, parse_event_time
from sources.rss import NO_PUBDATE, NO_TIME, RssAdapter
from tests.conftest import BADINPUTS, FIXTURES, OSLO

RSS_DIR = FIXTURES / "sources" / "rss"
FEED_URL = "https://borgen-innbyggertorg.example/feed/"
# One pattern for regex_dates.xml: "3. november kl. 18.00–20.00", "15. sep. kl. 10.00",
# "10.10.2026 kl. 10.00-14.00".
DATE_REGEX = (
    r"(?P<day>\d{1,2})\.\s*(?P<month>[a-zæøå]+|\d{1,2})\.?(?:\s*(?P<year>\d{4}))?\s+kl\.?\s*"
    r"(?P<hour>\d{1,2})[.:](?P<minute>\d{2})(?:\s*[–-]\s*(?P<end_hour>\d{1,2})[.:](?P<end_minute>\d{2}))?"
)


def _parse(
    ctx: RunContext, body: bytes, content_type: str = "application/rss+xml", **opts: Any
) -> list[EventDraft]:
    resp = Response(
        url=FEED_URL,
        status=200,
        headers={"content-type": content_type},
        body=body,
        request=Request(url=FEED_URL),
    )
    items = list(RssAdapter(RssAdapter.Options(**opts)).parse(resp, ctx))
    assert all(isinstance(item, EventDraft) for item in items)
    return [item for item in items if isinstance(item, EventDraft)]


def _fixture(name: str) -> bytes:
    return (RSS_DIR / name).read_bytes()


def _by_uid(drafts: list[EventDraft]) -> dict[str, EventDraft]:
    found = {d.uid: d for d in drafts}
    assert len(found) == len(drafts), "uids must be unique"
    return found


def _rss(items: str, head: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (
        f'{head}\n<rss version="2.0" xmlns:ev="http://purl.org/rss/1.0/modules/event/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Borgen innbyggertorg</title>'
        f"<link>https://borgen-innbyggertorg.example/</link><description>t</description>{items}"
        "</channel></rss>"
    ).encode()


def _at(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=OSLO)


def _offset(value: datetime | date) -> timedelta | None:
    assert isinstance(value, datetime), f"{value!r} is not a time"
    return value.utcoffset()


# --- RSS 2.0 with the event module -------------------------------------------------------------


def test_rss2_ev_module_maps_fields_and_times(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    drafts = _by_uid(_parse(ctx, _fixture("ev_module_rss2.xml")))
    cafe = drafts["borgen-arr-101"]
    assert cafe.title == "Språkkafé på Borgen innbyggertorg"  # whitespace collapsed
    assert cafe.start == _at(2026, 10, 24, 18) and cafe.end == _at(2026, 10, 24, 20)
    assert cafe.location == "Borgen innbyggertorg, Søndre Borgen 11, 1388 Borgen"
    assert cafe.organizer == "Borgen nærmiljøsentral"
    assert cafe.categories == ("Kafé", "Språk", "Kurs")  # <category>s, then ev:type
    assert cafe.url == "https://borgen-innbyggertorg.example/arrangementer/sprakkafe-oktober/"
    assert cafe.description == "Øv på norsk over en kopp kaffe. Gratis & åpent for alle."
    # content:encoded stays HTML (the core sanitises and makes links absolute)
    assert cafe.description_html is not None
    assert "<p>Gratis &amp; åpent for alle." in cafe.description_html
    assert 'href="/kontakt/"' in cafe.description_html
    assert cafe.language == "nb-NO" and cafe.status is Status.SCHEDULED
    assert cafe.raw["ev_type"] == "Kurs"
    # no guid: the link is the uid; a plain-text description is not offered as HTML
    library = drafts["https://borgen-innbyggertorg.example/arrangementer/lesesirkel/"]
    assert library.description_html is None
    assert library.description == "Vi leser høstens roman sammen. Ta med boka."
    assert drafts["borgen-arr-107"].status is Status.CANCELLED  # "AVLYST:" in the title
    assert drafts["borgen-arr-107"].organizer == "Asker kulturskole"


def test_rss2_offsets_and_local_times_around_autumn_dst(
    make_ctx: Callable[..., RunContext],
) -> None:
    drafts = _by_uid(_parse(make_ctx(), _fixture("ev_module_rss2.xml")))
    cest, cet = timedelta(hours=2), timedelta(hours=1)
    # stated offsets: +02:00 on 24 October, +01:00 on 26 October
    assert _offset(drafts["borgen-arr-101"].start) == cest
    library = drafts["https://borgen-innbyggertorg.example/arrangementer/lesesirkel/"]
    assert library.start == datetime(2026, 10, 26, 17, 0, tzinfo=UTC)
    assert _offset(library.start) == cet
    # no offset: Oslo wall clock, CEST before 25 October and CET after
    before, after = drafts["borgen-arr-103"], drafts["borgen-arr-104"]
    assert before.start == datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
    assert before.end == datetime(2026, 10, 20, 10, 0, tzinfo=UTC)
    assert after.start == datetime(2026, 10, 27, 10, 0, tzinfo=UTC)
    assert after.end == datetime(2026, 10, 27, 12, 0, tzinfo=UTC)
    for draft in drafts.values():
        if isinstance(draft.start, datetime):
            assert draft.start.tzinfo is not None


def test_rss2_date_only_is_all_day_with_exclusive_end(make_ctx: Callable[..., RunContext]) -> None:
    drafts = _by_uid(_parse(make_ctx(), _fixture("ev_module_rss2.xml")))
    # neither guid nor link: title + local date, not the start time
    day = drafts["Borgendagen|2026-09-12"]
    assert day.all_day
    assert day.start == date(2026, 9, 12)
    assert day.end == date(2026, 9, 14)  # ev:enddate 13th is the last day; drafts want it exclusive


def test_rss2_pubdate_is_never_the_event_time(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    drafts = _by_uid(_parse(ctx, _fixture("ev_module_rss2.xml")))
    assert "borgen-nyhet-55" not in drafts
    assert any(s.reason == NO_TIME and s.item == "Nye åpningstider i høstferien" for s in ctx.skips)
    # the other items' pubDates (31 Aug / 1 Sep) never leak into a start either
    assert all(
        d.start >= date(2026, 9, 12) if not isinstance(d.start, datetime) else True for d in drafts.values()
    )
    assert not any(
        isinstance(d.start, datetime) and d.start.date() <= date(2026, 9, 1) for d in drafts.values()
    )


def test_rss2_wrong_offset_claim_is_kept_but_warned(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    market = _by_uid(_parse(ctx, _fixture("ev_module_rss2.xml")))["borgen-arr-106"]
    # "+02:00" on 28 November is not Oslo's offset; the instant is what the source said
    assert market.start == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert market.start == _at(2026, 11, 28, 11)
    assert any("Julemarked" in w and "offset" in w for w in ctx.warnings)


def test_rss2_unreadable_ev_startdate_skips_only_that_item(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    drafts = _parse(ctx, _fixture("ev_module_rss2.xml"))
    assert len(drafts) == 7
    bad = [s for s in ctx.skips if s.item == "Quiz & vafler"]  # entity in the title decoded
    assert len(bad) == 1 and bad[0].reason.startswith("unreadable event time")


# --- RSS 1.0 (RDF) and Atom ------------------------------------------------------------------


def test_rss1_rdf_event_module_around_spring_dst(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    drafts = _by_uid(_parse(ctx, _fixture("rss1_rdf_ev.xml")))
    base = "https://borgen-innbyggertorg.example/dnt-asker/"
    assert set(drafts) == {base + "tur-201/", base + "tur-202/", base + "tur-203/"}
    winter, gap, spring = drafts[base + "tur-201/"], drafts[base + "tur-202/"], drafts[base + "tur-203/"]
    assert winter.start == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)  # 10:00 CET
    assert winter.end == datetime(2027, 3, 27, 13, 0, tzinfo=UTC)
    assert spring.start == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # 10:00 CEST
    # 02:30 does not exist on 28 March 2027: moved forward to the real 03:30 CEST
    assert gap.start == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert gap.start == _at(2027, 3, 28, 3, 30)
    assert winter.organizer == "DNT Asker" and winter.location == "Borgen innbyggertorg"
    assert winter.categories == ("Fellestur",)  # dc:subject and ev:type, once
    assert winter.language == "nb"


def test_atom_with_event_module(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    drafts = _by_uid(_parse(ctx, _fixture("atom_ev.xml"), content_type="application/atom+xml"))
    prefix = "urn:uuid:6f1c9d2e-1b7a-4c56-9a0e-4b2f8f1a0a1"
    assert set(drafts) == {prefix + "1", prefix + "2", prefix + "3"}
    kino = drafts[prefix + "1"]
    assert kino.title == "Høstferiekino for barn (gratis)"  # type="html" title read as text
    assert kino.start == _at(2026, 10, 24, 12) and kino.end == _at(2026, 10, 24, 13, 45)
    assert kino.description == "Vi viser en familiefilm i salen."
    assert kino.description_html is not None and "Popcorn fra Kafé KIME" in kino.description_html
    assert kino.categories == ("Barn", "Film")
    assert kino.url == "https://borgen-innbyggertorg.example/bibliotek/kino-hostferie/"
    # 02:30 happens twice on 25 October 2026: the first (CEST) is taken. (PEP 495: an ambiguous
    # local time never equals a UTC one, so compare after converting.)
    night = drafts[prefix + "2"].start
    assert isinstance(night, datetime) and night.utcoffset() == timedelta(hours=2)
    assert night.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    # "Z" is honoured and shown in Oslo time (CET)
    help_desk = drafts[prefix + "3"]
    assert help_desk.start == _at(2026, 10, 27, 10) and help_desk.end == _at(2026, 10, 27, 12)
    assert any(s.reason == NO_TIME and s.item == "Nye bøker i september" for s in ctx.skips)


# --- time_from = "pubdate" -------------------------------------------------------------------


def test_pubdate_source_lands_on_oslo_wall_clock_in_cest_and_cet(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    drafts = {d.title: d for d in _parse(ctx, _fixture("pubdate_source.xml"), time_from="pubdate")}
    expected = {
        "Høstkonsert (CEST)": (date(2026, 10, 24), timedelta(hours=2)),
        "Teaterforestilling (CET)": (date(2026, 10, 26), timedelta(hours=1)),
        "Vinterkonsert (CET)": (date(2027, 3, 27), timedelta(hours=1)),
        "Vårkonsert (CEST)": (date(2027, 3, 29), timedelta(hours=2)),
    }
    assert set(drafts) == set(expected)
    for title, (day, offset) in expected.items():
        start = drafts[title].start
        assert isinstance(start, datetime)
        assert (start.date(), start.hour, start.minute, start.utcoffset()) == (day, 18, 0, offset)
    assert [s.reason for s in ctx.skips] == [NO_PUBDATE]


def test_pubdate_feed_without_the_option_gives_nothing(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    assert _parse(ctx, _fixture("pubdate_source.xml")) == []
    assert len(ctx.skips) == 5 and {s.reason for s in ctx.skips} == {NO_TIME}


# --- date_regex --------------------------------------------------------------------------------


def test_date_regex_reads_norwegian_text(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    drafts = {d.title: d for d in _parse(ctx, _fixture("regex_dates.xml"), date_regex=DATE_REGEX)}
    knit = drafts["Strikkekafé på Asker bibliotek"]  # "3. november kl. 18.00&ndash;20.00"
    assert knit.start == _at(2026, 11, 3, 18) and knit.end == _at(2026, 11, 3, 20)
    assert _offset(knit.start) == timedelta(hours=1)
    # the title wins over a second date in the description; "sep." abbreviation
    walk = drafts["Aktiv på dagtid: stavgang 15. sep. kl. 10.00"]
    assert walk.start == _at(2026, 9, 15, 10) and walk.end is None
    assert _offset(walk.start) == timedelta(hours=2)
    # no year, January: next year; 16 August is within the last 30 days: this year
    assert drafts["Nyttårskonsert med Asker kulturskole"].start == _at(2027, 1, 2, 19)
    assert drafts["Sommeravslutning"].start == _at(2026, 8, 16, 12)
    dugnad = drafts["Dugnad på Borgen innbyggertorg"]  # numeric month and year, hyphen range
    assert dugnad.start == _at(2026, 10, 10, 10) and dugnad.end == _at(2026, 10, 10, 14)
    night = drafts["Nattkino i Kafé KIME"]  # 22.00–01.00 ends the next day
    assert night.start == _at(2026, 10, 30, 22) and night.end == _at(2026, 10, 31, 1)
    assert len(drafts) == 6
    reasons = {s.item: s.reason for s in ctx.skips}
    assert reasons["Nytt styre i nærmiljøsentralen"] == NO_TIME
    assert reasons["Foredrag om lokalhistorie"].startswith("unreadable event time")  # 31. september


def test_date_regex_year_rule_moves_with_the_clock(make_ctx: Callable[..., RunContext]) -> None:
    # read in late January 2027, "16. august" without a year is August 2027
    ctx = make_ctx(now=_at(2027, 1, 25, 12))
    drafts = {d.title: d for d in _parse(ctx, _fixture("regex_dates.xml"), date_regex=DATE_REGEX)}
    assert drafts["Sommeravslutning"].start == _at(2027, 8, 16, 12)
    assert drafts["Nyttårskonsert med Asker kulturskole"].start == _at(2027, 1, 2, 19)  # 23 days ago


def test_date_regex_without_hour_gives_all_day(make_ctx: Callable[..., RunContext]) -> None:
    body = _rss("<item><title>Loppemarked 12. september</title><guid>l-1</guid></item>")
    [draft] = _parse(make_ctx(), body, date_regex=r"(?P<day>\d{1,2})\. (?P<month>\w+)")
    assert draft.start == date(2026, 9, 12) and draft.end is None and draft.all_day


def test_without_date_regex_text_dates_are_not_guessed(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    assert _parse(ctx, _fixture("regex_dates.xml")) == []
    assert len(ctx.skips) == 8


# --- options -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "opts",
    [
        {"unknown": 1},
        {"time_from": "updated"},
        {"date_regex": r"(?P<day>\d+)"},  # no month group
        {"date_regex": r"(?P<day>\d+"},  # does not compile
    ],
)
def test_options_reject_bad_settings(opts: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RssAdapter.Options(**opts)


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["application/rss+xml", "text/xml", "application/xml; charset=utf-8"]
)
def test_latin1_feed(make_ctx: Callable[..., RunContext], content_type: str) -> None:
    body = _fixture("latin1_feed.xml")
    assert "ø".encode("iso-8859-1") in body and "ø".encode() not in body  # really Latin-1 bytes
    [draft] = _parse(make_ctx(), body, content_type=content_type)
    assert draft.title == "Grøt og prat på Borgen, åpent for alle"
    assert draft.organizer == "Borgen nærmiljøsentral"
    assert draft.categories == ("Måltid",)
    assert draft.start == _at(2026, 12, 5, 12)


# --- whole-document problems ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "message"),
    [
        ("empty.xml", "application/rss+xml", "empty body"),
        ("html_instead.html", "text/html; charset=utf-8", "HTML page instead of a feed"),
        ("html_instead.html", "application/rss+xml", "HTML page instead of a feed"),
        ("not_xml.txt", "text/plain", "no feed found"),
    ],
)
def test_unusable_documents_raise_parse_error(
    make_ctx: Callable[..., RunContext], name: str, content_type: str, message: str
) -> None:
    with pytest.raises(ParseError, match=message):
        _parse(make_ctx(), _fixture(name), content_type=content_type)


def test_whitespace_body_is_empty(make_ctx: Callable[..., RunContext]) -> None:
    with pytest.raises(ParseError, match="empty body"):
        _parse(make_ctx(), b" \r\n\t ")


def test_valid_feed_with_no_items_is_not_an_error(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    assert _parse(ctx, _rss("")) == []
    assert ctx.skips == [] and ctx.warnings == []


def test_bozo_feed_keeps_good_entries_and_warns(make_ctx: Callable[..., RunContext]) -> None:
    body = _fixture("ev_module_rss2.xml")
    cut = body.index(b"<title>Aktiv p")  # the third item is cut off mid-element
    ctx = make_ctx()
    drafts = _by_uid(_parse(ctx, body[:cut]))
    assert "borgen-arr-101" in drafts
    assert "https://borgen-innbyggertorg.example/arrangementer/lesesirkel/" in drafts
    assert any("not well-formed" in w for w in ctx.warnings)


# --- identity ----------------------------------------------------------------------------------


def test_uid_survives_a_corrected_time(make_ctx: Callable[..., RunContext]) -> None:
    body = _fixture("ev_module_rss2.xml")
    moved = body.replace(b"2026-10-24T18:00:00+02:00", b"2026-10-24T19:00:00+02:00")
    moved = moved.replace(
        b"<ev:startdate>2026-09-12</ev:startdate>", b"<ev:startdate>2026-09-12T10:00</ev:startdate>"
    )
    moved = moved.replace(b"<ev:enddate>2026-09-13</ev:enddate>", b"")
    first = _by_uid(_parse(make_ctx(), body))
    second = _by_uid(_parse(make_ctx(), moved))
    assert set(first) == set(second)
    assert first["borgen-arr-101"].start != second["borgen-arr-101"].start
    assert first["Borgendagen|2026-09-12"].start != second["Borgendagen|2026-09-12"].start


def test_parse_is_deterministic(make_ctx: Callable[..., RunContext]) -> None:
    for name in ("ev_module_rss2.xml", "rss1_rdf_ev.xml", "atom_ev.xml", "latin1_feed.xml"):
        assert _parse(make_ctx(), _fixture(name)) == _parse(make_ctx(), _fixture(name))


def test_duplicate_guid_is_skipped(make_ctx: Callable[..., RunContext]) -> None:
    item = (
        "<item><title>Kafé KIME {n}</title><guid>kime-1</guid><ev:startdate>2026-09-{n}</ev:startdate></item>"
    )
    ctx = make_ctx()
    drafts = _parse(ctx, _rss(item.format(n=10) + item.format(n=11)))
    assert [d.title for d in drafts] == ["Kafé KIME 10"]
    assert ctx.skips[0].reason == "duplicate uid kime-1"


@pytest.mark.parametrize(
    ("start", "end", "expected_end"),
    [
        ("2026-09-10T18:00", "2026-09-10T17:00", None),  # end before start: dropped
        ("2026-09-10T18:00", "2026-09-11", None),  # a date end for a timed start: dropped
        ("2026-09-10", "2026-09-10", date(2026, 9, 11)),  # one-day event, exclusive end
    ],
)
def test_unusable_ends_are_dropped_with_a_warning(
    make_ctx: Callable[..., RunContext], start: str, end: str, expected_end: date | None
) -> None:
    body = _rss(
        f"<item><title>Borgen</title><guid>b-1</guid><ev:startdate>{start}</ev:startdate>"
        f"<ev:enddate>{end}</ev:enddate></item>"
    )
    ctx = make_ctx()
    [draft] = _parse(ctx, body)
    assert draft.end == expected_end
    assert bool(ctx.warnings) == (expected_end is None)


@pytest.mark.parametrize(
    ("start", "end", "kept"),
    [
        # The second 02:30 of 2026-10-25 (CET) to the second 02:15 would be before it...
        ("2026-10-25T02:30:00+01:00", "2026-10-25T02:15:00+01:00", False),
        # ...but the first 02:30 (CEST) to the second 02:15 (CET) lasts 45 minutes: an
        # Oslo-zone comparison sees 02:15 < 02:30 and would drop it (PEP 495 ignores fold).
        ("2026-10-25T02:30:00+02:00", "2026-10-25T02:15:00+01:00", True),
        # And the second 02:30 to the first 02:45 ends before it starts, though 02:45 > 02:30.
        ("2026-10-25T02:30:00+01:00", "2026-10-25T02:45:00+02:00", False),
    ],
)
def test_ends_in_the_repeated_autumn_hour_compare_as_instants(
    make_ctx: Callable[..., RunContext], start: str, end: str, kept: bool
) -> None:
    body = _rss(
        f"<item><title>Nattåpent bibliotek</title><guid>b-2</guid><ev:startdate>{start}</ev:startdate>"
        f"<ev:enddate>{end}</ev:enddate></item>"
    )
    ctx = make_ctx()
    [draft] = _parse(ctx, body)
    assert isinstance(draft.start, datetime)
    assert draft.start.astimezone(UTC) == datetime.fromisoformat(start).astimezone(UTC)
    if kept:
        assert draft.end is not None and isinstance(draft.end, datetime)
        assert draft.end.astimezone(UTC) == datetime.fromisoformat(end).astimezone(UTC)
        assert draft.end.astimezone(UTC) - draft.start.astimezone(UTC) == timedelta(minutes=45)
        assert ctx.warnings == []
    else:
        assert draft.end is None
        assert ctx.warnings == ["Nattåpent bibliotek: ev:enddate is not after ev:startdate; end dropped"]


# --- oversized author fields (feedparser's quadratic e-mail regex) ------------------------------

_LONG = "a-a." * 125_000  # 500 kB of the worst case: no "@", every character in the regex's class


@pytest.mark.parametrize(
    ("field", "encoding"),
    [
        (f"<author>{_LONG}</author>", "utf-8"),
        (f"<author><![CDATA[{_LONG}]]></author>", "utf-8"),
        (f"<dc:creator>{_LONG}</dc:creator>", "utf-8"),
        (f"<author>{_LONG}</author>", "utf-16"),  # a UTF-16 body must not slip past the cap
    ],
)
def test_500kb_author_field_is_cut_and_parsing_goes_on(
    make_ctx: Callable[..., RunContext], field: str, encoding: str
) -> None:
    item = (
        f"<item><title>Borgen nærmiljøsentral</title><guid>long-1</guid>{field}"
        "<ev:startdate>2026-10-10T12:00</ev:startdate></item>"
    )
    body = _rss(item, head=f'<?xml version="1.0" encoding="{encoding}"?>').decode().encode(encoding)
    ctx = make_ctx()
    [draft] = _parse(ctx, body)  # completes (seconds of regex at 16 kB, hours at 500 kB uncapped)
    assert draft.title == "Borgen nærmiljøsentral"
    assert draft.start == _at(2026, 10, 10, 12)
    assert any("author field" in w for w in ctx.warnings)


def test_atom_author_name_is_cut() -> None:
    body = f"<feed><entry><author><name>{_LONG}</name><email>kime@example.org</email></author></entry></feed>"
    capped, count = cap_author_fields(body.encode())
    assert count == 1
    assert b"<email>kime@example.org</email>" in capped
    assert len(capped) < 1000


def test_cap_keeps_short_fields_and_cuts_cleanly() -> None:
    short = b"<rss><item><author>kafe@borgen.example (Kaf\xc3\xa9 KIME)</author></item></rss>"
    assert cap_author_fields(short) == (short, 0)
    # multi-byte letters and an entity at the cut: the result is still valid UTF-8 and XML text
    run = ("æøå" * 200 + "&amp;" * 200).encode()
    capped, count = cap_author_fields(b"<author>" + run + b"</author>")
    assert count == 1
    text = capped.decode("utf-8")
    inner = text[len("<author>") : -len("</author>")]
    assert len(inner.encode()) <= AUTHOR_CAP
    assert not re.search(r"&[a-z]*$", inner)
    # self-closing tags are not followed into their neighbours' text
    long_title = b"<title>" + b"x" * 2000 + b"</title>"
    assert cap_author_fields(b"<author/>" + long_title) == (b"<author/>" + long_title, 0)


# --- helpers -----------------------------------------------------------------------------------


def test_html_to_text() -> None:
    markup = "<p>Tirsdag 3. november kl. 18.00&ndash;20.00</p><script>alert(1)</script><p>Gratis&nbsp;!</p>"
    assert html_to_text(markup) == "Tirsdag 3. november kl. 18.00–20.00\nGratis !"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-24T18:00:00+02:00", _at(2026, 10, 24, 18)),
        ("2026-10-26T17:00:00Z", _at(2026, 10, 26, 18)),
        ("2026-10-26T18:00", _at(2026, 10, 26, 18)),
        ("2026-10-24", date(2026, 10, 24)),
        ("20261024", date(2026, 10, 24)),
    ],
)
def test_parse_event_time(value: str, expected: datetime | date) -> None:
    got, claim = parse_event_time(value, OSLO)
    assert got == expected and type(got) is type(expected) and claim is None


def test_parse_event_time_rejects_prose() -> None:
    with pytest.raises(ValueError):
        parse_event_time("lørdag kl 12", OSLO)


# --- hostile inputs: ../shared/corpus/badinputs, read in place -----------------------------------

CANARY = Path("/tmp/badinputs-canary-feed.xml")
CANARY_TITLE = "Canary event read from a local file"
CANARY_FEED = _rss(
    f"<item><title>{CANARY_TITLE}</title><guid>canary-1</guid>"
    "<pubDate>Tue, 01 Sep 2026 10:00:00 +0000</pubDate>"
    "<ev:startdate>2026-10-10T12:00:00+02:00</ev:startdate></item>"
)


def _text_of(ctx: RunContext, drafts: list[EventDraft]) -> str:
    parts = [repr(d) for d in drafts] + ctx.warnings + [f"{s.reason} {s.item}" for s in ctx.skips]
    return "\n".join(parts)


def test_body_holding_a_path_is_never_opened(make_ctx: Callable[..., RunContext], tmp_path: Path) -> None:
    canary = tmp_path / "canary.xml"
    canary.write_bytes(CANARY_FEED)
    assert _parse(make_ctx(), CANARY_FEED)[0].title == CANARY_TITLE  # the canary itself is a good feed
    for body in (str(canary).encode(), f"file://{canary}".encode()):
        ctx = make_ctx()
        try:
            drafts = _parse(ctx, body)
        except ParseError:
            drafts = []
        assert CANARY_TITLE not in _text_of(ctx, drafts)


def _corpus(*groups: str) -> list[Path]:
    return sorted(
        p for g in groups if (BADINPUTS / g).is_dir() for p in (BADINPUTS / g).rglob("*") if p.is_file()
    )


needs_corpus = pytest.mark.skipif(not BADINPUTS.is_dir(), reason=f"bad-input corpus absent: {BADINPUTS}")


@needs_corpus
def test_corpus_body_is_local_path(make_ctx: Callable[..., RunContext]) -> None:
    path_file = BADINPUTS / "feeds" / "authored" / "body_is_local_path.txt"
    if not path_file.is_file():
        pytest.skip(f"{path_file} absent")
    body = path_file.read_bytes()
    assert body.strip().decode() == str(CANARY)
    CANARY.write_bytes(CANARY_FEED)
    for opts in ({}, {"time_from": "pubdate"}):
        ctx = make_ctx()
        try:
            drafts = _parse(ctx, body, **opts)
        except ParseError:
            drafts = []
        assert drafts == []
        assert CANARY_TITLE not in _text_of(ctx, drafts)


@needs_corpus
@pytest.mark.parametrize("path", _corpus("xml-bombs", "feeds"), ids=lambda p: str(p.relative_to(BADINPUTS)))
def test_corpus_files_give_drafts_or_parse_error(make_ctx: Callable[..., RunContext], path: Path) -> None:
    body = path.read_bytes()
    for opts in ({}, {"time_from": "pubdate"}):
        ctx = make_ctx()
        try:
            drafts = _parse(ctx, body, **opts)
        except ParseError:
            drafts = []
        seen = _text_of(ctx, drafts)
        assert "root:x:0:0" not in seen  # file:///etc/passwd was never read
        assert "lollollol" not in seen  # entities were never expanded
        assert CANARY_TITLE not in seen
        for draft in drafts:
            assert draft.title and draft.uid
            if isinstance(draft.start, datetime):
                assert draft.start.tzinfo is not None


@needs_corpus
@pytest.mark.parametrize(
    ("name", "guid"),
    [
        ("feeds/authored/rss_xxe_local_file.xml", b"xxe-1"),
        ("xml-bombs/authored__rss_billion_laughs.xml", b"bomb-1"),
    ],
)
def test_entity_tricks_reach_a_draft_unexpanded(
    make_ctx: Callable[..., RunContext], name: str, guid: bytes
) -> None:
    # Give the hostile item a start, so its entity-laden title really becomes a draft.
    path = BADINPUTS / name
    if not path.is_file():
        pytest.skip(f"{path} absent")
    pubdate = b"<pubDate>Tue, 01 Sep 2026 10:00:00 +0000</pubDate>"
    body = path.read_bytes().replace(b"<guid>" + guid + b"</guid>", b"<guid>" + guid + b"</guid>" + pubdate)
    ctx = make_ctx()
    [draft] = _parse(ctx, body, time_from="pubdate")
    assert draft.uid == guid.decode()
    assert "root:x:0:0" not in draft.title and "lollol" not in draft.title
    assert len(draft.title) < 100
