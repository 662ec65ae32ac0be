"""Issue 4 follow-up: a publish where nothing changed reuses the stored clusters.

``clusters.sync`` keeps a digest of its inputs (``DedupState``); these tests drive it with
Borgen events stored through ``Store.apply_run`` (as a collection stores them) and through
`aggregator publish` (CliRunner, injected time, the .ics read back by vobject), and check that
reuse happens only when it must give the same answer: not after a changed event, a new
operator decision, an expired "FLYTTET" note, or on the web's read-only path.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
import vobject
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import select

from aggregator import clusters
from aggregator.cli import cli
from aggregator.clusters import Published, record_decision, sync
from aggregator.dedup import cluster as real_cluster
from aggregator.model import EventDraft
from aggregator.normalise import Defaults, NormalEvent, normalise
from aggregator.store import ClusterRow, DedupState, Store

OSLO = ZoneInfo("Europe/Oslo")
PRIORITIES = {"dnt-asker": 10, "naermiljosentral": 6}
# A fixed window across the DST change of 2026-10-25, so a later "now" keeps the same window.
WINDOW = (datetime(2026, 10, 19, tzinfo=OSLO), datetime(2027, 1, 31, tzinfo=OSLO))
T0 = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
SIGNUP = "https://www.dnt.no/aktiviteter/4711/"


def draft(uid: str, title: str, start: str, **more: Any) -> NormalEvent:
    begin = datetime.fromisoformat(start).replace(tzinfo=OSLO)
    more.setdefault("location", "Borgen innbyggertorg, Søndre Borgen 11, 1388 Borgen")
    return normalise(
        EventDraft(uid=uid, title=title, start=begin, end=begin + timedelta(hours=2), **more),
        Defaults(zone=OSLO),
    )


def dnt(start: str = "2026-11-08T10:00") -> list[NormalEvent]:
    return [
        draft(
            "dnt-4711", "Søndagstur fra Borgen til Vardåsen", start, url=SIGNUP, description="Ta med niste."
        ),
        # the autumn evening tour, after the DST change
        draft("dnt-4712", "Kveldstur med hodelykt", "2026-10-29T18:00", url=SIGNUP + "x"),
    ]


def nms(cafe: str = "Språkkafé") -> list[NormalEvent]:
    return [
        draft(
            "abc123",
            "Søndagstur til Vardåsen med DNT Asker",
            "2026-11-08T10:00",
            description="Påmelding: " + SIGNUP,
        ),
        draft("cafe1105", cafe, "2026-11-05T18:00"),
        draft("strikk1021", "Strikkekafé", "2026-10-21T18:00"),  # before the DST change
    ]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'aggregator.db'}")
    yield s
    s.close()


@pytest.fixture
def clusterings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times sync clustered (rather than reused), counted at the real function."""
    calls: list[int] = []
    real = real_cluster

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(len(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(clusters, "cluster", counted)
    return calls


def run(store: Store, now: datetime, *, write: bool = True) -> list[Published]:
    return sync(store, PRIORITIES, OSLO, *WINDOW, now, write=write)


def view(published: list[Published]) -> list[tuple[Any, ...]]:
    return [(p.record, p.members, p.also, p.cluster_id, sorted(p.links)) for p in published]


def state(store: Store) -> DedupState | None:
    with store.session() as s:
        return s.get(DedupState, 1)


def tour(published: list[Published]) -> Published:
    [found] = [p for p in published if "Vardåsen" in p.record.title]
    return found


def test_an_unchanged_publish_reuses_the_stored_clusters(store: Store, clusterings: list[int]) -> None:
    store.apply_run("dnt-asker", dnt(), T0)
    store.apply_run("naermiljosentral", nms(), T0)
    first = run(store, T0)
    assert len(clusterings) == 1
    assert len(tour(first).members) == 2  # DNT's tour and the centre's copy, once
    saved = state(store)
    assert saved is not None and saved.synced == T0 and saved.valid_until is None

    # the same inputs an hour later: read back, not re-clustered, nothing written
    again = run(store, T0 + timedelta(hours=1))
    assert len(clusterings) == 1
    assert view(again) == view(first)
    assert state(store).synced == T0  # type: ignore[union-attr]
    # a source re-collected without changes (same fingerprints) changes nothing either
    store.apply_run("naermiljosentral", nms(), T0 + timedelta(hours=2))
    assert view(run(store, T0 + timedelta(hours=2))) == view(first)
    assert len(clusterings) == 1

    # the reused view is exactly what clustering afresh gives
    with store.session() as s:
        s.exec(text("DELETE FROM dedup_state"))  # type: ignore[call-overload]
        s.commit()
    assert view(run(store, T0 + timedelta(hours=3))) == view(first)
    assert len(clusterings) == 2


def test_a_changed_event_or_a_new_decision_clusters_afresh(store: Store, clusterings: list[int]) -> None:
    store.apply_run("dnt-asker", dnt(), T0)
    store.apply_run("naermiljosentral", nms(), T0)
    run(store, T0)
    store.apply_run("naermiljosentral", nms(cafe="Språkkafé – øv på norsk"), T0 + timedelta(hours=1))
    after = run(store, T0 + timedelta(hours=1))
    assert len(clusterings) == 2
    [cafe] = [p for p in after if p.record.title.startswith("Språkkafé")]
    assert cafe.record.title == "Språkkafé – øv på norsk" and cafe.record.sequence == 1

    pair = [(m.source_id, m.uid, m.recurrence_id) for m in tour(after).members]
    record_decision(store, "apart", pair[0], pair[1], T0 + timedelta(hours=2))
    split = run(store, T0 + timedelta(hours=2))
    assert len(clusterings) == 3
    assert len([p for p in split if "Vardåsen" in p.record.title]) == 2
    run(store, T0 + timedelta(hours=3))
    assert len(clusterings) == 3  # the decision is part of the digest: reused again


def test_the_moved_note_expires_even_when_nothing_changed(store: Store, clusterings: list[int]) -> None:
    store.apply_run("dnt-asker", dnt(), T0)
    store.apply_run("naermiljosentral", nms(), T0)
    run(store, T0)
    store.apply_run("dnt-asker", dnt(start="2026-11-08T11:00"), T0 + timedelta(hours=1))
    moved = tour(run(store, T0 + timedelta(hours=1)))
    assert moved.record.description.startswith("FLYTTET fra søn. 8. nov. kl. 10.00.")
    saved = state(store)
    assert saved is not None and saved.valid_until == T0 + timedelta(hours=1, days=14)

    # a day later, nothing changed: reused, the note still there
    later = tour(run(store, T0 + timedelta(days=1)))
    assert len(clusterings) == 2
    assert later.record == moved.record

    # past the two weeks: clustered afresh, the note gone, SEQUENCE moved once for it
    expired = tour(run(store, T0 + timedelta(days=15)))
    assert len(clusterings) == 3
    assert "FLYTTET" not in expired.record.description
    assert expired.record.sequence == moved.record.sequence + 1
    assert expired.record.public_uid == moved.record.public_uid


def test_the_read_only_path_never_writes_and_never_trusts_a_stale_digest(store: Store) -> None:
    store.apply_run("dnt-asker", dnt(), T0)
    store.apply_run("naermiljosentral", nms(), T0)
    assert len(tour(run(store, T0, write=False)).members) == 2
    assert state(store) is None
    with store.session() as s:
        assert s.exec(select(ClusterRow)).all() == []
    run(store, T0)
    digest = state(store).digest  # type: ignore[union-attr]
    # collected but not yet published: the web still shows the change
    store.apply_run("naermiljosentral", nms(cafe="Språkkafé for alle"), T0 + timedelta(hours=1))
    shown = run(store, T0 + timedelta(hours=1), write=False)
    assert any(p.record.title == "Språkkafé for alle" for p in shown)
    assert state(store).digest == digest  # type: ignore[union-attr]


def test_a_database_from_before_the_digest_table_still_syncs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Store(url)
    old.apply_run("dnt-asker", dnt(), T0)
    old.apply_run("naermiljosentral", nms(), T0)
    run(old, T0)
    with old.session() as s:
        s.exec(text("DROP TABLE dedup_state"))  # type: ignore[call-overload]
        s.commit()
    old.close()
    reopened = Store(url)
    try:
        assert len(tour(run(reopened, T0 + timedelta(hours=1))).members) == 2
        assert state(reopened) is not None
    finally:
        reopened.close()


def test_publish_twice_through_the_cli_keeps_every_byte_and_skips_the_clustering(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text(
        """
[aggregator]
base_url = "http://127.0.0.1:8000"

[sources.dnt-asker]
adapter = "ical"
url = "https://www.dnt.no/asker.ics"
priority = 10

[sources.naermiljosentral]
adapter = "ical"
url = "https://borgen.example/nms.ics"
priority = 6

[feeds.borgen]
title = "Borgen innbyggertorg"
""",
        encoding="utf-8",
    )
    store = Store(f"sqlite:///{tmp_path / 'aggregator.db'}")
    store.apply_run("dnt-asker", dnt(), T0)
    store.apply_run("naermiljosentral", nms(), T0)

    def publish(when: str) -> str:
        with time_machine.travel(when, tick=False):
            result = CliRunner().invoke(cli, ["--settings", str(settings), "publish"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return (tmp_path / "feeds" / "borgen.ics").read_text(encoding="utf-8")

    first = publish("2026-10-20T08:00:00Z")
    synced = state(store).synced  # type: ignore[union-attr]
    assert publish("2026-10-20T09:30:00Z") == first
    assert state(store).synced == synced  # type: ignore[union-attr]  # reused: nothing written

    store.apply_run("dnt-asker", dnt(start="2026-11-08T11:00"), datetime(2026, 10, 20, 10, tzinfo=UTC))
    changed = publish("2026-10-20T10:00:00Z")
    cal = vobject.readOne(changed)
    [ev] = [e for e in cal.vevent_list if "Vardåsen" in e.summary.value]
    assert ev.sequence.value == "1"
    assert ev.dtstart.value == datetime(2026, 11, 8, 11, tzinfo=OSLO)
    assert state(store).synced == datetime(2026, 10, 20, 10, tzinfo=UTC)  # type: ignore[union-attr]
    store.close()
