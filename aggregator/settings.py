"""The only reader of settings.toml and the environment.

The file is read once, validated completely, and handed down as typed, frozen objects.
Every problem is collected with its key path and reported together as one ConfigError;
no traceback reaches the operator. Relative paths resolve against the settings file's
folder. A string value written as ``"${NAME}"`` is taken from the environment variable NAME
(for secrets such as API tokens), and ``AGGREGATOR_DATABASE`` overrides the database URL.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError

from aggregator.adapter import COMMON_KEYS
from aggregator.errors import ConfigError

DEFAULT_PATH = "settings.toml"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


def parse_duration(text: str) -> timedelta:
    """'30m', '6h', '1d' -> timedelta; raises ValueError otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f'{text!r} is not a duration (use e.g. "30m", "6h", "1d")')
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


@dataclass(frozen=True)
class SourceSettings:
    """One ``[sources.<id>]`` table."""

    id: str
    adapter: str
    url: str | None
    every: timedelta
    priority: int
    enabled: bool
    categories: tuple[str, ...]
    audience: tuple[str, ...]
    place: str | None
    options: BaseModel
    #: the most requests (pages, details) one run may make
    max_requests: int = 200
    #: this source's own words -> the shared vocabulary (aggregator/vocabulary.py)
    category_map: dict[str, str] = field(default_factory=dict)
    audience_map: dict[str, str] = field(default_factory=dict)
    #: true only for a source that agreed to be read although its robots.txt says otherwise
    ignore_robots: bool = False
    #: names the source's organiser goes by ("Borgen IL", "Borgen idrettslag"): another
    #: source's listing that names one is about this organiser's event (dedup)
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedSettings:
    """One ``[feeds.<id>]`` table: a filter over events, rendered in every format."""

    id: str
    title: str
    description: str
    sources: tuple[str, ...] | None
    categories: tuple[str, ...] | None
    audience: tuple[str, ...] | None
    places: tuple[str, ...] | None
    horizon_days: int
    max_bytes: int
    #: (latitude, longitude, radius in metres): events with coordinates this close also match
    near: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class Settings:
    path: Path
    timezone: str
    database: str
    feeds_dir: Path
    base_url: str
    horizon_days: int
    user_agent: str
    #: groups of names for one place, for dedup ("Borgen bibliotek" is in the square's building)
    same_places: tuple[tuple[str, ...], ...] = ()
    #: groups of words that name one kind of event in this region, for dedup (added to
    #: aggregator/dedup/lexicon.toml): [["fastelavn", "tønnefest"]]
    same_words: tuple[tuple[str, ...], ...] = ()
    #: kinds of activity of this region, for dedup (added to lexicon.toml's [kinds]): two
    #: titles naming kinds with none in common are not one event; {padel = ["padel"]}
    kinds: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sources: dict[str, SourceSettings] = field(default_factory=dict)
    feeds: dict[str, FeedSettings] = field(default_factory=dict)
    # polite, safe fetching (aggregator/fetch.py, aggregator/cycle.py)
    #: networks a source may resolve to although they are loopback/private (tests, intranets)
    allow_networks: tuple[str, ...] = ()
    #: sources collected at the same time (never more than one at a time per host)
    max_concurrency: int = 4
    #: the least time between two requests to one host, in seconds
    host_interval: float = 2.0
    #: the most one request may take, all phases and the whole body together, in seconds
    fetch_deadline: float = 30.0
    #: the largest response body accepted, counted after decompression
    max_body_bytes: int = 10 * 1024 * 1024

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def folder(self) -> Path:
        return self.path.parent


_AGGREGATOR_KEYS = {
    "timezone",
    "database",
    "feeds_dir",
    "base_url",
    "horizon_days",
    "contact_url",
    "allow_networks",
    "max_concurrency",
    "host_interval",
    "fetch_deadline",
    "max_body_bytes",
    "same_places",
    "same_words",
    "kinds",
}
# ignore_robots is the core's (fetch), not an adapter option, so it is known here.
_SOURCE_KEYS = COMMON_KEYS | {"ignore_robots"}
_FEED_KEYS = {
    "title",
    "description",
    "sources",
    "categories",
    "audience",
    "places",
    "horizon_days",
    "max_bytes",
    "near",
}


