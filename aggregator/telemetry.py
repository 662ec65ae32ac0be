"""Process-wide fetch counters for /metrics: request durations, bytes, conditional requests.

Owns a dedicated prometheus-client registry (not the global one, so tests and several apps
in one process do not collide). ``fetch.py`` records into it; ``web/metrics.py`` exposes it
together with the per-source figures it reads from the store. Must not do I/O.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

FETCH_SECONDS = Histogram(
    "aggregator_fetch_duration_seconds",
    "Wall time of one HTTP request, from connect to the last body byte.",
    ["host"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
FETCH_BYTES = Counter(
    "aggregator_fetch_bytes",
    "Decoded response body bytes received.",
    ["host"],
    registry=REGISTRY,
)
FETCH_REQUESTS = Counter(
    "aggregator_fetch_requests",
    "HTTP requests made, by result: ok, not_modified, http_error, network_error, refused.",
    ["host", "result", "conditional"],
    registry=REGISTRY,
)


def record(host: str, seconds: float, size: int, result: str, conditional: bool) -> None:
    FETCH_SECONDS.labels(host).observe(seconds)
    if size:
        FETCH_BYTES.labels(host).inc(size)
    FETCH_REQUESTS.labels(host, result, "yes" if conditional else "no").inc()
