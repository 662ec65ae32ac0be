"""The whole path through the real CLI: a loopback server publishes an iCal calendar and an RSS
feed, `aggregator collect` reads them with a settings file, and the feeds it writes are read
back by other parsers (vobject, ical.js, feedparser) and served with proper HTTP caching."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
import time_machine
import vobject
from click.testing import CliRunner
from starlette.testclient import TestClient

from aggregator.cli import cli
from aggregator.settings import load
from aggregator.web import create_app
from tests.conftest import FIXTURES
from tests.icaljs import icaljs
from tests.loopback import Loopback, loopback_server
from tests.pg import pg_schema_url

E2E = FIXTURES / "e2e"
NOW = "2026-10-20T10:00:00Z"


@pytest.fixture
def server() -> Iterator[Loopback]:
    with loopback_server() as srv:
        srv.serve(
            "/borgen.ics",
            (E2E / "borgen.ics").read_bytes(),
            "text/calendar; charset=utf-8",
            headers={"ETag": '"v1"'},
        )
        srv.serve("/bibliotek.rss", (E2E / "bibliotek.rss").read_bytes(), "application/rss+xml")
        yield srv


@pytest.fixture
def settings_file(tmp_path: Path, server: Loopback) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(
        f"""
[aggregator]
base_url = "http://127.0.0.1:8000"
allow_networks = ["127.0.0.0/8"]  # the loopback test server
host_interval = "0s"

[sources.naermiljo]
adapter = "ical"
url = "{server.url("/borgen.ics")}"
every = "1h"
categories = ["nærmiljø"]

[sources.bibliotek]
adapter = "rss"
url = "{server.url("/bibliotek.rss")}"
audience = ["alle"]

[feeds.borgen]
title = "Borgen innbyggertorg"
description = "Det som skjer på Borgen"
places = ["Borgen innbyggertorg", "Borgen nærmiljøsentral", "Borgen bibliotek"]

