"""Tests of the generic iCalendar adapter (sources/ical.py + aggregator/parsing/ical.py).

Fixtures in tests/fixtures/sources/ical/ are authored Borgen calendars in the shapes real
providers send (Google, fotball.no, Outlook/Exchange, TicketCo), with CRLF line ends. Times are
asserted as Oslo wall clock *and* UTC offset on both sides of the DST changes of 2026-10-25
and 2027-03-28. The clock is conftest's NOW (2026-09-01 08:00 Oslo); the horizon is
2026-08-01 .. 2027-10-06 with make_ctx's defaults.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aggregator.adapter import RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Request, Response, Status
from sources.ical import IcalAdapter
from tests.conftest import BADINPUTS, FIXTURES

OSLO = ZoneInfo("Europe/Oslo")
DIR = FIXTURES / "sources" / "ical"
URL = "https://calendar.google.com/calendar/ical/borgen/public/basic.ics"
ICS = {"content-type": "text/calendar; charset=utf-8"}
MakeCtx = Callable[..., RunContext]


def parse_bytes(body: bytes, ctx: RunContext, headers: dict[str, str] | None = None) -> list[EventDraft]:
    resp = Response(
        url=URL, status=200, headers=ICS if headers is None else headers, body=body, request=Request(url=URL)
    )
    items = list(IcalAdapter(IcalAdapter.Options()).parse(resp, ctx))
    assert all(isinstance(i, EventDraft) for i in items)
    return [i for i in items if isinstance(i, EventDraft)]


def parse(name: str, ctx: RunContext) -> list[EventDraft]:
    return parse_bytes((DIR / name).read_bytes(), ctx)


def inline(*event_lines: str, header: tuple[str, ...] = ()) -> bytes:
    """A minimal calendar around one VEVENT, CRLF-terminated like a real feed."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Borgen//test//NO",
        *header,
        "BEGIN:VEVENT",
        "DTSTAMP:20260901T060000Z",
        *event_lines,
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def local(value: datetime | date | None) -> datetime:
    assert isinstance(value, datetime) and value.tzinfo is not None, value
    return value.astimezone(OSLO)


def by_uid(drafts: list[EventDraft], uid: str) -> list[EventDraft]:
    return [d for d in drafts if d.uid == uid]


def one(drafts: list[EventDraft], uid: str) -> EventDraft:
    found = by_uid(drafts, uid)
    assert len(found) == 1, found
    return found[0]


def assert_local(value: datetime | date | None, wall: str, offset_hours: int) -> None:
    """``value`` is aware, shows ``wall`` (YYYY-MM-DD HH:MM) in Oslo, at UTC+offset."""
    moment = local(value)
    assert moment.strftime("%Y-%m-%d %H:%M") == wall
    assert moment.utcoffset() == timedelta(hours=offset_hours)


# --- Google Calendar ---------------------------------------------------------------------

SPRAK = "3v1fq0g8sprakkafe@google.com"


@pytest.fixture
def google(make_ctx: MakeCtx) -> list[EventDraft]:
    ctx = make_ctx()
    drafts = parse("google_borgen.ics", ctx)
    assert ctx.skips == [] and ctx.warnings == []
    return drafts


def test_google_identity_is_unique_and_never_the_start(google: list[EventDraft]) -> None:
    keys = Counter((d.uid, d.recurrence_id) for d in google)
    assert max(keys.values()) == 1
    assert Counter(d.uid for d in google) == {
        SPRAK: 29,
        "5k2m8dugnad2026@google.com": 1,
        "7p3q1juletre@google.com": 1,
        "9r4s2infomote@google.com": 1,
        "2b8c4vinterkveld@google.com": 1,
        "4d6e8barnekonsert@google.com": 1,
        "6f7g9quiz@google.com": 1,
        "8h9j0nattevandring@google.com": 1,
        "1a2b3julemarked@google.com": 1,
    }
    assert all(d.recurrence_id is None for d in google if d.uid != SPRAK)


