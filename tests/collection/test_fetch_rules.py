"""The rest of issue 5's "Fetching" list, over the loopback fault server: redirects to another
host (that host's interval and robots.txt, the shared deadline, the limit, no file: targets),
DNS lookups bounded by the deadline, 429 without Retry-After, Retry-After as an HTTP date,
network errors retried, an unavailable robots.txt, the User-Agent from settings, decoded-size
caps that hold memory down, and hostnames whose DNS answer mixes internal and permitted
addresses.

127.0.0.1 and localhost reach the same server, but to the client they are two hosts (its
robots.txt cache, host gate and host_key go by name), which is how "another host" is staged.
"""

from __future__ import annotations

import gzip
import itertools
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import timedelta
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from aggregator.cycle import CycleReport, run_cycle
from aggregator.errors import PermanentFetchError
from aggregator.fetch import Fetcher, TooLarge
from aggregator.model import Request
from aggregator.settings import Settings
from aggregator.store import Store
from tests.collection.faultserver import (
    FaultServer,
    after,
    by_host,
    drip,
    fault_server,
    host_of,
    reply,
    reset_before_headers,
)
from tests.collection.harness import HEALTHY, NOW, calendar, cycle, fetcher_for, published, settings_for

ICS = {"Content-Type": "text/calendar; charset=utf-8"}
TEXT = {"Content-Type": "text/plain"}


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as srv:
        for sid, place in HEALTHY.items():
            srv.routes[f"/{sid}.ics"] = reply(200, calendar(sid, place), ICS)
        yield srv


def _run(settings: Settings, store: Store, fetcher: Fetcher, when: Any = NOW) -> CycleReport:
    return run_cycle(settings, store, fetcher, list(settings.sources.values()), lambda: when)


# -- (a) a redirect to another host is a request to that host -------------------------------


def test_redirect_to_another_host_waits_for_that_hosts_interval(server: FaultServer, tmp_path: Path) -> None:
    # Borgen's calendar moved to the municipality's host (localhost here), where the library's
    # calendar already lives: the redirected request must queue behind the library's.
    target = server.url("/ny/borgen.ics", host="localhost")
    server.routes["/borgen.ics"] = by_host({"127.0.0.1": reply(301, b"", {"Location": target})})
    server.routes["/ny/borgen.ics"] = reply(200, calendar("borgen", "Borgen innbyggertorg"), ICS)
    urls = {"borgen": server.url("/borgen.ics"), "bibliotek": server.url("/bibliotek.ics", host="localhost")}
    settings = settings_for(tmp_path, urls, {"host_interval": "1s", "max_concurrency": 4})
    store = Store(settings.database)
    try:
        reports = cycle(settings, store).reports
        assert [r.outcome for r in reports] == ["ok", "ok"]
        local = [h for h in server.hits if host_of(h) == "localhost"]
        assert sorted(h.path for h in local) == ["/bibliotek.ics", "/ny/borgen.ics", "/robots.txt"]
        times = sorted(h.at for h in local)
        assert all(b - a >= 0.95 for a, b in itertools.pairwise(times)), times
        assert {e.title for e in reports[0].events} == {f"Språkkafé nr. {n}" for n in (1, 2, 3)}
    finally:
        store.close()


def test_redirect_target_is_checked_against_its_own_hosts_robots_txt(
    server: FaultServer, tmp_path: Path
) -> None:
    server.routes["/robots.txt"] = by_host(
        {"localhost": reply(200, b"User-agent: *\nDisallow: /intern/\n", TEXT)}, reply(404, b"", TEXT)
    )
    target = server.url("/intern/kalender.ics", host="localhost")
    server.routes["/flyttet.ics"] = reply(302, b"", {"Location": target})
    server.routes["/intern/kalender.ics"] = reply(200, calendar("borgen", "Borgen innbyggertorg"), ICS)
    urls = {"forbudt": server.url("/flyttet.ics"), "avtalt": server.url("/flyttet.ics")}
    settings = settings_for(tmp_path, urls, avtalt={"ignore_robots": True})
    store = Store(settings.database)
    try:
        by_id = {r.source_id: r for r in cycle(settings, store).reports}
        assert by_id["forbudt"].outcome == "failed"
        assert f"RobotsDisallowed: robots.txt disallows {target} not fetched" in (
            by_id["forbudt"].error or ""
        )
        # the agreed source follows the same redirect; the other never reached the target
        assert by_id["avtalt"].outcome == "ok" and len(by_id["avtalt"].events) == 3
        assert len(server.paths("/intern/kalender.ics")) == 1
        assert {host_of(h) for h in server.paths("/robots.txt")} == {"127.0.0.1", "localhost"}
    finally:
        store.close()


