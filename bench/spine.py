"""The spine benchmark: collect, re-collect and publish the workload, against bare libraries.

Owns the measurements and their bookkeeping: a loopback server (``server.py``) serves the seeded
workload (``workload.py``); the real core (``collect_source``, ``Fetcher``, ``Store``,
``publish_all``) runs it end to end in a temporary directory; the same payloads go through the
bare libraries (icalendar + recurring-ical-events, feedparser, icalendar serialisation) in the
same process, so every ratio compares like with like on this machine at this moment.
Each timed figure is the best of N repetitions (N is recorded with it).

Must not: change or monkey-patch the core (it measures it as shipped), reach the network
beyond 127.0.0.1, or pass silently over a failed source: a run that did not do the work
raises ``BenchError`` instead of reporting a fast number.
"""

from __future__ import annotations

import gc
import importlib.metadata
import io
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import feedparser
import icalendar
import recurring_ical_events

from aggregator.adapter import RunContext, get_adapter
from aggregator.collect import RunReport, collect_source
from aggregator.cycle import make_fetcher
from aggregator.model import EventDraft, EventRecord, Request, Response
from aggregator.normalise import Defaults, NormalEvent, normalise
from aggregator.publish.build import FORMATS, publish_all, render_feed, select_events
from aggregator.settings import Settings, from_dict
from aggregator.store import Store
from bench.server import Served, serve
from bench.workload import NOW, OSLO, Workload, generate

T = TypeVar("T")

#: The targets from the benchmark brief (docs: BENCHMARKS.md, "Targets").
TARGETS = {
    "cold_vs_bare": ("≤", 2.0),
    "warm_share": ("≤", 0.10),
    "ics_vs_bare": ("≤", 1.5),
    "peak_rss_mb": ("<", 1024.0),
}
FEED_ID = "all"


class BenchError(RuntimeError):
    """The benchmark did not do the work it claims to measure (a source failed, ...)."""


@dataclass(frozen=True)
class Scale:
    """How much work one benchmark run does and how often each timed step is repeated."""

    calendars: int
    vevents: int
    feeds: int
    items: int
    repeat: int
    warm_repeat: int
    tracemalloc: bool = True

    @classmethod
    def full(cls, repeat: int = 3) -> Scale:
        return cls(calendars=40, vevents=250, feeds=20, items=50, repeat=repeat, warm_repeat=repeat + 2)

    @classmethod
    def quick(cls, repeat: int = 1) -> Scale:
        # Four sources: enough to exercise every path (series, all-day, UTC, RSS) in seconds.
        return cls(calendars=3, vevents=250, feeds=1, items=50, repeat=repeat, warm_repeat=repeat)


@dataclass
class Figure:
    key: str
    label: str
    value: float
    unit: str
    n: int = 1  # repetitions the value is the best of (1 for counts and single passes)


@dataclass
class Results:
    figures: dict[str, Figure] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, key: str, label: str, value: float, unit: str, n: int = 1) -> float:
        self.figures[key] = Figure(key, label, float(value), unit, n)
        return float(value)

    def value(self, key: str) -> float:
        return self.figures[key].value


def best_of(n: int, prepare: Callable[[], None] | None, work: Callable[[], T]) -> tuple[float, T]:
    """The fastest of ``n`` timed calls of ``work`` (``prepare`` runs untimed before each)."""
    best = float("inf")
    result: T | None = None
    for _ in range(n):
        if prepare is not None:
            prepare()
        gc.collect()
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS); this benchmark records Linux machines.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def machine() -> dict[str, Any]:
    memory = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "libraries": {name: _version(name) for name in LIBRARIES},
    }


LIBRARIES = ("icalendar", "recurring-ical-events", "feedparser", "httpx", "sqlalchemy", "sqlmodel")


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


# -- settings and the collect loop ----------------------------------------------------------


def source_id(path: str) -> str:
    return path.strip("/").replace("/", "-").replace(".", "-")


