"""The dedup scale benchmark: 100,000 events from 500 sources clustered in one run.

Owns a seeded generator of a realistic regional workload (500 sources in 50 towns; each real
event is listed by one to three sources of its town, with title, time and place variants, a
later lister now and then as a date-only notice with no place, over a 180-day horizon, 08:00–21:00) and the measurements: seconds and peak memory of
clustering 100,000 events (``aggregator.dedup.cluster`` + ``merge`` of every cluster), the
same for 10,000 events from 50 sources, their ratio in each of 3 runs (goal ≤ 12: about
linear, because candidates are blocked by date and place), and the cost of the store's cluster
sync for ~40,000 stored events (the first sync, which writes every cluster; a steady one, which
reuses the stored clusters; the web's read-only one; one after a single event moved).
Must not change the core it measures.

Run: ``.venv/bin/python -m bench.dedup_scale`` (``--quick`` for 2,000/20,000 events).
"""

from __future__ import annotations

import gc
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aggregator.dedup import cluster, merge
from aggregator.dedup.cluster import gc_paused
from aggregator.model import EventRecord, Status

OSLO = ZoneInfo("Europe/Oslo")
START = datetime(2026, 12, 1, tzinfo=OSLO)
ACTIVITIES = [
    "Språkkafé",
    "Strikkekafé",
    "Leksehjelp",
    "Babysang",
    "Seniordans",
    "Stolgym",
    "Yoga",
    "Sjakkklubb",
    "Quizkveld",
    "Filmkveld",
    "Korøvelse",
    "Kafékveld",
    "Lesestund",
    "Eventyrstund",
    "Digitalhjelp",
    "Helsesjekk",
    "Loppemarked",
    "Julemarked",
    "Vårdugnad",
    "Konsert",
    "Vårkonsert",
    "Julekonsert",
    "Allsang",
    "Trening",
    "Skitur",
    "Søndagstur",
    "Kveldstur",
    "Sykkeltur",
    "Aketur",
    "Foredrag",
    "Temakveld",
    "Forfattermøte",
    "Bokprat",
    "Kunstutstilling",
    "Keramikkurs",
    "Malekurs",
    "Sykurs",
    "Snekkerverksted",
    "Matkurs",
    "Turmarsj",
    "Orientering",
    "Svømming",
    "Dansekurs",
    "Barnedisco",
    "Ungdomsklubb",
    "Familiedag",
    "Hagedag",
    "Plantebytte",
    "Klesbytte",
    "Reparasjonskafé",
    "Seniortreff",
    "Pensjonisttreff",
    "Middagsklubb",
    "Frokostmøte",
    "Bydelsmøte",
    "Innbyggermøte",
]
SUFFIX = ("for barn", "for voksne", "for seniorer", "for ungdom", "for alle", "med kaffe", "", "", "", "")
TOWN_A = [
    "Hval",
    "Sand",
    "Berg",
    "Lys",
    "Fjell",
    "Strand",
    "Eik",
    "Bjørk",
    "Ask",
    "Gran",
    "Furu",
    "Lind",
    "Rogn",
    "Hegg",
    "Selje",
    "Vik",
    "Nes",
    "Haug",
    "Dal",
    "Li",
]
TOWN_B = ["vik", "stad", "dal", "by", "rud", "bakken", "åsen", "haugen", "lia", "moen"]
VENUES = ("bibliotek", "skole", "kirke", "grendehus", "nærmiljøsentral", "torg", "idrettshall", "kulturhus")


#: Words of the descriptions (each source writes its own, ~40 words, about 250 characters):
#: real listings carry text, and the matcher reads every listing's lead (``text_stems``).
PROSE = [
    "velkommen",
    "alle",
    "gratis",
    "ta",
    "med",
    "matpakke",
    "varme",
    "klær",
    "vi",
    "møtes",
    "ved",
    "inngangen",
    "påmelding",
    "ikke",
    "nødvendig",
    "spørsmål",
    "kontakt",
    "oss",
    "kaffe",
    "vafler",
    "saft",
    "barn",
    "voksne",
    "familie",
    "hyggelig",
    "sammen",
    "lære",
    "nytt",
    "prøve",
    "venner",
    "naboer",
    "frivillige",
    "arrangør",
    "hjelpe",
    "enkel",
    "servering",
    "kveld",
    "formiddag",
    "etter",
    "skolen",
    "rullestol",
    "tilgjengelig",
    "buss",
    "parkering",
    "begrenset",
    "plass",
    "først",
    "til",
    "mølla",
]


