"""One real-world event listed by two sources, as the web shows it (issue 6 after the dedup
issue): once on the calendar, in /api/events, in the JSON Feed the widget reads, in the iframe
and on the screen; its event page names every source with its own link, in the page's
language ("Også oppført hos" / "Also listed by"), whichever member's id the visitor followed.

And the pages' cache (listing.CachedReader): the warmer computes the cluster view after a
write before any visitor asks, and concurrent visitors share one computation.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import vobject
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from aggregator.model import EventDraft
from aggregator.publish import build
from aggregator.store import Store
from aggregator.web import create_app, listing
from aggregator.web.listing import CachedReader
from tests.conftest import NOW
from tests.web.web_helpers import (
    DNT_TOUR_URL,
    NMS_TOUR_URL,
    TODAY,
    at,
    duplicate_tour,
    make_settings,
    make_store,
    store_events,
)

TOUR = "Fellestur til Vardåsen"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = make_store(tmp_path)
    store_events(s, duplicate_tour())
    yield s
    s.close()


@pytest.fixture
def client(tmp_path: Path, store: Store) -> TestClient:
    return TestClient(create_app(make_settings(tmp_path), store, clock=lambda: NOW))


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "lxml")


def facts(page: BeautifulSoup) -> dict[str, Any]:
    return {
        dt.get_text(): dd for dt, dd in zip(page.select(".facts dt"), page.select(".facts dd"), strict=True)
    }


def member_ids(store: Store) -> dict[str, int]:
    day = at(TODAY, 0)
    return {
        e.source_id: e.id for e in store.events_between(day, day + timedelta(days=8)) if "Vardåsen" in e.title
    }


def test_both_copies_are_stored_and_clustered(store: Store, tmp_path: Path) -> None:
    # The premise: two stored events, one published cluster with both as members.
    assert set(member_ids(store)) == {"dnt-asker", "naermiljosentral"}
    view = build.cluster_view(make_settings(tmp_path), store, NOW, write=False)
    [tour] = [p for p in view if "Vardåsen" in p.record.title]
    assert {m.source_id for m in tour.members} == {"dnt-asker", "naermiljosentral"}


def test_the_duplicate_is_shown_once_everywhere(client: TestClient) -> None:
    listed = [a.get_text() for a in soup(client.get("/?feed=asker").text).select(".listing a.title")]
    assert listed.count(TOUR) == 1 and not [t for t in listed if "med DNT Asker" in t]

    api = client.get("/api/events?feed=asker&limit=200").json()
    tours = [e for e in api["events"] if "Vardåsen" in e["title"]]
    assert len(tours) == 1 and api["total"] == len({e["uid"] for e in api["events"]})
    [tour] = tours
    assert tour["source"] == "dnt-asker"
    assert tour["also_listed_by"] == [{"source": "naermiljosentral", "url": NMS_TOUR_URL}]
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["Event"]
    assert "also_listed_by" in schema["properties"]

    # What <aggregator-events> reads: the feed's JSON Feed (rendered from the store here).
    feed = client.get("/feeds/asker.json").json()
    assert [i["_aggregator"]["name"] for i in feed["items"]].count(TOUR) == 1
    assert not [i for i in feed["items"] if i["_aggregator"]["name"].endswith("med DNT Asker")]

    iframe = [a.get_text() for a in soup(client.get("/embed?feed=asker&limit=50").text).select("a.title")]
    assert iframe.count(TOUR) == 1
    screen = [s.get_text() for s in soup(client.get("/screen?feed=asker&days=7").text).select(".title")]
    assert screen.count(TOUR) == 1 and len(screen) == len(set(screen))


@pytest.mark.parametrize("via", ["dnt-asker", "naermiljosentral"])
def test_event_page_lists_every_source_with_its_link(client: TestClient, store: Store, via: str) -> None:
    ids = member_ids(store)
    page = soup(client.get(f"/events/{ids[via]}").text)
    # Whichever copy the link named, the page shows the published one (DNT's title) ...
    assert page.h1.get_text() == TOUR
    rows = facts(page)
    assert [(a.get_text(), a["href"]) for a in rows["Oppført av"].select("a")] == [
        ("dnt-asker", DNT_TOUR_URL)
    ]
    assert [(a.get_text(), a["href"]) for a in rows["Også oppført hos"].select("a")] == [
        ("naermiljosentral", NMS_TOUR_URL)
    ]
    # ... and its canonical address is the cluster's page, so both ids lead to one page.
    assert page.select_one("link[rel=canonical]")["href"].endswith(f"/events/{ids['dnt-asker']}")
    # The sources are named once, by the page: not again in dedup's note in the description.
    assert "Også oppført hos" not in page.select_one(".description").get_text()
    assert "Bli med DNT Asker" in page.select_one(".description").get_text()  # the richest text


def test_english_event_page_says_also_listed_by(client: TestClient, store: Store) -> None:
    resp = client.get(f"/events/{member_ids(store)['naermiljosentral']}?lang=en")
    page = soup(resp.text)
    rows = facts(page)
    assert rows["Listed by"].get_text() == "dnt-asker"
    assert rows["Also listed by"].a["href"] == NMS_TOUR_URL
    assert "oppført" not in resp.text.lower()  # no Norwegian note left on the English page
    ld = json.loads(page.select_one("script[type='application/ld+json']").string)
    assert "oppført" not in ld["description"].lower() and "Bli med DNT Asker" in ld["description"]


def test_feeds_keep_the_norwegian_note_and_the_single_event_ics_the_cluster_uid(
    client: TestClient, store: Store
) -> None:
    feed = client.get("/feeds/asker.json").json()
    [item] = [i for i in feed["items"] if i["_aggregator"]["name"] == TOUR]
    assert "Også oppført hos: naermiljosentral" in item["content_text"]
    # The download of either copy is the published event: the feed's UID, not a second one.
    for eid in member_ids(store).values():
        (vevent,) = vobject.readOne(client.get(f"/events/{eid}.ics").text).vevent_list
        assert vevent.uid.value == item["id"]


def test_a_single_source_event_has_no_also_row(client: TestClient) -> None:
    api = client.get("/api/events?feed=asker&limit=200").json()
    [cafe] = [e for e in api["events"] if e["title"] == "Språkkafé"]
    assert cafe["also_listed_by"] == []
    rows = facts(soup(client.get(f"/events/{cafe['id']}").text))
    assert rows["Oppført av"].get_text() == "borgen-manuelt" and "Også oppført hos" not in rows


class Counting:
    """Wraps build.cluster_view as listing.py calls it: counts calls, optionally slow."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls = 0
        self.delay = delay
        self.real = listing.cluster_view

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        time.sleep(self.delay)
        return self.real(*args, **kwargs)


