"""Conditional requests after the first, for every HTTP adapter, over the loopback server.

Each adapter reads one of its own fixtures (tests/fixtures/sources/<adapter>/, with the options
fixtures.toml gives it). The server hands out an ETag or a Last-Modified; the second run must
send it back (If-None-Match / If-Modified-Since), get a 304 and end "unchanged" without parsing.
Without validators the unchanged body is recognised by its hash instead.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aggregator.store import Store
from tests.collection.faultserver import Behaviour, FaultServer, Hit, fault_server, reply
from tests.collection.harness import cycle, settings_for
from tests.conftest import FIXTURES

#: the fixtures' own "now" (conftest's make_ctx): 2026-09-01 08:00 in Oslo
WHEN = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
LAST_MODIFIED = "Mon, 31 Aug 2026 12:00:00 GMT"
SOURCES = FIXTURES / "sources"


def _fixture(adapter: str, name: str) -> tuple[bytes, dict[str, Any], str]:
    """The fixture's bytes, its options and its content type, as fixtures.toml gives them."""
    table = tomllib.loads((SOURCES / adapter / "fixtures.toml").read_text(encoding="utf-8"))
    spec = {**table.get("defaults", {}), **table.get("files", {}).get(name, {})}
    return (SOURCES / adapter / name).read_bytes(), dict(spec.get("options", {})), spec["content_type"]


def _single_page_dnt() -> bytes:
    # The first listing page, told it is the only one (a small turlag): one request per run.
    page = json.loads((SOURCES / "dnt" / "activities_page1.json").read_bytes())
    page["pageCount"] = 1
    return json.dumps(page, ensure_ascii=False).encode()


#: adapter -> (fixture, the path the source's url has, the path the adapter asks for)
CASES = {
    "ical": ("google_borgen.ics", "/kalender.ics", "/kalender.ics"),
    "rss": ("ev_module_rss2.xml", "/feed/", "/feed/"),
    "jsonld": ("graph_page.html", "/arrangementer/", "/arrangementer/"),
    "html": ("drupal_views.html", "/arrangementer", "/arrangementer"),
    "jsonapi": ("hoopla_events.json", "/api/events", "/api/events"),
    "tribe": ("borgen_page2.json", "/", "/wp-json/tribe/events/v1/events"),
    "dnt": ("activities_page1.json", "/api/activities", "/api/activities"),
}


def _validating(body: bytes, content_type: str, validator: str | None) -> Behaviour:
    """200 with the validator; 304 when the request sends it back."""
    headers = {"Content-Type": content_type}
    if validator == "etag":
        headers["ETag"] = '"borgen-2026-08-31"'
    elif validator == "last-modified":
        headers["Last-Modified"] = LAST_MODIFIED

    def run(sock: Any, hit: Hit) -> None:
        if (validator == "etag" and hit.headers.get("if-none-match") == headers["ETag"]) or (
            validator == "last-modified" and hit.headers.get("if-modified-since") == LAST_MODIFIED
        ):
            return reply(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})(sock, hit)
        return reply(200, body, headers)(sock, hit)

    return run


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as srv:
        yield srv


@pytest.mark.parametrize("validator", ["etag", "last-modified", None])
@pytest.mark.parametrize("adapter", list(CASES))
def test_the_second_run_is_conditional(
    server: FaultServer, tmp_path: Path, adapter: str, validator: str | None
) -> None:
    name, url_path, asked_path = CASES[adapter]
    body, options, content_type = _fixture(adapter, name)
    if adapter == "dnt":
        body = _single_page_dnt()
    server.routes[asked_path] = _validating(body, content_type, validator)
    settings = settings_for(
        tmp_path, {adapter: server.url(url_path)}, **{adapter: {"adapter": adapter, "every": "1h", **options}}
    )
    store = Store(settings.database)
    try:
        [first] = cycle(settings, store, WHEN).reports
        assert first.outcome == "ok" and first.events, first.error
        [second] = cycle(settings, store, WHEN + timedelta(hours=1)).reports
        assert second.outcome == "unchanged", second.error
        hits = [h for h in server.hits if h.path.split("?")[0] == asked_path]
        assert len(hits) == 2
        sent = {k: v for k, v in hits[1].headers.items() if k.startswith("if-")}
        expected = {
            "etag": {"if-none-match": '"borgen-2026-08-31"'},
            "last-modified": {"if-modified-since": LAST_MODIFIED},
            None: {},  # nothing to send back: the body's hash tells it is unchanged
        }[validator]
        assert sent == expected
        assert not any(k.startswith("if-") for k in hits[0].headers)
        # nothing was lost by skipping the parse
        assert store.count_events(adapter) == len(first.events)
    finally:
        store.close()


def test_paged_sources_are_conditional_page_by_page(server: FaultServer, tmp_path: Path) -> None:
    """Validators are kept per request: every page of a paged source is asked conditionally,
    a 304 is answered from the cached body, and a change on page 2 alone is still seen."""
    first_page = (SOURCES / "tribe" / "borgen_page1.json").read_bytes()
    first_page = first_page.replace(b"https://borgen-innbyggertorg.no", server.url("").encode())
    first_page = first_page.replace(b"https:\\/\\/borgen-innbyggertorg.no", server.url("").encode())
    second_page = (SOURCES / "tribe" / "borgen_page2.json").read_bytes()
    pages = {"1": first_page, "2": second_page}
    version = {"1": "a", "2": "a"}

    def paged(sock: Any, hit: Hit) -> None:
        page = "2" if "page=2" in hit.path else "1"
        etag = f'"side-{page}-{version[page]}"'
        if hit.headers.get("if-none-match") == etag:
            reply(304, b"", {"ETag": etag})(sock, hit)
            return
        reply(200, pages[page], {"Content-Type": "application/json", "ETag": etag})(sock, hit)

    server.routes["/wp-json/tribe/events/v1/events/"] = paged
    server.routes["/wp-json/tribe/events/v1/events"] = paged
    settings = settings_for(tmp_path, {"musikkorps": server.url("/")}, musikkorps={"adapter": "tribe"})
    store = Store(settings.database)
    try:
        first = cycle(settings, store, WHEN).reports[0]
        assert first.outcome == "ok" and first.requests == 2, first.error
        stored = store.count_events("musikkorps")
        second = cycle(settings, store, WHEN + timedelta(hours=1)).reports[0]
        assert second.outcome == "unchanged" and second.requests == 2, second.error
        asked = [h for h in server.hits if h.path != "/robots.txt"]
        assert len(asked) == 4
        assert not any("if-none-match" in h.headers for h in asked[:2])
        assert [h.headers.get("if-none-match") for h in asked[2:]] == ['"side-1-a"', '"side-2-a"']
        assert store.count_events("musikkorps") == stored
        # page 2 changes: page 1 comes from the cache (304), page 2 is read, the change lands
        pages["2"] = second_page.replace(b'"title": "', b'"title": "Endret: ', 1)
        version["2"] = "b"
        third = cycle(settings, store, WHEN + timedelta(hours=2)).reports[0]
        assert third.outcome == "ok" and third.updated == 1 and third.created == 0, third.error
        assert store.count_events("musikkorps") == stored  # page 1's events were not lost
    finally:
        store.close()
