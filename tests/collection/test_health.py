"""Health through the real interfaces: the CLI (`aggregator sources`, `sources enable`),
/status and /metrics, the back-off across runs, the log line on change, the scheduler's jobs
and its clean stop, the new settings' validation and a database from before these columns."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from starlette.testclient import TestClient

from aggregator import health
from aggregator.cli import cli
from aggregator.errors import ConfigError
from aggregator.schedule import Service
from aggregator.settings import from_dict
from aggregator.store import Store
from aggregator.web import create_app
from tests.collection.faultserver import FaultServer, fault_server, reply
from tests.collection.harness import HEALTHY, NOW, calendar, cycle, fetcher_for, settings_for

ICS = {"Content-Type": "text/calendar; charset=utf-8"}


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as srv:
        for sid, place in HEALTHY.items():
            srv.routes[f"/{sid}.ics"] = reply(200, calendar(sid, place), ICS)
        yield srv


def _settings_file(tmp_path: Path, server: FaultServer) -> Path:
    path = tmp_path / "settings.toml"
    sources = "".join(
        f'[sources.{sid}]\nadapter = "ical"\nurl = "{server.url(f"/{sid}.ics")}"\nevery = "1h"\n\n'
        for sid in HEALTHY
    )
    path.write_text(
        '[aggregator]\nallow_networks = ["127.0.0.0/8"]\nhost_interval = "0s"\nfetch_deadline = "2s"\n\n'
        + sources
        + '[feeds.alt]\ntitle = "Alt på Borgen"\n',
        encoding="utf-8",
    )
    return path


def _cli(settings: Path, *args: str, when: str) -> str:
    with time_machine.travel(when, tick=False):
        result = CliRunner().invoke(cli, ["--settings", str(settings), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_410_disables_until_the_operator_enables(server: FaultServer, tmp_path: Path) -> None:
    settings = _settings_file(tmp_path, server)
    _cli(settings, "collect", when="2026-10-20T08:00:00Z")
    server.routes["/bibliotek.ics"] = reply(410, b"Gone", {"Content-Type": "text/plain"})
    out = _cli(settings, "collect", when="2026-10-20T09:00:00Z")
    assert "bibliotek: FAILED: PermanentFetchError: HTTP 410" in out
    table = _cli(settings, "sources", when="2026-10-20T09:30:00Z")
    row = next(line for line in table.splitlines() if "bibliotek" in line)
    assert "disabled" in row and "2026-10-20 11:00" in row  # since when, in Oslo time (CEST)

    server.routes["/bibliotek.ics"] = reply(200, calendar("bibliotek", "Asker bibliotek"), ICS)
    out = _cli(settings, "collect", when="2026-10-20T10:00:00Z")
    assert "bibliotek: skipped: disabled: HTTP 410" in out
    assert len(server.paths("/bibliotek.ics")) == 2  # not asked while disabled

    assert "disabled → ok" in _cli(settings, "sources", "enable", "bibliotek", when="2026-10-20T10:05:00Z")
    out = _cli(settings, "collect", when="2026-10-20T11:00:00Z")
    assert "bibliotek: 3 events" in out or "bibliotek: unchanged" in out
    row = next(
        line
        for line in _cli(settings, "sources", when="2026-10-20T11:01:00Z").splitlines()
        if "bibliotek" in line
    )
    assert " ok " in row


def test_retry_after_backs_off_across_runs_and_status_shows_it(
    server: FaultServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    urls = {sid: server.url(f"/{sid}.ics") for sid in HEALTHY}
    settings = settings_for(tmp_path, urls)
    store = Store(settings.database)
    try:
        cycle(settings, store)
        server.routes["/borgen.ics"] = reply(503, b"", {"Retry-After": "7200"})
        with caplog.at_level(logging.INFO, logger="aggregator.health"):
            cycle(settings, store, NOW + timedelta(hours=1))
            skipped = cycle(settings, store, NOW + timedelta(hours=2))
            assert "borgen" in skipped.skipped and "backing off" in skipped.skipped["borgen"]
            assert len(server.paths("/borgen.ics")) == 2  # the first run and the 503, nothing more
            server.routes["/borgen.ics"] = reply(200, calendar("borgen", "Borgen innbyggertorg"), ICS)
            again = cycle(settings, store, NOW + timedelta(hours=3, minutes=1))
        assert {r.source_id: r.outcome for r in again.reports}["borgen"] in ("ok", "unchanged")
        changes = [r.getMessage() for r in caplog.records if r.name == "aggregator.health"]
        assert changes == [
            "source borgen: health ok → failing (TransientFetchError: HTTP 503 (retry after 7200.0 s))",
            "source borgen: health failing → ok (recovered)",
        ]

        server.routes["/kulturskole.ics"] = reply(500, b"", {})
        cycle(settings, store, NOW + timedelta(hours=4))
        client = TestClient(create_app(settings, store, clock=lambda: NOW + timedelta(hours=4)))
        data = client.get("/status?format=json").json()
        by_id = {s["id"]: s for s in data["sources"]}
        assert (
            by_id["kulturskole"]["health"] == "failing" and "HTTP 500" in by_id["kulturskole"]["last_error"]
        )
        assert by_id["borgen"]["health"] == "ok" and by_id["bibliotek"]["events"] == 3
        assert client.get("/status", headers={"Accept": "application/json"}).json() == data
        page = client.get("/status")
        assert page.headers["content-type"].startswith("text/html") and "kulturskole" in page.text
        assert "HTTP 500 from the server" in page.text

        metrics = client.get("/metrics").text
        assert 'aggregator_source_runs_total{outcome="failed",source="kulturskole"} 1.0' in metrics
        assert 'aggregator_source_events{source="bibliotek"} 3.0' in metrics
        assert 'aggregator_source_health{source="kulturskole",state="failing"} 1.0' in metrics
        assert "aggregator_source_last_success_timestamp_seconds" in metrics
        assert (
            "aggregator_fetch_duration_seconds_bucket" in metrics
            and "aggregator_fetch_bytes_total" in metrics
        )
    finally:
        store.close()


def test_stale_after_three_intervals_and_a_day(server: FaultServer, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, {"borgen": server.url("/borgen.ics")})
    store = Store(settings.database)
    try:
        cycle(settings, store)
        source, state = settings.sources["borgen"], store.source_state("borgen")
        assert health.current(state, source, NOW + timedelta(hours=23)).state == "ok"
        stale = health.current(state, source, NOW + timedelta(hours=25))
        assert stale.state == "stale" and stale.since == NOW + timedelta(hours=24)
    finally:
        store.close()


def test_scheduler_jobs_publish_on_change_and_stop_on_sigterm(server: FaultServer, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, {sid: server.url(f"/{sid}.ics") for sid in HEALTHY})
    store = Store(settings.database)
    published: list[int] = []
    with fetcher_for(settings) as fetcher:
        service = Service(settings, store, fetcher, lambda: published.append(1), now=lambda: NOW)
        service.add_jobs()
        jobs = {job.id: job for job in service.scheduler.get_jobs()}
        assert set(jobs) == set(HEALTHY)
        job = jobs["borgen"]
        assert job.trigger.interval == timedelta(hours=1) and job.trigger.jitter == 300
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time == 3600

        assert service.collect(["borgen"]).changed and published == [1]
        assert not service.collect(["borgen"]).changed and published == [1]  # unchanged: no publish

        previous = service.install_signal_handlers()
        try:
            service.start()
            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
            service.wait(poll=0.05)
            assert service.stop.is_set() and not service.scheduler.running
            assert service.collect(["bibliotek"]).skipped == {"bibliotek": "shutting down"}
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    store.close()


def test_new_settings_are_validated_with_key_paths(tmp_path: Path) -> None:
    raw = {
        "aggregator": {
            "allow_networks": ["127.0.0.0/8", "intranett"],
            "max_concurrency": 0,
            "host_interval": "fort",
            "fetch_deadline": "0s",
            "max_body_bytes": "10MB",
        },
        "sources": {"kime": {"adapter": "ical", "url": "https://kime.example/k.ics", "ignore_robots": "ja"}},
    }
    with pytest.raises(ConfigError) as err:
        from_dict(raw, tmp_path / "settings.toml")
    text = "\n".join(err.value.problems)
    for path in (
        "aggregator.allow_networks[1]",
        "aggregator.max_concurrency",
        "aggregator.host_interval",
        "aggregator.fetch_deadline",
        "aggregator.max_body_bytes",
        "sources.kime.ignore_robots",
    ):
        assert path in text, path
    good = from_dict(
        {
            "aggregator": {"allow_networks": ["10.1.0.0/16"]},
            "sources": {"kime": {"adapter": "ical", "url": "k.ics", "ignore_robots": True}},
        },
        tmp_path / "settings.toml",
    )
    assert good.allow_networks == ("10.1.0.0/16",) and good.sources["kime"].ignore_robots
    assert (good.max_concurrency, good.host_interval, good.fetch_deadline) == (4, 2.0, 30.0)


def test_a_database_from_before_the_health_columns_still_opens(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE source_state (id VARCHAR PRIMARY KEY, etag VARCHAR, last_modified VARCHAR,"
            " body_hash VARCHAR, follows INTEGER NOT NULL, last_run DATETIME, last_success DATETIME,"
            " last_outcome VARCHAR, last_error TEXT, failures INTEGER NOT NULL, event_count INTEGER NOT NULL)"
        )
        conn.execute(
            "INSERT INTO source_state VALUES ('borgen', NULL, NULL, NULL, 0, NULL, NULL, 'ok', NULL, 0, 7)"
        )
    store = Store(f"sqlite:///{db}")
    try:
        state = store.source_state("borgen")
        assert state.event_count == 7 and state.health == "ok" and state.backoff_until is None
        state.health = "failing"
        store.save_source_state(state)
        assert store.source_state("borgen").health == "failing"
    finally:
        store.close()