def test_the_deadline_covers_the_whole_redirect_chain(server: FaultServer, tmp_path: Path) -> None:
    # 1.2 s for the redirect, then a drip: with a per-hop deadline this would take 3.2 s.
    server.routes["/treg.ics"] = after(1.2, reply(302, b"", {"Location": "/drypp.ics"}))
    server.routes["/drypp.ics"] = drip(0.3)
    settings = settings_for(tmp_path, {"treg": server.url("/treg.ics")})
    store = Store(settings.database)
    try:
        started = time.monotonic()
        [report] = cycle(settings, store).reports
        took = time.monotonic() - started
        assert report.outcome == "failed" and "DeadlineExceeded" in (report.error or "")
        assert took < 2.6, took
    finally:
        store.close()


@pytest.mark.parametrize(("hops", "outcome"), [(5, "ok"), (6, "failed")])
def test_five_redirects_are_followed_and_a_sixth_is_not(
    server: FaultServer, tmp_path: Path, hops: int, outcome: str
) -> None:
    for n in range(hops):
        server.routes[f"/hopp{n}.ics"] = reply(302, b"", {"Location": f"/hopp{n + 1}.ics"})
    server.routes[f"/hopp{hops}.ics"] = reply(200, calendar("borgen", "Borgen innbyggertorg"), ICS)
    settings = settings_for(tmp_path, {"borgen": server.url("/hopp0.ics")})
    store = Store(settings.database)
    try:
        [report] = cycle(settings, store).reports
        assert report.outcome == outcome, report.error
        if outcome == "failed":
            assert "more than 5 redirects" in (report.error or "")
            assert server.paths(f"/hopp{hops}.ics") == []
    finally:
        store.close()


def test_a_redirect_to_a_local_file_is_never_followed(server: FaultServer, tmp_path: Path) -> None:
    secret = tmp_path / "hemmelig.ics"
    secret.write_bytes(calendar("flaky", "Kafé KIME"))
    server.routes["/kime.ics"] = reply(302, b"", {"Location": secret.as_uri()})
    settings = settings_for(tmp_path, {"kime": server.url("/kime.ics"), "borgen": server.url("/borgen.ics")})
    store = Store(settings.database)
    try:
        by_id = {r.source_id: r for r in cycle(settings, store).reports}
        assert by_id["kime"].outcome == "failed"
        error = by_id["kime"].error or ""
        assert "redirect to file://" in error and "refused: only http and https" in error
        assert by_id["borgen"].outcome == "ok"
        assert not any("Kafé KIME" in title for title in published(settings, store))
    finally:
        store.close()


# -- (b) DNS lookups end by the deadline ------------------------------------------------------


def test_a_dns_lookup_that_never_answers_is_cut_at_the_deadline(server: FaultServer, tmp_path: Path) -> None:
    release = threading.Event()
    asked: list[str] = []

    def resolver(host: str, port: int, **kw: Any) -> list[Any]:
        asked.append(host)
        if host.endswith(".treg-dns.test"):
            release.wait(30)  # a resolver that never answers (until the test ends)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return socket.getaddrinfo(host, port, **kw)

    urls = {
        "borgen": server.url("/borgen.ics"),
        "uten-robots": server.url("/treg.ics", host="kalender.treg-dns.test"),
        "med-robots": server.url("/treg.ics", host="arrangement.treg-dns.test"),
    }
    settings = settings_for(
        tmp_path, urls, {"fetch_deadline": "1s"}, **{"uten-robots": {"ignore_robots": True}}
    )
    store = Store(settings.database)
    fetcher = Fetcher(
        settings.user_agent,
        deadline=settings.fetch_deadline,
        allow_networks=settings.allow_networks,
        host_interval=0.0,
        resolver=resolver,
    )
    try:
        started = time.monotonic()
        by_id = {r.source_id: r for r in _run(settings, store, fetcher).reports}
        took = time.monotonic() - started
        assert by_id["borgen"].outcome == "ok"
        plain = by_id["uten-robots"].error or ""
        assert plain.startswith("DeadlineExceeded: no complete response within the 1 s deadline")
        assert "DNS lookup of kalender.treg-dns.test not answered" in plain
        # with robots.txt on, it is the robots.txt lookup that hangs: unreachable = disallowed
        robots = by_id["med-robots"].error or ""
        assert "robots.txt unreachable" in robots and "DNS lookup of arrangement.treg-dns.test" in robots
        assert took < 2.5, took  # the two slow hosts run side by side, each cut at 1 s
        assert server.paths("/treg.ics") == []
    finally:
        release.set()
        fetcher.close()
        store.close()


