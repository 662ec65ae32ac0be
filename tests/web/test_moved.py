"""A moved event's page says where it moved from in the page's language, in a row of its own,
instead of the feeds' Norwegian "FLYTTET fra …" paragraph at the top of the description."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from aggregator.publish import build
from aggregator.web import create_app
from tests.conftest import NOW
from tests.web.web_helpers import TODAY, at, borgen_drafts, make_settings, make_store, store_events

LATER = NOW + timedelta(hours=1)


def test_a_moved_events_page_says_from_when_in_its_language(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    store = make_store(tmp_path)
    try:
        build.cluster_view(settings, store, NOW, write=True)
        # the square moves the language café from 18.00 to 19.00
        drafts = borgen_drafts()["borgen-manuelt"]
        moved = [
            replace(d, start=at(TODAY, 19), end=at(TODAY, 21)) if d.uid == "sprakkafe-1" else d
            for d in drafts
        ]
        store_events(store, {"borgen-manuelt": moved}, LATER)
        [published] = [
            p for p in build.cluster_view(settings, store, LATER, write=True) if p.record.title == "Språkkafé"
        ]
        # the feeds keep the Norwegian note
        assert published.record.description.startswith("FLYTTET fra ")
        event_id = published.record.id
        client = TestClient(create_app(settings, store, clock=lambda: LATER))
        for lang, label, when in (
            ("en", "Moved from", "Tue 1 Sep at 18:00"),
            ("nb", "Flyttet fra", "tir. 1. sep. kl. 18.00"),
        ):
            page = BeautifulSoup(client.get(f"/events/{event_id}?lang={lang}").text, "lxml")
            facts = {
                dt.get_text(): dd.get_text()
                for dt, dd in zip(page.select(".facts dt"), page.select(".facts dd"), strict=True)
            }
            assert facts[label] == when
            description = page.select_one(".description").get_text()
            assert "FLYTTET" not in description and "Øv på norsk over en kopp kaffe." in description
    finally:
        store.close()
