"""The .ics renderer, checked by parsers other than the one that wrote it (vobject, ical.js).

Covers design §7: VTIMEZONE for the TZID used, METHOD/X-WR-*/REFRESH-INTERVAL, CRLF, 75-octet
folding that never splits a UTF-8 character, TEXT escaping, DST wall clocks on both sides of
2026-10-25 and 2027-03-28, all-day dates, cancellations, determinism and the size budget.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import vobject
from hypothesis import given
from hypothesis import strategies as st

from aggregator.model import EventRecord, Status
from aggregator.publish import FeedInfo, fit_ics, render_ics
from aggregator.publish import ics as ics_module
from aggregator.publish.ics import duration, escape_text, fold
from tests.publish.publish_helpers import NOW, OSLO, oslo

JS_DIR = Path(__file__).resolve().parents[1] / "js"


def unfold(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def read_vobject(data: bytes) -> Any:
    """Parse with vobject as a fresh client would.

    vobject keeps a process-wide TZID map and registers a VTIMEZONE only the *first* time it
    sees its TZID (vobject/icalendar.py, TimezoneComponent), so a calendar parsed earlier in
    the session (e.g. the empty one, whose VTIMEZONE covers only 2026) would silently decide
    the offsets of this one. Forget those registrations, keeping the built-in UTC.
    """
    tzids: dict[str, Any] = vobject.icalendar.__dict__["__tzidMap"]
    for tzid in [t for t in tzids if t != "UTC"]:
        del tzids[tzid]
    return vobject.readOne(data.decode("utf-8"))


def props(data: bytes, name: str) -> list[str]:
    return [line for line in unfold(data) if re.match(rf"{name}[;:]", line)]


# --- structure -----------------------------------------------------------------------------


def test_calendar_properties(info: FeedInfo, season: list[EventRecord]) -> None:
    data = render_ics(info, season, now=NOW)
    assert data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = unfold(data)
    for expected in (
        "METHOD:PUBLISH",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Borgen innbyggertorg – hva skjer",
        "X-WR-TIMEZONE:Europe/Oslo",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ):
        assert expected in lines
    assert any(line.startswith("PRODID:-//") for line in lines)
    assert "X-WR-CALDESC:Arrangementer på og rundt Borgen innbyggertorg\\, Søndre Borgen 11\\, Asker" in lines
    assert lines.count("BEGIN:VEVENT") == len(season)


def test_crlf_utf8_and_folding_at_75_octets(info: FeedInfo, make_record: Callable[..., EventRecord]) -> None:
    long_title = "Kveldsåpent på Borgen: æøå ÆØÅ – strikking, lesing og prat i Kafé KIME " * 3
    rec = make_record(title=long_title, description="Påmelding til Asker bibliotek. " * 20)
    data = render_ics(info, [rec], now=NOW)
    data.decode("utf-8")  # valid UTF-8 as a whole
    assert b"\r" not in data.replace(b"\r\n", b"")  # no bare CR
    assert b"\n" not in data.replace(b"\r\n", b"")  # no bare LF
    physical = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical)  # the long lines really were folded
    for line in physical:
        line.decode("utf-8")  # no physical line starts or ends inside a multibyte character
    assert f"SUMMARY:{long_title.strip()}" in [line.replace("\\,", ",") for line in unfold(data)]


def test_every_time_has_tzid_or_is_a_date(info: FeedInfo, season: list[EventRecord]) -> None:
    data = render_ics(info, season, now=NOW)
    times = props(data, "DTSTART") + props(data, "DTEND")
    in_events = [t for t in times if not re.fullmatch(r"DTSTART:\d{8}T\d{6}", t)]  # VTIMEZONE onsets
    assert in_events
    for line in in_events:
        assert re.fullmatch(r"DT(START|END)(;TZID=Europe/Oslo:\d{8}T\d{6}|;VALUE=DATE:\d{8})", line), line
    for name in ("DTSTAMP", "CREATED", "LAST-MODIFIED"):
        for line in props(data, name):
            assert re.fullmatch(rf"{name}:\d{{8}}T\d{{6}}Z", line), line


def test_one_vtimezone_covering_the_event_years_without_comment(
    info: FeedInfo, season: list[EventRecord]
) -> None:
    text = render_ics(info, season, now=NOW).decode()
    assert text.count("BEGIN:VTIMEZONE") == 1
    vtz = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE")]
    assert "TZID:Europe/Oslo" in vtz
    assert "COMMENT" not in vtz
    # Onsets in the wall clock before the change (RFC 5545 3.6.5), for both years of events.
    for onset in ("20261025T030000", "20270328T020000", "20270328T020000", "20271031T030000"):
        assert onset in vtz


def test_event_properties(info: FeedInfo, season: list[EventRecord]) -> None:
    data = render_ics(info, season, now=NOW)
    lines = unfold(data)
    assert "UID:evt-00002@borgen-innbyggertorg" in lines
    assert "SUMMARY:AVLYST: Konsert med Asker kulturskole" in lines
    assert "STATUS:CANCELLED" in lines and "STATUS:TENTATIVE" in lines and "STATUS:CONFIRMED" in lines
    assert "SEQUENCE:2" in lines
    assert "LOCATION:Borgen innbyggertorg\\, Søndre Borgen 11\\, 1388 Borgen" in lines
    assert "GEO:59.834700;10.418300" in lines
    assert "CATEGORIES:Tur,Friluftsliv" in lines
    assert 'ORGANIZER;CN="Aktiv på dagtid":mailto:aktiv@asker.kommune.no' in lines
    assert "DTSTAMP:20260820T103000Z" in lines and "LAST-MODIFIED:20260820T103000Z" in lines
    assert "CREATED:20260801T080000Z" in lines
    assert "URL:https://www.asker.kommune.no/arrangementer/strikkekafe-2/" in lines
    assert "TRANSP:TRANSPARENT" in lines
    # An organizer without an e-mail address cannot be a valid ORGANIZER; it goes in the text.
    assert len(props(data, "ORGANIZER")) == 1
    assert any(line.startswith("DESCRIPTION:") and "Arrangør: Asker bibliotek" in line for line in lines)


def test_avlyst_is_not_doubled(info: FeedInfo, make_record: Callable[..., EventRecord]) -> None:
    rec = make_record(title="Avlyst: Strikkekafé", status=Status.CANCELLED, start=oslo(2026, 9, 8, 18))
    assert props(render_ics(info, [rec], now=NOW), "SUMMARY") == ["SUMMARY:Avlyst: Strikkekafé"]


def test_cancellation_shown_until_its_date_has_passed(
    info: FeedInfo, make_record: Callable[..., EventRecord]
) -> None:
    past_cancelled = make_record(1, status=Status.CANCELLED, start=oslo(2026, 8, 30, 18))
    past_held = make_record(2, start=oslo(2026, 8, 30, 18))
    coming_cancelled = make_record(3, status=Status.CANCELLED, start=oslo(2026, 9, 2, 18))
    data = render_ics(info, [past_cancelled, past_held, coming_cancelled], now=NOW)
    uids = [line[4:] for line in props(data, "UID")]
    assert uids == ["evt-00002@borgen-innbyggertorg", "evt-00003@borgen-innbyggertorg"]


def test_url_falls_back_to_our_event_page_and_iri_is_encoded(
    info: FeedInfo, make_record: Callable[..., EventRecord]
) -> None:
    no_url = make_record(1, url=None)
    iri = make_record(2, url="https://www.dnt.no/aktiviteter/tur-til-vardåsen/")
    data = render_ics(info, [no_url, iri], now=NOW)
    assert props(data, "URL")[1:] == [  # the first is the calendar's own URL
        "URL:http://127.0.0.1:8000/events/1",
        "URL:https://www.dnt.no/aktiviteter/tur-til-vard%C3%A5sen/",
    ]


def test_deterministic_and_order_independent(info: FeedInfo, season: list[EventRecord]) -> None:
    first = render_ics(info, season, now=NOW)
    shuffled = list(season)
    random.Random(7).shuffle(shuffled)
    assert render_ics(info, shuffled, now=NOW) == first
    # "now" never appears in the output: an hour later gives the same bytes.
    assert render_ics(info, season, now=NOW + timedelta(hours=1)) == first
    starts = [line for line in props(first, "DTSTART") if ";" in line]
    assert starts[0] == "DTSTART;VALUE=DATE:20261005"  # sorted by start, the all-day first


def test_empty_calendar_still_has_a_component(info: FeedInfo) -> None:
    data = render_ics(info, [], now=NOW)
    assert b"BEGIN:VTIMEZONE" in data and b"BEGIN:VEVENT" not in data
    cal = read_vobject(data)
    assert cal.x_wr_calname.value == info.title


# --- escaping and folding units ------------------------------------------------------------


def test_escape_text() -> None:
    assert escape_text("a;b,c\\d\ne\r\nf\rg") == "a\\;b\\,c\\\\d\\ne\\nf\\ng"
    assert escape_text("tab\tok\x00\x07\x1b") == "tab\tok"
    assert escape_text("emoji \ud83d broken") == "emoji  broken"


def test_duration() -> None:
    assert duration(timedelta(hours=1)) == "PT1H"
    assert duration(timedelta(minutes=90)) == "PT1H30M"
    assert duration(timedelta(days=1)) == "P1D"
    assert duration(timedelta(days=1, seconds=5)) == "P1DT5S"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=400))
def test_fold_property(text: str) -> None:
    line = "DESCRIPTION:" + text
    folded = fold(line)
    physical = folded.encode("utf-8").split(b"\r\n")
    assert all(len(p) <= 75 for p in physical)
    assert all(p.startswith(b" ") for p in physical[1:])
    assert folded.replace("\r\n ", "") == line
    for p in physical:
        p.decode("utf-8")


# --- other parsers ---------------------------------------------------------------------------


def test_vobject_reads_times_dst_all_day_and_escapes(
    info: FeedInfo, season: list[EventRecord], make_record: Callable[..., EventRecord]
) -> None:
    tricky = make_record(
        99,
        title="Bok, kaffe; og \\prat\\",
        description="Linje 1; med semikolon, komma og \\ skråstrek\nLinje 2: «Borgen» æøå",
        start=oslo(2027, 3, 28, 3, 30),
        end=oslo(2027, 3, 28, 4, 30),
        organizer=None,
        categories=("Kurs, språk", "Voksne"),
    )
    cal = read_vobject(render_ics(info, [*season, tricky], now=NOW))
    events = {ev.uid.value: ev for ev in cal.vevent_list}
    expected = {r.public_uid: r for r in [*season, tricky]}
    assert set(events) == set(expected)
    for uid, rec in expected.items():
        ev = events[uid]
        if rec.all_day:
            assert ev.dtstart.value == rec.start.date()
            assert ev.dtend.value == rec.end.date() if rec.end else True
            continue
        start = ev.dtstart.value
        assert start.tzinfo is not None
        assert start == rec.start  # the same instant
        assert start.astimezone(OSLO).replace(tzinfo=None) == rec.start.replace(tzinfo=None)  # wall clock
        assert start.utcoffset() == rec.start.utcoffset()  # vobject read our VTIMEZONE's offset
    ev = events[tricky.public_uid]
    assert ev.summary.value == "Bok, kaffe; og \\prat\\"
    assert ev.description.value.startswith(tricky.description)
    assert ev.categories.value == ["Kurs, språk", "Voksne"]
    assert events["evt-00005@borgen-innbyggertorg"].status.value == "CANCELLED"


@pytest.fixture(scope="module")
def icaljs() -> Callable[[bytes, Path], dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: cannot check the .ics with ical.js (Thunderbird's parser)")
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        npm = shutil.which("npm")
        assert npm, "node is installed but npm is not: cannot install ical.js from tests/js/package-lock.json"
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True, timeout=300, capture_output=True
        )

    def parse(data: bytes, tmp: Path) -> dict[str, Any]:
        path = tmp / "feed.ics"
        path.write_bytes(data)
        done = subprocess.run(
            [node, str(JS_DIR / "parse_ics.mjs"), str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    return parse


def test_icaljs_reads_dst_wall_clocks_all_day_and_status(
    info: FeedInfo,
    season: list[EventRecord],
    make_record: Callable[..., EventRecord],
    icaljs: Callable[[bytes, Path], dict[str, Any]],
    tmp_path: Path,
) -> None:
    # The first hour of summer time and the last hour before winter time, beside the season's
    # events on both sides of each change. A VTIMEZONE with RDATE-grouped onsets (icalendar's
    # from_tzinfo) makes ical.js read all of summer 2026 as +01:00: this test caught that.
    after_spring = make_record(
        98, title="Tidlig morgentur", start=oslo(2027, 3, 28, 3, 30), end=oslo(2027, 3, 28, 5)
    )
    before_autumn = make_record(
        97, title="Nattkino", start=oslo(2026, 10, 25, 1, 30), end=oslo(2026, 10, 25, 1, 59)
    )
    records = [*season, after_spring, before_autumn]
    parsed = icaljs(render_ics(info, records, now=NOW), tmp_path)
    assert parsed["method"] == "PUBLISH" and parsed["timezones"] == ["Europe/Oslo"]
    events = {e["uid"]: e for e in parsed["events"]}
    assert set(events) == {r.public_uid for r in records}
    for rec in records:
        got = events[rec.public_uid]
        if rec.all_day:
            assert got["start"]["isDate"] and got["start"]["value"] == rec.start.date().isoformat()
            assert got["end"]["value"] == rec.end.date().isoformat() if rec.end else True
            continue
        assert got["start"]["tzid"] == "Europe/Oslo"
        assert got["start"]["epoch"] == int(rec.start.timestamp()), rec.title
        assert got["start"]["oslo"] == rec.start.strftime("%Y-%m-%dT%H:%M:%S")
        assert rec.end is not None
        assert got["end"]["epoch"] == int(rec.end.timestamp()), rec.title
    cancelled = events["evt-00005@borgen-innbyggertorg"]
    assert cancelled["status"] == "CANCELLED" and cancelled["summary"].startswith("AVLYST: ")
    assert cancelled["sequence"] == 2
    assert events["evt-00006@borgen-innbyggertorg"]["status"] == "TENTATIVE"
    assert events["evt-00002@borgen-innbyggertorg"]["location"] == (
        "Borgen innbyggertorg, Søndre Borgen 11, 1388 Borgen"
    )
    # The expected instants are what zoneinfo says; spell out the DST offsets being exercised.
    assert events["evt-00001@borgen-innbyggertorg"]["start"]["epoch"] == int(
        datetime(2026, 10, 24, 9, tzinfo=UTC).timestamp()
    )  # CEST, +02:00
    assert events["evt-00002@borgen-innbyggertorg"]["start"]["epoch"] == int(
        datetime(2026, 10, 26, 17, tzinfo=UTC).timestamp()
    )  # CET, +01:00
    assert events["evt-00098@borgen-innbyggertorg"]["start"]["epoch"] == int(
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC).timestamp()
    )  # first hour of CEST


# --- size budget -----------------------------------------------------------------------------


def _many(make_record: Callable[..., EventRecord], days: int, per_day: int) -> list[EventRecord]:
    out = []
    for d in range(days):
        for k in range(per_day):
            n = d * per_day + k + 1
            out.append(
                make_record(
                    n,
                    title=f"Aktivitet {n} på Borgen innbyggertorg",
                    start=oslo(2026, 9, 2, 9 + k) + timedelta(days=d),
                )
            )
    return out


def test_fit_ics_within_budget_changes_nothing(info: FeedInfo, season: list[EventRecord]) -> None:
    data, horizon, warnings = fit_ics(info, season, now=NOW)
    assert data == render_ics(info, season, now=NOW)
    assert horizon is None and warnings == []


def test_fit_ics_drops_whole_latest_days_and_says_so(
    info: FeedInfo, make_record: Callable[..., EventRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    events = _many(make_record, days=150, per_day=3)  # runs into 2027: two VTIMEZONE years
    full = render_ics(info, events, now=NOW)
    budget = len(full) // 3
    calls = []
    real = ics_module.vevent
    monkeypatch.setattr(ics_module, "vevent", lambda i, r: calls.append(r) or real(i, r))
    data, horizon, warnings = fit_ics(info, events, now=NOW, max_bytes=budget)
    assert len(calls) == len(events)  # every VEVENT rendered exactly once
    assert len(data) <= budget
    assert horizon is not None and date(2026, 9, 2) < horizon < date(2026, 12, 31)
    kept = [e for e in events if e.start.date() <= horizon]
    assert len(kept) % 3 == 0  # whole days only
    # The narrowed calendar is exactly the full rendering of the kept events...
    assert data == render_ics(info, kept, now=NOW)
    # ...and the next day would not have fitted.
    next_day = [e for e in events if e.start.date() <= horizon + timedelta(days=1)]
    assert len(render_ics(info, next_day, now=NOW)) > budget
    assert len(warnings) == 1
    assert warnings[0].startswith(
        f"feed 'borgen': {len(full) / 1e6:.2f} MB over the {budget / 1e6:.2f} MB budget"
    )
    assert (
        f"horizon narrowed to {horizon.isoformat()} ({len(events) - len(kept)} events left out)"
        in warnings[0]
    )


def test_fit_ics_when_not_even_one_day_fits(info: FeedInfo, make_record: Callable[..., EventRecord]) -> None:
    events = _many(make_record, days=2, per_day=2)
    data, horizon, warnings = fit_ics(info, events, now=NOW, max_bytes=2000)
    assert b"BEGIN:VEVENT" not in data and data.startswith(b"BEGIN:VCALENDAR")
    assert horizon == date(2026, 9, 1)
    assert "(4 events left out)" in warnings[0]
