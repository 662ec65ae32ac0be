"""``python -m bench.web``: server-side render time of every web page over 2,000 upcoming
events, and the calendar page's weight.

Owns the web benchmark only: a seeded store of 2,000 upcoming Borgen events from four
sources (SQLite in a temporary folder), the app with a fixed clock, and timings of each page
through Starlette's TestClient (the route, the store read and the rendering; no network).
The baseline, measured in the same run, is the bare store read of the calendar's window, so
the ratio shows what the web layer adds. Targets (issue 6): < 50 ms per page, calendar page
< 100 kB before images. Must not touch the network or the project's own database.

    .venv/bin/python -m bench.web            # prints a table
    .venv/bin/python -m bench.web --repeat 5
"""

from __future__ import annotations

import argparse
import gzip
import platform
import random
import statistics
import sys
import tempfile
import time
import warnings
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aggregator.model import EventDraft, Status
from aggregator.normalise import Defaults, normalise
from aggregator.publish.build import cluster_view
from aggregator.settings import Settings, from_dict
from aggregator.store import Store

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 9, 1, 8, 0, tzinfo=OSLO)
EVENTS = 2000
TITLES = (
    "Språkkafé",
    "Strikkekafé",
    "Lesestund",
    "Fellestur til Vardåsen",
    "Leksehjelp",
    "Babysang",
    "Seniordans",
    "Quiz på Kafé KIME",
    "Bokprat",
    "Datahjelp for seniorer",
    "Konsert med Asker kulturskole",
    "Trim for eldre",
    "Åpen scene",
    "Brettspillkveld",
    "Norsktrening",
    "Middag for alle",
)
PLACES = ("Borgen innbyggertorg", "Kafé KIME", "Borgen nærmiljøsentral", "Søndre Borgen 11, 1388 Borgen")
CATEGORIES = ("språkkafé", "møteplass", "bibliotek", "tur", "kurs", "konsert", "trening")
AUDIENCES = ("barn", "voksne", "senior", "alle", "ungdom")
SOURCES = ("borgen-manuelt", "bibliotek", "dnt-asker", "aktivitetforalle")
TARGET_MS = 50.0
TARGET_BYTES = 100_000


def build_store(folder: Path, seed: int = 2026) -> Store:
    rng = random.Random(seed)
    store = Store(f"sqlite:///{folder / 'bench-web.db'}")
    by_source: dict[str, list[EventDraft]] = {s: [] for s in SOURCES}
    for n in range(EVENTS):
        start = NOW + timedelta(days=rng.randrange(0, 175), hours=rng.randrange(1, 12))
        start = start.replace(minute=rng.choice((0, 15, 30)), second=0)
        title = rng.choice(TITLES)
        by_source[SOURCES[n % len(SOURCES)]].append(
            EventDraft(
                uid=f"bench-{n}",
                title=f"{title} #{n}",
                start=start,
                end=start + timedelta(minutes=rng.choice((45, 90, 120))),
                status=Status.CANCELLED if n % 37 == 0 else Status.SCHEDULED,
                location=rng.choice(PLACES),
                address="Søndre Borgen 11, 1388 Borgen",
                categories=(rng.choice(CATEGORIES),),
                audience=(rng.choice(AUDIENCES),),
                free=rng.random() < 0.6,
                description=f"{title} på Borgen innbyggertorg. Velkommen til alle i nærmiljøet! " * 3,
                url=f"https://borgen.example/arr/{n}",
            )
        )
    for source, drafts in by_source.items():
        store.apply_run(source, [normalise(d, Defaults(zone=OSLO)) for d in drafts], NOW)
    return store


