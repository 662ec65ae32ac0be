"""No source can inject script, event handlers, styles or javascript:/data: URLs into our
pages, the API, the widget's data or the feeds.

Hostile text goes the real way: through an adapter (sources/rss.py for the feedparser XSS
samples in ../shared/corpus/badinputs/feeds/xss, read in place; sources/jsonld.py for our own
hostile JSON-LD page), normalise and the store; then every page is fetched over HTTP and
inspected with an HTML parser. The browser half (the widget's DOM) is in test_browser.py.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser
import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from aggregator.adapter import RunContext
from aggregator.model import EventDraft, Request, Response
from aggregator.store import Store
from aggregator.web import create_app
from sources.jsonld import JsonLdAdapter
from sources.rss import RssAdapter
from tests.conftest import BADINPUTS, FIXTURES, NOW, OSLO
from tests.web.web_helpers import make_settings, store_events

XSS = BADINPUTS / "feeds" / "xss"
BAD_URL = re.compile(r"^\s*(javascript|data|vbscript):", re.IGNORECASE)
URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "poster", "srcset", "content")


def ctx(source_id: str) -> RunContext:
    return RunContext(source_id=source_id, now=NOW, zone=OSLO, horizon_days=400, max_occurrences=1000)


def corpus_payloads() -> list[str]:
    """The raw hostile strings of each XSS sample (feedparser's sanitiser off, so we get them
    as a careless provider would send them)."""
    payloads = []
    for path in sorted(XSS.glob("*.xml")):
        parsed = feedparser.parse(io.BytesIO(path.read_bytes()), sanitize_html=False)
        payloads.append(parsed.feed.get("title", ""))
        for entry in parsed.entries:
            payloads += [entry.get("title", ""), entry.get("summary", "")]
            payloads += [c.get("value", "") for c in entry.get("content", [])]
    return [p for p in payloads if p.strip()]


def hostile_rss(payloads: list[str]) -> bytes:
    """An events feed (RSS 2.0 + ev: module) that carries each payload as title and content."""
    items = []
    for n, payload in enumerate(payloads):
        day = 2 + n % 20
        items.append(
            f"<item><title>{escape(payload[:300])} Språkkafé {n}</title>"
            f"<link>https://borgen.example/arr/{n}</link><guid>xss-{n}</guid>"
            f"<description>{escape(payload)}</description>"
            f"<content:encoded>{escape(payload)}</content:encoded>"
            f"<ev:startdate>2026-09-{day:02d}T18:00:00+02:00</ev:startdate>"
            f"<ev:location>Borgen innbyggertorg {escape(payload[:80])}</ev:location></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:ev="http://purl.org/rss/1.0/modules/event/" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Borgen</title><link>https://borgen.example/</link><description>x</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def parse(adapter_cls: type, body: bytes, ctype: str, url: str, source_id: str) -> list[EventDraft]:
    resp = Response(url=url, status=200, headers={"content-type": ctype}, body=body, request=Request(url=url))
    adapter = adapter_cls(adapter_cls.Options())
    return [d for d in adapter.parse(resp, ctx(source_id)) if isinstance(d, EventDraft)]


@pytest.fixture
def hostile_client(tmp_path: Path) -> Iterator[TestClient]:
    store = Store(f"sqlite:///{tmp_path / 'xss.db'}")
    jsonld = parse(
        JsonLdAdapter,
        (FIXTURES / "web" / "hostile_jsonld.html").read_bytes(),
        "text/html; charset=utf-8",
        "https://borgen.example/arrangementer/",
        "hostile-jsonld",
    )
    assert len(jsonld) == 3
    drafts = {"hostile-jsonld": jsonld}
    if XSS.is_dir():
        rss = parse(
            RssAdapter,
            hostile_rss(corpus_payloads()),
            "application/rss+xml",
            "https://borgen.example/feed",
            "xss-rss",
        )
        assert len(rss) >= 10
        drafts["xss-rss"] = rss
    store_events(store, drafts)
    yield TestClient(create_app(make_settings(tmp_path), store, clock=lambda: NOW))
    store.close()


def assert_inert_html(text: str, where: str) -> None:
    page = BeautifulSoup(text, "lxml")
    for script in page.find_all("script"):
        if script.get("type") == "application/ld+json":
            data = script.string or ""
            assert "<" not in data, f"{where}: markup inside JSON-LD"
            json.loads(data)
        else:
            assert script.get("src") in ("/static/screen.js", "/embed.js"), (
                f"{where}: foreign script {script}"
            )
            assert not (script.string or "").strip(), f"{where}: inline script"
    assert not page.find_all("style"), f"{where}: <style> element"
    for tag in page.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), f"{where}: event handler {name} on <{tag.name}>"
            assert name.lower() != "style" or tag.name == "iframe", (
                f"{where}: style attribute on <{tag.name}>"
            )
            if name.lower() in URL_ATTRS:
                values = value if isinstance(value, list) else [value]
                assert not any(BAD_URL.match(v) for v in values), f"{where}: {name}={value!r}"
        assert tag.name not in ("iframe", "object", "embed", "base", "meta") or (
            tag.name == "meta" and not tag.get("http-equiv")
        ), f"{where}: <{tag.name}>"


def test_no_source_text_becomes_active_in_any_page(hostile_client: TestClient) -> None:
    events = hostile_client.get("/api/events?feed=asker&limit=200").json()["events"]
    assert len(events) >= 3
    pages = [
        "/?feed=asker",
        "/?feed=asker&lang=en",
        "/screen?feed=asker&days=7",
        "/print?feed=asker&week=2026-W36",
        "/embed?feed=asker&limit=50",
        "/embed-help?feed=asker&category=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/?feed=asker&q=%3Cscript%3Ealert(1)%3C/script%3E&place=%22onmouseover%3Dalert(1)",
    ]
    pages += [f"/events/{e['id']}" for e in events]
    for path in pages:
        resp = hostile_client.get(path)
        assert resp.status_code == 200, path
        assert_inert_html(resp.text, path)
    # The hostile names are shown as the text the source sent, not dropped and not run.
    for event in events:
        page = BeautifulSoup(hostile_client.get(f"/events/{event['id']}").text, "lxml")
        assert page.h1.get_text() == event["title"]


def test_api_and_feeds_carry_no_active_urls_or_markup(hostile_client: TestClient) -> None:
    for item in hostile_client.get("/api/events?feed=asker&limit=200").json()["events"]:
        for key in ("source_url", "signup_url", "image_url", "page_url", "ics_url"):
            assert item[key] is None or item[key].startswith(("http://", "https://")), (key, item[key])
    for ext in ("json", "rss", "atom"):
        body = hostile_client.get(f"/feeds/asker.{ext}?category=&source=hostile-jsonld&source=xss-rss").text
        if ext == "json":
            for item in json.loads(body)["items"]:
                assert_inert_html(item["content_html"], f"feed json {item['id']}")
                for key in ("url", "external_url", "image"):
                    assert not BAD_URL.match(item.get(key, "") or ""), (key, item.get(key))
        else:
            parsed = feedparser.parse(io.BytesIO(body.encode()), sanitize_html=False)
            assert parsed.entries
            for entry in parsed.entries:
                assert_inert_html(entry.get("summary", ""), f"feed {ext}")
                assert not BAD_URL.match(entry.get("link", ""))
    ics = hostile_client.get("/feeds/asker.ics?source=hostile-jsonld&source=xss-rss").text
    assert not re.search(
        r"^(URL|ATTACH|IMAGE)[;:].*(javascript|data|vbscript):", ics, re.IGNORECASE | re.MULTILINE
    )


@pytest.mark.skipif(not XSS.is_dir(), reason="shared corpus ../shared/corpus/badinputs/feeds/xss is absent")
def test_the_corpus_samples_were_fed(hostile_client: TestClient) -> None:
    total = hostile_client.get("/api/events?feed=asker&limit=1&source=xss-rss").json()["total"]
    assert total >= 10