class _Collector:
    """Collects problems with their key paths so all of them are reported at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def string(
        self, table: dict[str, Any], key: str, path: str, default: str | None = None, required: bool = False
    ) -> str | None:
        if key not in table:
            if required:
                self.add(f"{path}.{key}", "is required")
            return default
        value = table[key]
        if not isinstance(value, str):
            self.add(f"{path}.{key}", f"{value!r} is not a string")
            return default
        ref = _ENV_REF.match(value)
        if ref:
            env = os.environ.get(ref.group(1))
            if env is None:
                self.add(f"{path}.{key}", f"environment variable {ref.group(1)} is not set")
                return default
            return env
        return value

    def integer(self, table: dict[str, Any], key: str, path: str, default: int, minimum: int = 0) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(f"{path}.{key}", f"{value!r} is not a whole number")
            return default
        if value < minimum:
            self.add(f"{path}.{key}", f"{value} is below the minimum {minimum}")
            return default
        return value

    def boolean(self, table: dict[str, Any], key: str, path: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.add(f"{path}.{key}", f"{value!r} is not true or false")
            return default
        return value

    def str_list(self, table: dict[str, Any], key: str, path: str) -> tuple[str, ...] | None:
        if key not in table:
            return None
        value = table[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(f"{path}.{key}", f"{value!r} is not a list of strings")
            return None
        return tuple(value)

    def str_map(self, table: dict[str, Any], key: str, path: str) -> dict[str, str]:
        value = table.get(key, {})
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            self.add(f"{path}.{key}", 'must be a table of strings (raw value = "shared word")')
            return {}
        return dict(value)

    def unknown(self, table: dict[str, Any], allowed: set[str], path: str) -> None:
        for key in sorted(set(table) - allowed):
            self.add(f"{path}.{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _resolve_path(folder: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (folder / path)


def _database_url(folder: Path, value: str | None) -> str:
    if value is None:
        return f"sqlite:///{(folder / 'aggregator.db').resolve()}"
    if value.startswith("sqlite:///") and not value.startswith("sqlite:////"):
        # A relative SQLite path resolves against the settings folder, like every other path.
        rest = value[len("sqlite:///") :]
        if rest and rest != ":memory:":
            return f"sqlite:///{(folder / rest).resolve()}"
    return value


def resolve_source_url(folder: Path, url: str | None) -> str | None:
    """webcal:// is https:// (RFC-less convention); a bare relative path is a local file."""
    if url is None:
        return None
    if url.startswith("webcal://"):
        return "https://" + url[len("webcal://") :]
    if url.startswith(("http://", "https://", "file:")):
        return url
    return _resolve_path(folder, url).resolve().as_uri()


def _source(c: _Collector, sid: str, table: Any, folder: Path) -> SourceSettings | None:
    from aggregator.adapter import registry  # late: discovery imports every adapter module

    path = f"sources.{sid}"
    if not _ID.match(sid):
        c.add(path, "source ids use lowercase letters, digits, '-' and '_'")
    if not isinstance(table, dict):
        c.add(path, "must be a table")
        return None
    adapter_name = c.string(table, "adapter", path, required=True)
    adapters = registry()
    cls = adapters.get(adapter_name or "")
    if adapter_name is not None and cls is None:
        c.add(
            f"{path}.adapter",
            f"unknown adapter {adapter_name!r}; known adapters: {', '.join(sorted(adapters))}",
        )
    url = c.string(table, "url", path)
    if cls is not None and cls.needs_url and url is None:
        c.add(f"{path}.url", f"is required by the {adapter_name} adapter")
    every_text = c.string(table, "every", path, default="6h") or "6h"
    try:
        every = parse_duration(every_text)
        if every < timedelta(minutes=5):
            c.add(f"{path}.every", f"{every_text!r} is shorter than 5m; be kind to the source")
    except ValueError as err:
        c.add(f"{path}.every", str(err))
        every = timedelta(hours=6)
    priority = c.integer(table, "priority", path, 0)
    enabled = c.boolean(table, "enabled", path, True)
    max_requests = c.integer(table, "max_requests", path, 200, minimum=1)
    ignore_robots = c.boolean(table, "ignore_robots", path, False)
    categories = c.str_list(table, "categories", path) or ()
    audience = c.str_list(table, "audience", path) or ()
    place = c.string(table, "place", path)
    category_map = c.str_map(table, "category_map", path)
    audience_map = c.str_map(table, "audience_map", path)
    names = c.str_list(table, "names", path) or ()
    extra = {k: v for k, v in table.items() if k not in _SOURCE_KEYS}
    options: BaseModel | None = None
    if cls is not None:
        try:
            options = cls.Options(**extra)
        except ValidationError as err:
            for problem in err.errors():
                loc = ".".join(str(p) for p in problem["loc"])
                msg = (
                    "unknown key for this adapter" if problem["type"] == "extra_forbidden" else problem["msg"]
                )
                c.add(f"{path}.{loc}", msg)
    if cls is None or options is None:
        return None
    return SourceSettings(
        id=sid,
        adapter=cls.name,
        url=resolve_source_url(folder, url),
        every=every,
        priority=priority,
        enabled=enabled,
        categories=categories,
        audience=audience,
        place=place,
        options=options,
        max_requests=max_requests,
        category_map=category_map,
        audience_map=audience_map,
        ignore_robots=ignore_robots,
        names=names,
    )