def test_a_hostname_is_connected_only_to_its_permitted_addresses(server: FaultServer, tmp_path: Path) -> None:
    answers = {
        # a DNS answer mixing an internal address with the permitted one: only the latter is used
        "kalender.borgen.test": ["10.0.0.7", "127.0.0.1"],
        # an IPv4-mapped private address is private
        "intern.borgen.test": ["::ffff:10.0.0.7"],
    }

    def resolver(host: str, port: int, **kw: Any) -> list[Any]:
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [(family[6 if ":" in a else 4], socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    urls = {
        "borgen": server.url("/borgen.ics", host="kalender.borgen.test"),
        "intern": server.url("/bibliotek.ics", host="intern.borgen.test"),
    }
    settings = settings_for(tmp_path, urls)
    store = Store(settings.database)
    fetcher = Fetcher(
        settings.user_agent, allow_networks=settings.allow_networks, host_interval=0.0, resolver=resolver
    )
    try:
        by_id = {r.source_id: r for r in _run(settings, store, fetcher).reports}
        assert by_id["borgen"].outcome == "ok" and len(by_id["borgen"].events) == 3
        error = by_id["intern"].error or ""
        assert "AddressRefused" in error and "::ffff:10.0.0.7 is not a public address (private" in error
        assert server.paths("/bibliotek.ics") == []
    finally:
        fetcher.close()
        store.close()


# -- (c) 429 and 503 without Retry-After; Retry-After as a date --------------------------------


def test_429_without_retry_after_is_retried_after_a_short_back_off(
    server: FaultServer, tmp_path: Path
) -> None:
    answers = iter(
        [reply(429, b"For mange", TEXT), reply(200, calendar("borgen", "Borgen innbyggertorg"), ICS)]
    )
    server.routes["/travel.ics"] = lambda sock, hit: next(answers)(sock, hit)
    settings = settings_for(tmp_path, {"borgen": server.url("/travel.ics")})
    store = Store(settings.database)
    with fetcher_for(settings) as fetcher:
        fetcher.retry_base = 0.5  # the first wait is 0.25-0.75 s (±50 % jitter)
        try:
            [report] = _run(settings, store, fetcher).reports
            assert report.outcome == "ok" and len(report.events) == 3
            first, second = server.paths("/travel.ics")
            assert second.at - first.at >= 0.24
        finally:
            store.close()


def test_a_back_off_longer_than_the_deadline_is_left_to_the_next_run(
    server: FaultServer, tmp_path: Path
) -> None:
    server.routes["/travel.ics"] = reply(503, b"Vedlikehold", TEXT)
    settings = settings_for(tmp_path, {"borgen": server.url("/travel.ics")})
    store = Store(settings.database)
    with fetcher_for(settings) as fetcher:
        fetcher.retry_base = 5.0  # at least 2.5 s: more than the 2 s deadline allows
        try:
            started = time.monotonic()
            [report] = _run(settings, store, fetcher).reports
            assert time.monotonic() - started < 1.0
            assert report.outcome == "failed" and "HTTP 503 (retry after ? s)" in (report.error or "")
            assert len(server.paths("/travel.ics")) == 1
        finally:
            store.close()


def test_retry_after_as_an_http_date_backs_off_across_runs(server: FaultServer, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, {"borgen": server.url("/borgen.ics")})
    store = Store(settings.database)
    try:
        assert cycle(settings, store).reports[0].outcome == "ok"
        server.routes["/borgen.ics"] = lambda sock, hit: reply(
            503, b"", {"Retry-After": formatdate(time.time() + 7200, usegmt=True)}
        )(sock, hit)
        later = NOW + timedelta(hours=1)
        [report] = cycle(settings, store, later).reports
        assert report.outcome == "failed" and "HTTP 503 (retry after 7" in (report.error or "")
        until = store.source_state("borgen").backoff_until
        assert until is not None and abs((until - (later + timedelta(hours=2))).total_seconds()) < 5
        assert "backing off" in cycle(settings, store, later + timedelta(hours=1)).skipped["borgen"]
        assert len(server.paths("/borgen.ics")) == 2
    finally:
        store.close()


# -- (f) the rest of the Fetching list ----------------------------------------------------------


def test_a_network_error_is_retried_within_the_run(server: FaultServer, tmp_path: Path) -> None:
    answers = iter([reset_before_headers(), reply(200, calendar("borgen", "Borgen innbyggertorg"), ICS)])
    server.routes["/ustabil.ics"] = lambda sock, hit: next(answers)(sock, hit)
    settings = settings_for(tmp_path, {"borgen": server.url("/ustabil.ics")})
    store = Store(settings.database)
    try:
        [report] = cycle(settings, store).reports
        assert report.outcome == "ok" and len(report.events) == 3
        assert len(server.paths("/ustabil.ics")) == 2
    finally:
        store.close()


def test_an_unavailable_robots_txt_forbids_everything_for_now(server: FaultServer, tmp_path: Path) -> None:
    # RFC 9309 §2.3.1.4: a 5xx robots.txt means "assume complete disallow".
    server.routes["/robots.txt"] = reply(503, b"", TEXT)
    settings = settings_for(tmp_path, {"borgen": server.url("/borgen.ics")})
    store = Store(settings.database)
    try:
        [report] = cycle(settings, store).reports
        assert report.outcome == "failed"
        assert "robots.txt answered HTTP 503" in (report.error or "")
        assert server.paths("/borgen.ics") == []
    finally:
        store.close()


def test_every_request_names_the_service_and_the_contact_url(server: FaultServer, tmp_path: Path) -> None:
    server.routes["/flyttet.ics"] = reply(301, b"", {"Location": "/borgen.ics"})
    contact = "https://borgen-innbyggertorg.example/kontakt"
    settings = settings_for(tmp_path, {"borgen": server.url("/flyttet.ics")}, {"contact_url": contact})
    store = Store(settings.database)
    try:
        assert cycle(settings, store).reports[0].outcome == "ok"
        assert [h.path for h in server.hits] == ["/robots.txt", "/flyttet.ics", "/borgen.ics"]
        assert {h.headers["user-agent"] for h in server.hits} == {f"aggregator/0.1 (+{contact})"}
    finally:
        store.close()


def _deflate_raw(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", lambda data: gzip.compress(data, compresslevel=9)),
        ("deflate", lambda data: zlib.compress(data, 9)),
        ("deflate", _deflate_raw),  # old IIS: raw deflate without the zlib header
    ],
)
def test_a_compression_bomb_never_inflates_past_the_cap_in_memory(
    server: FaultServer, encoding: str, pack: Any
) -> None:
    # 50 MB of zeros, 50 KB on the wire: read whole it would need 50 MB at once.
    bomb = pack(b"BEGIN:VCALENDAR\r\n" + b"\0" * 50_000_000)
    server.routes["/bombe.ics"] = reply(
        200, bomb, {"Content-Type": "text/calendar", "Content-Encoding": encoding}
    )
    with Fetcher(
        "aggregator/test", max_bytes=100_000, allow_networks=["127.0.0.0/8"], host_interval=0.0
    ) as fetcher:
        tracemalloc.start()
        try:
            with pytest.raises(TooLarge, match=r"larger than 100000 bytes \(after decoding\)"):
                fetcher.fetch(Request(server.url("/bombe.ics")))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 3_000_000, f"peak {peak} bytes while inflating"


def test_an_unusable_location_is_a_permanent_error(server: FaultServer) -> None:
    server.routes["/feil.ics"] = reply(302, b"", {"Location": "http://borgen.example:kalender/"})
    fetcher = Fetcher("aggregator/test", allow_networks=["127.0.0.0/8"], host_interval=0.0, retry_base=0.01)
    with fetcher, pytest.raises(PermanentFetchError, match=r"unusable redirect.*Invalid port"):
        fetcher.fetch(Request(server.url("/feil.ics")))
    assert len(server.paths("/feil.ics")) == 1  # not retried: retrying will not mend it