def best_ms(func: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return min(times) if repeat < 5 else statistics.median(times)


def after_writes(settings: Settings, store: Store, repeat: int) -> tuple[float, float, float]:
    """Median ms of the first `/` after a write once the warmer is ready, median ms from the
    write until it is ready, and median ms of a `/` sent at once after a write."""
    from starlette.testclient import TestClient

    from aggregator.web import create_app

    app = create_app(settings, store, clock=lambda: NOW)
    reader = app.state.reader
    first: list[float] = []
    ready: list[float] = []
    immediate: list[float] = []
    with TestClient(app) as client:  # the lifespan starts the warmer, as `aggregator serve` does
        for n in range(repeat * 2):
            warmed = reader.warmed
            start = NOW + timedelta(days=1, hours=n % 10)
            draft = EventDraft(uid=f"extra-{n}", title=f"Vaffelkafé på Kafé KIME #{n}", start=start)
            store.apply_run(f"kime-{n}", [normalise(draft, Defaults(zone=OSLO))], NOW)
            t0 = time.perf_counter()
            if n % 2:  # a visitor arriving at once, while the warmer is at work
                client.get("/")
                immediate.append((time.perf_counter() - t0) * 1000)
                continue
            while reader.warmed == warmed and time.perf_counter() - t0 < 30:
                time.sleep(0.005)
            ready.append((time.perf_counter() - t0) * 1000)
            t1 = time.perf_counter()
            client.get("/")
            first.append((time.perf_counter() - t1) * 1000)
    return statistics.median(first), statistics.median(ready), statistics.median(immediate)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9, help="timings per page (median of N; default 9)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

    from aggregator.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"building a store of {EVENTS} upcoming events ...", file=sys.stderr)
        store = build_store(folder)
        settings = from_dict(
            {
                "aggregator": {"base_url": "https://kalender.borgen.example"},
                "feeds": {"borgen": {"title": "Borgen innbyggertorg", "places": list(PLACES)}},
            },
            folder / "settings.toml",
        )
        # As `aggregator run` leaves it: collected, then published (the cluster rows exist).
        cluster_view(settings, store, NOW)
        client = TestClient(create_app(settings, store, clock=lambda: NOW))
        some_id = client.get("/api/events?limit=1").json()["events"][0]["id"]
        pages = {
            "/ (calendar)": "/",
            "/?category=tur&free=1": "/?category=tur&free=1",
            "/?q=kafé&lang=en": "/?q=kaf%C3%A9&lang=en",
            "/events/<id>": f"/events/{some_id}",
            "/events/<id>.ics": f"/events/{some_id}.ics",
            "/screen": "/screen",
            "/print": "/print",
            "/embed": "/embed",
            "/embed-help": "/embed-help",
            "/api/events": "/api/events",
            "/feeds/borgen.ics?category=kurs": "/feeds/borgen.ics?category=kurs",
            "/feeds/borgen.json?category=kurs": "/feeds/borgen.json?category=kurs",
        }
        window = (NOW, NOW + timedelta(days=181))
        baseline = best_ms(lambda: store.events_between(*window), args.repeat)
        upcoming = client.get("/api/events?limit=1").json()["total"]
        print(
            f"\nweb benchmark: {upcoming} upcoming events, median of {args.repeat}, "
            f"Python {platform.python_version()} on {platform.machine()} ({platform.processor() or 'cpu'})"
        )
        print(f"baseline: bare store read of the calendar window: {baseline:.1f} ms\n")
        print(f"{'page':36} {'ms':>7} {'x base':>7} {'bytes':>8}  target")
        worst = 0.0
        for label, path in pages.items():
            client.get(path)  # warm
            ms = best_ms(lambda path=path: client.get(path), args.repeat)
            size = len(client.get(path).content)
            worst = max(worst, ms)
            print(
                f"{label:36} {ms:7.1f} {ms / baseline:7.2f} {size:8d}  {'ok' if ms < TARGET_MS else 'OVER'}"
            )
        # Cold: the first request after a collection wrote to the store, (1) with nothing
        # computed (an app without its lifespan, so without the warmer: what the first request
        # after a write paid before the warmer), (2) with the warmer running, once it has
        # swapped in the new view, (3) with the warmer running, at once after the write (served
        # the previous view while the warmer computes).
        cold = best_ms(
            lambda: TestClient(create_app(settings, store, clock=lambda: NOW)).get("/"), args.repeat
        )
        print(
            f"{'/ (calendar), cold, no warmer':36} {cold:7.1f} {cold / baseline:7.2f} {'':>8}  "
            f"{'ok' if cold < TARGET_MS else 'over'}"
        )
        warm_first, ready_after, at_once = after_writes(settings, store, args.repeat)
        worst = max(worst, warm_first, at_once)
        print(
            f"{'/ first request after a write':36} {warm_first:7.1f} {warm_first / baseline:7.2f} {'':>8}  "
            f"{'ok' if warm_first < TARGET_MS else 'OVER'} (warmer ready {ready_after:.0f} ms after the write)"
        )
        print(
            f"{'/ ... arriving at once after a write':36} {at_once:7.1f} {at_once / baseline:7.2f} {'':>8}  "
            f"{'ok' if at_once < TARGET_MS else 'OVER'} (the previous view, until the new one is ready)"
        )
        html = client.get("/").content
        css = client.get("/static/site.css").content
        weight = len(html) + len(css)
        print(
            f"\ncalendar page weight before images: {weight} bytes (HTML {len(html)} + CSS {len(css)}; "
            f"gzip {len(gzip.compress(html)) + len(gzip.compress(css))}); "
            f"{'ok' if weight < TARGET_BYTES else 'OVER'} (< {TARGET_BYTES})"
        )
        embed = client.get("/embed.js").content
        print(f"embed.js: {len(embed)} bytes, {len(gzip.compress(embed, 9))} gzipped (< 5000)")
        store.close()
    return 0 if worst < TARGET_MS and weight < TARGET_BYTES else 1


if __name__ == "__main__":
    raise SystemExit(main())
