"""Politeness and address safety over a real loopback server: host interval, conditional
requests, robots.txt (with Crawl-delay and the per-source override), the User-Agent, and the
refusal of internal addresses without an allow-list."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.netsafety import AddressPolicy
from aggregator.store import Store
from tests.collection.faultserver import FaultServer, fault_server, reply
from tests.collection.harness import HEALTHY, NOW, calendar, cycle, settings_for

ICS = {"Content-Type": "text/calendar; charset=utf-8"}


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as srv:
        for sid, place in HEALTHY.items():
            srv.routes[f"/{sid}.ics"] = reply(200, calendar(sid, place), {**ICS, "ETag": f'"{sid}-v1"'})
        yield srv


def test_host_interval_and_one_request_at_a_time(server: FaultServer, tmp_path: Path) -> None:
    urls = {sid: server.url(f"/{sid}.ics") for sid in HEALTHY}
    settings = settings_for(tmp_path, urls, {"host_interval": "1s", "max_concurrency": 4})
    store = Store(settings.database)
    try:
        reports = cycle(settings, store).reports
        assert [r.outcome for r in reports] == ["ok"] * 3
        times = sorted(h.at for h in server.hits)  # robots.txt + 3 calendars, all one host
        assert len(times) == 4
        assert all(b - a >= 0.95 for a, b in itertools.pairwise(times)), times
        assert "aggregator/0.1 (+https://" in server.hits[0].headers["user-agent"]
    finally:
        store.close()


def test_conditional_requests_after_the_first(server: FaultServer, tmp_path: Path) -> None:
    def etag_aware(sock, hit):  # type: ignore[no-untyped-def]
        if hit.headers.get("if-none-match") == '"borgen-v1"':
            return reply(304, b"", {"ETag": '"borgen-v1"'})(sock, hit)
        return reply(200, calendar("borgen", "Borgen"), {**ICS, "ETag": '"borgen-v1"'})(sock, hit)

    server.routes["/borgen.ics"] = etag_aware
    settings = settings_for(tmp_path, {"borgen": server.url("/borgen.ics")})
    store = Store(settings.database)
    try:
        assert cycle(settings, store).reports[0].outcome == "ok"
        assert cycle(settings, store, NOW.replace(hour=9)).reports[0].outcome == "unchanged"
        first, second = server.paths("/borgen.ics")
        assert "if-none-match" not in first.headers
        assert second.headers["if-none-match"] == '"borgen-v1"'
    finally:
        store.close()


def test_robots_txt_is_honoured_unless_the_source_agreed(server: FaultServer, tmp_path: Path) -> None:
    server.routes["/robots.txt"] = reply(
        200,
        b"User-agent: *\nDisallow: /privat/\n\nUser-agent: aggregator\nDisallow: /intern/\nCrawl-delay: 1\n",
        {"Content-Type": "text/plain"},
    )
    server.routes["/intern/kalender.ics"] = reply(200, calendar("borgen", "Borgen"), ICS)
    server.routes["/intern/avtalt.ics"] = reply(200, calendar("bibliotek", "Asker bibliotek"), ICS)
    urls = {
        "forbudt": server.url("/intern/kalender.ics"),
        "avtalt": server.url("/intern/avtalt.ics"),
        "kulturskole": server.url("/kulturskole.ics"),
    }
    settings = settings_for(tmp_path, urls, avtalt={"ignore_robots": True})
    store = Store(settings.database)
    try:
        by_id = {r.source_id: r for r in cycle(settings, store).reports}
        assert by_id["forbudt"].outcome == "failed" and "robots.txt disallows" in (
            by_id["forbudt"].error or ""
        )
        assert server.paths("/intern/kalender.ics") == []  # never asked
        assert by_id["avtalt"].outcome == "ok" and by_id["kulturskole"].outcome == "ok"
        asked = sorted(h.at for h in server.hits if h.path != "/robots.txt")
        assert asked[1] - asked[0] >= 0.95  # Crawl-delay: 1 although host_interval is 0
    finally:
        store.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_loopback_is_refused_without_the_allow_list(server: FaultServer, tmp_path: Path, host: str) -> None:
    settings = settings_for(
        tmp_path, {"borgen": server.url("/borgen.ics", host=host)}, {"allow_networks": []}
    )
    store = Store(settings.database)
    try:
        [report] = cycle(settings, store).reports
        assert report.outcome == "failed"
        assert "AddressRefused" in (report.error or "") and "not a public address" in (report.error or "")
        assert server.hits == []  # refused before connecting, robots.txt included
    finally:
        store.close()


def test_local_files_are_not_subject_to_the_address_check(tmp_path: Path) -> None:
    ics = tmp_path / "kafe-kime.ics"
    ics.write_bytes(calendar("flaky", "Kafé KIME"))
    settings = settings_for(tmp_path, {"kime": str(ics)}, {"allow_networks": []})
    store = Store(settings.database)
    try:
        [report] = cycle(settings, store).reports
        assert report.outcome == "ok" and len(report.events) == 3
    finally:
        store.close()


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.5", "private"),
        ("::127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("224.0.0.251", "multicast"),
        ("ff02::fb", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
    ],
)
def test_internal_addresses_are_refused(address: str, kind: str) -> None:
    refusal = AddressPolicy().refusal(address)
    assert refusal is not None and f"({kind};" in refusal


def test_public_addresses_and_the_allow_list() -> None:
    assert AddressPolicy().refusal("193.213.112.5") is None  # a Norwegian public address
    assert AddressPolicy().refusal("2a02:c0:1::1") is None
    allowed = AddressPolicy(["127.0.0.0/8", "10.20.0.0/16"])
    assert allowed.refusal("127.0.0.2") is None and allowed.refusal("::ffff:127.0.0.1") is None
    assert allowed.refusal("10.20.1.1") is None
    assert allowed.refusal("10.21.1.1") is not None and allowed.refusal("::1") is not None