def _networks(c: _Collector, top: dict[str, Any]) -> tuple[str, ...]:
    import ipaddress

    raw = c.str_list(top, "allow_networks", "aggregator") or ()
    networks = []
    for n, text in enumerate(raw):
        try:
            networks.append(str(ipaddress.ip_network(text.strip(), strict=False)))
        except ValueError:
            c.add(f"aggregator.allow_networks[{n}]", f"{text!r} is not a network (CIDR, e.g. 10.1.0.0/16)")
    return tuple(networks)


def _seconds(c: _Collector, top: dict[str, Any], key: str, default: str, minimum: float = 0.0) -> float:
    text = c.string(top, key, "aggregator", default=default) or default
    try:
        seconds = parse_duration(text).total_seconds()
    except ValueError as err:
        c.add(f"aggregator.{key}", str(err))
        return parse_duration(default).total_seconds()
    if seconds < minimum:
        c.add(f"aggregator.{key}", f"{text!r} is shorter than {minimum:g} s")
        return parse_duration(default).total_seconds()
    return seconds


def _feed(c: _Collector, fid: str, table: Any, horizon: int, sources: set[str]) -> FeedSettings | None:
    path = f"feeds.{fid}"
    if not _ID.match(fid):
        c.add(path, "feed ids use lowercase letters, digits, '-' and '_'")
    if not isinstance(table, dict):
        c.add(path, "must be a table")
        return None
    c.unknown(table, _FEED_KEYS, path)
    feed_sources = c.str_list(table, "sources", path)
    for sid in feed_sources or ():
        if sid not in sources:
            c.add(f"{path}.sources", f"{sid!r} is not a configured source")
    near = None
    if "near" in table:
        raw_near = table["near"]
        try:
            near = (
                float(raw_near["latitude"]),
                float(raw_near["longitude"]),
                float(raw_near.get("radius_m", 250)),
            )
            if not (-90 <= near[0] <= 90 and -180 <= near[1] <= 180 and near[2] > 0):
                raise ValueError
        except (TypeError, KeyError, ValueError, AttributeError):
            c.add(f"{path}.near", "must be { latitude = …, longitude = …, radius_m = … } with valid numbers")
            near = None
    return FeedSettings(
        id=fid,
        near=near,
        title=c.string(table, "title", path, default=fid) or fid,
        description=c.string(table, "description", path, default="") or "",
        sources=feed_sources,
        categories=c.str_list(table, "categories", path),
        audience=c.str_list(table, "audience", path),
        places=c.str_list(table, "places", path),
        horizon_days=c.integer(table, "horizon_days", path, horizon, minimum=1),
        max_bytes=c.integer(table, "max_bytes", path, 1_000_000, minimum=10_000),
    )


