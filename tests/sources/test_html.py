"""Tests of the generic HTML scraper (sources/html.py) over authored Borgen listings in the shapes
of WisWeb volunteer centres, Drupal views, Modern Events Calendar and a hand-made page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from aggregator.adapter import RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Request, Response, Status
from sources.html import HtmlAdapter
from tests.conftest import FIXTURES, OSLO

HERE = FIXTURES / "sources" / "html"

FRIVILLIG = {
    "item": "div.u-timeline-v3",
    "title": "h3",
    "date": ".u-heading-v1-4 > span > span",
    "place_selector": "h4",
    "link": "a[href]",
    "year_selector": "footer small",
}
DRUPAL = {
    "item": "div.views-row",
    "title": ".views-field-title a",
    "date": ".views-field-field-dato .field-content",
    "time": ".views-field-field-klokkeslett .field-content",
    "place_selector": ".views-field-field-sted",
    "link": ".views-field-title a",
    "description": ".views-field-body",
    "image": ".views-field-field-image",
}
MEC = {
    "item": "article.mec-event-article",
    "title": ".mec-event-title",
    "date": ".mec-start-date-label",
    "time": ".mec-start-time",
    "end_time": ".mec-end-time",
    "place_selector": ".mec-venue-details",
    "link": ".mec-event-title a",
    "description": ".mec-event-description",
    "image": ".mec-event-image",
}
OVERNIGHT = {
    "item": "li.arrangement",
    "title": "h2",
    "date": ".dato",
    "time": ".tid",
    "place_selector": ".sted",
    "link": "h2 a",
}

URLS = {
    "frivilligsentral.html": "https://borgen.frivilligsentral.example/kalender?vis=kommende",
    "drupal_views.html": "https://bibliotek.asker.example/arrangementer?sted=borgen",
    "mec_cards.html": "https://bibliotek.example.no/kva-skjer/",
    "overnight.html": "https://borgen-naermiljosentral.example/ungdom/",
    "changed_layout.html": "https://bibliotek.example.no/kva-skjer/",
}


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def run(name: str, opts: dict[str, Any], ctx: RunContext, body: bytes | None = None) -> list[EventDraft]:
    url = URLS.get(name, "https://example.no/")
    data = (HERE / name).read_bytes() if body is None else body
    resp = Response(
        url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=data,
        request=Request(url=url),
    )
    items = list(HtmlAdapter(HtmlAdapter.Options(**opts)).parse(resp, ctx))
    assert all(isinstance(i, EventDraft) for i in items)
    return [i for i in items if isinstance(i, EventDraft)]


def spans(drafts: list[EventDraft]) -> list[tuple[str, object, object]]:
    return [(d.title, d.start, d.end) for d in drafts]


def test_frivilligsentral_timeline(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    drafts = run("frivilligsentral.html", FRIVILLIG, ctx)
    assert spans(drafts) == [
        ("Eldretreff", oslo(2026, 10, 6, 11), oslo(2026, 10, 6, 13, 30)),
        ("Strikkekafé", oslo(2026, 10, 6, 14), oslo(2026, 10, 6, 15, 30)),
        ("Eldretreff", oslo(2026, 10, 27, 11), oslo(2026, 10, 27, 13, 30)),  # after the DST change
        ("Aktiv på dagtid: stavgang", oslo(2026, 11, 3, 10), oslo(2026, 11, 3, 12)),
        ("Eldretreff", oslo(2027, 1, 5, 11), oslo(2027, 1, 5, 13, 30)),  # year printed on the item
    ]
    offsets = [d.start.utcoffset() for d in drafts if isinstance(d.start, datetime)]
    assert offsets == [timedelta(hours=h) for h in (2, 2, 1, 1, 1)]
    first = drafts[0]
    assert first.url == "https://borgen.frivilligsentral.example/hendelse?eldretreff-borgen&Id=3100101"
    assert first.uid == first.url  # WisWeb links one page per occurrence
    assert first.location == "Borgen innbyggertorg, Søndre Borgen 11"
    assert first.raw["date_text"] == "Tirsdag / 6 / Oktober"
    # "Onsdag / 3 / November": the date is kept as printed and the contradiction reported
    assert ctx.warnings == [
        "'Aktiv på dagtid: stavgang': weekday 'onsdag' contradicts 2026-11-03, which is a tirsdag"
    ]
    assert ctx.skips == []


def test_frivilligsentral_year_comes_from_the_footer(make_ctx: Callable[..., RunContext]) -> None:
    # In late December a year-less "6 Oktober" would be guessed as next October; the footer says 2026.
    december = make_ctx(now=datetime(2026, 12, 20, 8, tzinfo=OSLO))
    assert run("frivilligsentral.html", FRIVILLIG, december)[0].start == oslo(2026, 10, 6, 11)
    guessed = make_ctx(now=datetime(2026, 12, 20, 8, tzinfo=OSLO))
    no_footer = {k: v for k, v in FRIVILLIG.items() if k != "year_selector"}
    assert run("frivilligsentral.html", no_footer, guessed)[0].start == oslo(2027, 10, 6, 11)
    # ... and the printed "Tirsdag" catches the wrong guess (2027-10-06 is a Wednesday)
    assert any("'tirsdag' contradicts 2027-10-06" in w for w in guessed.warnings)


def test_drupal_views_cards(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    drafts = run("drupal_views.html", DRUPAL, ctx)
    assert spans(drafts) == [
        ("Lesestund for de minste", oslo(2026, 10, 22, 18), None),  # CEST
        ("Lesestund for de minste", oslo(2026, 10, 29, 18), None),  # CET
        ("Bokbyttedag", date(2026, 11, 14), None),  # no time: all-day
        ("Påsketrim med DNT Asker", oslo(2027, 3, 25, 18), None),  # CET
        ("Påsketrim med DNT Asker", oslo(2027, 4, 1, 18), None),  # CEST
    ]
    assert [d.start.utcoffset() for d in drafts if isinstance(d.start, datetime)] == [
        timedelta(hours=h) for h in (2, 1, 1, 2)
    ]
    assert drafts[2].all_day
    assert drafts[0].url == "https://bibliotek.asker.example/arrangementer/lesestund-borgen-oktober"
    assert drafts[0].image_url == (
        "https://bibliotek.asker.example/sites/default/files/styles/card/public/2026-08/lesestund.jpg?itok=Ab12Cd34"
    )
    assert drafts[1].image_url is None
    assert drafts[0].description == "Høytlesning og rim og regler for barn fra 2 år. Gratis, ingen påmelding."
    # "Dato kommer" cannot be placed: skipped with the text that failed, the rest goes on
    assert len(ctx.skips) == 1
    assert "'Dato kommer'" in ctx.skips[0].reason and ctx.skips[0].item == "Forfatterbesøk"


def test_mec_cards(make_ctx: Callable[..., RunContext]) -> None:
    drafts = run("mec_cards.html", MEC, make_ctx())
    assert spans(drafts) == [
        ("Språkkafé", oslo(2026, 9, 9, 13, 30), oslo(2026, 9, 9, 15)),
        ("Språkkafé", oslo(2026, 9, 16, 13, 30), oslo(2026, 9, 16, 15)),
        ("Konsert med Asker kulturskole", oslo(2026, 10, 24, 18), oslo(2026, 10, 24, 19, 30)),
        ("AVLYST: Språkkafé", oslo(2026, 10, 28, 13, 30), oslo(2026, 10, 28, 15)),
    ]
    assert [d.start.utcoffset() for d in drafts if isinstance(d.start, datetime)] == [
        timedelta(hours=h) for h in (2, 2, 2, 1)
    ]
    # One post link for every occurrence of a repeating event: the local date tells them apart.
    assert [d.uid for d in drafts] == [
        "https://bibliotek.example.no/arrangement/sprakkafe/#2026-09-09",
        "https://bibliotek.example.no/arrangement/sprakkafe/#2026-09-16",
        "https://bibliotek.example.no/arrangement/konsert-asker-kulturskole/",
        "https://bibliotek.example.no/arrangement/sprakkafe-avlyst/",
    ]
    assert [d.status for d in drafts] == [Status.SCHEDULED] * 3 + [Status.CANCELLED]
    assert drafts[0].location == "Borgen innbyggertorg"
    assert (
        drafts[0].image_url == "https://bibliotek.example.no/wp-content/uploads/2026/08/sprakkafe-300x300.jpg"
    )
    assert drafts[0].description is not None and drafts[0].description.startswith("Kvar onsdag")


def test_overnight_and_dst_nights(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    drafts = run("overnight.html", OVERNIGHT, ctx)
    assert spans(drafts) == [
        ("Nattkino for ungdom", oslo(2026, 10, 23, 22), oslo(2026, 10, 24, 1)),
        ("Kulturnatt på Borgen", oslo(2026, 10, 24, 23), oslo(2026, 10, 25, 3)),
        ("Julemarked", date(2026, 11, 14), None),
        ("Rusfri nyttårsfeiring", oslo(2026, 12, 31, 22), oslo(2027, 1, 1, 0)),
        ("LAN-natt", oslo(2027, 3, 27, 23), oslo(2027, 3, 28, 4)),
        ("Dugnad i klubben", oslo(2026, 11, 10, 18), None),
    ]
    real = {
        d.title: d.end.astimezone(UTC) - d.start.astimezone(UTC)
        for d in drafts
        if isinstance(d.start, datetime) and isinstance(d.end, datetime)
    }
    assert real["Kulturnatt på Borgen"] == timedelta(hours=5)  # the night is an hour longer
    assert real["LAN-natt"] == timedelta(hours=4)  # ... and an hour shorter
    assert drafts[0].url == "https://borgen-naermiljosentral.example/ungdom/arrangement/nattkino-oktober"
    assert ctx.warnings == ["'Dugnad i klubben': end 17:00 is not after the start; dropped"]


def test_changed_layout_fails_loudly(make_ctx: Callable[..., RunContext]) -> None:
    with pytest.raises(ParseError) as err:
        run("changed_layout.html", MEC, make_ctx())
    assert str(err.value) == (
        "selector 'article.mec-event-article' matched no items: the page layout may have changed"
    )


def test_empty_page_and_missing_year_fail(make_ctx: Callable[..., RunContext]) -> None:
    with pytest.raises(ParseError, match="the page is empty"):
        run("mec_cards.html", MEC, make_ctx(), body=b" \n")
    with pytest.raises(ParseError, match=re.escape("year_selector 'footer .copyright' matched nothing")):
        run("frivilligsentral.html", {**FRIVILLIG, "year_selector": "footer .copyright"}, make_ctx())


def test_options_reject_unknown_keys_and_bad_selectors() -> None:
    with pytest.raises(ValidationError):
        HtmlAdapter.Options.model_validate({**MEC, "colour": "red"})
    with pytest.raises(ValidationError, match="not a CSS selector"):
        HtmlAdapter.Options.model_validate({**MEC, "date": "span[class="})
    with pytest.raises(ValidationError):
        HtmlAdapter.Options.model_validate({**MEC, "uid_from": "start"})
    assert HtmlAdapter.name == "html"


def test_title_date_uids_ignore_the_time(make_ctx: Callable[..., RunContext]) -> None:
    opts = {**FRIVILLIG, "uid_from": "title_date"}
    before = run("frivilligsentral.html", opts, make_ctx())
    assert [d.uid for d in before] == [
        "eldretreff|2026-10-06",
        "strikkekafé|2026-10-06",
        "eldretreff|2026-10-27",
        "aktiv på dagtid: stavgang|2026-11-03",
        "eldretreff|2027-01-05",
    ]
    moved = (HERE / "frivilligsentral.html").read_bytes().replace(b"11.00&nbsp;-", b"12.00&nbsp;-")
    after = run("frivilligsentral.html", opts, make_ctx(), body=moved)
    assert after[0].start == oslo(2026, 10, 6, 12)
    assert [d.uid for d in after] == [d.uid for d in before]  # a corrected time is the same event


@pytest.mark.parametrize(
    ("name", "opts"),
    [
        ("frivilligsentral.html", FRIVILLIG),
        ("drupal_views.html", DRUPAL),
        ("mec_cards.html", MEC),
        ("overnight.html", OVERNIGHT),
    ],
)
def test_contract_aware_unique_deterministic(
    name: str, opts: dict[str, Any], make_ctx: Callable[..., RunContext]
) -> None:
    first = run(name, opts, make_ctx())
    assert first == run(name, opts, make_ctx())
    assert len({d.uid for d in first}) == len(first)
    for draft in first:
        for moment in (draft.start, draft.end):
            if isinstance(moment, datetime):
                assert moment.tzinfo is OSLO
