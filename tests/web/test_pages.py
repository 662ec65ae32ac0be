"""The calendar people see, through HTTP (Starlette's TestClient) over a real SQLite store:
the day listing, filters and their URLs, languages, statuses, DST, paging, event pages with
JSON-LD and add-to-calendar, the subscribe panel and its filtered feeds, screen, print,
embed and the JSON API."""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
import segno
import vobject
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from aggregator.model import EventDraft
from aggregator.store import Store
from aggregator.web import create_app
from aggregator.web.i18n import choose_lang
from aggregator.web.listing import PAGE_SIZE
from tests.conftest import NOW, OSLO
from tests.web.web_helpers import BASE, TODAY, at, make_settings, make_store, store_events


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = make_store(tmp_path)
    yield s
    s.close()


@pytest.fixture
def client(tmp_path: Path, store: Store) -> TestClient:
    return TestClient(create_app(make_settings(tmp_path), store, clock=lambda: NOW))


def soup(resp: object) -> BeautifulSoup:
    return BeautifulSoup(resp.text, "lxml")  # type: ignore[attr-defined]


def titles(page: BeautifulSoup) -> list[str]:
    return [a.get_text() for a in page.select(".listing a.title")]


def event_id(client: TestClient, title: str, feed: str = "asker") -> int:
    for item in client.get(f"/api/events?feed={feed}&limit=200").json()["events"]:
        if item["title"] == title:
            return int(item["id"])
    raise AssertionError(f"{title} not listed")


def test_calendar_groups_by_day_in_bokmal(client: TestClient) -> None:
    resp = client.get("/")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    page = soup(resp)
    assert page.html["lang"] == "nb"
    days = [h.get_text() for h in page.select(".day h2")]
    assert days[:4] == [
        "tirsdag 1. september",
        "onsdag 2. september",
        "torsdag 3. september",
        "lørdag 5. september",
    ]
    first = page.select_one(".day .event")
    assert first.select_one(".time").get_text() == "18.00–20.00"
    assert first.select_one(".title").get_text() == "Språkkafé"
    assert "Kafé KIME" in first.select_one(".meta").get_text()
    assert "språkkafé" in first.select_one(".meta").get_text() and "borgen-manuelt" in first.get_text()
    # The default feed is the square's: DNT's tour at Vardåsen is not at Borgen.
    assert "Fellestur til Vardåsen" not in titles(page)
    assert page.select_one("[href='/status']") is not None  # operators' page linked from the footer


def test_cancelled_and_moved(client: TestClient) -> None:
    page = soup(client.get("/"))
    cancelled = next(li for li in page.select(".event") if "Strikkekafé" in li.get_text())
    assert "is-cancelled" in cancelled["class"] and cancelled.select_one(".badge").get_text() == "Avlyst"
    moved = next(li for li in page.select(".event") if "Konsert" in li.get_text())
    assert moved.select_one(".badge").get_text() == "Flyttet"
    assert moved.select_one(".time").get_text() == "Nytt tidspunkt: 19.00–20.30"
    assert "Cancelled" in client.get("/?lang=en").text


def test_english_by_query_and_accept_language(client: TestClient) -> None:
    page = soup(client.get("/?lang=en"))
    assert page.html["lang"] == "en" and page.select(".day h2")[0].get_text() == "Tuesday 1 September"
    assert page.select_one(".event .time").get_text() == "18:00–20:00"
    # Links keep the chosen language; the switch goes back to bokmål.
    assert page.select_one("a.title")["href"].endswith("?lang=en")
    assert page.select_one("a.lang")["href"].endswith("lang=nb")
    by_header = soup(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,nb;q=0.5"}))
    assert by_header.html["lang"] == "en"
    assert soup(client.get("/", headers={"Accept-Language": "nn-NO,en;q=0.5"})).html["lang"] == "nb"
    assert soup(client.get("/?lang=nb", headers={"Accept-Language": "en"})).html["lang"] == "nb"


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "nb"),
        ("de-DE,de;q=0.9", "nb"),
        ("en-US", "en"),
        ("sv;q=0.4,en;q=0.8", "en"),
        ("no", "nb"),
        ("en;q=0", "nb"),
    ],
)
def test_choose_lang(header: str | None, lang: str) -> None:
    assert choose_lang(None, header) == lang


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("feed=asker&category=tur", ["Fellestur til Vardåsen"]),
        ("feed=asker&audience=barn", ["Lesestund for de minste"]),
        ("feed=asker&source=dnt-asker", ["Fellestur til Vardåsen"]),
        ("place=Kaf%C3%A9+KIME&to=2026-09-30", ["Språkkafé"]),
        (
            "feed=asker&free=1&to=2026-09-30",
            ["Språkkafé", "Lesestund for de minste", "Fellestur til Vardåsen"],
        ),
        (
            "from=2026-09-02&to=2026-09-03",
            ["Lesestund for de minste", "Strikkekafé", "Konsert med Asker kulturskole"],
        ),
        ("q=kulturskole", ["Konsert med Asker kulturskole"]),
        ("q=SPRAKKAFE", []),  # å is a letter of its own, not an a with a ring: no false match
        ("q=spr%C3%A5kkafe", ["Språkkafé"]),  # accents on é are ignored
        ("category=konsert&category=marked", ["Konsert med Asker kulturskole", "Loppemarked"]),
    ],
)
def test_filters(client: TestClient, query: str, expected: list[str]) -> None:
    page = soup(client.get("/?" + query))
    assert titles(page) == expected
    if not expected:
        assert page.select_one(".empty") is not None


