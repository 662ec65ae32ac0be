"""JSON Feed 1.1: the spec's required fields and types (checked by hand, no jsonschema), the
``_aggregator`` extension, upcoming-only ordering, determinism, UTF-8 without escapes, no NaN.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aggregator.model import EventRecord, Status
from aggregator.publish import FeedInfo, render_jsonfeed
from tests.publish.publish_helpers import NOW, oslo

RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
ITEM_STRINGS = (
    "url",
    "external_url",
    "title",
    "content_html",
    "content_text",
    "summary",
    "image",
    "banner_image",
    "date_published",
    "date_modified",
    "language",
)


def check_jsonfeed_11(feed: dict[str, Any]) -> None:
    """The structural rules of https://www.jsonfeed.org/version/1.1/ that a reader relies on."""
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    for key in ("home_page_url", "feed_url", "description", "language", "icon", "favicon"):
        assert key not in feed or isinstance(feed[key], str), key
    for author in feed.get("authors", []):
        assert isinstance(author, dict) and set(author) <= {"name", "url", "avatar"}
    assert isinstance(feed["items"], list)
    ids = []
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]  # required, a string
        ids.append(item["id"])
        assert isinstance(item.get("content_html"), str) or isinstance(item.get("content_text"), str)
        for key in ITEM_STRINGS:
            assert key not in item or isinstance(item[key], str), key
        for key in ("date_published", "date_modified"):
            assert key not in item or RFC3339.fullmatch(item[key]), item[key]
        assert "tags" not in item or all(isinstance(t, str) for t in item["tags"])
        for key, value in item.items():
            if key.startswith("_"):  # extensions: an underscore, then a letter or digit; objects
                assert re.fullmatch(r"_[A-Za-z0-9]\w*", key) and isinstance(value, dict)
    assert len(set(ids)) == len(ids)


def load(data: bytes) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(data.decode("utf-8"))
    return result


def test_spec_fields_and_extension(info: FeedInfo, season: list[EventRecord]) -> None:
    data = render_jsonfeed(info, season, now=NOW)
    feed = load(data)
    check_jsonfeed_11(feed)
    assert feed["feed_url"] == "http://127.0.0.1:8000/feeds/borgen.json"
    assert feed["language"] == "nb"
    items = feed["items"]
    assert [i["id"] for i in items] == [f"evt-{n:05d}@borgen-innbyggertorg" for n in (3, 1, 2, 5, 4, 6, 7)]
    dnt = items[2]
    assert dnt["title"] == "man. 26. okt. kl. 18.00 – DNT Asker: kveldstur til Vardåsen"
    assert dnt["date_published"] == dnt["date_modified"] == "2026-08-20T10:30:00Z"
    assert dnt["tags"] == ["Tur", "Friluftsliv"]
    assert dnt["content_text"].startswith(
        "man. 26. okt. kl. 18.00–21.00, Borgen innbyggertorg, Søndre Borgen 11, 1388 Borgen\n\nTa med garn"
    )
    ext = dnt["_aggregator"]
    assert ext["start"] == "2026-10-26T18:00:00+01:00" and ext["end"] == "2026-10-26T21:00:00+01:00"
    assert ext["all_day"] is False and ext["timezone"] == "Europe/Oslo" and ext["status"] == "scheduled"
    assert ext["geo"] == {"lat": 59.8347, "lon": 10.4183}
    assert ext["source"] == "dnt-asker" and ext["free"] is True and ext["audience"] == ["voksne"]
    summer = items[1]["_aggregator"]
    assert summer["start"] == "2026-10-24T11:00:00+02:00"  # CEST before the autumn change
    holiday = items[0]
    assert holiday["_aggregator"]["all_day"] is True
    assert holiday["_aggregator"]["start"] == "2026-10-05T00:00:00+02:00"
    assert holiday["title"] == "man. 5. okt. – Høstferie i Borgen nærmiljøsentral"
    assert items[3]["_aggregator"]["status"] == "cancelled" and "AVLYST: " in items[3]["title"]
    assert items[4]["_aggregator"]["geo"] is None  # the Julemarked has no coordinates


def test_utf8_without_escapes_and_deterministic(info: FeedInfo, season: list[EventRecord]) -> None:
    data = render_jsonfeed(info, season, now=NOW)
    assert "Høstferie".encode() in data and b"\\u00f8" not in data
    shuffled = list(season)
    random.Random(11).shuffle(shuffled)
    assert render_jsonfeed(info, shuffled, now=NOW) == data
    keys = list(load(data))
    assert keys == sorted(keys)


def test_nan_coordinates_never_reach_the_json(
    info: FeedInfo, make_record: Callable[..., EventRecord]
) -> None:
    rec = make_record(latitude=math.nan, longitude=10.4)
    data = render_jsonfeed(info, [rec], now=NOW)
    assert b"NaN" not in data
    assert load(data)["items"][0]["_aggregator"]["geo"] is None


def test_upcoming_only_and_empty(info: FeedInfo, make_record: Callable[..., EventRecord]) -> None:
    past = make_record(1, start=oslo(2026, 8, 1, 18))
    coming = make_record(2, start=oslo(2026, 9, 3, 18), status=Status.POSTPONED)
    feed = load(render_jsonfeed(info, [coming, past], now=NOW))
    assert [i["id"] for i in feed["items"]] == ["evt-00002@borgen-innbyggertorg"]
    assert feed["items"][0]["title"] == "tor. 3. sep. kl. 18.00 – UTSATT: Strikkekafé"
    empty = load(render_jsonfeed(info, [], now=NOW))
    check_jsonfeed_11(empty)
    assert empty["items"] == []


def test_times_given_in_utc_come_out_in_oslo(info: FeedInfo, make_record: Callable[..., EventRecord]) -> None:
    spring = make_record(start=datetime(2027, 3, 29, 8, tzinfo=UTC), end=datetime(2027, 3, 29, 9, tzinfo=UTC))
    ext = load(render_jsonfeed(info, [spring], now=NOW))["items"][0]["_aggregator"]
    assert ext["start"] == "2027-03-29T10:00:00+02:00"
    assert ext["end"] == "2027-03-29T11:00:00+02:00"
