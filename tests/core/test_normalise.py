"""normalise: aware UTC + zone, ends, text cleaning, sanitising, URLs, fingerprints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aggregator.errors import SkipEvent
from aggregator.model import EventDraft, Status
from aggregator.normalise import Defaults, normalise

OSLO = ZoneInfo("Europe/Oslo")
D = Defaults(
    zone=OSLO,
    base_url="https://borgen.example/kalender/",
    place="Borgen innbyggertorg",
    categories=("kultur",),
)


def draft(**kw: object) -> EventDraft:
    base: dict[str, object] = {
        "uid": "a1",
        "title": "Språkkafé",
        "start": datetime(2026, 10, 28, 18, tzinfo=OSLO),
    }
    base.update(kw)
    return EventDraft(**base)  # type: ignore[arg-type]


def test_times_become_utc_with_zone_name_across_dst() -> None:
    before = normalise(draft(start=datetime(2026, 10, 24, 18, tzinfo=OSLO)), D)
    after = normalise(draft(start=datetime(2026, 10, 26, 18, tzinfo=OSLO)), D)
    assert before.start == datetime(2026, 10, 24, 16, tzinfo=UTC)
    assert after.start == datetime(2026, 10, 26, 17, tzinfo=UTC)
    assert before.tz == after.tz == "Europe/Oslo"


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(SkipEvent, match="no time zone"):
        normalise(draft(start=datetime(2026, 10, 28, 18)), D)


def test_end_not_after_start_is_dropped() -> None:
    ev = normalise(draft(end=datetime(2026, 10, 28, 18, tzinfo=OSLO)), D)
    assert ev.end is None


def test_all_day_dates() -> None:
    ev = normalise(draft(start=date(2026, 10, 17)), D)
    assert ev.all_day
    assert ev.start == datetime(2026, 10, 16, 22, tzinfo=UTC)
    assert ev.end is not None and ev.end - ev.start == timedelta(days=1)


def test_text_is_cleaned_and_html_sanitised() -> None:
    ev = normalise(
        draft(
            title="  Konsert&nbsp;&#8211; Asker\n kulturskole ",
            description_html='<p onclick="x()">Hei <script>alert(1)</script><a href="/billetter">'
            'billetter</a></p><p style="color:red">Velkommen!</p><img src=x onerror=alert(1)>',
        ),
        D,
    )
    assert ev.title == "Konsert – Asker kulturskole"
    assert "script" not in ev.description_html and "onclick" not in ev.description_html
    assert "style" not in ev.description_html and "onerror" not in ev.description_html
    assert 'href="https://borgen.example/billetter"' in ev.description_html
    assert ev.description == "Hei billetter\nVelkommen!"


def test_urls_absolute_and_only_http() -> None:
    ev = normalise(
        draft(url="/arrangement/1", signup_url="javascript:alert(1)", image_url="data:image/png;base64,xx"), D
    )
    assert ev.url == "https://borgen.example/arrangement/1"
    assert ev.signup_url is None and ev.image_url is None


def test_defaults_fill_what_the_adapter_cannot_know() -> None:
    ev = normalise(draft(categories=("konsert",)), D)
    assert ev.location == "Borgen innbyggertorg"
    assert ev.categories == ("konsert", "kultur")


def test_avlyst_in_title_means_cancelled() -> None:
    assert normalise(draft(title="AVLYST: Språkkafé"), D).status is Status.CANCELLED
    assert normalise(draft(title="Språkkafé"), D).status is Status.SCHEDULED


def test_fingerprint_moves_only_with_material_fields() -> None:
    a = normalise(draft(), D)
    assert normalise(draft(image_url="https://borgen.example/bilde.jpg"), D).fingerprint == a.fingerprint
    assert normalise(draft(title="Språkkafé!"), D).fingerprint != a.fingerprint
    assert normalise(draft(start=datetime(2026, 10, 28, 19, tzinfo=OSLO)), D).fingerprint != a.fingerprint
    assert normalise(draft(status=Status.CANCELLED), D).fingerprint != a.fingerprint


def test_empty_title_skipped() -> None:
    with pytest.raises(SkipEvent, match="no title"):
        normalise(draft(title=" &nbsp; "), D)


def test_huge_fields_are_capped() -> None:
    ev = normalise(draft(title="x" * 100_000, description="y" * 1_000_000), D)
    assert len(ev.title) <= 300 and len(ev.description) <= 20_000
