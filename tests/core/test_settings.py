"""settings.toml: complete validation with key paths, defaults, env secrets, relative paths."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aggregator.errors import ConfigError
from aggregator.settings import load, parse_duration

GOOD = """
[aggregator]
base_url = "https://kalender.example"

[sources.sprakkafe]
adapter = "ical"
url = "webcal://calendar.example/sprakkafe.ics"
every = "30m"
priority = 5
categories = ["språkkafé"]
place = "Borgen nærmiljøsentral"

[sources.lokal]
adapter = "ical"
url = "data/lokal.ics"

[feeds.borgen]
title = "Borgen"
sources = ["sprakkafe"]
places = ["Borgen"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_settings_and_defaults(tmp_path: Path) -> None:
    s = load(write(tmp_path, GOOD))
    assert s.timezone == "Europe/Oslo"
    assert s.horizon_days == 180
    assert s.database == f"sqlite:///{tmp_path.resolve() / 'aggregator.db'}"
    assert s.feeds_dir == tmp_path.resolve() / "feeds"
    src = s.sources["sprakkafe"]
    assert src.url == "https://calendar.example/sprakkafe.ics"  # webcal:// is https://
    assert src.every == timedelta(minutes=30)
    assert src.priority == 5 and src.enabled
    assert src.categories == ("språkkafé",)
    # a relative path resolves against the settings file's folder
    assert s.sources["lokal"].url == (tmp_path.resolve() / "data" / "lokal.ics").as_uri()
    assert s.sources["lokal"].every == timedelta(hours=6)
    feed = s.feeds["borgen"]
    assert feed.sources == ("sprakkafe",) and feed.places == ("Borgen",) and feed.categories is None
    assert feed.horizon_days == 180 and feed.max_bytes == 1_000_000


def test_every_problem_reported_at_once_with_key_paths(tmp_path: Path) -> None:
    text = """
[aggregator]
timezone = "Europe/Asker"
horizon_days = "lots"
colour = "blue"

[sources.library]
adapter = "ical"
url = "https://x.example/a.ics"
every = "6 hours"
frequency = 3

[sources.other]
adapter = "nosuch"

[feeds.main]
sources = ["library", "ghost"]
max_bytes = "big"
"""
    with pytest.raises(ConfigError) as info:
        load(write(tmp_path, text))
    problems = info.value.problems
    joined = "\n".join(problems)
    assert "sources.library.every: '6 hours' is not a duration" in joined
    assert "aggregator.timezone: 'Europe/Asker' is not an IANA time zone" in joined
    assert "aggregator.horizon_days: 'lots' is not a whole number" in joined
    assert "aggregator.colour: unknown key" in joined
    assert "sources.library.frequency: unknown key for this adapter" in joined
    assert "sources.other.adapter: unknown adapter 'nosuch'; known adapters:" in joined
    assert "ical" in joined.split("known adapters:")[1]
    assert "feeds.main.sources: 'ghost' is not a configured source" in joined
    assert "feeds.main.max_bytes" in joined
    assert len(problems) >= 8
    rendered = info.value.render()
    assert rendered.startswith("Invalid settings in") and "Traceback" not in rendered


def test_secret_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = GOOD.replace('"webcal://calendar.example/sprakkafe.ics"', '"${SPRAKKAFE_URL}"')
    with pytest.raises(ConfigError) as info:
        load(write(tmp_path, text))
    assert "sources.sprakkafe.url: environment variable SPRAKKAFE_URL is not set" in info.value.problems
    monkeypatch.setenv("SPRAKKAFE_URL", "https://secret.example/private-token/basic.ics")
    assert (
        load(write(tmp_path, text)).sources["sprakkafe"].url
        == "https://secret.example/private-token/basic.ics"
    )


def test_environment_chooses_the_file_and_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.setenv("AGGREGATOR_SETTINGS", str(path))
    monkeypatch.setenv("AGGREGATOR_DATABASE", "postgresql+psycopg://127.0.0.1/test")
    s = load()
    assert s.path == path.resolve()
    assert s.database == "postgresql+psycopg://127.0.0.1/test"


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(write(tmp_path, "[sources.x\nadapter = 1"))
    with pytest.raises(ConfigError, match="does not exist"):
        load(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("6h", 21600), ("1d", 86400), (" 2w ", 1209600)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["6 hours", "", "h", "-1h", "1.5h"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


def test_a_sources_organiser_names_are_a_list_of_strings(tmp_path: Path) -> None:
    text = GOOD.replace(
        'place = "Borgen nærmiljøsentral"\n',
        'place = "Borgen nærmiljøsentral"\nnames = ["Borgen nærmiljøsentral", "Nærmiljøsentralen"]\n',
    )
    assert load(write(tmp_path, text)).sources["sprakkafe"].names == (
        "Borgen nærmiljøsentral",
        "Nærmiljøsentralen",
    )
    assert load(write(tmp_path, GOOD)).sources["lokal"].names == ()
    with pytest.raises(ConfigError, match=r"sources\.sprakkafe\.names"):
        load(write(tmp_path, GOOD.replace("priority = 5\n", "priority = 5\nnames = [1, 2]\n")))