def test_filter_form_reflects_the_shareable_url(client: TestClient) -> None:
    page = soup(client.get("/?feed=asker&category=tur&audience=voksne&free=1&from=2026-09-01&q=tur"))
    assert page.select_one("input[name=category][value=tur]").has_attr("checked")
    assert not page.select_one("input[name=category][value=konsert]").has_attr("checked")
    assert page.select_one("input[name=audience][value=voksne]").has_attr("checked")
    assert page.select_one("input[name=free]").has_attr("checked")
    assert page.select_one("input[name=from]")["value"] == "2026-09-01"
    assert page.select_one("input[name=q]")["value"] == "tur"
    assert page.select_one("select[name=feed] option[selected]")["value"] == "asker"
    assert page.select_one("details.filterbox").has_attr("open")


def test_times_on_both_sides_of_dst(client: TestClient) -> None:
    for span, names in (
        ("from=2026-10-24&to=2026-10-26", ["Quiz på Kafé KIME", "Quiz etter sommertid"]),
        ("from=2027-03-27&to=2027-03-29", ["Vårquiz før sommertid", "Vårquiz i sommertid"]),
    ):
        page = soup(client.get("/?" + span))
        assert titles(page) == names
        assert [t.get_text()[:5] for t in page.select(".event .time")] == ["18.00", "18.00"]
    api = client.get("/api/events?from=2026-10-24&to=2026-10-26").json()["events"]
    assert [e["start"] for e in api] == ["2026-10-24T18:00:00+02:00", "2026-10-26T18:00:00+01:00"]


