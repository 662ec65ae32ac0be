"""Tests of aggregator.parsing.dates: every observed Norwegian date string, each form the parser
promises, year inference, weekday checks, and resolution to Oslo wall clocks across DST."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.parsing.dates import (
    DateTextError,
    When,
    infer_year,
    parse_when,
    resolve,
    scan,
    scan_times,
    split_time_prefix,
)
from tests.conftest import NOW, OSLO, SHARED

REF = NOW.date()  # 2026-09-01, a Tuesday
OBSERVED = SHARED / "samples" / "txt_norwegian-date-strings_observed.tsv"


def t(h: int, m: int = 0) -> time:
    return time(h, m)


@dataclass(frozen=True)
class Case:
    """How one observed string (or a variant of it) must read.

    ``found`` lists fields of ``scan``'s result to compare; ``when`` is what ``parse_when`` must
    return, or None when the string holds no date and ``parse_when`` must raise. ``warns`` are
    substrings that must each appear in one of the When's warnings (and no other warning).
    """

    text: str
    found: dict[str, Any]
    when: When | None
    year: int | None = None
    warns: tuple[str, ...] = ()
    title: str | None = None  # what split_time_prefix leaves, for "times: title" headings
    extra: dict[str, Any] = field(default_factory=dict)


# The expectation table, one entry per row of the observed file (its 4th column, read by hand).
EXPECTED: dict[str, list[Case]] = {
    "9. september 2026": [
        Case(
            "9. september 2026",
            {"dates": (date(2026, 9, 9),), "times": ()},
            When(date(2026, 9, 9), all_day=True),
        )
    ],
    "13:30 - 15:00": [Case("13:30 - 15:00", {"dates": (), "times": ((t(13, 30), t(15)),)}, None)],
    # Prose recurrence: no date, so no When; the scan yields the weekday, the rhythm and the times.
    "Kvar onsdag er det Språkkafé i biblioteket kl 13.30-15.00": [
        Case(
            "Kvar onsdag er det Språkkafé i biblioteket kl 13.30-15.00",
            {"dates": (), "times": ((t(13, 30), t(15)),), "weekdays": (2,), "every": 1},
            None,
        )
    ],
    # "Annanvkar" is the source's typo for "annankvar" (every other); two start times, no end.
    "Annanvkar onsdag (i oddetalsveker) ... kl 10.30 og kl 11.00": [
        Case(
            "Annanvkar onsdag (i oddetalsveker) ... kl 10.30 og kl 11.00",
            {
                "dates": (),
                "times": ((t(10, 30), None), (t(11), None)),
                "weekdays": (2,),
                "every": 2,
                "weeks": "odd",
            },
            None,
        )
    ],
    "Kl. 16-17 kvar måndag": [
        Case("Kl. 16-17 kvar måndag", {"times": ((t(16), t(17)),), "weekdays": (0,), "every": 1}, None)
    ],
    "24. november 2026, 18.00": [
        Case("24. november 2026, 18.00", {"times": ((t(18), None),)}, When(date(2026, 11, 24), t(18)))
    ],
    "6.–8. oktober 2026": [
        Case(
            "6.–8. oktober 2026",
            {"dates": (date(2026, 10, 6), date(2026, 10, 8)), "is_range": True},
            When(date(2026, 10, 6), end_date=date(2026, 10, 8), all_day=True),
        )
    ],
    # "[/ 2027]" is the file's notation for a fourth span printed only in another year: both forms
    # are read, with the page footer's year 2026. 2027-10-06 is a Wednesday, so "TIRSDAG" is a
    # contradiction that is reported, and the date is kept as printed.
    "TIRSDAG / 6 / OKTOBER [/ 2027]": [
        Case("TIRSDAG / 6 / OKTOBER", {"weekdays": (1,)}, When(date(2026, 10, 6), all_day=True), year=2026),
        Case(
            "TIRSDAG / 6 / OKTOBER / 2027",
            {"weekdays": (1,)},
            When(date(2027, 10, 6), all_day=True),
            year=2026,
            warns=("'tirsdag' contradicts 2027-10-06",),
        ),
    ],
    "11.00 - 13.30: Eldretreff Buneset": [
        Case(
            "11.00 - 13.30: Eldretreff Buneset",
            {"dates": (), "times": ((t(11), t(13, 30)),)},
            None,
            title="Eldretreff Buneset",
        )
    ],
    "Kl. 11:00 - 13:30": [Case("Kl. 11:00 - 13:30", {"times": ((t(11), t(13, 30)),)}, None)],
    # Read as written; that DNT has a better ISO field is the DNT adapter's business.
    "09. sep.": [Case("09. sep.", {}, When(date(2026, 9, 9), all_day=True))],
    # A publication date reads like any date: telling it from the event date is the adapter's job.
    "10. august 2026": [Case("10. august 2026", {}, When(date(2026, 8, 10), all_day=True))],
    "Frå Fitjar Bedehus, eller Vabakkjen, klokka 10.00. Eventuelt frå Brotaneset hyttefelt klokka 10.20": [
        Case(
            "Frå Fitjar Bedehus, eller Vabakkjen, klokka 10.00. Eventuelt frå Brotaneset hyttefelt klokka 10.20",
            {"dates": (), "times": ((t(10), None), (t(10, 20), None))},
            None,
        )
    ],
    "startdate=11.02.2025": [Case("startdate=11.02.2025", {}, When(date(2025, 2, 11), all_day=True))],
    "lørdag 21.02.26 13:45": [
        Case("lørdag 21.02.26 13:45", {"weekdays": (5,)}, When(date(2026, 2, 21), t(13, 45)))
    ],
    "23.10.2026 18:30": [Case("23.10.2026 18:30", {}, When(date(2026, 10, 23), t(18, 30)))],
    "fredag 23 okt 2026 18:30": [
        Case("fredag 23 okt 2026 18:30", {"weekdays": (4,)}, When(date(2026, 10, 23), t(18, 30)))
    ],
    "Lør 19. sep. kl. 20:00": [
        Case("Lør 19. sep. kl. 20:00", {"weekdays": (5,)}, When(date(2026, 9, 19), t(20)))
    ],
    # Doors at 20:00 are not the start: the show starts at 21:00.
    "Dørene opnar kl 20:00, showstart kl 21:00!": [
        Case("Dørene opnar kl 20:00, showstart kl 21:00!", {"times": ((t(21), None),), "doors": t(20)}, None)
    ],
    "Onsdag: 9. september kl. 18-21": [
        Case(
            "Onsdag: 9. september kl. 18-21",
            {"weekdays": (2,)},
            When(date(2026, 9, 9), t(18), end_time=t(21)),
        )
    ],
    "Onsdag: 23.september kl. 18-21": [
        Case("Onsdag: 23.september kl. 18-21", {}, When(date(2026, 9, 23), t(18), end_time=t(21)))
    ],
    # No year: 8 May 2026 lies more than two months before 2026-09-01, so it is 8 May 2027 —
    # a Saturday, which the printed "Lørdag" confirms.
    "Lørdag 8. mai kl 10.30 Risvollan bibliotek": [
        Case(
            "Lørdag 8. mai kl 10.30 Risvollan bibliotek",
            {"weekdays": (5,)},
            When(date(2027, 5, 8), t(10, 30)),
        )
    ],
    # The first weekday checks the start, the last the end (Friday 16th, Sunday 18th).
    "Fredag, Lørdag, Søndag 16.03.2018 - 18.03.2018 Ål Skisenter": [
        Case(
            "Fredag, Lørdag, Søndag 16.03.2018 - 18.03.2018 Ål Skisenter",
            {"weekdays": (4, 5, 6), "is_range": True},
            When(date(2018, 3, 16), end_date=date(2018, 3, 18), all_day=True),
        )
    ],
    "kl. 11.00": [Case("kl. 11.00", {"dates": (), "times": ((t(11), None),)}, None)],
}


def _observed_rows() -> list[list[str]]:
    if not OBSERVED.exists():
        pytest.skip(f"{OBSERVED} is absent; the observed-strings test reads it in place")
    with OBSERVED.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    return list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _check(case: Case) -> None:
    found = scan(case.text, reference=REF, year=case.year)
    for key, value in case.found.items():
        assert getattr(found, key) == value, (case.text, key)
    if case.when is None:
        with pytest.raises(DateTextError, match="no date"):
            parse_when(case.text, reference=REF, year=case.year)
    else:
        when = parse_when(case.text, reference=REF, year=case.year)
        assert when == When(**{**case.when.__dict__, "warnings": when.warnings}), case.text
        assert len(when.warnings) == len(case.warns), (case.text, when.warnings)
        for expected, got in zip(case.warns, when.warnings, strict=True):
            assert expected in got
    if case.title is not None:
        assert split_time_prefix(case.text)[1] == case.title


def test_every_observed_string_reads_as_its_note_says() -> None:
    rows = _observed_rows()
    assert rows, "the observed file has no rows"
    missing = [row[0] for row in rows if row[0] not in EXPECTED]
    assert not missing, f"rows without an expectation (add them to EXPECTED): {missing}"
    for row in rows:
        for case in EXPECTED[row[0]]:
            _check(case)


# --- forms the parser promises ------------------------------------------------------------------

DAY_NAMES = [
    ("mandag", 0),
    ("måndag", 0),
    ("tirsdag", 1),
    ("tysdag", 1),
    ("onsdag", 2),
    ("torsdag", 3),
    ("fredag", 4),
    ("lørdag", 5),
    ("laurdag", 5),
    ("søndag", 6),
    ("sundag", 6),
    ("man.", 0),
    ("tir.", 1),
    ("tirs.", 1),
    ("ons.", 2),
    ("tor.", 3),
    ("tors.", 3),
    ("fre.", 4),
    ("lør.", 5),
    ("søn.", 6),
]


@pytest.mark.parametrize(("name", "weekday"), DAY_NAMES)
@pytest.mark.parametrize("case", [str.lower, str.upper, str.capitalize])
def test_day_names_bokmal_nynorsk_and_abbreviations(name: str, weekday: int, case: Any) -> None:
    # 2026-10-05 is a Monday; the named day's date must read without a warning, the day before
    # it with one.
    right = date(2026, 10, 5) + timedelta(days=weekday)
    when = parse_when(f"{case(name)} {right.day}. oktober 2026", reference=REF)
    assert (when.start_date, when.warnings) == (right, ())
    wrong = parse_when(f"{case(name)} {right.day - 1}. oktober 2026", reference=REF)
    assert len(wrong.warnings) == 1 and "contradicts" in wrong.warnings[0]


MONTH_NAMES = [
    ("januar", 1),
    ("jan.", 1),
    ("februar", 2),
    ("feb.", 2),
    ("mars", 3),
    ("mar.", 3),
    ("april", 4),
    ("apr.", 4),
    ("mai", 5),
    ("juni", 6),
    ("jun.", 6),
    ("juli", 7),
    ("jul.", 7),
    ("august", 8),
    ("aug.", 8),
    ("september", 9),
    ("sep.", 9),
    ("sept.", 9),
    ("oktober", 10),
    ("okt.", 10),
    ("november", 11),
    ("nov.", 11),
    ("desember", 12),
    ("des.", 12),
]


@pytest.mark.parametrize(("name", "month"), MONTH_NAMES)
def test_month_names_and_abbreviations(name: str, month: int) -> None:
    assert parse_when(f"12. {name} 2027", reference=REF).start_date == date(2027, month, 12)
    assert parse_when(f"12. {name.upper()} 2027", reference=REF).start_date == date(2027, month, 12)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("6. okt. 18.00–20.00", t(18), t(20)),
        ("6. okt. 18.00 - 20.00", t(18), t(20)),
        ("6. okt. 18:00—20:00", t(18), t(20)),
        ("6. okt. 18.00 til 20.00", t(18), t(20)),
        ("6. okt. kl. 18-21", t(18), t(21)),
        ("6. okt. kl 18 til 21", t(18), t(21)),
        ("6. okt. klokka 18.30", t(18, 30), None),
        ("6. okt. kl 19", t(19), None),
        ("6. okt. kl. 19:15 - kl. 20:45", t(19, 15), t(20, 45)),
        ("6. okt. 22.00 - 24.00", t(22), t(0)),
    ],
)
def test_clock_forms(text: str, start: time, end: time | None) -> None:
    when = parse_when(text, reference=REF)
    assert (when.start_date, when.start_time, when.end_time, when.all_day) == (
        date(2026, 10, 6),
        start,
        end,
        False,
    )


def test_kl_19_is_never_a_year_or_a_day() -> None:
    assert scan("kl 19", reference=REF).dates == ()
    assert scan("kl 19", reference=REF).times == ((t(19), None),)
    with pytest.raises(DateTextError, match="no date"):
        parse_when("kl 19", reference=REF)  # dateparser alone reads this as 19 September
    assert parse_when("12. oktober kl 19", reference=REF) == When(date(2026, 10, 12), t(19))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06.10.26", When(date(2026, 10, 6), all_day=True)),
        ("06.10.2026", When(date(2026, 10, 6), all_day=True)),
        ("6.10", When(date(2026, 10, 6), all_day=True)),
        ("06.10. kl. 18.00", When(date(2026, 10, 6), t(18))),
        ("2026-10-06", When(date(2026, 10, 6), all_day=True)),
        ("2026-10-06 18:00", When(date(2026, 10, 6), t(18))),
        ("6. okt. – 8. nov.", When(date(2026, 10, 6), end_date=date(2026, 11, 8), all_day=True)),
        ("6. okt. - 8. nov. 2027", When(date(2027, 10, 6), end_date=date(2027, 11, 8), all_day=True)),
        ("28. des. – 2. jan.", When(date(2026, 12, 28), end_date=date(2027, 1, 2), all_day=True)),
        ("6.–8. oktober", When(date(2026, 10, 6), end_date=date(2026, 10, 8), all_day=True)),
        ("tirsdag 6. oktober hele dagen", When(date(2026, 10, 6), all_day=True)),
        ("tysdag 6. oktober, heile dagen", When(date(2026, 10, 6), all_day=True)),
        ("TIRSDAG / 6 / OKTOBER", When(date(2026, 10, 6), all_day=True)),
    ],
)
def test_date_forms(text: str, expected: When) -> None:
    assert parse_when(text, reference=REF) == expected


@pytest.mark.parametrize("text", ["Hele dagen", "heile dagen", "6. okt. kl. 10 (hele dagen)"])
def test_all_day_words_win_over_clocks(text: str) -> None:
    assert scan_times(text).all_day
    assert scan(text, reference=REF).all_day
    if "okt" in text:
        assert parse_when(text, reference=REF) == When(date(2026, 10, 6), all_day=True)


def test_time_field_reads_every_dotted_pair_as_a_clock() -> None:
    # In scan() a lone "10.05" with no other date is the 10th of May (kyrkja.no prints dd.mm);
    # in a field that holds only times it is five past ten.
    assert scan("10.05", reference=REF).dates == (date(2027, 5, 10),)
    assert scan_times("10.05").times == ((t(10, 5), None),)
    assert scan_times("10.05").dates == ()


@pytest.mark.parametrize(
    ("text", "reference", "year", "expected"),
    [
        ("3. januar", date(2026, 12, 15), None, date(2027, 1, 3)),  # December: January is next year
        ("3. januar", date(2026, 12, 15), 2026, date(2026, 1, 3)),  # the page's year wins
        ("15. juli", REF, None, date(2026, 7, 15)),  # 48 days ago: still this year
        ("15. juni", REF, None, date(2027, 6, 15)),  # 78 days ago: next year
        ("1. september", REF, None, date(2026, 9, 1)),
        ("9. oktober", date(2027, 1, 10), None, date(2027, 10, 9)),  # 93 days back: next October
    ],
)
def test_year_inference(text: str, reference: date, year: int | None, expected: date) -> None:
    assert parse_when(text, reference=reference, year=year).start_date == expected


def test_year_inference_window_edges() -> None:
    assert infer_year(1, 7, REF) == 2026  # exactly 62 days before 2026-09-01
    assert infer_year(30, 6, REF) == 2027
    assert infer_year(29, 2, REF) == 2028  # the next 29 February
    assert infer_year(29, 2, REF, page_year=2027) is None


def test_dateparser_fallback_reads_other_orders_and_guesses_the_year_our_way() -> None:
    assert parse_when("oktober 6, 2026 kl 19", reference=REF) == When(date(2026, 10, 6), t(19))
    assert parse_when("6/10", reference=REF).start_date == date(2026, 10, 6)
    # dateparser would say 2026 (its own year); 6 October is 70 days before 15 December: next year
    assert parse_when("6/10", reference=date(2026, 12, 15)).start_date == date(2027, 10, 6)


def test_weekday_alone_or_impossible_dates_raise() -> None:
    with pytest.raises(DateTextError, match=re.escape("no date in 'Kvar onsdag kl 13.30'")):
        parse_when("Kvar onsdag kl 13.30", reference=REF)
    with pytest.raises(DateTextError, match=re.escape("impossible date '31. februar 2027'")):
        parse_when("31. februar 2027", reference=REF)
    with pytest.raises(DateTextError):
        parse_when("Dato kommer", reference=REF)


def test_split_time_prefix() -> None:
    assert split_time_prefix("11.00\u00a0-\u00a013.30: Eldretreff") == ("11.00 - 13.30", "Eldretreff")
    assert split_time_prefix("Kl. 19:00: Quiz på Kafé KIME") == ("Kl. 19:00", "Quiz på Kafé KIME")
    assert split_time_prefix("Aktiv på dagtid: stavgang") == ("", "Aktiv på dagtid: stavgang")


# --- resolving to Oslo wall clocks ----------------------------------------------------------------


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def test_resolve_overnight_ends_next_day() -> None:
    start, end = resolve(parse_when("fredag 23. oktober 22:00 - 01:00", reference=REF), OSLO)
    assert (start, end) == (oslo(2026, 10, 23, 22), oslo(2026, 10, 24, 1))


def test_resolve_across_autumn_dst_change() -> None:
    before, _ = resolve(parse_when("24. oktober 2026 kl. 12", reference=REF), OSLO)
    after, _ = resolve(parse_when("26. oktober 2026 kl. 12", reference=REF), OSLO)
    assert isinstance(before, datetime) and isinstance(after, datetime)
    assert before.utcoffset() == timedelta(hours=2) and after.utcoffset() == timedelta(hours=1)
    assert (before.hour, after.hour) == (12, 12)
    # 23:00 CEST to 03:00 CET: four wall-clock hours, five real ones
    start, end = resolve(parse_when("lørdag 24. oktober 23:00 - 03:00", reference=REF), OSLO)
    assert (start, end) == (oslo(2026, 10, 24, 23), oslo(2026, 10, 25, 3))
    assert isinstance(end, datetime) and isinstance(start, datetime)
    assert end.utcoffset() == timedelta(hours=1)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=5)
    # the doubled hour: the first (summer-time) 02:30 is taken
    doubled, _ = resolve(parse_when("25. oktober 2026 kl. 02.30", reference=REF), OSLO)
    assert isinstance(doubled, datetime) and doubled.utcoffset() == timedelta(hours=2)


def test_resolve_across_spring_dst_change() -> None:
    before, _ = resolve(parse_when("27. mars 2027 kl. 12", reference=REF), OSLO)
    after, _ = resolve(parse_when("29. mars 2027 kl. 12", reference=REF), OSLO)
    assert isinstance(before, datetime) and isinstance(after, datetime)
    assert (before.utcoffset(), after.utcoffset()) == (timedelta(hours=1), timedelta(hours=2))
    # 02:30 does not exist on 2027-03-28: the clock jumps to 03:30 CEST
    missing, _ = resolve(parse_when("28. mars 2027 kl. 02.30", reference=REF), OSLO)
    assert isinstance(missing, datetime)
    assert (missing.hour, missing.minute, missing.utcoffset()) == (3, 30, timedelta(hours=2))
    start, end = resolve(parse_when("27. mars 2027 kl. 23 - 04", reference=REF), OSLO)
    assert (start, end) == (oslo(2027, 3, 27, 23), oslo(2027, 3, 28, 4))
    assert isinstance(end, datetime) and isinstance(start, datetime)
    # 23:00 CET to 04:00 CEST: five wall-clock hours, four real ones
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=4)


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("6. okt. 18:00 - 18:00", None),  # not after the start: dropped
        ("6. okt. 18:00 - 17:00", None),  # a 23-hour "overnight" is a typo, not a night: dropped
        ("6. okt. 22.00 - 24.00", oslo(2026, 10, 7, 0)),
        ("6. okt. kl. 18 – 8. okt.", oslo(2026, 10, 9, 0)),  # a timed start and a date-only end
        ("6. okt. kl. 18 – 8. okt. kl. 12", oslo(2026, 10, 8, 12)),
    ],
)
def test_resolve_ends(text: str, end: datetime | None) -> None:
    assert resolve(parse_when(text, reference=REF), OSLO)[1] == end


def test_resolve_all_day() -> None:
    assert resolve(parse_when("6. oktober 2026", reference=REF), OSLO) == (date(2026, 10, 6), None)
    # an all-day range ends exclusively, as in RFC 5545
    assert resolve(parse_when("6.–8. oktober 2026", reference=REF), OSLO) == (
        date(2026, 10, 6),
        date(2026, 10, 9),
    )
    assert resolve(When(date(2026, 10, 8), end_date=date(2026, 10, 6), all_day=True), OSLO) == (
        date(2026, 10, 8),
        None,
    )


# --- properties -----------------------------------------------------------------------------------

_NAMES = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


@given(
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    sep=st.sampled_from([".", ":"]),
)
def test_written_dates_read_back(day: date, hour: int, minute: int, sep: str) -> None:
    text = f"{_NAMES[day.weekday()]} {day.day}. {_MONTHS[day.month - 1]} {day.year} kl. {hour:02d}{sep}{minute:02d}"
    assert parse_when(text, reference=REF) == When(day, time(hour, minute))


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789.:-/ klåøæmarsoktjunidgesvhfr", max_size=30))
def test_arbitrary_text_reads_or_raises_date_text_error(text: str) -> None:
    try:
        when = parse_when(text, reference=REF)
    except DateTextError:
        return
    assert isinstance(when.start_date, date)
    start, end = resolve(when, OSLO)
    if isinstance(start, datetime):
        assert start.tzinfo is OSLO and (end is None or (isinstance(end, datetime) and end > start))
