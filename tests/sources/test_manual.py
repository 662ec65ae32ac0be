"""Tests of the manual adapter (sources/manual.py): staff-kept TOML and CSV files.

Fixtures are in tests/fixtures/sources/manual/; small variations are written inline so each
test shows the lines it is about. The clock is conftest's NOW (2026-09-01 08:00 Oslo) with a
400-day horizon, so the window is 2026-08-01 .. 2027-10-06 and spans both DST changes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from aggregator.adapter import RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Request, Response, Status
from sources.manual import ManualAdapter
from tests.conftest import BADINPUTS, FIXTURES, OSLO

FIX = FIXTURES / "sources" / "manual"
MakeCtx = Callable[..., RunContext]
Key = tuple[str, str | None]


def parse(
    body: bytes,
    ctx: RunContext,
    url: str = "file:///srv/borgen/manual.toml",
    headers: dict[str, str] | None = None,
    **opts: Any,
) -> list[EventDraft]:
    resp = Response(url=url, status=200, headers=headers or {}, body=body, request=Request(url=url))
    items = list(ManualAdapter(ManualAdapter.Options(**opts)).parse(resp, ctx))
    assert all(isinstance(i, EventDraft) for i in items)
    return [i for i in items if isinstance(i, EventDraft)]


def by_key(items: list[EventDraft]) -> dict[Key, EventDraft]:
    keyed = {(i.uid, i.recurrence_id): i for i in items}
    assert len(keyed) == len(items), "identity (uid, recurrence_id) must be unique"
    return keyed


def iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


@pytest.fixture
def borgen(make_ctx: MakeCtx) -> dict[Key, EventDraft]:
    return by_key(parse(fixture("borgen_manual.toml"), make_ctx()))


def rids(events: dict[Key, EventDraft], uid: str) -> list[str]:
    return sorted(r for u, r in events if u == uid and r is not None)


# ------------------------------------------------------------------ borgen_manual.toml


def test_kafe_kime_keeps_its_wall_clock_across_both_dst_changes(borgen: dict[Key, EventDraft]) -> None:
    expected = {
        "20261022": ("2026-10-22T11:00:00+02:00", "2026-10-22T14:00:00+02:00"),  # before 2026-10-25
        "20261029": ("2026-10-29T11:00:00+01:00", "2026-10-29T14:00:00+01:00"),  # after
        "20270318": ("2027-03-18T11:00:00+01:00", "2027-03-18T14:00:00+01:00"),  # before 2027-03-28
        "20270401": ("2027-04-01T11:00:00+02:00", "2027-04-01T14:00:00+02:00"),  # after
    }
    for rid, (start, end) in expected.items():
        event = borgen[("kafe-kime", rid)]
        assert (iso(event.start), iso(event.end)) == (start, end)
        assert event.start.tzinfo is OSLO  # type: ignore[union-attr]


def test_kafe_kime_is_closed_in_school_holidays(borgen: dict[Key, EventDraft]) -> None:
    kime = rids(borgen, "kafe-kime")
    # Thursdays inside the [periods.skoleferie] ranges of the fixture:
    for holiday in ("20261001", "20261224", "20261231", "20270225", "20270325"):
        assert holiday not in kime
    assert kime[0] == "20260820" and kime[-1] == "20270617"  # from .. until, both included
    assert len(kime) == 44 - 5  # 44 Thursdays from 2026-08-20 to 2027-06-17, 5 in holidays
    assert {datetime.strptime(r, "%Y%m%d").weekday() for r in kime} == {3}
    first = borgen[("kafe-kime", "20260820")]
    assert first.title == "Kafé KIME" and first.location == "Kafé KIME, Borgen innbyggertorg"
    assert first.categories == ("kafé", "møteplass") and first.audience == ("alle",) and first.free is True


def test_sprakkafe_moved_cancelled_and_excepted_dates(borgen: dict[Key, EventDraft]) -> None:
    moved = borgen[("sprakkafe", "20261027")]  # keeps the original date as its identity
    assert iso(moved.start) == "2026-10-28T18:00:00+01:00"
    assert iso(moved.end) == "2026-10-28T20:00:00+01:00"
    assert moved.status is Status.RESCHEDULED and moved.raw["moved_from"] == "2026-10-27"

    cancelled = borgen[("sprakkafe", "20261110")]  # still published, as cancelled
    assert cancelled.status is Status.CANCELLED
    assert iso(cancelled.start) == "2026-11-10T12:00:00+01:00"

    sprak = rids(borgen, "sprakkafe")
    assert "20261222" not in sprak and "20261229" not in sprak  # except = [...]
    assert {"20261215", "20270105"} <= set(sprak)
    assert iso(borgen[("sprakkafe", "20261020")].start) == "2026-10-20T12:00:00+02:00"
    assert iso(borgen[("sprakkafe", "20261103")].start) == "2026-11-03T12:00:00+01:00"
    assert iso(borgen[("sprakkafe", "20270330")].start) == "2027-03-30T12:00:00+02:00"
    assert sprak[0] == "20260818" and sprak[-1] == "20270615"
    others = [borgen[("sprakkafe", r)].status for r in sprak if r not in ("20261027", "20261110")]
    assert set(others) == {Status.SCHEDULED}


def test_aktiv_pa_dagtid_meets_monday_and_wednesday_within_the_horizon(
    borgen: dict[Key, EventDraft],
) -> None:
    aktiv = rids(borgen, "aktiv-pa-dagtid")
    assert {datetime.strptime(r, "%Y%m%d").weekday() for r in aktiv} == {0, 2}
    # No "from": it starts with the horizon (NOW - 31 days = Saturday 2026-08-01) ...
    assert aktiv[0] == "20260803"
    # ... and ends with it (NOW + 400 days = Wednesday 2027-10-06).
    assert aktiv[-1] == "20271006"
    assert iso(borgen[("aktiv-pa-dagtid", "20261021")].start) == "2026-10-21T10:00:00+02:00"
    assert iso(borgen[("aktiv-pa-dagtid", "20261026")].start) == "2026-10-26T10:00:00+01:00"
    assert iso(borgen[("aktiv-pa-dagtid", "20270324")].start) == "2027-03-24T10:00:00+01:00"
    assert iso(borgen[("aktiv-pa-dagtid", "20270329")].end) == "2027-03-29T11:00:00+02:00"


def test_one_off_events(borgen: dict[Key, EventDraft]) -> None:
    jul = borgen[("julemarked-2026", None)]
    assert (iso(jul.start), iso(jul.end)) == ("2026-12-05T12:00:00+01:00", "2026-12-05T16:00:00+01:00")
    assert jul.title == "Julemarked på torget" and jul.status is Status.SCHEDULED
    assert jul.location == "Borgen innbyggertorg" and jul.address == "Søndre Borgen 11, 1388 Borgen"
    assert jul.url == "https://www.asker.kommune.no/borgen/julemarked"
    assert jul.categories == ("marked", "jul") and jul.audience == ("alle",) and jul.free is True
    assert jul.description is not None and jul.description.startswith("Lokale håndverkere")

    dugnad = borgen[("hostdugnad-2026", None)]
    assert dugnad.all_day and dugnad.start == date(2026, 9, 26) and dugnad.end == date(2026, 9, 27)
    assert dugnad.free is None  # not said in the file

    # Ends after midnight, in the night the clocks go back: 22:00 CEST to 03:30 CET.
    night = borgen[("filmnatt-ungdom-2026", None)]
    assert iso(night.start) == "2026-10-24T22:00:00+02:00"
    assert iso(night.end) == "2026-10-25T03:30:00+01:00"
    # Elapsed time through UTC: subtracting two datetimes of one tzinfo gives wall-clock hours.
    elapsed = night.end.astimezone(UTC) - night.start.astimezone(UTC)  # type: ignore[union-attr]
    assert elapsed == timedelta(hours=6, minutes=30)


def test_every_draft_is_aware_and_the_fixture_reads_cleanly(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    items = parse(fixture("borgen_manual.toml"), ctx)
    by_key(items)
    for item in items:
        for value in (item.start, item.end):
            if isinstance(value, datetime):
                assert value.utcoffset() is not None and value.tzinfo is OSLO
    assert ctx.skips == [] and ctx.warnings == []
    assert parse(fixture("borgen_manual.toml"), make_ctx()) == items  # deterministic


def test_identity_does_not_depend_on_times_or_dates(make_ctx: MakeCtx) -> None:
    text = fixture("borgen_manual.toml").decode()
    edits = [
        ('start = "12:00"\nend = "14:00"', 'start = "12:30"\nend = "14:30"'),  # språkkafé later
        ("date = 2026-12-05", "date = 2026-12-12"),  # julemarked a week later
        ('start = "22:00"', 'start = "21:00"'),  # filmnatt earlier
    ]
    changed = text
    for old, new in edits:
        assert changed.count(old) == 1, old
        changed = changed.replace(old, new)
    before = by_key(parse(text.encode(), make_ctx()))
    after = by_key(parse(changed.encode(), make_ctx()))
    assert before.keys() == after.keys()
    assert iso(after[("sprakkafe", "20261103")].start) == "2026-11-03T12:30:00+01:00"
    assert iso(after[("julemarked-2026", None)].start) == "2026-12-12T12:00:00+01:00"
    assert iso(after[("filmnatt-ungdom-2026", None)].start) == "2026-10-24T21:00:00+02:00"


def test_a_short_horizon_bounds_every_series_and_one_off(make_ctx: MakeCtx) -> None:
    events = by_key(parse(fixture("borgen_manual.toml"), make_ctx(horizon_days=30)))
    days = {
        e.start if isinstance(e.start, date) and not isinstance(e.start, datetime) else e.start.date()
        for e in events.values()
    }
    assert min(days) >= date(2026, 8, 1) and max(days) <= date(2026, 10, 1)
    assert ("julemarked-2026", None) not in events and ("hostdugnad-2026", None) in events
    assert rids(events, "sprakkafe")[-1] == "20260929"


def test_max_occurrences_caps_each_series_and_warns(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(max_occurrences=3)
    events = by_key(parse(fixture("borgen_manual.toml"), ctx))
    for uid in ("kafe-kime", "sprakkafe", "aktiv-pa-dagtid"):
        assert len(rids(events, uid)) == 3
    assert rids(events, "sprakkafe") == ["20260818", "20260825", "20260901"]
    assert len([w for w in ctx.warnings if "stopped at 3 occurrences" in w]) == 3


# ------------------------------------------------------------------ DST edges and values


WEEKLY_SUNDAY = """
[[weekly]]
id = "sondagstreff"
title = "Søndagstreff"
weekday = "søndag"
start = "{start}"
end = "{end}"
from = 2026-10-18
until = 2027-04-04
"""


def test_sunday_activity_on_the_days_the_clocks_change(make_ctx: MakeCtx) -> None:
    body = WEEKLY_SUNDAY.format(start="12:00", end="13:00").encode()
    events = by_key(parse(body, make_ctx()))
    assert iso(events[("sondagstreff", "20261018")].start) == "2026-10-18T12:00:00+02:00"
    assert iso(events[("sondagstreff", "20261025")].start) == "2026-10-25T12:00:00+01:00"
    assert iso(events[("sondagstreff", "20270321")].start) == "2027-03-21T12:00:00+01:00"
    assert iso(events[("sondagstreff", "20270328")].start) == "2027-03-28T12:00:00+02:00"


def test_wall_times_in_the_gap_and_the_overlap(make_ctx: MakeCtx) -> None:
    # 02:30 does not exist on 2027-03-28 (clocks jump 02:00 -> 03:00): the instant it names
    # is 03:30 CEST. It exists twice on 2026-10-25: the first (CEST) is taken.
    body = WEEKLY_SUNDAY.format(start="02:30", end="04:00").encode()
    events = by_key(parse(body, make_ctx()))
    gap = events[("sondagstreff", "20270328")]
    assert (iso(gap.start), iso(gap.end)) == ("2027-03-28T03:30:00+02:00", "2027-03-28T04:00:00+02:00")
    overlap = events[("sondagstreff", "20261025")]
    assert iso(overlap.start) == "2026-10-25T02:30:00+02:00"
    assert iso(overlap.end) == "2026-10-25T04:00:00+01:00"


@pytest.mark.parametrize(
    ("weekday", "expected"),
    [
        ('"Tirsdag"', {1}),
        ('["måndag", "TYSDAG", "laurdag"]', {0, 1, 5}),
        ('["Monday", "wed", "fre"]', {0, 2, 4}),
        ('["søndag", "Sunday"]', {6}),
    ],
)
def test_day_names(make_ctx: MakeCtx, weekday: str, expected: set[int]) -> None:
    body = f'[[weekly]]\nid = "x"\ntitle = "X"\nweekday = {weekday}\nfrom = 2026-09-01\n'.encode()
    events = parse(body, make_ctx(horizon_days=60))
    assert {e.start.weekday() for e in events} == expected
    assert all(e.all_day and e.end == e.start + timedelta(days=1) for e in events)


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ('weekday = "tirsdagg"', 'weekly "x": weekday "tirsdagg" is not a day name'),
        ('weekday = "tirsdag"\nstart = "25:00"', 'weekly "x": start "25:00" is not a time'),
        ('weekday = "tirsdag"\nstart = "22:00"\nend = "24:00"', 'end "24:00" is not a time (write midnight'),
        ('weekday = "tirsdag"\nend = "14:00"', 'weekly "x": end is given without a start'),
        ('weekday = "tirsdag"\nstart = "12:00"\nend = "12:00"', "end 12:00 is the same as the start"),
        (
            'weekday = "tirsdag"\nexcept_periods = ["sommerferie"]',
            'except_periods "sommerferie" is not a [periods.*] name',
        ),
        (
            'weekday = "tirsdag"\nfrom = 2027-01-05\nuntil = 2026-12-01',
            "until 2026-12-01 is before from 2027-01-05",
        ),
        (
            'weekday = "tirsdag"\nexcept = [2026-11-10]\ncancelled_dates = [2026-11-10]',
            "2026-11-10 is in both except and cancelled_dates",
        ),
        ('weekday = "tirsdag"\nfrom = 2026-09-01T12:00:00', "from 2026-09-01T12:00:00 has a time"),
        ('weekday = "tirsdag"\nurl = "www.kafekime.no"', 'url "www.kafekime.no" is not a web address'),
        ('weekday = "tirsdag"\ncancelled = "kanskje"', 'cancelled "kanskje" is not true/false'),
        ('weekday = "tirsdag"\ntitle = "  "', "title is empty"),
        (
            'weekday = "tirsdag"\n[weekly.moved]\n"27.10.2026x" = { start = "18:00" }',
            'moved.27.10.2026x "27.10.2026x" is not a date',
        ),
        (
            'weekday = "tirsdag"\nstart = "12:00"\nend = "14:00"\n[weekly.moved]\n'
            '"2026-10-27" = { end = "12:00" }',
            "moved.2026-10-27: end 12:00 is the same as the start",
        ),
    ],
)
def test_a_bad_weekly_value_skips_that_entry_only(make_ctx: MakeCtx, lines: str, reason: str) -> None:
    good = '[[event]]\nid = "ok"\ntitle = "Ok"\ndate = 2026-09-10\n'
    title = "" if "title =" in lines else 'title = "X"\n'
    body = f'{good}\n[[weekly]]\nid = "x"\n{title}{lines}\n'.encode()
    ctx = make_ctx()
    events = parse(body, ctx)
    assert [e.uid for e in events] == ["ok"]
    assert len(ctx.skips) == 1 and ctx.skips[0].item == 'weekly "x"'
    assert reason in ctx.skips[0].reason, ctx.skips[0].reason


def test_a_listed_date_that_is_not_a_meeting_day_is_warned_about(make_ctx: MakeCtx) -> None:
    body = (
        b'[[weekly]]\nid = "x"\ntitle = "X"\nweekday = "tirsdag"\nstart = "12:00"\n'
        b"except = [2026-12-23]\ncancelled_dates = [2026-11-10]\n"
    )
    ctx = make_ctx()
    events = by_key(parse(body, ctx))
    assert ctx.warnings == ['weekly "x": except 2026-12-23 (onsdag) is not a meeting day']
    assert ("x", "20261222") in events and events[("x", "20261110")].status is Status.CANCELLED


def test_a_meeting_moved_out_of_a_holiday_is_held(make_ctx: MakeCtx) -> None:
    body = (
        b'[[weekly]]\nid = "kime"\ntitle = "Kafe KIME"\nweekday = "torsdag"\nstart = "11:00"\n'
        b'except_periods = ["hostferie"]\n[weekly.moved]\n"2026-10-01" = { date = 2026-10-05 }\n'
        b"[periods.hostferie]\nranges = [[2026-09-28, 2026-10-09]]\n"
    )
    events = by_key(parse(body, make_ctx(horizon_days=60)))
    assert "20261008" not in rids(events, "kime")
    moved = events[("kime", "20261001")]
    assert iso(moved.start) == "2026-10-05T11:00:00+02:00" and moved.status is Status.RESCHEDULED


def test_a_cancelled_series_cancels_every_occurrence(make_ctx: MakeCtx) -> None:
    body = b'[[weekly]]\nid = "x"\ntitle = "X"\nweekday = "fredag"\ncancelled = true\n'
    events = parse(body, make_ctx(horizon_days=30))
    assert events and {e.status for e in events} == {Status.CANCELLED}


# ------------------------------------------------------------------ whole-file problems


def test_broken_file_lists_every_problem(make_ctx: MakeCtx) -> None:
    with pytest.raises(ParseError) as caught:
        parse(fixture("broken.toml"), make_ctx())
    message = str(caught.value)
    for problem in (
        'unknown top-level key "title"',
        'event "julemarked-2026": unknown key "adress"',
        'event "julemarked-2026": end "25:00" is not a time',
        'event[2]: id "julemarked-2026" is already used by event[1]',
        'weekly "sprakkafe": unknown key "weekdays"',
        'weekly "sprakkafe": weekday is missing',
        'periods.skoleferie: unknown key "dates"',
        "periods.skoleferie: ranges 2026-10-02 to 2026-09-28 ends before it starts",
    ):
        assert problem in message, problem
    assert message.startswith("8 problem(s) in file:///srv/borgen/manual.toml")


def test_bad_entry_is_skipped_and_the_rest_read(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    events = by_key(parse(fixture("bad_entry.toml"), ctx))
    assert len(ctx.skips) == 1
    skip = ctx.skips[0]
    assert skip.item == 'weekly "sprakkafe"'
    assert 'weekly "sprakkafe": weekday "tirsdagg" is not a day name' in skip.reason
    assert 'weekly "sprakkafe": end "25:00" is not a time' in skip.reason
    assert rids(events, "kafe-kime") == ["20260903", "20260910", "20260917", "20260924"]
    assert iso(events[("kafe-kime", "20260903")].end) == "2026-09-03T14:00:00+02:00"
    assert iso(events[("julemarked-2026", None)].start) == "2026-12-05T12:00:00+01:00"
    assert not any(uid == "sprakkafe" for uid, _ in events)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'[[event]]\nid = "x"\ntitle = "X\ndate = 2026-12-05\n', "not valid TOML"),
        (
            b'[event]\nid = "x"\ntitle = "X"\ndate = 2026-12-05\n',
            "event: write each entry as a [[event]] block",
        ),
        (b"periods = 3\n", "periods: write each period as a [periods.<name>] table"),
        (
            b'[[weekly]]\nid = "a"\ntitle = "A"\nweekday = "man"\n[[event]]\nid = "a"\ntitle = "B"\n'
            b"date = 2026-12-05\n",
            'weekly[1]: id "a" is already used by event[1]',
        ),
    ],
)
def test_whole_file_problems_raise(make_ctx: MakeCtx, body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(body, make_ctx())
    assert message in str(caught.value)


def test_toml_syntax_error_names_the_line(make_ctx: MakeCtx) -> None:
    with pytest.raises(ParseError, match=r"line 3"):
        parse(b'[[event]]\nid = "x"\ntitle = Julemarked\n', make_ctx())


def test_an_empty_toml_file_has_no_events(make_ctx: MakeCtx) -> None:
    assert parse(b"# nothing yet\n", make_ctx()) == []


# ------------------------------------------------------------------ CSV


def test_csv_fixture_excel_semicolons_bom_and_norwegian_dates(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    events = by_key(parse(fixture("borgen_manual.csv"), ctx, url="file:///srv/borgen/manual.csv"))
    assert ctx.skips == [] and len(events) == 6  # the ;;;; row Excel leaves is not an event
    okt = events[("bibliotek-boktreff-okt", None)]
    assert (iso(okt.start), iso(okt.end)) == ("2026-10-24T18:00:00+02:00", "2026-10-24T19:30:00+02:00")
    assert okt.uid == "bibliotek-boktreff-okt" and okt.status is Status.SCHEDULED  # BOM not in "id"
    nov = events[("bibliotek-boktreff-nov", None)]  # "18.00" and the week after the change
    assert (iso(nov.start), iso(nov.end)) == ("2026-10-31T18:00:00+01:00", "2026-10-31T19:30:00+01:00")
    assert nov.categories == ("litteratur", "krim")  # quoted cell holding the delimiter
    assert nov.description == "Krim fra Norden; ta med din favoritt, eller lån en hos oss."
    assert iso(events[("dnt-asker-kveldstur", None)].start) == "2027-03-25T18:00:00+01:00"  # ISO date
    pask = events[("dnt-asker-pasketur", None)]
    assert iso(pask.start) == "2027-04-01T10:00:00+02:00" and pask.audience == ("barn", "voksne")
    konsert = events[("kulturskole-konsert", None)]
    assert konsert.status is Status.CANCELLED and konsert.end is None and konsert.url is None
    assert konsert.description == 'Elevene spiller "Glade jul" og mer.'
    fest = events[("kime-sommerfest", None)]
    assert fest.all_day and (fest.start, fest.end) == (date(2027, 6, 12), date(2027, 6, 13))


def test_csv_with_commas_without_bom(make_ctx: MakeCtx) -> None:
    body = (
        "title,id,date,start,end,address\n"
        'Lesesirkel,lesesirkel-1,2026-10-20,17:00,18:30,"Søndre Borgen 11, 1388 Borgen"\n'
    ).encode()
    [event] = parse(body, make_ctx(), url="file:///srv/borgen/manual.csv")
    assert event.uid == "lesesirkel-1" and event.address == "Søndre Borgen 11, 1388 Borgen"
    assert (iso(event.start), iso(event.end)) == ("2026-10-20T17:00:00+02:00", "2026-10-20T18:30:00+02:00")


def test_csv_in_cp1252_as_older_excel_saves_it(make_ctx: MakeCtx) -> None:
    body = "id;title;date\nhostdugnad;Høstdugnad på Borgen;26.09.2026\n".encode("cp1252")
    [event] = parse(body, make_ctx(), url="file:///srv/borgen/manual.csv")
    assert event.title == "Høstdugnad på Borgen" and event.start == date(2026, 9, 26)


def test_csv_bad_rows_are_skipped_with_their_line(make_ctx: MakeCtx) -> None:
    body = (
        b"id;title;date;start;description\n"
        b'a;A;01.10.2026;10:00;"two\nlines"\n'  # lines 2-3: a quoted cell with a line break
        b"b;B;31.02.2026;10:00;\n"  # line 4
        b"c;C;02.10.2026;10:00;x;extra\n"  # line 5
        b"d;D;03.10.2026;kl 10;\n"  # line 6
    )
    ctx = make_ctx()
    events = parse(body, ctx, url="file:///srv/borgen/manual.csv")
    assert [e.uid for e in events] == ["a", "d"]
    assert events[0].description == "two\nlines"
    assert [(s.item, s.reason) for s in ctx.skips] == [
        ("line 4", 'line 4: date "31.02.2026" is not a date'),
        ("line 5", "line 5: has 6 fields, the header has 5"),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"id;tittel;date\nx;X;01.10.2026\n", 'header: unknown column "tittel"'),
        (b"id;date\nx;01.10.2026\n", 'header: column "title" is missing'),
        (b"id;title;date\nx;X;01.10.2026\nx;Y;02.10.2026\n", 'line 3: id "x" is already used by line 2'),
        (b"\n\n", "the CSV file is empty"),
    ],
)
def test_csv_whole_file_problems_raise(make_ctx: MakeCtx, body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(body, make_ctx(), url="file:///srv/borgen/manual.csv")
    assert message in str(caught.value)


# ------------------------------------------------------------------ format and options


def test_format_by_suffix_option_or_content_type(make_ctx: MakeCtx) -> None:
    csv_body = b"id;title;date\nx;X;01.10.2026\n"
    toml_body = b'[[event]]\nid = "x"\ntitle = "X"\ndate = 2026-10-01\n'
    plain = "file:///srv/borgen/manuelt"
    assert len(parse(csv_body, make_ctx(), url=plain, format="csv")) == 1
    assert len(parse(toml_body, make_ctx(), url=plain, format="toml")) == 1
    assert len(parse(csv_body, make_ctx(), url=plain, headers={"content-type": "text/csv"})) == 1
    assert len(parse(toml_body, make_ctx(), url=plain, headers={"content-type": "application/toml"})) == 1
    assert len(parse(toml_body, make_ctx(), url="file:///srv/borgen/MANUAL.TOML")) == 1
    with pytest.raises(ParseError, match="cannot tell the format"):
        parse(toml_body, make_ctx(), url=plain)


def test_options_reject_unknown_keys() -> None:
    with pytest.raises(ValidationError):
        ManualAdapter.Options(fromat="csv")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        ManualAdapter.Options(format="xlsx")  # type: ignore[arg-type]
    assert ManualAdapter.name == "manual" and Path(__file__).name == f"test_{ManualAdapter.name}.py"


# ------------------------------------------------------------------ hostile inputs


def test_hostile_inputs_raise_parse_error_or_yield_drafts(make_ctx: MakeCtx) -> None:
    if not BADINPUTS.is_dir():
        pytest.skip(f"bad-input corpus not found at {BADINPUTS}")
    files = sorted(p for p in BADINPUTS.rglob("*") if p.is_file() and "LICENSES" not in p.parts)
    assert files
    for path in files:
        for suffix in ("toml", "csv"):
            # Anything but a ParseError (RecursionError, csv.Error, UnicodeError ...) fails.
            with contextlib.suppress(ParseError):
                parse(path.read_bytes(), make_ctx(), url=f"file:///srv/borgen/bad.{suffix}")