def test_google_weekly_series_keeps_18_local_across_both_dst_changes(google: list[EventDraft]) -> None:
    series = {local(d.start).date(): d for d in by_uid(google, SPRAK)}
    for day, offset in [
        (date(2026, 10, 21), 2),
        (date(2026, 11, 4), 1),
        (date(2027, 3, 24), 1),
        (date(2027, 3, 31), 2),
    ]:
        draft = series[day]
        assert_local(draft.start, f"{day} 18:00", offset)
        assert_local(draft.end, f"{day} 20:00", offset)
        assert draft.recurrence_id == day.strftime("%Y%m%d")  # the local date: never the time
    assert series[date(2027, 3, 31)].recurrence_id == "20270331"
    assert series[date(2027, 3, 24)].recurrence_id == "20270324"
    # EXDATE removes the two Christmas weeks; UNTIL (21:59:59Z on 7 April) keeps 7 April.
    assert date(2026, 12, 23) not in series and date(2026, 12, 30) not in series
    assert min(series) == date(2026, 9, 9) and max(series) == date(2027, 4, 7)


def test_google_moved_override_keeps_the_slot_it_replaced(google: list[EventDraft]) -> None:
    on_day = [d for d in by_uid(google, SPRAK) if local(d.start).date() == date(2026, 10, 28)]
    assert len(on_day) == 1
    moved = on_day[0]
    assert moved.recurrence_id == "20261028"  # the slot it replaced (its date), whatever its new time
    assert_local(moved.start, "2026-10-28 19:00", 1)
    assert_local(moved.end, "2026-10-28 21:00", 1)
    assert moved.title == "Språkkafé (kl. 19 denne uka)"
    assert moved.location == "Borgen nærmiljøsentral, møterom 2"
    assert moved.raw["sequence"] == 1


def test_google_cancelled_override_is_cancelled_and_inherits_from_the_series(
    google: list[EventDraft],
) -> None:
    cancelled = [d for d in by_uid(google, SPRAK) if d.status is Status.CANCELLED]
    assert len(cancelled) == 1
    draft = cancelled[0]
    assert draft.recurrence_id == "20261111"
    assert_local(draft.start, "2026-11-11 18:00", 1)
    # The override names no LOCATION or ORGANIZER: the series' values stand.
    assert draft.location == "Borgen nærmiljøsentral, Søndre Borgen 11, 1388 Borgen"
    assert draft.organizer == "Borgen nærmiljøsentral"
    assert all(d.status is Status.SCHEDULED for d in by_uid(google, SPRAK) if d is not draft)


def test_google_series_fields(google: list[EventDraft]) -> None:
    first = min(by_uid(google, SPRAK), key=lambda d: local(d.start))
    assert first.title == "Språkkafé"
    assert first.description == (
        "Øv på norsk over en kopp kaffe. Gratis, ingen påmelding.\n"
        "Frivillige fra Borgen nærmiljøsentral leder samtalene."
    )
    assert first.description_html is None
    assert first.url == "https://borgen.example/sprakkafe"
    assert (first.latitude, first.longitude) == (59.8163, 10.4228)
    assert first.categories == ("Språk", "Sosialt")
    assert first.organizer == "Borgen nærmiljøsentral"
    assert first.recurrence_id == "20260909"


def test_google_all_day_dates_with_exclusive_end(google: list[EventDraft]) -> None:
    dugnad = one(google, "5k2m8dugnad2026@google.com")
    assert dugnad.all_day and (dugnad.start, dugnad.end) == (date(2026, 10, 17), date(2026, 10, 18))
    assert not isinstance(dugnad.start, datetime)
    juletre = one(google, "7p3q1juletre@google.com")  # no DTEND: one day
    assert (juletre.start, juletre.end) == (date(2026, 11, 29), date(2026, 11, 30))


def test_google_utc_singles_stay_aware_and_show_right_local_time(google: list[EventDraft]) -> None:
    autumn = one(google, "9r4s2infomote@google.com")
    assert autumn.start == datetime(2026, 9, 22, 16, tzinfo=UTC)
    assert_local(autumn.start, "2026-09-22 18:00", 2)
    assert_local(autumn.end, "2026-09-22 19:30", 2)
    winter = one(google, "2b8c4vinterkveld@google.com")
    assert_local(winter.start, "2027-01-15 18:00", 1)
    assert winter.status is Status.SCHEDULED  # STATUS:TENTATIVE still happens


def test_google_duration_cancelled_single_and_floating(google: list[EventDraft]) -> None:
    konsert = one(google, "4d6e8barnekonsert@google.com")
    assert_local(konsert.start, "2026-10-03 11:00", 2)
    assert_local(konsert.end, "2026-10-03 12:30", 2)
    quiz = one(google, "6f7g9quiz@google.com")
    assert quiz.status is Status.CANCELLED and quiz.title == "Quizkveld"
    marked = one(google, "1a2b3julemarked@google.com")  # floating, X-WR-TIMEZONE Europe/Oslo
    assert_local(marked.start, "2026-12-05 12:00", 1)
    assert marked.end is None


