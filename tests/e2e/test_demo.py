"""The offline demo: `aggregator collect --replay demo/recordings` with the real settings.toml.

What it owns: proving that the recorded responses in demo/recordings (one per request every
configured source makes, in each provider's real shape) and the staff file manual/borgen.toml
go through the normal pipeline into a populated calendar: every source reports events, the
`asker` feed holds events from every source, and the `borgen` feed holds exactly the events
at the square. It must not touch the project's own database or feeds folder: settings.toml and
manual/ are copied into tmp_path (so the database and feeds land there); the recordings are
read in place.

The expected events below are written out from what the recordings and manual/borgen.toml say;
when you change a recording, change the lists here too. The clock is 2026-11-27 12:00 UTC, so
the feeds reach 2027-05-26 (horizon_days = 180) and nothing recorded lies in the past.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import vobject
from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.settings import load

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = ROOT / "demo" / "recordings"
OSLO = ZoneInfo("Europe/Oslo")
NOW = "2026-11-27T12:00:00Z"

Key = tuple[str, date]  # (SUMMARY as published, local start date)


def weekly(title: str, first: date, last: date, without: Iterable[date] = ()) -> list[Key]:
    """Every 7th day from first to last, minus the dates a calendar leaves out."""
    skipped = set(without)
    days = (first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1))
    return [(title, d) for d in days if d not in skipped]


def d(text: str) -> date:
    return date.fromisoformat(text)


# Christmas, winter and Easter holidays as manual/borgen.toml's [periods.skoleferie] gives them,
# plus Kristi himmelfartsdag: the Thursdays Kafé KIME is closed.
KIME_CLOSED = [d("2026-12-24"), d("2026-12-31"), d("2027-02-25"), d("2027-03-25"), d("2027-05-06")]

# --- the events at the square, by source ----------------------------------------------------------
AT_SQUARE: list[Key] = [
    # dnt-asker: tours whose meeting place (eventLocation) is the square
    ("Adventstur fra Borgen innbyggertorg til Vardåsen", d("2026-11-29")),
    ("Søndagstur fra Borgen til Vardåsen", d("2027-01-10")),
    ("Vårtur fra Borgen til Holmen", d("2027-03-28")),
    # bibliotek: the Borgen bibliotek branch (one MEC post repeats "Digital hjelp")
    ("Lesestund for de minste", d("2026-12-02")),
    ("Spillkveld for ungdom", d("2027-02-12")),
    ("Digital hjelp for seniorer", d("2027-03-25")),
    ("Digital hjelp for seniorer", d("2027-04-08")),
    # kulturskole (Hoopla) and kulturskole-ticketco
    ("Vinterkonsert: kulturskolens band", d("2027-02-04")),
    ("Vårkonsert på Borgen", d("2027-04-22")),
    ("Kulturskoledagen på Borgen", d("2027-05-22")),
    # naermiljosentral (Google Calendar); "Dugnad i nærmiljøparken" has no LOCATION and gets the
    # source's default place; Leksehjelp is the series below
    ("Tenning av julegrana på torget", d("2026-11-29")),
    ("Julebord for seniorer", d("2026-12-09")),
    ("AVLYST: Filmkveld for familier", d("2027-01-29")),
    ("Loppemarked på torget", d("2027-04-17")),
    ("Vårkonsert med Asker kulturskole", d("2027-04-22")),
    ("Dugnad i nærmiljøparken", d("2027-05-08")),
    # RRULE weekly on Tuesdays; EXDATE 02-23 and 03-23; 03-16 and 04-06 are overridden below
    *weekly(
        "Leksehjelp",
        d("2027-01-05"),
        d("2027-05-25"),
        without=[d("2027-02-23"), d("2027-03-23"), d("2027-03-16"), d("2027-04-06")],
    ),
    ("AVLYST: Leksehjelp", d("2027-03-16")),  # an override with STATUS:CANCELLED
    ("Leksehjelp (onsdag denne uka)", d("2027-04-07")),  # RECURRENCE-ID 2027-04-06, moved a day
    # borgen-manuelt (manual/borgen.toml); "Sommeravslutning" on 2027-06-12 is past the horizon
    ("Julemarked på torget", d("2026-12-05")),
    ("Juleverksted for barn", d("2026-12-12")),
    ("AVLYST: Quizkveld på Kafé KIME", d("2027-01-22")),
    ("Vinterfest på torget", d("2027-02-13")),
    ("Påskeeggjakt på Borgen", d("2027-03-27")),
    ("Vårdugnad på Borgen", d("2027-04-24")),
    ("17. mai-frokost på torget", d("2027-05-17")),
    *weekly("Kafé KIME", d("2026-12-03"), d("2027-05-20"), without=KIME_CLOSED),
    *weekly(
        "Språkkafé",
        d("2026-12-01"),
        d("2027-05-25"),
        without=[d("2026-12-22"), d("2026-12-29"), d("2027-03-23"), d("2027-02-02"), d("2027-03-16")],
    ),
    ("AVLYST: Språkkafé", d("2027-02-02")),  # cancelled_dates
    ("Språkkafé", d("2027-03-17")),  # [weekly.moved] "2027-03-16" -> 2027-03-17 18:00
    # aktivitetforalle: a weekly "activity" expanded over its season, and one arrangement
    *weekly("Aktiv på dagtid: stolgym", d("2026-11-30"), d("2027-05-24")),
    ("Helsesjekk og kaffe", d("2027-03-04")),
    # husflidslag (Checkin): a course spanning three Wednesdays is one record
    ("Åpent verksted: reparer klærne dine", d("2026-12-03")),
    ("Strikkekurs: lag dine egne votter", d("2027-01-13")),
    # musikkorps (The Events Calendar)
    ("Korpset spiller på julemarkedet", d("2026-12-05")),
    # borgen-nyheter (RSS with ev:); its news item without ev:startdate is skipped
    ("Søndagstur til Vardåsen med DNT Asker", d("2027-01-10")),
    ("Åpen dag på Borgen innbyggertorg", d("2027-01-30")),
    ("AVLYST: Kafékveld med levende musikk", d("2027-02-19")),
    ("Temakveld: ny E18 gjennom Asker", d("2027-03-03")),
    # frivilligsentral (html scraper): the ones its page places at the square
    ("Julegrøt for seniorer", d("2026-12-15")),
    ("Strikkekafé", d("2027-02-09")),
    ("Kurs for nye frivillige", d("2027-04-29")),
]

# The same real-world event in two sources (demo/README.md): clusters are published once, so the
# lower-priority copy is merged into the canonical one and appears only as "also listed by".
SECOND_COPIES: list[Key] = [
    ("Søndagstur til Vardåsen med DNT Asker", d("2027-01-10")),  # borgen-nyheter (2) of dnt-asker (10)
    ("Vårkonsert med Asker kulturskole", d("2027-04-22")),  # naermiljosentral (6) of kulturskole (8)
]

# A few titles of every source that are elsewhere in Asker: in the asker feed, not in borgen.
ELSEWHERE: dict[str, list[str]] = {
    "dnt-asker": [
        "Fakkeltur rundt Semsvannet",
        "AVLYST: Skitur i Vestmarka for seniorer",
        "Dugnad på Vardåsen-stiene",
    ],
    "bibliotek": ["Julekortverksted", "AVLYST: Bokbad: påskekrim", "Nattåpent bibliotek"],
    "kulturskole": [
        "Julekonsert med Asker kulturskole",
        "Elevkonsert: piano",
        "AVLYST: Danseforestilling: Vårdans",
    ],
    "kulturskole-ticketco": ["Juleforestilling: Nøtteknekkeren", "Vårshow med danselinja"],
    "naermiljosentral": ["Nyttårskonsert i Asker kirke", "Skøytedisco på Føyka"],
    "aktivitetforalle": ["Aktiv på dagtid: stavgang på Vardåsen", "Kajakk-prøvedag på Holmen"],
    "frivilligsentral": ["Eldretreff", "AVLYST: Eldretreff", "Gågruppe rundt Semsvannet"],
    "borgen-il": ["Borgen IL G14 - Bærum SK G14", "Vollen UL G14 - Borgen IL G14"],
    "husflidslag": ["Kurs i treskjæring", "Broderikurs: bunadsskjorte"],
    "musikkorps": [
        "Julekonsert – Jul i Asker kirke",
        "Korpsets loppemarked",
        "17. mai: korpset marsjerer i barnetoget",
    ],
    "borgen-nyheter": ["Bydelsmøte i Asker rådhus"],
}


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


# Wall clocks chosen where a provider's stated offset lies or a DST change is close.
CLOCKS: list[tuple[str, str, datetime, timedelta]] = [
    # feed, SUMMARY, expected start in Oslo, expected UTC offset
    ("borgen", "Vårtur fra Borgen til Holmen", oslo(2027, 3, 28, 10), timedelta(hours=2)),  # DST day
    ("borgen", "Søndagstur fra Borgen til Vardåsen", oslo(2027, 1, 10, 10), timedelta(hours=1)),
    # MEC's JSON-LD says T12:00:00+01:00 and T13:00:00+02:00; the cards say 11.00
    ("borgen", "Digital hjelp for seniorer", oslo(2027, 3, 25, 11), timedelta(hours=1)),
    ("borgen", "Digital hjelp for seniorer", oslo(2027, 4, 8, 11), timedelta(hours=2)),
    # TicketCo's JSON-LD writes the wall clock with a false "Z"
    ("borgen", "Kulturskoledagen på Borgen", oslo(2027, 5, 22, 12), timedelta(hours=2)),
    # Google expands the series in its TZID: 17:00 on both sides of 2027-03-28
    ("borgen", "Leksehjelp", oslo(2027, 3, 9, 17), timedelta(hours=1)),
    ("borgen", "Leksehjelp", oslo(2027, 3, 30, 17), timedelta(hours=2)),
    ("borgen", "Kafé KIME", oslo(2027, 4, 1, 11), timedelta(hours=2)),
    ("borgen", "Språkkafé", oslo(2027, 3, 17, 18), timedelta(hours=1)),  # the moved meeting
    # Hoopla's true UTC instants around the DST change
    ("asker", "Elevkonsert: piano", oslo(2027, 3, 27, 14), timedelta(hours=1)),
    ("asker", "Elevkonsert: sang", oslo(2027, 3, 29, 18), timedelta(hours=2)),
    # fotball.no: TZID=Europe/Oslo without a VTIMEZONE; Tribe: start_date in its timezone
    ("asker", "Borgen IL G14 - Bærum SK G14", oslo(2027, 3, 27, 14), timedelta(hours=1)),
    ("asker", "Vårkonsert med Asker Musikkorps & gjester", oslo(2027, 3, 28, 18), timedelta(hours=2)),
]


def _starts(cal: vobject.base.Component) -> list[tuple[str, date | datetime]]:
    return [(ev.summary.value, ev.dtstart.value) for ev in cal.vevent_list]


def _local_day(value: date | datetime) -> date:
    return value.astimezone(OSLO).date() if isinstance(value, datetime) else value


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """One replayed collect into a copy of the real configuration; (CLI output, feeds folder)."""
    folder = tmp_path_factory.mktemp("demo")
    settings = folder / "settings.toml"
    shutil.copy(ROOT / "settings.toml", settings)
    shutil.copytree(ROOT / "manual", folder / "manual")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("AGGREGATOR_DATABASE", raising=False)  # the database must land in tmp_path
        with time_machine.travel(NOW, tick=False):
            result = CliRunner().invoke(
                cli,
                ["--settings", str(settings), "collect", "--replay", str(RECORDINGS)],
                catch_exceptions=False,
            )
    assert result.exit_code == 0, result.output
    feeds = folder / "feeds"
    assert load(settings).feeds_dir == feeds
    return result.output, feeds


def test_every_source_reports_events(demo: tuple[str, Path]) -> None:
    output, _ = demo
    assert "FAILED" not in output
    counts = {m[1]: int(m[2]) for m in re.finditer(r"^([a-z0-9_-]+): (\d+) events", output, re.M)}
    configured = set(load(ROOT / "settings.toml").sources)
    assert set(counts) == configured
    assert all(n > 0 for n in counts.values()), counts


def test_asker_has_events_from_every_source(demo: tuple[str, Path]) -> None:
    _, feeds = demo
    asker = {
        title for title, _ in _starts(vobject.readOne((feeds / "asker.ics").read_text(encoding="utf-8")))
    }
    for source, titles in ELSEWHERE.items():
        assert set(titles) <= asker, source
    second = {title for title, _ in SECOND_COPIES}
    assert {title for title, _ in AT_SQUARE} - second <= asker
    assert not second & asker  # each duplicate pair appears once
    # the JSON Feed names each event's source (canonical, or "also listed by"): every
    # configured source is there
    items = json.loads((feeds / "asker.json").read_text(encoding="utf-8"))["items"]
    named = {item["_aggregator"]["source"] for item in items} | {
        also["source"] for item in items for also in item["_aggregator"].get("also_listed_by", [])
    }
    assert named == set(load(ROOT / "settings.toml").sources)


def test_borgen_holds_exactly_the_events_at_the_square(demo: tuple[str, Path]) -> None:
    _, feeds = demo
    cal = vobject.readOne((feeds / "borgen.ics").read_text(encoding="utf-8"))
    found = Counter((title, _local_day(start)) for title, start in _starts(cal))
    expected = Counter(AT_SQUARE)
    for copy in SECOND_COPIES:
        assert found[copy] == 0, copy  # merged into the canonical copy (issue 4)
        del expected[copy]
    # the canonical copies name the sources they were merged with
    items = json.loads((feeds / "borgen.json").read_text(encoding="utf-8"))["items"]
    also = {item["_aggregator"]["name"]: item["_aggregator"].get("also_listed_by") for item in items}
    assert [a["source"] for a in also["Søndagstur fra Borgen til Vardåsen"]] == ["borgen-nyheter"]
    assert [a["source"] for a in also["Vårkonsert på Borgen"]] == ["naermiljosentral"]
    assert found == expected, (
        f"missing: {sorted((expected - found).elements())}\nunexpected: {sorted((found - expected).elements())}"
    )
    titles = {title for title, _ in found}
    assert not titles & {t for ts in ELSEWHERE.values() for t in ts}
    cancelled = [ev for ev in cal.vevent_list if ev.summary.value.startswith("AVLYST")]
    assert cancelled and all(ev.status.value == "CANCELLED" for ev in cancelled)


@pytest.mark.parametrize(
    ("feed", "title", "start", "offset"), CLOCKS, ids=[f"{c[1]}-{c[2]:%m%d}" for c in CLOCKS]
)
def test_wall_clock_in_oslo(
    demo: tuple[str, Path], feed: str, title: str, start: datetime, offset: timedelta
) -> None:
    _, feeds = demo
    cal = vobject.readOne((feeds / f"{feed}.ics").read_text(encoding="utf-8"))
    starts = [
        s for t, s in _starts(cal) if t == title and isinstance(s, datetime) and _local_day(s) == start.date()
    ]
    assert len(starts) == 1, (title, starts)
    published = starts[0].astimezone(OSLO)
    assert published == start  # the same instant ...
    assert (published.hour, published.minute, published.utcoffset()) == (start.hour, start.minute, offset)


def test_all_day_events_stay_dates(demo: tuple[str, Path]) -> None:
    _, feeds = demo
    cal = vobject.readOne((feeds / "borgen.ics").read_text(encoding="utf-8"))
    starts = dict(_starts(cal))
    for title, day in (("Loppemarked på torget", "2027-04-17"), ("Vårdugnad på Borgen", "2027-04-24")):
        assert type(starts[title]) is date and starts[title] == d(day)
