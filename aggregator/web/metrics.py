"""/metrics in the Prometheus text format (prometheus-client).

Per source, read from the store at each scrape (so they survive restarts): runs by outcome,
consecutive failures, stored events, last success time, health. Per host, from this process
(aggregator/telemetry.py): fetch durations, bytes and requests. Reads only; must not fetch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aggregator import health, telemetry
from aggregator.settings import Settings
from aggregator.store import Run, Store


class SourceCollector(Collector):
    def __init__(self, settings: Settings, store: Store, clock: Callable[[], datetime]) -> None:
        self.settings, self.store, self.clock = settings, store, clock

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        runs = CounterMetricFamily(
            "aggregator_source_runs", "Runs of a source by outcome.", labels=["source", "outcome"]
        )
        with self.store.session() as s:
            stmt = sa_select(col(Run.source_id), col(Run.outcome), func.count()).group_by(
                col(Run.source_id), col(Run.outcome)
            )
            for source_id, outcome, count in s.execute(stmt).all():
                runs.add_metric([source_id, outcome], int(count))
        yield runs
        failures = GaugeMetricFamily(
            "aggregator_source_failures", "Consecutive failed runs.", labels=["source"]
        )
        events = GaugeMetricFamily(
            "aggregator_source_events", "Events stored for the source.", labels=["source"]
        )
        success = GaugeMetricFamily(
            "aggregator_source_last_success_timestamp_seconds",
            "Unix time of the last successful run.",
            labels=["source"],
        )
        state = GaugeMetricFamily(
            "aggregator_source_health", "1 for the source's current health state.", labels=["source", "state"]
        )
        states = self.store.all_source_states()
        now = self.clock()
        for source in self.settings.sources.values():
            st = states.get(source.id)
            failures.add_metric([source.id], st.failures if st else 0)
            events.add_metric([source.id], st.event_count if st else 0)
            if st is not None and st.last_success is not None:
                success.add_metric([source.id], st.last_success.timestamp())
            current = health.current(st, source, now).state
            for name in (health.OK, health.DEGRADED, health.FAILING, health.STALE, health.DISABLED):
                state.add_metric([source.id, name], 1.0 if name == current else 0.0)
        yield from (failures, events, success, state)


def metrics_routes(settings: Settings, store: Store, clock: Callable[[], datetime]) -> list[Route]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SourceCollector(settings, store, clock))

    def metrics(request: Request) -> Response:
        body = generate_latest(registry) + generate_latest(telemetry.REGISTRY)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return [Route("/metrics", metrics)]
