"""APScheduler wiring only: when each source runs, and stopping cleanly. Knows no formats.

One interval job per enabled source at its ``every``, with jitter (so sources sharing a host
are spread out), ``coalesce`` (missed runs collapse into one), ``max_instances=1`` and a grace
period for missed runs. Jobs run on a pool of ``max_concurrency`` threads and share one
Fetcher, whose HostGate keeps one request at a time per host. The feeds are published after a
run that changed something, never after one that did not. SIGTERM/SIGINT set a stop event:
sources not yet started are abandoned, runs in flight finish (each stores its events in one
transaction), and the scheduler shuts down waiting for them.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from aggregator.cycle import CycleReport, run_cycle
from aggregator.fetch import Fetcher
from aggregator.settings import Settings
from aggregator.store import Store

log = logging.getLogger("aggregator.schedule")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def job_options(seconds: float) -> dict[str, Any]:
    return {
        "jitter": min(300, int(seconds * 0.1)),  # spread sources so hosts are not hit together
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": int(min(seconds, 3600)),
    }


class Service:
    """The long-running collector: scheduled runs, publishing on change, clean shutdown."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        fetcher: Fetcher,
        publish: Callable[[], None],
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.settings = settings
        self.store = store
        self.fetcher = fetcher
        self.publish = publish
        self.now = now
        self.stop = threading.Event()
        self._publish_lock = threading.Lock()
        self.scheduler = BackgroundScheduler(
            timezone=settings.timezone,
            executors={"default": ThreadPoolExecutor(settings.max_concurrency)},
        )

    def collect(self, source_ids: list[str]) -> CycleReport:
        """One scheduled run of these sources; publishes when anything changed."""
        if self.stop.is_set():
            return CycleReport(skipped=dict.fromkeys(source_ids, "shutting down"))
        sources = [self.settings.sources[i] for i in source_ids if i in self.settings.sources]
        cycle = run_cycle(self.settings, self.store, self.fetcher, sources, self.now, stop=self.stop)
        if cycle.changed and not self.stop.is_set():
            with self._publish_lock:  # two jobs finishing together publish one after the other
                self.publish()
        return cycle

    def add_jobs(self) -> None:
        for source in self.settings.sources.values():
            if not source.enabled:
                continue
            seconds = source.every.total_seconds()
            self.scheduler.add_job(
                self.collect,
                "interval",
                args=[[source.id]],
                seconds=seconds,
                id=source.id,
                name=source.id,
                **job_options(seconds),
            )

    def start(self) -> None:
        if not self.scheduler.get_jobs():
            self.add_jobs()
        self.scheduler.start()

    def request_stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        if not self.stop.is_set():
            log.info("stopping: %s", signal.Signals(signum).name if signum else "requested")
        self.stop.set()

    def install_signal_handlers(self) -> dict[int, Any]:
        """SIGTERM/SIGINT request a clean stop; returns the previous handlers (main thread only)."""
        previous: dict[int, Any] = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, self.request_stop)
        return previous

    def wait(self, poll: float = 0.5) -> None:
        """Block until a stop is requested, then shut down."""
        while not self.stop.wait(poll):
            pass
        self.shutdown()

    def shutdown(self) -> None:
        self.stop.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)  # runs in flight finish; none start