def test_paging_keeps_the_page_small(tmp_path: Path, store: Store) -> None:
    many = [
        EventDraft(
            uid=f"trim-{i}",
            title=f"Trim for eldre {i}",
            start=at(TODAY + timedelta(days=1 + i // 4), 9 + i % 4),
            location="Borgen innbyggertorg",
        )
        for i in range(PAGE_SIZE + 15)
    ]
    store_events(store, {"aktiv": many})
    client = TestClient(create_app(make_settings(tmp_path), store, clock=lambda: NOW))
    first = soup(client.get("/?q=trim"))
    assert len(titles(first)) == PAGE_SIZE
    nxt = first.select_one("a[rel=next]")["href"]
    assert parse_qs(urlsplit(nxt).query)["q"] == ["trim"]
    second = soup(client.get(nxt))
    assert len(titles(second)) == 15 and second.select_one("a[rel=prev]") is not None
    assert set(titles(first)).isdisjoint(titles(second))


def test_event_page_details_json_ld_and_add_links(client: TestClient) -> None:
    eid = event_id(client, "Konsert med Asker kulturskole")
    page = soup(client.get(f"/events/{eid}"))
    assert page.h1.get_text() == "Konsert med Asker kulturskole"
    facts = {
        dt.get_text(): dd for dt, dd in zip(page.select(".facts dt"), page.select(".facts dd"), strict=True)
    }
    assert facts["Når"].get_text() == "Nytt tidspunkt: tor. 3. sep. kl. 19.00–20.30"
    assert facts["Pris"].get_text() == "100 kr"
    assert facts["Påmelding"].a["href"] == "https://askerkulturskole.example/billett"
    assert facts["Hvor"].a["href"].startswith("https://www.openstreetmap.org/?mlat=59.82960&mlon=10.42010")
    assert facts["Oppført av"].get_text() == "borgen-manuelt"
    ld = json.loads(page.select_one("script[type='application/ld+json']").string)
    assert ld["@type"] == "Event" and ld["startDate"] == "2026-09-03T19:00:00+02:00"
    assert ld["eventStatus"] == "https://schema.org/EventRescheduled"
    assert ld["location"]["geo"]["latitude"] == 59.8296
    google = next(a["href"] for a in page.select(".add a") if "google" in a["href"])
    assert parse_qs(urlsplit(google).query)["dates"] == ["20260903T170000Z/20260903T183000Z"]
    outlook = next(a["href"] for a in page.select(".add a") if "outlook" in a["href"])
    assert parse_qs(urlsplit(outlook).query)["startdt"] == ["2026-09-03T19:00:00+02:00"]


def test_single_event_ics(client: TestClient) -> None:
    eid = event_id(client, "Quiz etter sommertid")
    resp = client.get(f"/events/{eid}.ics")
    assert (
        resp.headers["content-type"].startswith("text/calendar")
        and "attachment" in resp.headers["content-disposition"]
    )
    cal = vobject.readOne(resp.text)
    (vevent,) = cal.vevent_list
    assert vevent.summary.value == "Quiz etter sommertid"
    assert vevent.dtstart.value == datetime(2026, 10, 26, 18, tzinfo=OSLO)
    assert vevent.dtstart.value.utcoffset() == timedelta(hours=1)
    assert (
        client.get(f"/events/{eid}.ics", headers={"If-None-Match": resp.headers["etag"]}).status_code == 304
    )


def test_unknown_event_is_404(client: TestClient) -> None:
    assert client.get("/events/99999").status_code == 404
    assert client.get("/events/abc").status_code == 404
    assert client.get("/events/1.ics.ics").status_code == 404


def test_subscribe_panel_follows_the_filter(client: TestClient) -> None:
    page = soup(client.get("/?category=konsert&audience=alle"))
    links = {a.get_text(): a["href"] for a in page.select(".subscribe a")}
    webcal = links["Abonner i kalenderappen (webcal)"]
    assert webcal == "webcal://kalender.borgen.example/feeds/borgen.ics?category=konsert&audience=alle"
    https = page.select_one(".subscribe input.copy")["value"]
    assert https == BASE + "/feeds/borgen.ics?category=konsert&audience=alle"
    assert parse_qs(urlsplit(links["Legg til i Google Kalender"]).query)["cid"] == [webcal]
    assert parse_qs(urlsplit(links["Legg til i Outlook"]).query)["url"] == [https]
    svg = page.select_one(".subscribe svg")
    assert svg["role"] == "img" and svg.title.get_text() == "QR-kode til kalenderadressen"
    # The QR code is the webcal address: segno renders the same path for the same data.
    expected = io.BytesIO()
    segno.make(webcal, error="m").save(expected, kind="svg", xmldecl=False, scale=4, border=2, nl=False)
    assert re.search(r' d="([^"]+)"', expected.getvalue().decode())[1] == svg.path["d"]  # type: ignore[index]


def test_filtered_feed_has_caching_headers_and_only_matching_events(client: TestClient) -> None:
    path = "/feeds/borgen.ics?category=konsert&audience=alle"
    resp = client.get(path)
    assert resp.status_code == 200 and resp.headers["content-type"] == "text/calendar; charset=utf-8"
    etag = resp.headers["etag"]
    assert etag.startswith('"') and resp.headers["access-control-allow-origin"] == "*"
    assert [v.summary.value for v in vobject.readOne(resp.text).vevent_list] == [
        "Konsert med Asker kulturskole"
    ]
    assert client.get(path).content == resp.content  # deterministic: a stable ETag
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    rss = feedparser.parse(io.BytesIO(client.get("/feeds/asker.rss?category=tur").content))
    assert [e.title for e in rss.entries] == ["tor. 4. sep. kl. 09.00 – Fellestur til Vardåsen"] or len(
        rss.entries
    ) == 1
    assert "Vardåsen" in rss.entries[0].title
    items = client.get("/feeds/asker.json?free=1&source=bibliotek").json()["items"]
    assert [i["_aggregator"]["name"] for i in items] == ["Lesestund for de minste"]
    assert client.get("/feeds/nope.ics?category=tur").status_code == 404
    # Without filters an unpublished feed is rendered from the store; unknown names stay 404.
    assert client.get("/feeds/borgen.ics").status_code == 200
    assert client.get("/feeds/nope.ics").status_code == 404


def test_api_filters_paging_and_openapi(client: TestClient) -> None:
    first = client.get("/api/events?feed=asker&limit=2").json()
    assert first["total"] == 10 and len(first["events"]) == 2 and first["offset"] == 0
    nxt = first["next"]
    assert nxt.startswith(BASE + "/api/events?feed=asker") and "offset=2" in nxt
    second = client.get(nxt.removeprefix(BASE)).json()
    assert [e["title"] for e in second["events"]] == [
        e["title"] for e in client.get("/api/events?feed=asker&limit=4").json()["events"][2:]
    ]
    tur = client.get("/api/events?feed=asker&category=tur").json()
    assert tur["total"] == 1 and tur["events"][0]["signup_url"] == "https://www.dnt.example/aktiviteter/123"
    assert tur["next"] is None
    assert client.get("/api/events").headers["access-control-allow-origin"] == "*"
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    params = {p["name"] for p in spec["paths"]["/api/events"]["get"]["parameters"]}
    assert params == {
        "feed",
        "category",
        "audience",
        "place",
        "source",
        "free",
        "from",
        "to",
        "q",
        "limit",
        "offset",
    }
    required = spec["components"]["schemas"]["Event"]["required"]
    assert set(required) <= set(tur["events"][0])
    assert set(spec["components"]["schemas"]["Event"]["properties"]) == set(tur["events"][0])


def test_screen_shows_the_square_today_and_next_days(client: TestClient) -> None:
    resp = client.get("/screen?refresh=5")
    assert resp.headers["cache-control"] == "public, max-age=0"
    page = soup(resp)
    screen = page.select_one(".screen")
    assert screen["data-refresh"] == "5" and page.select_one("script[src='/static/screen.js']") is not None
    assert [h.get_text() for h in page.select(".screen h2")] == [
        "I dag",
        "onsdag 2. september",
        "torsdag 3. september",
    ]
    assert page.select_one("#clock").get_text() == "08.00"
    listed = [s.get_text() for s in page.select(".screen .title")]
    assert listed == ["Språkkafé", "Lesestund for de minste", "Strikkekafé", "Konsert med Asker kulturskole"]
    assert page.select_one("header.top") is None  # no navigation on a screen nobody touches


def test_print_week(client: TestClient) -> None:
    page = soup(client.get("/print?week=2026-W36"))
    assert page.h1.get_text() == "Borgen innbyggertorg: Program uke 36"
    days = [h.get_text() for h in page.select(".pday h2")]
    assert days[0] == "mandag 31. august" and days[-1] == "søndag 6. september" and len(days) == 7
    rows = page.select(".pday")[5].select("tbody tr")  # Saturday
    assert "Loppemarked" in rows[0].get_text() and "Hele dagen" in rows[0].get_text()
    assert page.select(".pday")[0].select_one(".empty") is not None
    later = soup(client.get("/print?week=2026-10-24"))
    assert later.h1.get_text().endswith("uke 43")
    assert "18.00–20.00" in later.get_text()
    assert soup(client.get("/print")).h1.get_text().endswith("uke 36")


def test_embed_iframe_and_help(client: TestClient) -> None:
    resp = client.get("/embed?limit=2&category=konsert&category=marked&lang=en")
    assert "frame-ancestors *" in resp.headers["content-security-policy"]
    page = soup(resp)
    assert page.html["lang"] == "en"
    assert [a.get_text() for a in page.select("a.title")] == ["Konsert med Asker kulturskole", "Loppemarked"]
    assert all(a["target"] == "_blank" for a in page.select("a.title"))
    help_page = soup(client.get("/embed-help?category=tur&feed=asker"))
    snippet = help_page.select_one("#snippet").get_text()
    assert f'<script type="module" src="{BASE}/embed.js"></script>' in snippet
    assert (
        '<aggregator-events feed="asker" limit="5" lang="nb" category="tur"></aggregator-events>' in snippet
    )
    assert help_page.select_one(".preview aggregator-events")["category"] == "tur"
    assert "frame-ancestors 'self'" in client.get("/").headers["content-security-policy"]


def test_embed_js_is_small_dependency_free_and_cors(client: TestClient) -> None:
    resp = client.get("/embed.js")
    assert resp.headers["content-type"].startswith("text/javascript")
    assert resp.headers["access-control-allow-origin"] == "*"
    assert len(gzip.compress(resp.content, 9)) < 5000
    text = resp.text
    assert "innerHTML" not in text and "import " not in text.replace("import.meta", "")
    assert "textContent" in text
    assert client.get("/embed.js", headers={"If-None-Match": resp.headers["etag"]}).status_code == 304


def test_pages_carry_a_strict_csp(client: TestClient) -> None:
    for path in ("/", "/screen", "/print", "/embed-help", f"/events/{event_id(client, 'Språkkafé')}"):
        csp = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp


def test_all_day_event_on_its_own_date(client: TestClient) -> None:
    page = soup(client.get("/?from=2026-09-05&to=2026-09-05"))
    assert titles(page) == ["Loppemarked"]
    assert page.select_one(".day h2").get_text() == "lørdag 5. september"
    assert page.select_one(".event .time").get_text() == "Hele dagen"
    api = client.get("/api/events?from=2026-09-05&to=2026-09-05").json()["events"][0]
    assert api["start"] == "2026-09-05" and api["all_day"] is True


def test_past_events_are_not_listed(tmp_path: Path, store: Store) -> None:
    late = datetime(2026, 9, 1, 20, 30, tzinfo=OSLO)
    client = TestClient(create_app(make_settings(tmp_path), store, clock=lambda: late))
    assert "Språkkafé" not in titles(soup(client.get("/")))
    assert date(2026, 9, 1).isoformat() not in [
        t["datetime"] for t in soup(client.get("/")).select(".day time")
    ]
