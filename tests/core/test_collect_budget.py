"""The core bounds the time an adapter may spend parsing one source (adapters have no clock)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator import collect
from aggregator.cycle import make_fetcher
from aggregator.settings import from_dict
from aggregator.store import Store
from tests.conftest import FIXTURES


def test_parse_budget_fails_the_source_not_the_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = from_dict(
        {"sources": {"kal": {"adapter": "ical", "url": str(FIXTURES / "e2e" / "borgen.ics")}}},
        tmp_path / "settings.toml",
    )
    store = Store(settings.database)
    now = datetime(2026, 10, 20, 10, tzinfo=UTC)
    with make_fetcher(settings) as fetcher:
        ok = collect.collect_source(settings, settings.sources["kal"], store, fetcher, now)
        assert ok.outcome == "ok" and len(ok.events) == 6
        monkeypatch.setattr(collect, "PARSE_BUDGET", -1.0)
        slow = collect.collect_source(settings, settings.sources["kal"], None, fetcher, now)
    assert slow.outcome == "failed"
    assert slow.error is not None and "parsing took longer than" in slow.error
    assert store.count_events("kal") == 6  # nothing stored before is lost
    store.close()
