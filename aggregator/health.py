"""The health of a source: ok, degraded, failing, stale or disabled, since when, and when it
may run again. Owns the state machine and its log line on every change; collect.py calls
``after_run`` on the SourceState before saving it, and the scheduler, the CLI and /status read
``current``. It must not fetch, parse or write the database itself.

- ok        the last run succeeded (or the document was unchanged)
- degraded  the last run succeeded but looked partial or suspicious (no events where there
            were some, a large share of items skipped)
- failing   the last run failed; transient failures back off across runs (Retry-After first,
            then the interval doubled per further failure, at most a day)
- stale     no successful run for longer than 3 × the source's interval and at least 24 h
- disabled  HTTP 410 Gone (until ``aggregator sources enable``), or ``enabled = false``
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aggregator.errors import FetchError

if TYPE_CHECKING:
    from aggregator.collect import RunReport
    from aggregator.settings import SourceSettings
    from aggregator.store import SourceState

log = logging.getLogger("aggregator.health")

OK, DEGRADED, FAILING, STALE, DISABLED = "ok", "degraded", "failing", "stale", "disabled"
_RANK = {OK: 0, DEGRADED: 1, FAILING: 2, STALE: 3, DISABLED: 4}
MAX_BACKOFF = timedelta(hours=24)
STALE_AFTER_AT_LEAST = timedelta(hours=24)
#: a run that skipped at least this share of its items is degraded
SKIP_SHARE = 0.25


@dataclass(frozen=True)
class Health:
    state: str
    since: datetime | None
    reason: str | None = None


def stale_after(source: SourceSettings) -> timedelta:
    return max(3 * source.every, STALE_AFTER_AT_LEAST)


def _suspicious(report: RunReport) -> str | None:
    if any("no events" in w for w in report.warnings):
        return "the source returned no events"
    items = report.drafts + len(report.skips)
    if report.skips and len(report.skips) >= SKIP_SHARE * max(items, 1):
        return f"{len(report.skips)} of {items} items skipped"
    return None


def _backoff(state: SourceState, report: RunReport, source: SourceSettings) -> timedelta:
    wait = timedelta(0)
    fault = report.fault
    if isinstance(fault, FetchError) and fault.retry_after is not None:
        wait = timedelta(seconds=fault.retry_after)
    if state.failures >= 2:
        doubled = source.every * (2 ** min(state.failures - 1, 10) - 1)
        wait = max(wait, min(doubled, MAX_BACKOFF))
    return wait


def _set(state: SourceState, new: str, now: datetime, reason: str | None) -> None:
    old = state.health or OK
    if new == old:
        return
    state.health, state.health_since = new, now
    worse = _RANK[new] > _RANK[old]
    log.log(
        logging.WARNING if worse else logging.INFO,
        "source %s: health %s → %s%s",
        state.id,
        old,
        new,
        f" ({reason})" if reason else "",
    )


def after_run(state: SourceState, report: RunReport, source: SourceSettings, now: datetime) -> None:
    """Move the state machine after one run (``state.failures`` already counts this run)."""
    if report.outcome == "failed":
        fault = report.fault
        if isinstance(fault, FetchError) and fault.status == 410:
            state.disabled_reason = f"HTTP 410 Gone at {fault.url or source.url}"
            state.backoff_until = None
            _set(state, DISABLED, now, state.disabled_reason)
            return
        wait = _backoff(state, report, source)
        state.backoff_until = now + wait if wait else None
        _set(state, FAILING, now, report.error)
        return
    state.backoff_until = None
    if report.outcome == "unchanged":
        if state.health in (FAILING, STALE, None):
            _set(state, OK, now, "recovered")
        return
    reason = _suspicious(report)
    _set(state, DEGRADED if reason else OK, now, reason or "recovered")


def current(state: SourceState | None, source: SourceSettings, now: datetime) -> Health:
    """The health to show now: the stored state, plus 'stale' and 'disabled' which need no run."""
    if not source.enabled:
        return Health(DISABLED, None, "enabled = false in settings")
    if state is None or state.last_run is None:
        return Health(OK, None, "never run")
    stored = state.health or OK
    if stored == DISABLED:
        return Health(DISABLED, state.health_since, state.disabled_reason)
    reference = state.last_success or state.health_since or state.last_run
    if now - reference > stale_after(source):
        return Health(
            STALE, reference + stale_after(source), f"no successful run since {reference:%Y-%m-%d %H:%M}"
        )
    return Health(stored, state.health_since, state.last_error if stored == FAILING else None)


def skip_reason(state: SourceState | None, now: datetime) -> str | None:
    """Why a scheduled run of this source must not happen now, or None."""
    if state is None:
        return None
    if state.health == DISABLED:
        return f"disabled: {state.disabled_reason or 'by the operator'}; re-enable with `aggregator sources enable {state.id}`"
    if state.backoff_until is not None and now < state.backoff_until:
        return (
            f"backing off until {state.backoff_until:%Y-%m-%d %H:%M} UTC after {state.failures} failed runs"
        )
    return None


def enable(state: SourceState, now: datetime) -> None:
    """The operator re-enables a source disabled by a 410 (or clears a back-off)."""
    state.disabled_reason = None
    state.backoff_until = None
    state.failures = 0
    _set(state, OK, now, "re-enabled by the operator")