def bench_settings(folder: Path, served: Served, workload: Workload) -> Settings:
    """Settings as if read from ``folder/settings.toml``: every document a source, one big feed."""
    sources = {
        source_id(doc.path): {"adapter": doc.kind, "url": served.url(doc.path), "every": "1h"}
        for doc in workload.documents
    }
    raw = {
        "aggregator": {
            "timezone": "Europe/Oslo",
            "horizon_days": 180,
            "database": f"sqlite:///{folder / 'bench.db'}",
            "feeds_dir": str(folder / "feeds"),
            # The workload is served on loopback, which the fetcher refuses unless allowed.
            "allow_networks": ["127.0.0.1/32"],
            # All 60 sources share one loopback host here; in production they sit on different
            # hosts, and the 2 s politeness interval per host is waiting, not work to measure.
            "host_interval": "0s",
        },
        "sources": sources,
        # The size budget is lifted so the whole store is rendered, not a narrowed horizon.
        "feeds": {FEED_ID: {"title": "Alt på Borgen innbyggertorg", "max_bytes": 1_000_000_000}},
    }
    return from_dict(raw, folder / "settings.toml")


def collect_all(settings: Settings, store: Store, now: datetime) -> list[RunReport]:
    """One collection of every source, sequentially, with the fetcher the CLI builds."""
    with make_fetcher(settings) as fetcher:
        return [collect_source(settings, src, store, fetcher, now) for src in settings.sources.values()]


def _require(reports: list[RunReport], outcome: str) -> None:
    wrong = [r.summary() for r in reports if r.outcome != outcome]
    if wrong:
        raise BenchError(f"expected every source {outcome!r}; got: " + "; ".join(wrong[:5]))


@contextmanager
def fresh_folder(parent: Path) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="run-", dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- the bare baselines ---------------------------------------------------------------------


def bare_parse(workload: Workload, start: datetime, end: datetime) -> int:
    """What the libraries alone do with the same payloads; returns the occurrences they found."""
    found = 0
    for doc in workload.calendars:
        cal = icalendar.Calendar.from_ical(doc.body)
        found += len(recurring_ical_events.of(cal).between(start, end))
    for doc in workload.feeds:
        found += len(feedparser.parse(io.BytesIO(doc.body)).entries)
    return found


