"""Hostile input through the whole pipeline (loopback fetch, parse, normalise, store, publish).

Every file of ../shared/corpus/badinputs (read in place; see its SOURCES.md) is served as one
source's response next to a healthy seeded source: zero crashes (no "adapter crashed"), zero
hangs past the deadline, zero events lost from the healthy source, no local file read (the
canary). A Hypothesis test mutates a valid Borgen calendar and runs it through collect.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.collect import collect_source
from aggregator.cycle import run_cycle
from aggregator.fetch import Fetcher
from aggregator.store import Store
from tests.collection.faultserver import FaultServer, fault_server, reply
from tests.collection.harness import NOW, calendar, fetcher_for, published, settings_for
from tests.conftest import BADINPUTS, FIXTURES

CANARY = Path("/tmp/badinputs-canary-feed.xml")
CANARY_TITLE = "KANARIFUGL lest fra lokal fil"
#: corpus folder -> (adapter, content type it is served with)
KINDS = {
    "ical": ("ical", "text/calendar"),
    "feeds": ("rss", "application/rss+xml"),
    "xml-bombs": ("rss", "application/xml"),
    "jsonld": ("jsonld", "text/html; charset=utf-8"),
    "json": ("tribe", "application/json"),
}


def corpus_files() -> list[Path]:
    if not BADINPUTS.is_dir():
        return []
    return sorted(
        p
        for kind in KINDS
        for p in (BADINPUTS / kind).rglob("*")
        if p.is_file() and not p.name.endswith(".md")
    )


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as srv:
        yield srv


def test_every_hostile_file_through_the_pipeline(server: FaultServer, tmp_path: Path) -> None:
    files = corpus_files()
    if not files:
        pytest.skip(f"the bad-input corpus is absent ({BADINPUTS}); nothing to test")
    CANARY.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>k</title><item>'
        f"<title>{CANARY_TITLE}</title><pubDate>Tue, 20 Oct 2026 10:00:00 GMT</pubDate>"
        "<link>https://borgen.test/k</link></item></channel></rss>",
        encoding="utf-8",
    )
    server.routes["/borgen.ics"] = reply(
        200, calendar("borgen", "Borgen innbyggertorg"), {"Content-Type": "text/calendar"}
    )
    urls = {"borgen": server.url("/borgen.ics")}
    per_source: dict[str, dict[str, object]] = {}
    for n, path in enumerate(files):
        kind = path.relative_to(BADINPUTS).parts[0]
        adapter, ctype = KINDS[kind]
        sid = f"bad-{n:03d}"
        server.routes[f"/bad/{n}"] = reply(200, path.read_bytes(), {"Content-Type": ctype})
        urls[sid] = server.url(f"/bad/{n}")
        per_source[sid] = {"adapter": adapter}
    settings = settings_for(tmp_path, {"borgen": urls.pop("borgen")})
    store = Store(settings.database)
    try:
        with fetcher_for(settings) as fetcher:
            seeded = run_cycle(settings, store, fetcher, list(settings.sources.values()), lambda: NOW)
        assert seeded.reports[0].outcome == "ok"
        before = published(settings, store)
        hostile = settings_for(
            tmp_path, {"borgen": settings.sources["borgen"].url or "", **urls}, **per_source
        )
        started = time.monotonic()
        with fetcher_for(hostile) as fetcher:
            cycle = run_cycle(
                hostile, store, fetcher, list(hostile.sources.values()), lambda: NOW.replace(hour=9)
            )
        took = time.monotonic() - started
        crashed = [
            f"{files[int(r.source_id[4:])].name}: {r.error}"
            for r in cycle.reports
            if "crashed" in (r.error or "")
        ]
        assert crashed == []
        assert len(cycle.reports) == len(files) + 1 > 150
        outcomes = {r.outcome for r in cycle.reports}
        assert outcomes <= {"ok", "failed", "unchanged"} and "failed" in outcomes and "ok" in outcomes
        after = published(hostile, store, NOW.replace(hour=9))
        assert before <= after  # not one event of the healthy source lost
        assert CANARY_TITLE not in after and not any(CANARY_TITLE in r.summary() for r in cycle.reports)
        assert all(CANARY_TITLE not in e.title for r in cycle.reports for e in r.events)
        # JSON NaN and lone surrogates never reach the output (they must not survive as text)
        for r in cycle.reports:
            for e in r.events:
                assert not re.search(r"[\ud800-\udfff]", e.title + (e.description or ""))
        assert took < 45, f"the hostile cycle took {took:.0f} s"
    finally:
        store.close()
        CANARY.unlink(missing_ok=True)


BORGEN = (FIXTURES / "e2e" / "borgen.ics").read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cuts=st.lists(st.tuples(st.integers(0, len(BORGEN)), st.integers(0, 200)), max_size=3),
    inserts=st.lists(st.tuples(st.integers(0, len(BORGEN)), st.binary(max_size=40)), max_size=3),
    flips=st.lists(st.tuples(st.integers(0, len(BORGEN) - 1), st.integers(0, 255)), max_size=5),
)
def test_mutated_calendars_never_crash_collect(
    tmp_path: Path,
    cuts: list[tuple[int, int]],
    inserts: list[tuple[int, bytes]],
    flips: list[tuple[int, int]],
) -> None:
    body = bytearray(BORGEN)
    for at, value in flips:
        if at < len(body):
            body[at] = value
    for at, length in cuts:
        del body[at : at + length]
    for at, data in inserts:
        body[at:at] = data
    mutated = bytes(body)
    settings_ = settings_for(tmp_path, {"naermiljo": "https://borgen.test/kalender.ics"})
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, content=mutated, headers={"content-type": "text/calendar"})
    )
    with Fetcher(settings_.user_agent, transport=transport) as fetcher:
        report = collect_source(settings_, settings_.sources["naermiljo"], None, fetcher, NOW)
    assert report.outcome in ("ok", "failed")
    assert "crashed" not in (report.error or ""), report.error
    for ev in report.events:
        assert ev.start.tzinfo is not None and ev.uid
