"""Fault injection over a real loopback server: one misbehaving source among healthy ones.

Each fault must end in a recorded error naming the source and the cause, leave the other
sources' runs untouched, and keep every event stored before published (design §5: a failed
fetch never removes anything).
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aggregator.store import Store
from tests.collection.faultserver import (
    Behaviour,
    FaultServer,
    drip,
    endless,
    fault_server,
    reply,
    reset_mid_body,
)
from tests.collection.harness import HEALTHY, NOW, calendar, cycle, published, settings_for

ICS = {"Content-Type": "text/calendar; charset=utf-8"}
FLAKY = calendar("flaky", "Borgen nærmiljøsentral")
BOMB = gzip.compress(b"BEGIN:VCALENDAR\r\n" + b"\0" * 30_000_000, compresslevel=9)


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with fault_server() as srv:
        yield srv


def _faults() -> dict[str, tuple[Callable[[], Behaviour], str]]:
    """fault name -> (behaviour, a words the recorded error must contain)"""
    return {
        "slow drip": (lambda: drip(0.4), "deadline"),
        "never-ending body": (lambda: endless(), "larger than 100000 bytes"),
        "gzip bomb": (
            lambda: reply(200, BOMB, {"Content-Type": "text/calendar", "Content-Encoding": "gzip"}),
            "larger than 100000 bytes (after decoding)",
        ),
        "ten times the cap": (lambda: reply(200, calendar("stor", "Borgen", 2) * 400, ICS), "larger than"),
        "reset mid-body": (lambda: reset_mid_body(FLAKY * 20), "Connection reset"),
        "500": (lambda: reply(500, b"oops", {"Content-Type": "text/plain"}), "HTTP 500"),
        "503 with Retry-After": (
            lambda: reply(503, b"busy", {"Retry-After": "120", "Content-Type": "text/plain"}),
            "HTTP 503 (retry after 120",
        ),
        "429": (lambda: reply(429, b"slow down", {"Content-Type": "text/plain"}), "HTTP 429"),
        "redirect loop": (lambda: reply(302, b"", {"Location": "/flaky.ics"}), "more than 5 redirects"),
        "redirect to a private address": (
            lambda: reply(301, b"", {"Location": "http://169.254.169.254/latest/meta-data/"}),
            "169.254.169.254 is not a public address (link-local",
        ),
        "redirect to a private network": (
            lambda: reply(307, b"", {"Location": "http://10.20.30.40/kalender.ics"}),
            "10.20.30.40 is not a public address (private",
        ),
        "HTML where iCal was expected": (
            lambda: reply(
                200,
                "<!doctype html><html><head><title>Logg inn – Asker kommune</title></head>"
                "<body><form>Passord</form></body></html>".encode(),
                {"Content-Type": "text/html; charset=utf-8"},
            ),
            "ParseError",
        ),
        "empty 200": (lambda: reply(200, b"", ICS), "ParseError"),
        "truncated calendar": (lambda: reply(200, FLAKY[: len(FLAKY) * 2 // 3], ICS), "ParseError"),
    }


FAULTS = _faults()


@pytest.mark.parametrize("fault", list(FAULTS))
def test_one_faulty_source_among_healthy_ones(fault: str, server: FaultServer, tmp_path: Path) -> None:
    behaviour, cause = FAULTS[fault]
    prefix = "/" + fault.replace(" ", "-")
    urls = {sid: server.url(f"{prefix}/{sid}.ics") for sid in HEALTHY}
    urls["flaky"] = server.url(f"{prefix}/flaky.ics")
    for sid, place in HEALTHY.items():
        server.routes[f"{prefix}/{sid}.ics"] = reply(200, calendar(sid, place), ICS)
    server.routes[f"{prefix}/flaky.ics"] = reply(200, FLAKY, ICS)
    settings = settings_for(tmp_path, urls)
    store = Store(settings.database)
    try:
        first = cycle(settings, store)
        assert [r.outcome for r in first.reports] == ["ok"] * 4
        before = published(settings, store)
        assert len(before) == 12

        server.routes[f"{prefix}/flaky.ics"] = behaviour()
        if fault == "redirect loop":
            server.routes[f"{prefix}/flaky.ics"] = reply(302, b"", {"Location": f"{prefix}/flaky.ics"})
        started = time.monotonic()
        second = cycle(settings, store, NOW.replace(hour=10))
        took = time.monotonic() - started
        by_id = {r.source_id: r for r in second.reports}

        assert by_id["flaky"].outcome == "failed"
        assert cause in (by_id["flaky"].error or ""), by_id["flaky"].error
        assert all(by_id[sid].outcome in ("ok", "unchanged") for sid in HEALTHY)
        # recorded: the run row names the source and the cause, and so does its state
        run = store.last_runs("flaky", 1)[0]
        assert run.source_id == "flaky" and run.outcome == "failed" and cause in (run.error or "")
        state = store.source_state("flaky")
        assert state.health == "failing" and cause in (state.last_error or "")
        # nothing stored before is lost: the flaky source's own events included
        assert published(settings, store, NOW.replace(hour=10)) == before
        # no hang: the 2 s deadline bounds the drip (one request, not retried)
        assert took < 6, f"{fault} took {took:.1f} s"
    finally:
        store.close()


def test_5xx_is_retried_with_backoff_within_the_run(server: FaultServer, tmp_path: Path) -> None:
    answers = iter([reply(500, b"", {}), reply(502, b"", {}), reply(200, FLAKY, ICS)])
    server.routes["/retry/flaky.ics"] = lambda sock, hit: next(answers)(sock, hit)
    settings = settings_for(tmp_path, {"flaky": server.url("/retry/flaky.ics")})
    store = Store(settings.database)
    try:
        [report] = cycle(settings, store).reports
        assert report.outcome == "ok" and len(report.events) == 3
        hits = server.paths("/retry/flaky.ics")
        assert len(hits) == 3
        assert hits[2].at - hits[1].at > hits[1].at - hits[0].at * 1.0 - 1  # later waits are not shorter
    finally:
        store.close()


def test_short_retry_after_is_waited_for_within_the_run(server: FaultServer, tmp_path: Path) -> None:
    answers = iter([reply(429, b"", {"Retry-After": "1"}), reply(200, FLAKY, ICS)])
    server.routes["/ra/flaky.ics"] = lambda sock, hit: next(answers)(sock, hit)
    settings = settings_for(tmp_path, {"flaky": server.url("/ra/flaky.ics")})
    store = Store(settings.database)
    try:
        [report] = cycle(settings, store).reports
        assert report.outcome == "ok"
        first, second = server.paths("/ra/flaky.ics")
        assert second.at - first.at >= 0.95
    finally:
        store.close()


def test_wrong_charset_claim_still_reads_norwegian_letters(server: FaultServer, tmp_path: Path) -> None:
    # A common misconfiguration: a cp1252 file served as UTF-8. Response.text() falls back.
    body = FLAKY.decode().encode("cp1252")
    server.routes["/charset/flaky.ics"] = reply(200, body, ICS)
    settings = settings_for(tmp_path, {"flaky": server.url("/charset/flaky.ics")})
    store = Store(settings.database)
    try:
        [report] = cycle(settings, store).reports
        assert report.outcome == "ok"
        assert {e.title for e in report.events} >= {"Strikkekafé på Kafé KIME nr. 1"}
        assert all("Søndre Borgen 11" in (e.location or "") for e in report.events)
    finally:
        store.close()
