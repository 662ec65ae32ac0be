"""FeedInfo: URLs derived from base_url, and every bad value reported at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from aggregator.model import EventRecord
from aggregator.publish import FeedInfo


def test_urls(make_record: Callable[..., EventRecord]) -> None:
    info = FeedInfo(id="borgen", title="Borgen", base_url="https://borgen.example/")
    assert info.home_url == "https://borgen.example/"
    assert info.feed_url("ics") == "https://borgen.example/feeds/borgen.ics"
    assert info.event_url(make_record(42)) == "https://borgen.example/events/42"
    assert info.link_for(make_record(1, url="ftp://x/")) == "https://borgen.example/events/1"
    assert info.link_for(make_record(1, url="https://dnt.no/vardåsen?a=1&b=%20")) == (
        "https://dnt.no/vard%C3%A5sen?a=1&b=%20"
    )


def test_all_problems_reported_together() -> None:
    with pytest.raises(ValueError) as err:
        FeedInfo(id="a/b", title="x", base_url="ftp://x", timezone="Europe/Borgen", refresh=timedelta(0))
    message = str(err.value)
    for part in ("feed id 'a/b'", "base_url 'ftp://x'", "refresh 0:00:00", "timezone 'Europe/Borgen'"):
        assert part in message