def test_google_ambiguous_0230_is_the_first_cest_one(google: list[EventDraft]) -> None:
    night = one(google, "8h9j0nattevandring@google.com")
    assert_local(night.start, "2026-10-25 02:30", 2)  # fold=0: before the clocks go back
    assert night.start.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # type: ignore[union-attr]
    assert_local(night.end, "2026-10-25 03:30", 1)
    assert night.end.astimezone(UTC) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)  # type: ignore[union-attr]


def test_parse_is_deterministic(make_ctx: MakeCtx) -> None:
    assert parse("google_borgen.ics", make_ctx()) == parse("google_borgen.ics", make_ctx())


def test_horizon_bounds_expansion(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(horizon_days=60)  # ends 2026-10-31 08:00
    drafts = parse("google_borgen.ics", ctx)
    days = sorted(local(d.start).date() for d in by_uid(drafts, SPRAK))
    assert days[0] == date(2026, 9, 9) and days[-1] == date(2026, 10, 28)
    assert not by_uid(drafts, "1a2b3julemarked@google.com")


# --- fotball.no: TZID without VTIMEZONE ----------------------------------------------------


def test_fotball_tzid_without_vtimezone(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    drafts = parse("fotball_no_vtimezone.ics", ctx)
    # The February match is before the horizon (now - 31 days).
    assert [local(d.start).strftime("%Y-%m-%d %H:%M %z") for d in drafts] == [
        "2026-10-24 13:45 +0200",
        "2026-10-31 12:00 +0100",
        "2027-03-27 14:00 +0100",
        "2027-04-03 11:30 +0200",
    ]
    assert_local(drafts[0].end, "2026-10-24 15:15", 2)
    assert all(d.recurrence_id is None for d in drafts) and ctx.warnings == []


def test_fotball_folded_lines_escapes_and_html(make_ctx: MakeCtx) -> None:
    drafts = parse("fotball_no_vtimezone.ics", make_ctx())
    match = one(drafts, "9e2d7a40-1c5b-4f8e-b6a3-2d4c6e8f0a12")
    assert match.description == (
        "Gutter 14 år, 1. divisjon, avd. 2 (runde 9)\n\n"
        "Borgen IL G14 - Heggedal IL G14\n"
        "Borgenbanen kunstgress lørdag 24.10.26 13:45\n\nwww.fotball.no"
    )
    html = match.description_html
    assert html is not None and html.startswith("<html><head></head><body>")
    assert (
        '<a href="https://www.fotball.no/fotballdata/anlegg/hjem/?fiksId=4001">'
        "Borgenbanen kunstgress</a> lørdag 24.10.26 13:45</p>"
    ) in html
    assert "<p>Gutter 14 år, 1. divisjon, avd. 2 (runde 9)</p>" in html
    assert match.url == "https://www.fotball.no/fotballdata/kamp/?fiksId=7100002"
    assert one(drafts, "d4b9f6a2-8c3e-4f7a-a021-6b7c8d9e0f14").description_html is None


# --- floating times --------------------------------------------------------------------------


def test_floating_times_read_in_x_wr_timezone(make_ctx: MakeCtx) -> None:
    drafts = parse("floating_xwr.ics", make_ctx())
    stolgym = by_uid(drafts, "aktiv-stolgym@borgen.example")
    assert [local(d.start).strftime("%Y-%m-%d %H:%M %z") for d in stolgym] == [
        "2026-10-20 10:00 +0200",
        "2026-10-27 10:00 +0100",
        "2026-11-03 10:00 +0100",
    ]
    assert [d.recurrence_id for d in stolgym] == ["20261020", "20261027", "20261103"]
    assert_local(one(drafts, "kime-vaarlunsj-1@borgen.example").start, "2027-03-27 12:00", 1)
    assert_local(one(drafts, "kime-vaarlunsj-2@borgen.example").start, "2027-03-28 12:00", 2)
    assert_local(one(drafts, "bibliotek-utc@borgen.example").start, "2026-12-01 18:00", 1)


def test_floating_uses_a_foreign_x_wr_timezone(make_ctx: MakeCtx) -> None:
    body = inline(
        "UID:london@borgen.example",
        "DTSTART:20261110T100000",
        "SUMMARY:Vennskapsby",
        header=("X-WR-TIMEZONE:Europe/London",),
    )
    (draft,) = parse_bytes(body, make_ctx())
    assert draft.start == datetime(2026, 11, 10, 10, tzinfo=ZoneInfo("Europe/London"))
    assert_local(draft.start, "2026-11-10 11:00", 1)


def test_floating_without_x_wr_timezone_reads_ctx_zone(make_ctx: MakeCtx) -> None:
    body = inline(
        "UID:flyt@borgen.example",
        "DTSTART:20270328T100000",
        "DTEND:20270328T113000",
        "SUMMARY:Søndagstur med DNT Asker",
    )
    (draft,) = parse_bytes(body, make_ctx())
    assert_local(draft.start, "2027-03-28 10:00", 2)
    assert_local(draft.end, "2027-03-28 11:30", 2)


def test_utc_series_without_x_wr_timezone_repeats_in_utc(make_ctx: MakeCtx) -> None:
    # RFC 5545: a UTC DTSTART repeats in UTC, so the Oslo wall clock moves at the DST change.
    body = inline(
        "UID:utc-serie@borgen.example",
        "DTSTART:20261021T160000Z",
        "RRULE:FREQ=WEEKLY;COUNT=2",
        "SUMMARY:Nettmøte",
    )
    drafts = parse_bytes(body, make_ctx())
    assert [local(d.start).strftime("%H:%M %z") for d in drafts] == ["18:00 +0200", "17:00 +0100"]


def test_unknown_tzid_is_read_in_ctx_zone_with_a_warning(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    body = inline(
        "UID:ukjent@borgen.example", "DTSTART;TZID=Borgen Local Time:20261201T180000", "SUMMARY:Adventskveld"
    )
    (draft,) = parse_bytes(body, ctx)
    assert_local(draft.start, "2026-12-01 18:00", 1)
    assert any("Borgen Local Time" in w for w in ctx.warnings)


# --- Outlook / Windows zone names ------------------------------------------------------------


def test_windows_zone_names(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    drafts = parse("windows_tz.ics", ctx)
    lekse = [d for d in drafts if d.title == "Asker bibliotek: leksehjelp"]
    assert [local(d.start).strftime("%Y-%m-%d %H:%M %z") for d in lekse] == [
        "2027-03-16 17:00 +0100",
        "2027-03-23 17:00 +0100",
        "2027-03-30 17:00 +0200",
        "2027-04-06 17:00 +0200",
    ]
    assert lekse[0].uid.startswith("040000008200E00074C5B7101A82E008") and len(lekse[0].uid) > 75
    assert lekse[0].organizer == "Asker bibliotek"
    assert lekse[0].categories == ("Bibliotek", "Barn og unge")
    assert lekse[0].description == "Lån og lever bøker, spør bibliotekaren."
    (author,) = [d for d in drafts if d.title == "Forfatterbesøk på Borgen"]
    assert_local(author.start, "2026-09-15 17:00", 2)
    assert author.organizer == "arrangement@asker.example"
    (knit,) = [d for d in drafts if d.title == "Strikkekafé på biblioteket"]
    assert_local(knit.start, "2026-10-26 17:00", 1)
    assert ctx.warnings == [] and ctx.skips == []


# --- TicketCo, RDATE --------------------------------------------------------------------------


def test_ticketco_numeric_uid_and_huge_sequence(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    (draft,) = parse("ticketco_event.ics", ctx)
    assert draft.uid == "1388011" and draft.recurrence_id is None
    # Its VTIMEZONE claims rules starting only in late 2026; the IANA zone decides.
    assert_local(draft.start, "2027-01-08 19:30", 1)
    assert_local(draft.end, "2027-01-08 22:00", 1)
    assert draft.raw["sequence"] == 17906925260
    assert draft.title == "Nyttårskonsert med Asker kulturskole"
    assert ctx.skips == []


def test_rdate_lists(make_ctx: MakeCtx) -> None:
    drafts = parse("rdate.ics", make_ctx())
    mote = by_uid(drafts, "dugnadsmote@borgen.example")
    assert [local(d.start).strftime("%Y-%m-%d %H:%M %z") for d in mote] == [
        "2026-10-20 18:00 +0200",
        "2026-11-03 18:00 +0100",
        "2026-12-01 18:00 +0100",
        "2027-03-30 18:00 +0200",
    ]
    assert [d.recurrence_id for d in mote] == [
        "20261020",
        "20261103",
        "20261201",
        "20270330",
    ]
    assert all(local(d.end) - local(d.start) == timedelta(minutes=90) for d in mote)
    bytte = by_uid(drafts, "bokbytte@borgen.example")
    assert [(d.start, d.end, d.recurrence_id) for d in bytte] == [
        (date(2026, 9, 12), date(2026, 9, 13), "20260912"),
        (date(2026, 10, 10), date(2026, 10, 11), "20261010"),
        (date(2026, 11, 14), date(2026, 11, 15), "20261114"),
    ]


# --- bounded expansion -------------------------------------------------------------------------


def test_pathological_rules_are_capped_with_a_warning(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(max_occurrences=50)
    drafts = parse("pathological.ics", ctx)
    counts = Counter(d.uid for d in drafts)
    assert 0 < counts["hver-sekund@borgen.example"] <= 50
    assert counts["hvert-minutt-siden-2000@borgen.example"] <= 50
    assert counts["vanlig-lordagskafe@borgen.example"] == 1
    assert any("hver-sekund@borgen.example" in w for w in ctx.warnings)
    assert any("hvert-minutt-siden-2000@borgen.example" in w for w in ctx.warnings)


def test_ordinary_daily_series_is_cut_at_the_cap(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(max_occurrences=10)
    body = inline(
        "UID:daglig@borgen.example",
        "DTSTART;TZID=Europe/Oslo:20260901T090000",
        "RRULE:FREQ=DAILY",
        "SUMMARY:Morgenkaffe",
    )
    drafts = parse_bytes(body, ctx)
    assert [local(d.start).date() for d in drafts] == [
        date(2026, 9, 1) + timedelta(days=i) for i in range(10)
    ]
    assert any("daglig@borgen.example" in w for w in ctx.warnings)


# --- identity ------------------------------------------------------------------------------------


def test_missing_uid_is_derived_from_title_and_date_not_time(make_ctx: MakeCtx) -> None:
    at_18, at_19 = make_ctx(), make_ctx()
    (a,) = parse_bytes(inline("DTSTART;TZID=Europe/Oslo:20261015T180000", "SUMMARY:Kafé KIME"), at_18)
    (b,) = parse_bytes(inline("DTSTART;TZID=Europe/Oslo:20261015T190000", "SUMMARY:Kafé KIME"), at_19)
    (c,) = parse_bytes(inline("DTSTART;TZID=Europe/Oslo:20261016T180000", "SUMMARY:Kafé KIME"), make_ctx())
    assert a.uid == b.uid != c.uid
    assert a.uid.startswith("derived-") and a.raw["uid_derived"] is True
    assert any(a.uid in w for w in at_18.warnings)


def test_duplicate_uid_for_distinct_events_keeps_both(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Borgen//test//NO"]
    for day, title in [("20261003", "Loppemarked"), ("20261107", "Korkonsert")]:
        lines += [
            "BEGIN:VEVENT",
            "UID:dup@borgen.example",
            "DTSTAMP:20260901T060000Z",
            f"DTSTART;TZID=Europe/Oslo:{day}T120000",
            f"SUMMARY:{title}",
            "END:VEVENT",
        ]
    body = ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()
    drafts = parse_bytes(body, ctx)
    assert [(d.uid, d.title) for d in drafts] == [
        ("dup@borgen.example", "Loppemarked"),
        ("dup@borgen.example#2", "Korkonsert"),
    ]
    assert any("dup@borgen.example" in w for w in ctx.warnings)


# --- decoding --------------------------------------------------------------------------------------


def test_decoding_follows_response_text(make_ctx: MakeCtx) -> None:
    body = inline(
        "UID:tegn@borgen.example", "DTSTART;TZID=Europe/Oslo:20261015T180000", "SUMMARY:Kafé på Søndre Borgen"
    )
    for raw, headers in [
        (b"\xef\xbb\xbf" + body, {"content-type": "text/calendar"}),
        (body.decode().encode("cp1252"), {"content-type": "text/calendar"}),
        (body.decode().encode("iso-8859-1"), {"content-type": "text/calendar; charset=ISO-8859-1"}),
    ]:
        (draft,) = parse_bytes(raw, make_ctx(), headers)
        assert draft.title == "Kafé på Søndre Borgen"


# --- bad documents -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.ics", "empty body"),
        ("html_login.html", "HTML page"),
        ("truncated.ics", "no END:VCALENDAR"),
    ],
)
def test_bad_documents_raise_parse_error(make_ctx: MakeCtx, name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(name, make_ctx())


def test_not_a_calendar_and_unparseable_calendar(make_ctx: MakeCtx) -> None:
    with pytest.raises(ParseError, match="no BEGIN:VCALENDAR"):
        parse_bytes(b"Velkommen til Borgen innbyggertorg!\r\n", make_ctx())
    bad_offset = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Borgen\r\nBEGIN:STANDARD\r\n"
        b"TZOFFSETFROM:+5744\r\nTZOFFSETTO:+0100\r\nDTSTART:19700101T000000\r\n"
        b"END:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(ParseError, match="icalendar cannot parse"):
        parse_bytes(bad_offset, make_ctx())


def test_one_broken_event_is_skipped_and_the_rest_is_read(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    (draft,) = parse("one_broken_event.ics", ctx)
    assert draft.uid == "seniortreff@borgen.example"
    assert_local(draft.start, "2026-10-12 11:00", 2)
    reasons = [s.reason for s in ctx.skips]
    assert len(reasons) == 3
    assert any("ugyldig-start@borgen.example" in r and "DTSTART" in r for r in reasons)
    assert any("mangler-start@borgen.example" in r and "missing DTSTART" in r for r in reasons)
    assert any("ugyldig-regel@borgen.example" in r and "RRULE" in r for r in reasons)


# --- hostile corpus ---------------------------------------------------------------------------------

_CORPUS = BADINPUTS / "ical"
_CORPUS_FILES = sorted(p for p in _CORPUS.rglob("*") if p.is_file()) if _CORPUS.is_dir() else []


@pytest.mark.skipif(not _CORPUS_FILES, reason=f"badinputs corpus absent at {_CORPUS}")
@pytest.mark.parametrize("path", _CORPUS_FILES, ids=lambda p: str(Path(p).relative_to(_CORPUS)))
def test_badinputs_yield_aware_drafts_or_parse_error(make_ctx: MakeCtx, path: Path) -> None:
    # Twice: with the suite's clock, and over 2000-2040 so that the corpus' old and far-future
    # events are expanded too (COUNT=10^9, FREQ=SECONDLY ... must meet the cap, not hang).
    for ctx in (make_ctx(), make_ctx(now=datetime(2000, 1, 1, tzinfo=OSLO), horizon_days=365 * 40)):
        try:
            drafts = parse_bytes(path.read_bytes(), ctx, {})
        except ParseError as err:
            assert str(err)
            continue
        per_uid = Counter(d.uid for d in drafts)
        assert not per_uid or max(per_uid.values()) <= ctx.max_occurrences
        for d in drafts:
            for value in (d.start, d.end):
                assert not isinstance(value, datetime) or value.tzinfo is not None


def test_moving_a_whole_series_keeps_each_occurrences_identity(make_ctx: MakeCtx) -> None:
    """An organiser moves the weekly café from 18:00 to 19:00: the same occurrences, moved
    (identity by local date), not new events beside old ones."""
    body = (FIXTURES / "e2e" / "borgen.ics").read_bytes()
    moved = body.replace(
        b"DTSTART;TZID=Europe/Oslo:20261021T180000", b"DTSTART;TZID=Europe/Oslo:20261021T190000"
    )
    before = {(d.uid, d.recurrence_id): d for d in parse_bytes(body, make_ctx())}
    after = {(d.uid, d.recurrence_id): d for d in parse_bytes(moved, make_ctx())}
    assert before.keys() == after.keys()
    key = ("sprakkafe@borgen.example", "20261028")
    assert local(before[key].start).hour == 18 and local(after[key].start).hour == 19


def test_several_occurrences_a_day_fall_back_to_the_full_start(make_ctx: MakeCtx) -> None:
    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:omvisning@borgen.example\r\n"
        b"DTSTAMP:20260901T080000Z\r\nDTSTART;TZID=Europe/Oslo:20261020T100000\r\n"
        b"RRULE:FREQ=HOURLY;INTERVAL=2;COUNT=3\r\nSUMMARY:Omvisning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    rids = [d.recurrence_id for d in parse_bytes(body, make_ctx())]
    assert rids == ["20261020T080000Z", "20261020T100000Z", "20261020T120000Z"]