def wait_for(condition: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_warmer_computes_the_view_after_a_write_before_anyone_asks(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = Counting()
    monkeypatch.setattr(listing, "cluster_view", counting)
    monkeypatch.setattr(listing, "WARM_EVERY", 0.05)
    app = create_app(make_settings(tmp_path), store, clock=lambda: NOW)
    reader: CachedReader = app.state.reader
    with TestClient(app) as client:  # runs the lifespan: the warmer starts
        wait_for(lambda: reader.warmed >= 1)
        computed = counting.calls
        assert computed == 1
        assert TOUR in client.get("/?feed=asker").text
        assert counting.calls == computed  # the visitor found the view ready

        # A collection writes (here: Kafé KIME's waffles, in another "process": the store).
        warmed = reader.warmed
        store_events(
            store,
            {"kime": [EventDraft(uid="vaffel-1", title="Vaffelkafé på Kafé KIME", start=at(TODAY, 12))]},
        )
        wait_for(lambda: reader.warmed > warmed)
        before = counting.calls
        assert "Vaffelkafé på Kafé KIME" in client.get("/?feed=asker").text  # fresh ...
        assert counting.calls == before  # ... and not computed by the visitor
    assert reader._thread is None  # the lifespan's end stopped the warmer


def test_with_the_warmer_visitors_never_compute_and_see_a_consistent_view(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = Counting()
    monkeypatch.setattr(listing, "cluster_view", counting)
    monkeypatch.setattr(listing, "WARM_EVERY", 3600.0)  # the warmer looks once, at start
    app = create_app(make_settings(tmp_path), store, clock=lambda: NOW)
    reader: CachedReader = app.state.reader
    with TestClient(app) as client:
        wait_for(lambda: reader.warmed == 1)
        store_events(
            store,
            {"kime": [EventDraft(uid="vaffel-1", title="Vaffelkafé på Kafé KIME", start=at(TODAY, 12))]},
        )
        # Until the warmer swaps in the new view, visitors get the previous one: complete and
        # consistent (calendar, API and feed agree), and not computed by them.
        assert "Vaffelkafé" not in client.get("/?feed=asker").text
        api = client.get("/api/events?feed=asker&limit=200").json()
        assert "Vaffelkafé på Kafé KIME" not in [e["title"] for e in api["events"]]
        assert client.get("/feeds/asker.json?source=kime").json()["items"] == []
        assert counting.calls == 1
        reader.stop_warming()  # without the warmer, a request checks the store's version itself
        assert "Vaffelkafé på Kafé KIME" in client.get("/?feed=asker").text
        assert counting.calls == 2


def test_visitors_arriving_together_share_one_computation(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = Counting(delay=0.3)
    monkeypatch.setattr(listing, "cluster_view", counting)
    settings = make_settings(tmp_path)
    reader = CachedReader(store)
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(len(reader.clusters(settings, NOW)))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert counting.calls == 1 and len(results) == 4 and len(set(results)) == 1
    # A write makes the next reader compute again (the cache never serves stale data).
    store_events(store, {"kime": [EventDraft(uid="v2", title="Vaffelkafé", start=at(TODAY, 13))]})
    assert len(reader.clusters(settings, NOW)) == results[0] + 1 and counting.calls == 2