def bare_ics(records: list[EventRecord], zone_name: str) -> bytes:
    """The same occurrences as plain ``icalendar.Event``s, serialised by icalendar."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//bench//bare icalendar//NB")
    cal.add("version", "2.0")
    for record in records:
        event = icalendar.Event()
        event.add("uid", record.public_uid)
        event.add("dtstamp", record.modified)
        event.add("summary", record.title)
        if record.all_day:
            event.add("dtstart", record.start.date())
            if record.end is not None:
                event.add("dtend", record.end.date())
        else:
            event.add("dtstart", record.start.astimezone(zone))
            if record.end is not None:
                event.add("dtend", record.end.astimezone(zone))
        if record.location:
            event.add("location", record.location)
        if record.description:
            event.add("description", record.description)
        cal.add_component(event)
    # A valid calendar declares its TZID; our renderer writes a VTIMEZONE too.
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data


# -- stages one by one (single pass): where the cold collect spends its time ---------------


def stage_breakdown(settings: Settings, folder: Path, now: datetime, results: Results) -> None:
    sources = list(settings.sources.values())
    started = time.perf_counter()
    responses: list[Response] = []
    with make_fetcher(settings) as fetcher:
        for src in sources:
            assert src.url is not None
            responses.append(fetcher.fetch(Request(url=src.url)).response)
    results.add(
        "stage_fetch_s", f"stage: fetch ({len(sources)} GETs, loopback)", time.perf_counter() - started, "s"
    )

    started = time.perf_counter()
    drafts: list[list[EventDraft]] = []
    for src, resp in zip(sources, responses, strict=True):
        ctx = RunContext(source_id=src.id, now=now, zone=settings.zone, horizon_days=settings.horizon_days)
        adapter = get_adapter(src.adapter)(src.options)
        drafts.append([d for d in adapter.parse(resp, ctx) if isinstance(d, EventDraft)])
    results.add("stage_parse_s", "stage: adapters parse + expand", time.perf_counter() - started, "s")

    started = time.perf_counter()
    events: list[list[NormalEvent]] = []
    for src, batch in zip(sources, drafts, strict=True):
        defaults = Defaults(zone=settings.zone, base_url=src.url)
        events.append([normalise(d, defaults) for d in batch])
    results.add("stage_normalise_s", "stage: normalise", time.perf_counter() - started, "s")

    started = time.perf_counter()
    store = Store(f"sqlite:///{folder / 'stages.db'}")
    try:
        window = (now, now + timedelta(days=settings.horizon_days))
        for src, normal in zip(sources, events, strict=True):
            store.apply_run(src.id, normal, now, window=window)
    finally:
        store.close()
    results.add("stage_store_s", "stage: store.apply_run (fresh db)", time.perf_counter() - started, "s")


# -- the run --------------------------------------------------------------------------------


def run(
    scale: Scale, seed: int = 2026, now: datetime = NOW, log: Callable[[str], None] | None = None
) -> Results:
    """Generate, serve, measure; return every figure. Raises BenchError when work was not done."""
    say = log or (lambda _msg: None)
    results = Results()
    workload = generate(
        seed, now, calendars=scale.calendars, vevents=scale.vevents, feeds=scale.feeds, items=scale.items
    )
    n, nw = scale.repeat, scale.warm_repeat
    results.add("sources", "sources (iCal + RSS)", len(workload.documents), "")
    results.add("workload_mb", "payload served", workload.total_bytes / 1e6, "MB")
    # The window the ical adapter expands in (RunContext's), so both sides do the same work.
    ctx = RunContext(source_id="bench", now=now, zone=OSLO, horizon_days=180)
    window = (ctx.horizon_start, ctx.horizon_end)

    with (
        tempfile.TemporaryDirectory(prefix="aggregator-bench-") as tmp,
        serve(workload.documents, Path(tmp) / "www") as served,
    ):
        parent = Path(tmp)
        # Untimed warm-up: first calls pay for lazy imports and zone loading on either side.
        bare_parse(Workload(seed, now, workload.calendars[:1] + workload.feeds[:1]), *window)
        say(f"bare libraries: parse + expand ({n}x)")
        t_bare, occurrences = best_of(n, None, lambda: bare_parse(workload, *window))
        results.add("bare_occurrences", "occurrences found by the bare libraries", occurrences, "")
        results.add("bare_parse_s", "bare: icalendar + recurring-ical-events + feedparser", t_bare, "s", n)

        # Cold: every repetition starts from an empty database in a new folder.
        say(f"cold collect ({n}x)")
        state: dict[str, Any] = {}

        def prepare_cold() -> None:
            if "store" in state:
                state["store"].close()
            folder = Path(tempfile.mkdtemp(prefix="run-", dir=parent))
            state["settings"] = bench_settings(folder, served, workload)

        def cold() -> list[RunReport]:
            state["store"] = Store(state["settings"].database)
            return collect_all(state["settings"], state["store"], now)

        t_cold, reports = best_of(n, prepare_cold, cold)
        _require(reports, "ok")
        settings: Settings = state["settings"]
        store: Store = state["store"]
        stored = sum(len(r.events) for r in reports)
        results.add("events_stored", "events stored by the cold collect", stored, "")
        results.add(
            "cold_collect_s", "cold collect: fetch+parse+normalise+store, fresh SQLite", t_cold, "s", n
        )
        results.add("cold_vs_bare", "cold collect / bare libraries", t_cold / t_bare, "×", n)
        results.add("events_per_s", "events per second (cold collect)", stored / t_cold, "ev/s", n)
        results.add("peak_rss_collect_mb", "peak RSS after collect", peak_rss_mb(), "MB")
        if stored != occurrences:
            results.notes.append(
                f"the core stored {stored} events where the bare libraries found {occurrences} occurrences"
            )

        # Warm: nothing changed; an hour later (sources say every = "1h") on the same database.
        say(f"warm collect ({nw}x)")
        served.reset_counts()
        t_warm, warm_reports = best_of(
            nw, None, lambda: collect_all(settings, store, now + timedelta(hours=1))
        )
        _require(warm_reports, "unchanged")
        answers = served.answers()
        if answers[304] != nw * len(workload.documents) or answers[200]:
            raise BenchError(f"warm runs were not all answered 304: {dict(answers)}")
        results.add("warm_collect_s", "warm collect (all 304 Not Modified)", t_warm, "s", nw)
        results.add("warm_share", "warm / cold", t_warm / t_cold, "×", n)

        # Publish: the whole store as one feed in every format, files written each time.
        feed = settings.feeds[FEED_ID]

        def clear_feeds() -> None:
            shutil.rmtree(settings.feeds_dir, ignore_errors=True)

        def publish() -> Any:
            report = publish_all(settings, store, now)
            names = {path.name for path in report.written}
            missing = {f"{FEED_ID}.{fmt}" for fmt in FORMATS} - names
            if missing:
                raise BenchError(f"publish did not write {', '.join(sorted(missing))}")
            return report

        # The first publish after a cold collect also clusters every stored event (dedup) and
        # writes the cluster tables; later ones find them up to date. Both are worth knowing.
        say("publish, first after the cold collect (1x)")
        t_first, _ = best_of(1, clear_feeds, publish)
        results.add(
            "publish_first_s", "publish_all, first (clusters created) + 4 formats + write", t_first, "s"
        )
        say(f"publish, repeated ({n}x)")
        t_publish, _ = best_of(n, clear_feeds, publish)
        results.add("publish_all_s", "publish_all, repeated (clusters up to date)", t_publish, "s", n)
        # The breakdown of publish is a single pass each: it repeats what publish_all just did.
        t_select, records = best_of(1, None, lambda: select_events(settings, store, feed, now))
        results.add("published_events", "events in the published feed", len(records), "")
        results.add("publish_select_s", "publish: select_events (store read + cluster sync)", t_select, "s")
        for fmt in FORMATS[1:]:
            t_fmt, _ = best_of(1, None, partial(render_feed, settings, feed, records, now, fmt))
            results.add(f"render_{fmt}_s", f"publish: .{fmt} rendering", t_fmt, "s")
        t_ics, (ics_body, _) = best_of(n, None, lambda: render_feed(settings, feed, records, now, "ics"))
        results.add("ics_mb", ".ics size", len(ics_body) / 1e6, "MB")
        results.add("render_ics_s", "publish: .ics rendering", t_ics, "s", n)
        del ics_body
        # Before the baselines that build 40,000 icalendar objects: this peak is the core's
        # (plus the small bare parse above, which holds one document at a time).
        results.add("peak_rss_mb", "peak RSS: collect + publish", peak_rss_mb(), "MB")
        say(f"bare icalendar serialisation ({n}x)")
        t_bare_ics, _ = best_of(n, None, lambda: bare_ics(records, settings.timezone))
        results.add("bare_ics_s", "bare: icalendar.Event per occurrence + to_ical()", t_bare_ics, "s", n)
        results.add("ics_vs_bare", ".ics rendering / bare icalendar", t_ics / t_bare_ics, "×", n)
        store.close()

        say("stage breakdown (1x)")
        with fresh_folder(parent) as folder:
            stage_breakdown(settings, folder, now, results)

        results.add("peak_rss_all_mb", "peak RSS of the whole run, baselines included", peak_rss_mb(), "MB")
        if scale.tracemalloc:
            # Untimed extra collect and publish: tracemalloc slows allocation-heavy code a lot.
            say("cold collect and publish under tracemalloc (1x, untimed)")
            with fresh_folder(parent) as folder:
                traced_settings = bench_settings(folder, served, workload)
                traced_store = Store(traced_settings.database)
                tracemalloc.start()
                try:
                    _require(collect_all(traced_settings, traced_store, now), "ok")
                    _, collect_peak = tracemalloc.get_traced_memory()
                    tracemalloc.reset_peak()
                    publish_all(traced_settings, traced_store, now)
                    _, publish_peak = tracemalloc.get_traced_memory()
                finally:
                    tracemalloc.stop()
                    traced_store.close()
            results.add(
                "tracemalloc_collect_mb", "tracemalloc peak of one cold collect", collect_peak / 2**20, "MB"
            )
            results.add(
                "tracemalloc_publish_mb", "tracemalloc peak of one publish_all", publish_peak / 2**20, "MB"
            )
    return results


# -- reporting ------------------------------------------------------------------------------


def checks(results: Results) -> list[dict[str, Any]]:
    out = []
    for key, (op, target) in TARGETS.items():
        value = results.value(key)
        ok = value <= target if op == "≤" else value < target
        out.append({"figure": key, "value": value, "target": f"{op} {target:g}", "ok": ok})
    return out


def as_json(results: Results, scale: Scale, seed: int, command: str) -> dict[str, Any]:
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
        "machine": machine(),
        "seed": seed,
        "scale": scale.__dict__,
        "figures": {
            f.key: {"label": f.label, "value": f.value, "unit": f.unit, "best_of": f.n}
            for f in results.figures.values()
        },
        "targets": checks(results),
        "notes": results.notes,
    }


def _fmt(value: float, unit: str) -> str:
    if unit == "":
        return f"{value:,.0f}"
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "ev/s":
        return f"{value:,.0f} ev/s"
    if unit == "s":
        return f"{value:.3f} s"
    return f"{value:,.1f} {unit}"


def table(results: Results) -> str:
    """The figures and the target checks as Markdown tables (also readable in a terminal)."""
    lines = ["| figure | value | best of |", "| --- | ---: | ---: |"]
    for f in results.figures.values():
        lines.append(
            f"| {f.label} | {_fmt(f.value, f.unit)} | {f.n if f.unit in ('s', '×', 'ev/s') else ''} |"
        )
    lines += ["", "| target | measured | goal | met |", "| --- | ---: | ---: | :---: |"]
    for c in checks(results):
        f = results.figures[c["figure"]]
        lines.append(
            f"| {f.label} | {_fmt(c['value'], f.unit)} | {c['target']} | {'yes' if c['ok'] else 'NO'} |"
        )
    for note in results.notes:
        lines.append(f"\nNote: {note}")
    return "\n".join(lines)


def profile(scale: Scale, phase: str, seed: int = 2026, now: datetime = NOW, top: int = 30) -> str:
    """cProfile of one cold collect (``phase="collect"``) or one publish_all (``"publish"``)."""
    import cProfile
    import pstats

    workload = generate(
        seed, now, calendars=scale.calendars, vevents=scale.vevents, feeds=scale.feeds, items=scale.items
    )
    profiler = cProfile.Profile()
    with (
        tempfile.TemporaryDirectory(prefix="aggregator-bench-") as tmp,
        serve(workload.documents, Path(tmp) / "www") as served,
    ):
        settings = bench_settings(Path(tmp), served, workload)
        store = Store(settings.database)
        try:
            if phase == "collect":
                profiler.enable()
                _require(collect_all(settings, store, now), "ok")
                profiler.disable()
            else:
                _require(collect_all(settings, store, now), "ok")
                profiler.enable()
                publish_all(settings, store, now)
                profiler.disable()
        finally:
            store.close()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()
