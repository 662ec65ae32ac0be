"""aggregator.dedup on realistic Borgen listings: keys, the verdict, clusters, canonical merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from aggregator.dedup import Decisions, cluster, key_of, merge, with_notes
from aggregator.dedup.keys import link_key, title_key
from aggregator.dedup.match import compare, prepare
from aggregator.model import EventRecord, Status

OSLO = ZoneInfo("Europe/Oslo")
CREATED = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
PRIORITY = {"dnt-asker": 10, "kulturskole": 8, "bibliotek": 7, "naermiljosentral": 6, "borgen-nyheter": 2}
_ids = iter(range(1, 10_000))


def ev(
    source: str,
    title: str,
    start: str,
    *,
    uid: str | None = None,
    place: str | None = "Borgen innbyggertorg",
    address: str | None = None,
    url: str | None = None,
    description: str = "",
    status: Status = Status.SCHEDULED,
    hours: float = 2,
    lat: float | None = None,
    lon: float | None = None,
) -> EventRecord:
    begin = datetime.fromisoformat(start).replace(tzinfo=OSLO)
    n = next(_ids)
    return EventRecord(
        id=n,
        public_uid=f"p{n}@aggregator.borgen",
        source_id=source,
        uid=uid or f"{source}-{n}",
        recurrence_id="",
        title=title,
        start=begin,
        end=begin + timedelta(hours=hours),
        tz="Europe/Oslo",
        all_day=False,
        status=status,
        description=description,
        description_html="",
        url=url,
        location=place,
        address=address,
        latitude=lat,
        longitude=lon,
        organizer=None,
        categories=(),
        audience=(),
        price=None,
        free=None,
        signup_url=None,
        image_url=None,
        language=None,
        sequence=0,
        created=CREATED,
        modified=CREATED,
    )


def verdict(a: EventRecord, b: EventRecord) -> float | None:
    x, y = prepare([a, b], PRIORITY, OSLO)
    v = compare(x, y)
    return None if v is None else v.score


def test_title_key_drops_norwegian_noise_and_folds_letters() -> None:
    assert title_key("AVLYST: Språkkafé kl. 18.00 – Borgen") == title_key("Sprakkafe")
    assert title_key("Søndagstur fra Borgen til Vardåsen") == "sondagstur vardasen"
    assert title_key("Søndagstur til Vardåsen med DNT Asker, søndag 10. januar 2027") == "sondagstur vardasen"
    assert title_key("Songkveld for born") == title_key("Sangkveld for barn")  # nynorsk / bokmål
    assert title_key("Lesestund 12.03.2027 på biblioteket") == "lesestund biblioteket"


def test_link_key_ignores_tracking_and_www() -> None:
    assert link_key("https://www.dnt.no/aktiviteter/12345/?utm_source=fb") == link_key(
        "https://dnt.no/aktiviteter/12345"
    )
    assert link_key("mailto:post@borgen.no") is None


def test_same_tour_from_two_sources_matches_on_shared_link_despite_other_times() -> None:
    dnt = ev(
        "dnt-asker",
        "Søndagstur fra Borgen til Vardåsen",
        "2027-01-10T10:00",
        url="https://www.dnt.no/aktiviteter/4711/",
    )
    news = ev(
        "borgen-nyheter",
        "Søndagstur til Vardåsen med DNT Asker",
        "2027-01-10T09:45",
        url="https://borgen.no/nyheter/sondagstur",
        description="Meld deg på hos DNT: https://www.dnt.no/aktiviteter/4711/.",
    )
    score = verdict(dnt, news)
    assert score is not None and score >= 0.9


def test_near_misses_stay_apart() -> None:
    cafe = ev("naermiljosentral", "Språkkafé", "2026-12-01T18:00")
    # the weekly language café next week is another occurrence
    assert verdict(cafe, ev("bibliotek", "Språkkafé", "2026-12-08T18:00")) is None
    # two different tours from the square on the same morning
    a = ev("dnt-asker", "Søndagstur til Vardåsen", "2027-01-10T10:00")
    b = ev("naermiljosentral", "Søndagstur til Skaugumsåsen", "2027-01-10T10:00")
    assert verdict(a, b) is None
    # the same title at another place at the same time
    c = ev(
        "bibliotek",
        "Lesestund for de minste",
        "2026-12-02T10:00",
        place="Asker bibliotek, Strandveien 8",
        lat=59.8336,
        lon=10.4347,
    )
    d = ev(
        "naermiljosentral",
        "Lesestund for de minste",
        "2026-12-02T10:00",
        place="Borgen bibliotek",
        lat=59.8161,
        lon=10.4486,
    )
    assert verdict(c, d) is None
    # the same event two hours apart without a shared link is not the same occurrence
    assert verdict(cafe, ev("bibliotek", "Språkkafé", "2026-12-01T20:00")) is None


def test_variant_title_same_time_and_place_matches() -> None:
    hoopla = ev("kulturskole", "Vårkonsert på Borgen", "2027-04-22T18:00")
    google = ev("naermiljosentral", "Vårkonsert med Asker kulturskole", "2027-04-22T18:00")
    assert verdict(hoopla, google) is not None
    # a DST day: 2027-03-28 10:00 CEST in both sources
    a = ev("dnt-asker", "Vårtur fra Borgen til Holmen", "2027-03-28T10:00")
    b = ev("naermiljosentral", "Vårtur til Holmen", "2027-03-28T10:00")
    assert a.start.utcoffset() == timedelta(hours=2)
    assert verdict(a, b) is not None


def test_same_source_is_never_merged_and_clusters_hold_one_event_per_source() -> None:
    a = ev("naermiljosentral", "Språkkafé", "2026-12-01T18:00")
    b = ev("naermiljosentral", "Språkkafé", "2026-12-01T18:00", place="Borgen nærmiljøsentral")
    c = ev("bibliotek", "Språkkafé", "2026-12-01T18:00")
    groups = cluster([a, b, c], PRIORITY, OSLO)
    assert sorted(len(g.members) for g in groups) == [1, 2]
    for g in groups:
        sources = [[a, b, c][i].source_id for i in g.members]
        assert len(sources) == len(set(sources))


def test_operator_decisions_split_and_merge() -> None:
    a = ev("kulturskole", "Vårkonsert på Borgen", "2027-04-22T18:00")
    b = ev("naermiljosentral", "Vårkonsert med Asker kulturskole", "2027-04-22T18:00")
    c = ev("bibliotek", "Sjakkurs for barn", "2027-04-22T18:00")
    records = [a, b, c]
    assert sorted(len(g.members) for g in cluster(records, PRIORITY, OSLO)) == [1, 2]
    apart = Decisions(apart=frozenset({frozenset({key_of(a), key_of(b)})}))
    assert sorted(len(g.members) for g in cluster(records, PRIORITY, OSLO, apart)) == [1, 1, 1]
    together = Decisions(together=frozenset({frozenset({key_of(a), key_of(c)})}))
    groups = cluster(records, PRIORITY, OSLO, together)
    assert sorted(len(g.members) for g in groups) == [3]
    [g] = groups
    assert any(link.reasons == ("operator merge",) for link in g.links)


def test_canonical_is_highest_priority_and_fields_are_merged() -> None:
    news = ev(
        "borgen-nyheter",
        "Søndagstur til Vardåsen med DNT Asker",
        "2027-01-10T10:00",
        url="https://borgen.no/nyheter/sondagstur",
        description="En lang tekst fra nyhetssaken om turen til Vardåsen, med kart, utstyrsliste og parkering.",
        place="Borgen innbyggertorg",
        address="Søndre Borgen 11, 1388 Borgen",
        lat=59.8161,
        lon=10.4486,
    )
    dnt = ev(
        "dnt-asker",
        "Søndagstur fra Borgen til Vardåsen",
        "2027-01-10T10:00",
        url="https://www.dnt.no/aktiviteter/4711/",
        description="Kort.",
    )
    merged = merge([news, dnt], [0, 1], PRIORITY)
    assert merged.canonical == 1
    rec = merged.record
    assert rec.title == dnt.title and rec.url == dnt.url
    assert rec.description == news.description  # the richest description
    assert (
        rec.address == "Søndre Borgen 11, 1388 Borgen" and rec.latitude == 59.8161
    )  # the most precise place
    assert merged.also == (("borgen-nyheter", "https://borgen.no/nyheter/sondagstur"),)
    shown = with_notes(rec, merged.also, "FLYTTET fra søn. 10. jan. kl. 09.00.")
    assert shown.description.startswith("FLYTTET fra")
    assert shown.description.endswith(
        "Også oppført hos: borgen-nyheter (https://borgen.no/nyheter/sondagstur)."
    )


def test_a_member_removed_by_its_source_is_not_canonical_and_does_not_cancel() -> None:
    dnt = ev("dnt-asker", "Søndagstur til Vardåsen", "2027-01-10T10:00", status=Status.CANCELLED)
    news = ev("borgen-nyheter", "Søndagstur til Vardåsen", "2027-01-10T10:00")
    merged = merge([dnt, news], [0, 1], PRIORITY, removed={0})
    assert merged.canonical == 1 and merged.record.status is Status.SCHEDULED
    # an explicit cancellation by the canonical source does cancel the event
    assert merge([dnt, news], [0, 1], PRIORITY).record.status is Status.CANCELLED