#: The share of later listers that list a date-only notice (about 4% of all listings).
NOTICE_SHARE = 0.1


def workload(n_sources: int, per_source: int = 200, seed: int = 4) -> list[EventRecord]:
    """``n_sources * per_source`` listings; sources come in towns of 10."""
    rng = random.Random(seed)
    # descriptions draw from their own generator, so titles, times and places stay as they were
    prose = random.Random(seed * 7919)
    created = datetime(2026, 11, 1, tzinfo=UTC)
    records: list[EventRecord] = []
    towns = [
        f"{TOWN_A[i % len(TOWN_A)]}{TOWN_B[(i // len(TOWN_A)) % len(TOWN_B)]}" for i in range(n_sources // 10)
    ]
    for t, town in enumerate(towns):
        sources = [f"{town.lower()}-{k}" for k in range(10)]
        venues = [f"{town} {v}" for v in VENUES]
        budget = {s: per_source for s in sources}
        while any(budget.values()):
            title = f"{rng.choice(ACTIVITIES)} {rng.choice(SUFFIX)}".strip()
            day = START + timedelta(days=rng.randrange(180))
            start = day.replace(hour=rng.randrange(8, 21), minute=rng.choice((0, 15, 30, 45)))
            venue = rng.choice(venues)
            live = [s for s in sources if budget[s]]
            listers = rng.sample(live, k=min(len(live), rng.choice((1, 1, 2, 2, 3))))
            for k, source in enumerate(listers):
                budget[source] -= 1
                variant = title if k == 0 else rng.choice((title, f"{title} – {town}", f"{title} på {venue}"))
                n = len(records) + 1
                # A later lister is sometimes a date-only notice with no place (a news post):
                # the second look (dedup/relative.py) looks at every such listing's day.
                notice = k > 0 and prose.random() < NOTICE_SHARE
                begin = day.replace(hour=0, minute=0) if notice else start
                records.append(
                    EventRecord(
                        id=n,
                        public_uid=f"s{n}@bench",
                        source_id=source,
                        uid=f"{source}-{n}",
                        recurrence_id="",
                        title=variant,
                        start=begin,
                        end=begin + (timedelta(days=1) if notice else timedelta(hours=2)),
                        tz="Europe/Oslo",
                        all_day=notice,
                        status=Status.SCHEDULED,
                        description=f"{variant} i {town}. " + " ".join(prose.choices(PROSE, k=36)),
                        description_html="",
                        url=None,
                        location=venue if rng.random() > 0.1 and not notice else None,
                        address=None,
                        latitude=None,
                        longitude=None,
                        organizer=None,
                        categories=(),
                        audience=(),
                        price=None,
                        free=None,
                        signup_url=None,
                        image_url=None,
                        language=None,
                        sequence=0,
                        created=created,
                        modified=created,
                    )
                )
        del t
    return records


def cold() -> None:
    """Empty dedup's per-string caches (every ``lru_cache`` of its modules), so a repeated run
    is not helped by the previous one."""
    from aggregator.dedup import keys, match, relative, salience

    for module in (keys, match, relative, salience):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def run_once(records: list[EventRecord]) -> tuple[float, int]:
    priorities = {r.source_id: sum(map(ord, r.source_id)) % 10 for r in records}
    cold()
    gc.collect()
    t0 = time.perf_counter()
    # As the store's sync does (aggregator/clusters.py): the cycle collector paused throughout.
    with gc_paused():
        groups = cluster(records, priorities, OSLO)
        for g in groups:
            merge(records, g.members, priorities)
    return time.perf_counter() - t0, len(groups)


def candidate_count(records: list[EventRecord]) -> int:
    """How many pairs blocking offers for comparison: the deterministic part of the cost."""
    from aggregator.dedup.match import candidate_pairs, prepare

    with gc_paused():
        return sum(1 for _ in candidate_pairs(prepare(records, {}, OSLO)))


def peak_mb(records: list[EventRecord]) -> float:
    gc.collect()
    tracemalloc.start()
    run_once(records)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def store_sync(n_events: int) -> tuple[float, float, float, float]:
    """Seconds of cluster syncs over ``n_events`` stored events: the first, a steady one
    (nothing changed), the same read-only, and one after a single event changed."""
    from aggregator.clusters import sync
    from aggregator.model import EventDraft
    from aggregator.normalise import Defaults, normalise
    from aggregator.store import Store

    records = workload(max(10, n_events // 200 // 10 * 10))[:n_events]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'sync.db'}")
        now = datetime(2026, 11, 30, 8, tzinfo=UTC)
        by_source: dict[str, list[object]] = {}
        for r in records:
            draft = EventDraft(
                uid=r.uid,
                title=r.title,
                start=r.start.date() if r.all_day else r.start,
                end=r.end.date() if r.all_day else r.end,
                location=r.location,
            )
            by_source.setdefault(r.source_id, []).append(normalise(draft, Defaults(zone=OSLO)))
        for source, events in by_source.items():
            store.apply_run(source, events, now)  # type: ignore[arg-type]
        priorities = {s: 0 for s in by_source}
        window = (START - timedelta(days=7), START + timedelta(days=181))
        t0 = time.perf_counter()
        sync(store, priorities, OSLO, *window, now)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        sync(store, priorities, OSLO, *window, now)
        steady = time.perf_counter() - t0
        t0 = time.perf_counter()
        sync(store, priorities, OSLO, *window, now, write=False)
        readonly = time.perf_counter() - t0
        source, events = next(iter(by_source.items()))
        one = records[0]
        moved = EventDraft(
            uid=one.uid,
            title=one.title,
            start=one.start + timedelta(hours=1),
            end=one.end,
            location=one.location,
        )
        store.apply_run(source, [normalise(moved, Defaults(zone=OSLO)), *events[1:]], now)  # type: ignore[list-item]
        t0 = time.perf_counter()
        sync(store, priorities, OSLO, *window, now)
        changed = time.perf_counter() - t0
        store.close()
    return first, steady, readonly, changed


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    quick = "--quick" in args
    small_sources, big_sources = (10, 100) if quick else (50, 500)
    small, big = workload(small_sources), workload(big_sources)
    # Three runs, each timing the small and the big workload back to back, so a busy moment
    # on the shared machine spoils one run's ratio rather than one side of every ratio.
    runs = [(run_once(small), run_once(big)) for _ in range(3)]
    (t_small, c_small), (t_big, c_big) = min(r[0] for r in runs), min(r[1] for r in runs)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratios = sorted(b[0] / a[0] for a, b in runs)
    ratio = ratios[1]  # the median run
    print(f"events_small          {len(small)} from {small_sources} sources -> {c_small} clusters")
    print(f"seconds_small         {t_small:.2f}  (best of 3)")
    print(f"events_big            {len(big)} from {big_sources} sources -> {c_big} clusters")
    print(f"seconds_big           {t_big:.2f}  (best of 3)")
    print(f"ratio_runs            {', '.join(f'{r:.1f}' for r in ratios)}  (big / small in each of 3 runs)")
    print(f"ratio_big_small       {ratio:.1f}  (median run; goal ≤ 12 for 10× the events)")
    pairs_small, pairs_big = candidate_count(small), candidate_count(big)
    print(
        f"candidate_pairs       {pairs_small} -> {pairs_big} = {pairs_big / pairs_small:.1f}x"
        "  (the work compared, free of the shared cores' timing noise)"
    )
    print(f"peak_tracemalloc_mb   {peak_mb(big):.0f}  (clustering {len(big)} events)")
    print(f"max_rss_mb            {rss_mb:.0f}  (whole process, workloads included)")
    n_sync = 4_000 if quick else 40_000
    first, steady, readonly, changed = store_sync(n_sync)
    print(f"store_sync_first_s    {first:.2f}  ({n_sync} stored events, every cluster written)")
    print(
        f"store_sync_steady_s   {steady:.2f}  ({n_sync} stored events, nothing changed: stored clusters reused)"
    )
    print(f"store_sync_web_s      {readonly:.2f}  (the same, read-only as the web reads it)")
    print(f"store_sync_changed_s  {changed:.2f}  (one event changed: clustered and diffed afresh)")
    return 0 if ratio <= 12 else 1


if __name__ == "__main__":
    sys.exit(main())