[feeds.asker]
title = "Asker"
""",
        encoding="utf-8",
    )
    return path


def run_cli(settings: Path, *args: str, when: str = NOW) -> tuple[int, str]:
    with time_machine.travel(when, tick=False):
        result = CliRunner().invoke(cli, ["--settings", str(settings), *args], catch_exceptions=False)
    return result.exit_code, result.output


def vevents(path: Path) -> dict[tuple[str, str], vobject.base.Component]:
    cal = vobject.readOne(path.read_text(encoding="utf-8"))
    return {(ev.summary.value, ev.dtstart.value.isoformat()): ev for ev in cal.vevent_list}


def test_collect_publish_serve(settings_file: Path, server: Loopback) -> None:
    code, out = run_cli(settings_file, "collect")
    assert code == 0, out
    assert "naermiljo: 6 events" in out and "bibliotek: 2 events" in out
    feeds = settings_file.parent / "feeds"
    assert sorted(p.name for p in feeds.iterdir()) == sorted(
        [f"{f}.{e}" for f in ("borgen", "asker") for e in ("ics", "rss", "atom", "json")]
        + [f"{f}-changes.{e}" for f in ("borgen", "asker") for e in ("rss", "json")]  # issue 4
    )

    # vobject reads the wall clock in Europe/Oslo on both sides of the DST change
    borgen = vevents(feeds / "borgen.ics")
    keys = {(title, start[:19]) for title, start in borgen}
    assert ("Språkkafé", "2026-10-21T18:00:00") in keys  # CEST
    assert ("Språkkafé", "2026-10-28T18:00:00") in keys  # CET, same wall clock
    assert ("Språkkafé (flyttet til kl. 19)", "2026-11-11T19:00:00") in keys
    assert not any(start.startswith("2026-11-04") for _, start in keys)  # EXDATE
    assert ("AVLYST: Språkkafé", "2026-11-18T18:00:00") in keys
    assert ("Høstdugnad på torget", "2026-11-21") in keys
    assert ("Informasjonsmøte om Borgen", "2027-03-30T18:00:00") in keys  # 16:00Z in CEST
    assert ("Lesestund for de minste", "2026-10-28T10:00:00") in keys
    assert not any(title.startswith("Forfattermøte") for title, _ in keys)  # not at Borgen
    cancelled = next(ev for (title, _), ev in borgen.items() if title.startswith("AVLYST"))
    assert cancelled.status.value == "CANCELLED"
    assert "Forfattermøte i Asker sentrum" in {t for t, _ in vevents(feeds / "asker.ics")}

    # ical.js (Thunderbird) agrees on the instants
    parsed = icaljs(feeds / "borgen.ics")
    assert parsed["method"] == "PUBLISH" and parsed["timezones"] == ["Europe/Oslo"]
    by_title = {(e["summary"], e["start"]["value"][:10]): e for e in parsed["events"]}
    assert by_title[("Språkkafé", "2026-10-28")]["start"]["oslo"].startswith("2026-10-28T18:00:00")
    assert by_title[("Informasjonsmøte om Borgen", "2027-03-30")]["start"]["epoch"] == 1806422400

    # RSS and Atom read cleanly with feedparser; the JSON Feed has its items in start order
    for ext in ("rss", "atom"):
        parsed_feed = feedparser.parse(io.BytesIO((feeds / f"asker.{ext}").read_bytes()))
        assert parsed_feed.bozo == 0, parsed_feed.get("bozo_exception")
        assert any("Lesestund" in entry.title for entry in parsed_feed.entries)
    jf = json.loads((feeds / "asker.json").read_text(encoding="utf-8"))
    assert jf["version"] == "https://jsonfeed.org/version/1.1"
    titles = [item["title"] for item in jf["items"]]
    assert any("Lesestund" in t for t in titles) and not any("åpningstider" in t for t in titles)

    # served with caching headers and 304s
    client = TestClient(create_app(load(settings_file)))
    resp = client.get("/feeds/borgen.ics")
    assert resp.status_code == 200 and resp.headers["content-type"] == "text/calendar; charset=utf-8"
    assert resp.content == (feeds / "borgen.ics").read_bytes()
    assert client.get("/feeds/borgen.ics", headers={"If-None-Match": resp.headers["etag"]}).status_code == 304

    # publishing again from the same store gives byte-identical files
    before = {p.name: p.read_bytes() for p in feeds.iterdir()}
    assert run_cli(settings_file, "publish", when="2026-10-20T15:00:00Z")[0] == 0
    assert {p.name: p.read_bytes() for p in feeds.iterdir()} == before


def test_a_broken_source_keeps_its_events_and_others_run(settings_file: Path, server: Loopback) -> None:
    assert run_cli(settings_file, "collect")[0] == 0
    feeds = settings_file.parent / "feeds"
    server.serve("/borgen.ics", b"<!DOCTYPE html><html><body>Logg inn</body></html>", "text/html")
    code, out = run_cli(settings_file, "collect", when="2026-10-20T12:00:00Z")
    assert code == 0  # one source failed, the other ran
    assert "naermiljo: FAILED: ParseError: got an HTML page" in out and "bibliotek: unchanged" in out
    assert "Språkkafé" in {t for t, _ in vevents(feeds / "borgen.ics")}
    code, out = run_cli(settings_file, "sources")
    assert code == 0 and "failed" in out and "ParseError" in out

    # the conditional request: the ETag from the first good run was sent back
    ics_hits = [h for h in server.hits if h.path == "/borgen.ics"]
    assert ics_hits[0].headers.get("if-none-match") is None
    assert ics_hits[1].headers.get("if-none-match") == '"v1"'
    assert "aggregator" in ics_hits[0].headers["user-agent"]


def test_unchanged_source_is_not_parsed_again(settings_file: Path, server: Loopback) -> None:
    run_cli(settings_file, "collect")
    code, out = run_cli(settings_file, "collect", when="2026-10-20T11:00:00Z")
    assert code == 0 and "naermiljo: unchanged" in out and "bibliotek: unchanged" in out


def test_check_prints_events_and_skips_without_writing(settings_file: Path) -> None:
    code, out = run_cli(settings_file, "check", "bibliotek")
    assert code == 0, out
    assert "Lesestund for de minste" in out and "2026-10-28 10:00" in out
    assert "skipped" in out and "no event time" in out
    assert not (settings_file.parent / "aggregator.db").exists()
    assert not (settings_file.parent / "feeds").exists()


def test_broken_settings_never_start(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[sources.x]\nadapter = "ical"\nevery = "6 hours"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--settings", str(path), "run"])
    assert result.exit_code == 2
    assert "sources.x.every: '6 hours' is not a duration" in result.output
    assert "sources.x.url: is required by the ical adapter" in result.output
    assert "Traceback" not in result.output


@pytest.mark.postgres
def test_the_whole_path_on_postgresql(
    settings_file: Path, server: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same collect -> cluster -> publish -> change path with PostgreSQL as the store."""
    with pg_schema_url() as url:
        monkeypatch.setenv("AGGREGATOR_DATABASE", url)
        code, out = run_cli(settings_file, "collect")
        assert code == 0, out
        assert "naermiljo: 6 events" in out and "bibliotek: 2 events" in out
        feeds = settings_file.parent / "feeds"
        keys = {(title, start[:19]) for title, start in vevents(feeds / "borgen.ics")}
        assert ("Språkkafé", "2026-10-28T18:00:00") in keys
        assert ("Informasjonsmøte om Borgen", "2027-03-30T18:00:00") in keys
        first = (feeds / "borgen.ics").read_bytes()
        # a changed calendar: the moved café keeps its UID and gets a higher SEQUENCE
        moved = (E2E / "borgen.ics").read_bytes().replace(b"20261021T180000", b"20261021T190000", 1)
        moved = moved.replace(b"20261021T200000", b"20261021T210000", 1)
        server.serve("/borgen.ics", moved, "text/calendar; charset=utf-8", headers={"ETag": '"v2"'})
        code, out = run_cli(settings_file, "collect", when="2026-10-20T13:00:00Z")
        assert code == 0, out
        second = vevents(feeds / "borgen.ics")
        cafe = next(ev for (title, start), ev in second.items() if start.startswith("2026-10-21"))
        assert cafe.dtstart.value.hour == 19 and int(cafe.sequence.value) >= 1
        before = {ev.uid.value for ev in vobject.readOne(first.decode()).vevent_list}
        assert cafe.uid.value in before
        assert run_cli(settings_file, "sources")[0] == 0


def test_check_warns_about_shifted_times_and_missing_ends(tmp_path: Path) -> None:
    """A TicketCo-like calendar whose times were written in UTC as if local (18:30 -> 04:30...)
    and without ends: `check` tells the operator what to look at."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN"]
    for day in (3, 4, 5, 6):
        lines += [
            "BEGIN:VEVENT",
            f"UID:natt-{day}@ticket.example",
            "DTSTAMP:20261001T080000Z",
            f"DTSTART:202611{day:02d}T033000Z",
            f"SUMMARY:Konsert {day}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    cal = tmp_path / "natt.ics"
    cal.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    settings = tmp_path / "settings.toml"
    settings.write_text('[sources.natt]\nadapter = "ical"\nurl = "natt.ics"\n', encoding="utf-8")
    code, out = run_cli(settings, "check", "natt")
    assert code == 0, out
    assert "4 of 4 timed events have no end" in out
    assert "start between 00:00 and 07:00 local time" in out and "clock policy" in out
