"""404 and 410 through the CLI (issue 5: "404 and 410 mark the source failing (410 disables it
until the operator re-enables it)"): `aggregator collect` records the failure, `aggregator
sources` shows the health and since when, the published feed keeps the source's events, and
only 410 stops the next runs from asking."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
import time_machine
from click.testing import CliRunner

from aggregator.cli import cli
from tests.collection.faultserver import FaultServer, fault_server, reply
from tests.collection.harness import HEALTHY, calendar

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
        f'[aggregator]\ndatabase = "sqlite:///{tmp_path / "agg.db"}"\nfeeds_dir = "{tmp_path / "feeds"}"\n'
        'allow_networks = ["127.0.0.0/8"]\nhost_interval = "0s"\nfetch_deadline = "2s"\n\n'
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


def _row(settings: Path, source: str, when: str) -> str:
    return next(line for line in _cli(settings, "sources", when=when).splitlines() if f" {source} " in line)


def _published(tmp_path: Path) -> set[str]:
    cal = icalendar.Calendar.from_ical((tmp_path / "feeds" / "alt.ics").read_bytes())
    return {str(ev["SUMMARY"]) for ev in cal.walk("VEVENT")}


@pytest.mark.parametrize(
    ("status", "health", "asked_again"),
    [(404, "failing", True), (410, "disabled", False)],
)
def test_404_marks_failing_and_410_disables(
    server: FaultServer, tmp_path: Path, status: int, health: str, asked_again: bool
) -> None:
    settings = _settings_file(tmp_path, server)
    _cli(settings, "collect", when="2026-10-20T08:00:00Z")
    _cli(settings, "publish", when="2026-10-20T08:01:00Z")
    before = _published(tmp_path)
    assert {t for t in before if t.startswith("Lesestund")} == {
        f"Lesestund for de minste nr. {n}" for n in (1, 2, 3)
    }

    server.routes["/bibliotek.ics"] = reply(status, b"Siden finnes ikke", {"Content-Type": "text/plain"})
    out = _cli(settings, "collect", when="2026-10-20T09:00:00Z")
    assert f"bibliotek: FAILED: PermanentFetchError: HTTP {status}" in out
    assert "borgen: unchanged" in out and "kulturskole: unchanged" in out
    row = _row(settings, "bibliotek", when="2026-10-20T09:30:00Z")
    assert health in row and "2026-10-20 11:00" in row  # since when, in Oslo time (CEST)
    assert f"HTTP {status}" in row  # and why

    _cli(settings, "publish", when="2026-10-20T09:31:00Z")
    assert _published(tmp_path) == before  # a failing source keeps its events

    out = _cli(settings, "collect", when="2026-10-20T10:00:00Z")
    assert len(server.paths("/bibliotek.ics")) == (3 if asked_again else 2)
    if asked_again:
        assert "bibliotek: FAILED: PermanentFetchError: HTTP 404" in out
        assert health in _row(settings, "bibliotek", when="2026-10-20T10:01:00Z")
    else:
        assert "bibliotek: skipped: disabled: HTTP 410" in out
