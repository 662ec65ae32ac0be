"""APScheduler wiring only: one interval job per enabled source, with jitter, coalescing,
one instance at a time and a grace period for missed runs. It knows nothing about formats."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from aggregator.settings import Settings, SourceSettings


def start_scheduler(
    settings: Settings, collect: Callable[[list[SourceSettings]], Any]
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=settings.timezone)
    for source in settings.sources.values():
        if not source.enabled:
            continue
        seconds = source.every.total_seconds()
        scheduler.add_job(
            collect,
            "interval",
            args=[[source]],
            seconds=seconds,
            id=source.id,
            name=source.id,
            jitter=min(300, int(seconds * 0.1)),  # spread sources so hosts are not hit together
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(min(seconds, 3600)),
        )
    scheduler.start()
    return scheduler
