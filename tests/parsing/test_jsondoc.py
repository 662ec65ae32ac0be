"""aggregator.parsing.jsondoc: refusing what is not JSON, lone surrogates, dotted paths,
conditions, first-non-empty alternatives and templates."""

from __future__ import annotations

from typing import Any

import pytest

from aggregator.errors import ParseError
from aggregator.model import Request, Response
from aggregator.parsing.jsondoc import MISSING, clean_text, fill_template, lookup, matches, read_json, resolve

ITEM: dict[str, Any] = {
    "event_id": 43,
    "event_description": "None",
    "event_summary": "Språkkafé på Borgen innbyggertorg",
    "location": {"street": "Søndre Borgen 11", "zip": "1388", "city": "Borgen"},
    "images": [{"url": "a.jpg"}, {"url": "b.jpg"}],
    "topicEvent": [{"topic": {"name": "Språk"}}, {"topic": None}, {"topic": {"name": "Kafé"}}],
    "status": "public",
}


def _response(body: bytes) -> Response:
    url = "https://example.test/api"
    return Response(url=url, status=200, headers={}, body=body, request=Request(url=url))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b'{"price": NaN}', "NaN is not JSON"),
        (b'{"price": -Infinity}', "-Infinity is not JSON"),
        (b'{"price": 1e999}', "out of range"),
        (b"[" * 100_000, "nested too deeply"),
        (b"<!doctype html><p>Asker bibliotek</p>", "looks like HTML"),
    ],
)
def test_read_json_refuses_what_is_not_json(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        read_json(_response(body))


def test_read_json_reads_json() -> None:
    assert read_json(_response(b'{"events": [{"price": 1.5}]}')) == {"events": [{"price": 1.5}]}


def test_clean_text_replaces_a_lone_surrogate() -> None:
    text = clean_text(" Kafé KIME \ud800 ")
    assert text == "Kafé KIME \ufffd"
    text.encode("utf-8")  # would raise on a lone surrogate


def test_resolve_follows_paths_indexes_and_stars() -> None:
    assert resolve(ITEM, "location.city") == "Borgen"
    assert resolve(ITEM, "images.1.url") == "b.jpg"
    assert resolve(ITEM, "images.-1.url") == "b.jpg"
    assert resolve(ITEM, "images.2.url") is MISSING
    assert resolve(ITEM, "topicEvent.*.topic.name") == ["Språk", "Kafé"]
    assert resolve(ITEM, "location.city.name") is MISSING
    assert resolve(ITEM, "") is ITEM


def test_matches_needs_every_condition_and_lists_mean_any() -> None:
    assert matches(ITEM, {"status": "public", "location.zip": "1388"})
    assert matches(ITEM, {"status": ["draft", "public"]})
    assert not matches(ITEM, {"status": "public", "location.zip": "1390"})


def test_lookup_takes_the_first_alternative_that_is_not_a_null_string() -> None:
    assert lookup(ITEM, "event_description|event_summary", ["None", ""]) == ITEM["event_summary"]
    assert lookup(ITEM, "event_description", ["None", ""]) is None
    assert lookup(ITEM, "event_description", []) == "None"


def test_fill_template_collapses_empty_parts_and_quotes_urls() -> None:
    def value_of(path: str) -> Any:
        return lookup(ITEM, path, ["None", ""])

    assert fill_template("{location.street}, {location.zip} {location.city}", value_of, quoted=False) == (
        "Søndre Borgen 11, 1388 Borgen"
    )
    assert fill_template("{nothing}, {location.zip} {location.city}", value_of, quoted=False) == "1388 Borgen"
    assert fill_template("{nothing} {images}", value_of, quoted=False) is None
    assert fill_template("https://x.test/{location.street}", value_of, quoted=True) == (
        "https://x.test/S%C3%B8ndre%20Borgen%2011"
    )
