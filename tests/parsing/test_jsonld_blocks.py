"""aggregator.parsing.jsonld and aggregator.parsing.schemaorg: finding, repairing and walking
JSON-LD blocks, and reading schema.org property shapes."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from aggregator.errors import ParseError
from aggregator.model import Status
from aggregator.parsing import schemaorg as so
from aggregator.parsing.jsonld import MAX_DEPTH, event_nodes, prune, repair, schema_term

EVENT = {"@type": "Event", "name": "Språkkafé", "startDate": "2026-09-09T18:00:00+02:00"}


def _page(*blocks: str, kind: str = "application/ld+json") -> BeautifulSoup:
    scripts = "".join(f'<script type="{kind}">{b}</script>' for b in blocks)
    return BeautifulSoup(f"<html><head>{scripts}</head><body>Borgen</body></html>", "lxml")


def test_event_nodes_walk_graphs_lists_and_item_lists() -> None:
    listing = {
        "@type": "ItemList",
        "itemListElement": [{"@type": "ListItem", "item": {**EVENT, "@type": "schema:MusicEvent"}}],
    }
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, EVENT]}
    warnings: list[str] = []
    nodes = event_nodes(_page(json.dumps(listing), json.dumps(graph), json.dumps([EVENT])), warnings.append)
    assert [n["@type"] for n in nodes] == ["schema:MusicEvent", "Event", "Event"]
    assert warnings == []


def test_event_nodes_stop_at_the_depth_limit_and_do_not_enter_events() -> None:
    deep: object = EVENT
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    inner = {**EVENT, "subEvent": {**EVENT, "name": "inner"}}
    assert event_nodes(_page(json.dumps(deep)), print) == []
    assert [n["name"] for n in event_nodes(_page(json.dumps(inner)), print)] == ["Språkkafé"]


def test_a_broken_block_is_warned_about_and_the_rest_is_read() -> None:
    warnings: list[str] = []
    nodes = event_nodes(_page("{not json at all", json.dumps(EVENT)), warnings.append)
    assert len(nodes) == 1
    assert len(warnings) == 1
    assert warnings[0].startswith("JSON-LD block 1 is not JSON and was skipped: Expecting property name")


def test_a_hand_made_block_is_read_after_repair() -> None:
    block = '<!-- {"@type": "Event", /* note */ "name": "Kafé \\x4BIME", "startDate": "2026-09-09",} -->'
    warnings: list[str] = []
    assert event_nodes(_page(block), warnings.append)[0]["name"] == "Kafé KIME"
    assert warnings == ["JSON-LD block 1 was malformed and read after repair"]
    assert json.loads(repair('{"description": "a "quoted" word"}')) == {"description": 'a "quoted" word'}


def test_pages_without_readable_json_ld_fail() -> None:
    with pytest.raises(ParseError, match="no <script"):
        event_nodes(_page(json.dumps(EVENT), kind="text/javascript"), print)
    with pytest.raises(ParseError, match="none of the 2 JSON-LD blocks"):
        event_nodes(_page("{", "]"), lambda _: None)


def test_runaway_nesting_is_pruned_not_fatal() -> None:
    assert prune('{"a": [[["x"]]], "b": "[{"}', 2) == '{"a": [null], "b": "[{"}'
    warnings: list[str] = []
    nodes = event_nodes(_page("[" * 5000 + json.dumps(EVENT) + "]" * 5000), warnings.append)
    assert nodes == []
    assert "nests deeper than 64 levels" in warnings[0]


def test_schema_term() -> None:
    assert schema_term("https://schema.org/EventCancelled") == "EventCancelled"
    assert schema_term({"@id": "schema:OfflineEventAttendanceMode"}) == "OfflineEventAttendanceMode"
    assert schema_term(["Event", "Thing"]) == "Event"
    assert schema_term(7) == ""


def test_schemaorg_values() -> None:
    base = "https://bibliotek.asker.test/arrangementer/"
    assert so.http_url("java\nscript:alert(1)", base) is None
    assert so.http_url("../sprakkafe/", base) == "https://bibliotek.asker.test/sprakkafe/"
    assert so.text([{"@value": " Kafé &amp; KIME "}]) == "Kafé & KIME"
    assert so.status("https://schema.org/EventPostponed") is Status.POSTPONED
    assert so.description("<p>Ta med &amp; del</p>") == ("Ta med & del", "<p>Ta med &amp; del</p>")
    assert so.description("Ta med &amp; del") == ("Ta med & del", None)
    place = {
        "@type": "Place",
        "name": "Borgen innbyggertorg",
        "address": {"streetAddress": "Søndre Borgen 11", "postalCode": "1388", "addressLocality": "Borgen"},
        "geo": {"latitude": "59,83", "longitude": 10.42},
    }
    online = {"@type": "VirtualLocation", "url": "https://example.test/stream"}
    assert so.place([online, place]) == (
        "Borgen innbyggertorg",
        "Søndre Borgen 11, 1388 Borgen",
        59.83,
        10.42,
    )
    assert so.offer({"price": "0", "priceCurrency": "NOK"}, base) == (None, True, None, None)
    assert so.offer([{"price": 150, "priceCurrency": "NOK", "url": "/billett"}], base) == (
        "150 NOK",
        False,
        "https://bibliotek.asker.test/billett",
        None,
    )
