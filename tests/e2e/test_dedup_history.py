"""Scripted histories through the CLI and the published files (issue 4): one event, once.

Two loopback calendars in Google Calendar's shape: DNT Asker (priority 10) and Borgen
nærmiljøsentral (priority 6), which repeats DNT's Sunday tour with the same sign-up link. Each
step changes what the server answers, runs `aggregator collect` at an injected time and reads
the published .ics (vobject and ical.js), the JSON Feed and the changes feeds:

- the tour is published once, under one UID, with "Også oppført hos" and ``also_listed_by``;
- a move keeps the UID, bumps SEQUENCE once, sets LAST-MODIFIED and says "FLYTTET fra";
- an unchanged run keeps every byte; the canonical copy disappearing keeps the UID;
- a cancellation gives STATUS:CANCELLED, "AVLYST:" and a changes-feed item;
- a source losing most of its events is held ("held (8)" in `aggregator sources`) until
  `aggregator sources confirm`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
import time_machine
import vobject
from click.testing import CliRunner

from aggregator.cli import cli
from tests.icaljs import icaljs
from tests.loopback import Loopback, loopback_server

SIGNUP = "https://www.dnt.no/aktiviteter/4711/"


@dataclass(frozen=True)
class Ev:
    uid: str
    title: str
    start: str  # local wall clock, YYYYMMDDTHHMMSS in Europe/Oslo
    end: str
    location: str = "Borgen innbyggertorg, Søndre Borgen 11, 1388 Borgen"
    description: str = ""
    url: str | None = None
    status: str | None = None


def calendar(name: str, events: list[Ev], stamp: int) -> bytes:
    """A Google Calendar export; DTSTAMP moves on every request, as Google's does."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{name}",
        "X-WR-TIMEZONE:Europe/Oslo",
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"DTSTART;TZID=Europe/Oslo:{e.start}",
            f"DTEND;TZID=Europe/Oslo:{e.end}",
            f"DTSTAMP:20261020T{stamp:06d}Z",
            f"UID:{e.uid}",
            f"SUMMARY:{e.title}",
            f"LOCATION:{e.location.replace(',', chr(92) + ',')}",
        ]
        if e.description:
            lines.append("DESCRIPTION:" + e.description.replace(",", "\\,"))
        if e.url:
            lines.append(f"URL:{e.url}")
        if e.status:
            lines.append(f"STATUS:{e.status}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


TOUR_DNT = Ev(
    "dnt-4711@dnt.no",
    "Søndagstur fra Borgen til Vardåsen",
    "20261108T100000",
    "20261108T140000",
    description="Vi går fra Borgen innbyggertorg til Vardåsen. Ta med niste. Påmelding: " + SIGNUP,
    url=SIGNUP,
)
NIGHT_DNT = Ev(
    "dnt-4712@dnt.no", "Kveldstur med hodelykt", "20261112T180000", "20261112T200000", url=SIGNUP + "x"
)
TOUR_NMS = Ev(
    "abc123@google.com",
    "Søndagstur til Vardåsen med DNT Asker",
    "20261108T100000",
    "20261108T140000",
    description="Bli med DNT Asker! Meld deg på: " + SIGNUP,
)
CAFE = Ev("cafe1105@google.com", "Språkkafé", "20261105T180000", "20261105T200000")
# Autumn and winter evenings at the centre, on both sides of the DST change of 2026-10-25.
EXTRA = [
    Ev(
        f"strikk{n}@google.com",
        "Strikkekafé",
        f"202610{21 + 2 * n:02d}T180000",
        f"202610{21 + 2 * n:02d}T200000",
    )
    for n in range(5)
] + [
    Ev(f"quiz{n}@google.com", "Quizkveld", f"202611{13 + n:02d}T190000", f"202611{13 + n:02d}T210000")
    for n in range(3)
]


@dataclass
class World:
    server: Loopback
    settings: Path
    feeds: Path
    stamp: int = 0

    def answer(self, dnt: list[Ev], nms: list[Ev]) -> None:
        self.stamp += 1
        self.server.serve("/dnt.ics", calendar("DNT Asker", dnt, self.stamp), "text/calendar; charset=utf-8")
        self.server.serve(
            "/nms.ics", calendar("Borgen nærmiljøsentral", nms, self.stamp), "text/calendar; charset=utf-8"
        )

    def cli(self, *args: str, when: str) -> str:
        with time_machine.travel(when, tick=False):
            result = CliRunner().invoke(
                cli, ["--settings", str(self.settings), *args], catch_exceptions=False
            )
        assert result.exit_code == 0, result.output
        return result.output

    def collect(self, when: str) -> str:
        return self.cli("collect", "dnt-asker", "naermiljosentral", when=when)

    def ics(self) -> dict[str, vobject.base.Component]:
        cal = vobject.readOne((self.feeds / "borgen.ics").read_text(encoding="utf-8"))
        icaljs(self.feeds / "borgen.ics")  # ical.js must read every step too
        return {ev.uid.value: ev for ev in cal.vevent_list}

    def tours(self) -> list[vobject.base.Component]:
        return [ev for ev in self.ics().values() if "Vardåsen" in ev.summary.value]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with loopback_server() as server:
        settings = tmp_path / "settings.toml"
        settings.write_text(
            f"""
[aggregator]
base_url = "http://127.0.0.1:8000"
allow_networks = ["127.0.0.0/8"]
host_interval = "0s"

[sources.dnt-asker]
adapter = "ical"
url = "{server.url("/dnt.ics")}"
priority = 10

[sources.naermiljosentral]
adapter = "ical"
url = "{server.url("/nms.ics")}"
priority = 6

[feeds.borgen]
title = "Borgen innbyggertorg"
places = ["Borgen innbyggertorg"]
""",
            encoding="utf-8",
        )
        yield World(server, settings, tmp_path / "feeds")


def test_history_of_a_duplicated_tour(world: World) -> None:
    world.answer([TOUR_DNT, NIGHT_DNT], [TOUR_NMS, CAFE, *EXTRA])
    world.collect("2026-10-20T08:00:00Z")
    [tour] = world.tours()
    uid = tour.uid.value
    assert tour.summary.value == TOUR_DNT.title  # DNT has the higher priority
    assert tour.sequence.value == "0"
    assert "Også oppført hos: naermiljosentral" in tour.description.value
    jf = json.loads((world.feeds / "borgen.json").read_text(encoding="utf-8"))
    [item] = [i for i in jf["items"] if i["id"] == uid]
    assert item["_aggregator"]["also_listed_by"] == [{"source": "naermiljosentral", "url": None}]
    assert item["_aggregator"]["source"] == "dnt-asker"
    first = (world.feeds / "borgen.ics").read_text(encoding="utf-8")

    # an unchanged run (only DTSTAMP moved upstream) keeps every byte
    world.answer([TOUR_DNT, NIGHT_DNT], [TOUR_NMS, CAFE, *EXTRA])
    world.collect("2026-10-20T09:00:00Z")
    assert (world.feeds / "borgen.ics").read_text(encoding="utf-8") == first

    # DNT moves the tour an hour later: same UID, SEQUENCE once, LAST-MODIFIED, FLYTTET
    moved = Ev(**{**TOUR_DNT.__dict__, "start": "20261108T110000", "end": "20261108T150000"})
    world.answer([moved, NIGHT_DNT], [TOUR_NMS, CAFE, *EXTRA])
    world.collect("2026-10-20T10:00:00Z")
    [tour] = world.tours()
    assert tour.uid.value == uid and tour.sequence.value == "1"
    assert tour.dtstart.value.strftime("%H:%M") == "11:00"
    assert tour.last_modified.value.isoformat() == "2026-10-20T10:00:00+00:00"
    assert tour.description.value.startswith("FLYTTET fra søn. 8. nov. kl. 10.00.")
    cafe_before = world.ics()
    # the move is in the changes feed, dated by the change
    changes = feedparser.parse(io.BytesIO((world.feeds / "borgen-changes.rss").read_bytes()))
    assert changes.bozo == 0
    assert changes.entries[0].title.startswith("Flyttet: Søndagstur fra Borgen til Vardåsen")
    assert changes.entries[0].published.startswith("Tue, 20 Oct 2026 10:00")

    # a second run with the same data changes nothing: SEQUENCE moved exactly once
    world.answer([moved, NIGHT_DNT], [TOUR_NMS, CAFE, *EXTRA])
    world.collect("2026-10-20T11:00:00Z")
    assert world.tours()[0].sequence.value == "1"

    # DNT drops the tour (two complete runs an hour apart): the lower-priority copy becomes
    # canonical and the subscriber's event keeps its UID
    world.answer([NIGHT_DNT], [TOUR_NMS, CAFE, *EXTRA])
    world.collect("2026-10-20T12:00:00Z")
    world.answer([NIGHT_DNT], [TOUR_NMS, CAFE, *EXTRA])
    world.collect("2026-10-20T13:30:00Z")
    [tour] = world.tours()
    assert tour.uid.value == uid
    assert tour.summary.value == TOUR_NMS.title and tour.status.value != "CANCELLED"
    assert int(tour.sequence.value) == 2
    # the other events kept every property through all of this
    after = world.ics()
    cafe_uid = next(u for u, ev in cafe_before.items() if ev.summary.value == "Språkkafé")
    assert after[cafe_uid].serialize() == cafe_before[cafe_uid].serialize()

    # the café is cancelled: STATUS:CANCELLED, AVLYST:, a higher SEQUENCE, a changes item
    cancelled = Ev(**{**CAFE.__dict__, "status": "CANCELLED"})
    world.answer([NIGHT_DNT], [TOUR_NMS, cancelled, *EXTRA])
    world.collect("2026-10-21T07:00:00Z")
    cafe = world.ics()[cafe_uid]
    assert cafe.status.value == "CANCELLED" and cafe.summary.value == "AVLYST: Språkkafé"
    assert cafe.sequence.value == "1"
    jchanges = json.loads((world.feeds / "borgen-changes.json").read_text(encoding="utf-8"))
    newest = jchanges["items"][0]
    assert newest["title"].startswith("AVLYST: Språkkafé") and newest["_aggregator"]["kind"] == "cancelled"
    assert newest["date_published"] == "2026-10-21T07:00:00Z"


def test_a_large_removal_is_held_until_confirmed(world: World) -> None:
    world.answer([TOUR_DNT, NIGHT_DNT], [TOUR_NMS, CAFE, *EXTRA])
    world.collect("2026-10-20T08:00:00Z")
    before = world.ics()
    assert sum(ev.summary.value in ("Strikkekafé", "Quizkveld") for ev in before.values()) == 8

    # the centre's calendar suddenly lists 2 of its 10 events, in two runs hours apart
    for when in ("2026-10-20T09:00:00Z", "2026-10-20T12:00:00Z"):
        world.answer([TOUR_DNT, NIGHT_DNT], [TOUR_NMS, CAFE])
        world.collect(when)
        assert "held (8)" in world.cli("sources", when=when)
    after = world.ics()
    assert all(ev.status.value != "CANCELLED" for ev in after.values() if "CANCELLED" not in ev.summary.value)
    assert sum(ev.summary.value in ("Strikkekafé", "Quizkveld") for ev in after.values()) == 8
    world.cli("sources", "confirm", "naermiljosentral", when="2026-10-20T12:10:00Z")
    gone = [ev for ev in world.ics().values() if ev.summary.value.endswith(("Strikkekafé", "Quizkveld"))]
    assert len(gone) == 8
    assert all(ev.status.value == "CANCELLED" and ev.summary.value.startswith("AVLYST: ") for ev in gone)
    assert "held" not in world.cli("sources", when="2026-10-20T12:15:00Z")


def test_operator_split_and_merge_persist_across_runs(world: World) -> None:
    world.answer([TOUR_DNT, NIGHT_DNT], [TOUR_NMS, CAFE])
    world.collect("2026-10-20T08:00:00Z")
    [tour] = world.tours()
    uid = tour.uid.value
    explained = world.cli("dedup", "explain", uid, when="2026-10-20T08:01:00Z")
    assert "naermiljosentral" in explained and "shared link" in explained

    world.cli("dedup", "split", uid, "naermiljosentral", when="2026-10-20T08:02:00Z")
    tours = world.tours()
    assert len(tours) == 2 and uid in {t.uid.value for t in tours}
    # a re-import does not undo the operator's split
    world.answer([TOUR_DNT, NIGHT_DNT], [TOUR_NMS, CAFE])
    world.collect("2026-10-20T09:00:00Z")
    assert len(world.tours()) == 2

    other = next(t.uid.value for t in world.tours() if t.uid.value != uid)
    world.cli("dedup", "merge", uid, other, when="2026-10-20T09:30:00Z")
    [tour] = world.tours()
    assert tour.uid.value == uid
    world.collect("2026-10-20T10:00:00Z")
    assert [t.uid.value for t in world.tours()] == [uid]