def _same_places(c: _Collector, top: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    raw = top.get("same_places", [])
    if not isinstance(raw, list) or not all(
        isinstance(group, list) and group and all(isinstance(n, str) and n.strip() for n in group)
        for group in raw
    ):
        c.add(
            "aggregator.same_places",
            'must be a list of lists of place names, e.g. [["Borgen bibliotek", "Borgen innbyggertorg"]]',
        )
        return ()
    return tuple(tuple(n.strip() for n in group) for group in raw)


def _same_words(c: _Collector, top: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    raw = top.get("same_words", [])
    example = 'e.g. [["fastelavn", "tønnefest"]]'
    if not isinstance(raw, list) or not all(
        isinstance(group, list) and all(isinstance(w, str) for w in group) for group in raw
    ):
        c.add("aggregator.same_words", f"must be a list of lists of words, {example}")
        return ()
    out: list[tuple[str, ...]] = []
    for g, group in enumerate(raw):
        words = tuple(w.strip() for w in group)
        if len(words) < 2:
            c.add(f"aggregator.same_words[{g}]", f"needs at least two words that mean the same, {example}")
        for n, word in enumerate(words):
            if not word or len(word.split()) != 1:
                c.add(f"aggregator.same_words[{g}][{n}]", f"{word!r} must be one word (no spaces)")
        out.append(words)
    return tuple(out)


def _kinds(c: _Collector, top: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    raw = top.get("kinds", {})
    example = 'e.g. { padel = ["padel", "padeltennis"], boccia = ["boccia"] }'
    if not isinstance(raw, dict):
        c.add("aggregator.kinds", f"must be a table of kinds, each a list of words, {example}")
        return ()
    out: list[tuple[str, tuple[str, ...]]] = []
    for kind, words in raw.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            c.add(f"aggregator.kinds.{kind}", f"must be a non-empty list of words, {example}")
            continue
        cleaned = tuple(w.strip().lower() for w in words)
        for n, word in enumerate(cleaned):
            if len(word) < 3 or len(word.split()) != 1:
                c.add(f"aggregator.kinds.{kind}[{n}]", f"{word!r} must be one word of three letters or more")
        out.append((kind, cleaned))
    return tuple(out)


def load(path: str | Path | None = None) -> Settings:
    """Read and validate settings; raise ConfigError listing every problem."""
    chosen = Path(path or os.environ.get("AGGREGATOR_SETTINGS") or DEFAULT_PATH)
    try:
        raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"settings file {chosen} does not exist"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError([f"not valid TOML: {err}"], str(chosen)) from None
    return from_dict(raw, chosen)


def from_dict(raw: dict[str, Any], path: Path) -> Settings:
    folder = path.resolve().parent
    c = _Collector()
    c.unknown(raw, {"aggregator", "sources", "feeds"}, "settings")
    top = raw.get("aggregator", {})
    if not isinstance(top, dict):
        c.add("aggregator", "must be a table")
        top = {}
    c.unknown(top, _AGGREGATOR_KEYS, "aggregator")
    tz = c.string(top, "timezone", "aggregator", default="Europe/Oslo") or "Europe/Oslo"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        c.add("aggregator.timezone", f"{tz!r} is not an IANA time zone")
        tz = "Europe/Oslo"
    database = _database_url(
        folder, os.environ.get("AGGREGATOR_DATABASE") or c.string(top, "database", "aggregator")
    )
    feeds_dir = _resolve_path(folder, c.string(top, "feeds_dir", "aggregator", default="feeds") or "feeds")
    base_url = (
        c.string(top, "base_url", "aggregator", default="http://127.0.0.1:8000") or "http://127.0.0.1:8000"
    ).rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        c.add("aggregator.base_url", f"{base_url!r} is not an http(s) URL")
    horizon = c.integer(top, "horizon_days", "aggregator", 180, minimum=1)
    contact = c.string(top, "contact_url", "aggregator", default="https://github.com/borgen/aggregator")
    user_agent = f"aggregator/0.1 (+{contact})"
    allow_networks = _networks(c, top)
    max_concurrency = c.integer(top, "max_concurrency", "aggregator", 4, minimum=1)
    host_interval = _seconds(c, top, "host_interval", "2s")
    fetch_deadline = _seconds(c, top, "fetch_deadline", "30s", minimum=1)
    max_body_bytes = c.integer(top, "max_body_bytes", "aggregator", 10 * 1024 * 1024, minimum=1024)

    sources: dict[str, SourceSettings] = {}
    raw_sources = raw.get("sources", {})
    if not isinstance(raw_sources, dict):
        c.add("sources", "must be a table of tables")
        raw_sources = {}
    for sid, table in raw_sources.items():
        src = _source(c, sid, table, folder)
        if src is not None:
            sources[sid] = src
    feeds: dict[str, FeedSettings] = {}
    raw_feeds = raw.get("feeds", {})
    if not isinstance(raw_feeds, dict):
        c.add("feeds", "must be a table of tables")
        raw_feeds = {}
    for fid, table in raw_feeds.items():
        feed = _feed(c, fid, table, horizon, set(raw_sources))
        if feed is not None:
            feeds[fid] = feed
    same_places = _same_places(c, top)
    same_words = _same_words(c, top)
    kinds = _kinds(c, top)
    if c.problems:
        raise ConfigError(c.problems, str(path))
    return Settings(
        path=path.resolve(),
        timezone=tz,
        database=database,
        feeds_dir=feeds_dir,
        base_url=base_url,
        horizon_days=horizon,
        user_agent=user_agent,
        sources=sources,
        feeds=feeds,
        allow_networks=allow_networks,
        max_concurrency=max_concurrency,
        host_interval=host_interval,
        fetch_deadline=fetch_deadline,
        max_body_bytes=max_body_bytes,
        same_places=same_places,
        same_words=same_words,
        kinds=kinds,
    )
