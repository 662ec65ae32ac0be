"""Collect many sources at once, politely: bounded overall, one host at a time.

Owns the fan-out of one collection cycle: sources are grouped by host; each host's sources run
one after another in one worker (so no host is asked twice at once, and fetch.py's HostGate
spaces the requests), and at most ``max_concurrency`` hosts are worked on together. Sources
that are disabled (HTTP 410) or backing off (health.py) are skipped unless forced. A stop
event lets a shutdown abandon the sources not yet started; runs in flight finish (each writes
its events in one transaction, so nothing is left half-written).
It must not fetch, parse or publish itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from aggregator import health
from aggregator.collect import RunReport, collect_source
from aggregator.fetch import Fetcher
from aggregator.settings import Settings, SourceSettings
from aggregator.store import Store

log = logging.getLogger("aggregator.cycle")


@dataclass
class CycleReport:
    reports: list[RunReport] = field(default_factory=list)
    #: source id -> why it was not collected (disabled, backing off, shutting down)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(r.changed for r in self.reports)


def host_key(source: SourceSettings) -> str:
    """Sources sharing a host name share a worker; local files need no politeness."""
    url = source.url or ""
    if not url.startswith(("http://", "https://")):
        return f"local:{source.id}"
    return (urlsplit(url).hostname or source.id).lower()


def make_fetcher(settings: Settings, transport: object | None = None) -> Fetcher:
    """A Fetcher configured from settings; ``transport`` (replay, tests) replaces the network."""
    import httpx

    assert transport is None or isinstance(transport, httpx.BaseTransport)
    return Fetcher(
        settings.user_agent,
        deadline=settings.fetch_deadline,
        max_bytes=settings.max_body_bytes,
        transport=transport,
        allow_networks=settings.allow_networks,
        host_interval=settings.host_interval if transport is None else 0.0,
    )


def run_cycle(
    settings: Settings,
    store: Store,
    fetcher: Fetcher,
    sources: list[SourceSettings],
    now: Callable[[], datetime],
    *,
    force: bool = False,
    stop: threading.Event | None = None,
    on_report: Callable[[RunReport], None] | None = None,
) -> CycleReport:
    """Collect ``sources``; ``force`` runs disabled and backed-off sources too (named by hand)."""
    cycle = CycleReport()
    states = store.all_source_states()
    groups: dict[str, list[SourceSettings]] = {}
    for source in sources:
        reason = None if force else health.skip_reason(states.get(source.id), now())
        if reason:
            cycle.skipped[source.id] = reason
            log.info("source %s skipped: %s", source.id, reason)
            continue
        groups.setdefault(host_key(source), []).append(source)
    results: dict[str, RunReport] = {}
    lock = threading.Lock()

    def work(group: list[SourceSettings]) -> None:
        for source in group:
            if stop is not None and stop.is_set():
                with lock:
                    cycle.skipped[source.id] = "shutting down"
                continue
            report = collect_source(settings, source, store, fetcher, now())
            with lock:
                results[source.id] = report
                if on_report is not None:
                    on_report(report)

    workers = max(1, min(settings.max_concurrency, len(groups)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect") as pool:
        for future in [pool.submit(work, g) for g in groups.values()]:
            future.result()  # collect_source never raises for a source's faults
    cycle.reports = [results[s.id] for s in sources if s.id in results]
    return cycle
