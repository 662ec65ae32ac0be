"""One run of one source, end to end: fetch, parse, normalise, store.

``collect_source`` returns a RunReport and never raises for a source's faults: a broken
source is recorded (run row, source state, log line) and the caller goes on with the next.
Nothing stored is removed because of a failed run; a complete run that suddenly finds no
events at all is treated as suspicious and removes nothing either.
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aggregator import health
from aggregator.adapter import Adapter, RunContext, Skip, get_adapter
from aggregator.errors import AggregatorError, FetchError, ParseError, SkipEvent
from aggregator.fetch import Fetcher
from aggregator.model import EventDraft, Follow, Request, Response
from aggregator.normalise import Defaults, NormalEvent, normalise
from aggregator.settings import Settings, SourceSettings
from aggregator.store import Run, SourceState, Store

log = logging.getLogger("aggregator.collect")

#: A body unchanged since a success this recent is not parsed again. Older than this, the
#: source is re-read anyway because the horizon moved (new occurrences of a series enter it).
REPARSE_AFTER = timedelta(hours=20)
#: The most CPU time one run's parsing may take (all pages together), in seconds.
PARSE_BUDGET = 60.0


@dataclass
class RunReport:
    source_id: str
    outcome: str = "ok"  # ok | unchanged | failed
    error: str | None = None
    requests: int = 0
    drafts: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    warnings: list[str] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    events: list[NormalEvent] = field(default_factory=list)
    #: the error that failed the run (status, Retry-After for health.py's back-off)
    fault: AggregatorError | None = None

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def summary(self) -> str:
        if self.outcome == "failed":
            return f"{self.source_id}: FAILED: {self.error}"
        if self.outcome == "unchanged":
            return f"{self.source_id}: unchanged since the last run"
        return (
            f"{self.source_id}: {len(self.events)} events ({self.created} new, {self.updated} changed, "
            f"{self.removed} removed), {len(self.skips)} skipped, {len(self.warnings)} warnings"
        )


def _body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class _Run:
    """The mutable state of one run; kept out of RunReport so the report stays plain data."""

    def __init__(
        self,
        settings: Settings,
        source: SourceSettings,
        fetcher: Fetcher,
        now: datetime,
        state: SourceState,
        use_cache: bool,
    ) -> None:
        self.settings = settings
        self.source = source
        self.fetcher = fetcher
        self.now = now
        self.state = state
        self.use_cache = use_cache
        self.adapter: Adapter = get_adapter(source.adapter)(source.options)
        self.ctx = RunContext(
            source_id=source.id, now=now, zone=settings.zone, horizon_days=settings.horizon_days
        )
        self.report = RunReport(source.id)
        self.follows = 0
        self.parse_started = 0.0
        self.new_etag: str | None = None
        self.new_last_modified: str | None = None
        self.new_hash: str | None = None

    def drafts(self) -> list[EventDraft] | None:
        """Every draft of the source, or None when the document is unchanged since last time."""
        primary = list(self.adapter.requests(self.source.url))
        if not primary:
            raise ParseError("the adapter asked for nothing to download (is the url set?)")
        recent = self.state.last_success is not None and self.now - self.state.last_success < REPARSE_AFTER
        conditional = self.use_cache and recent and len(primary) == 1 and self.state.follows == 0
        queue: deque[tuple[Request, bool, bool]] = deque((r, False, True) for r in primary)
        drafts: list[EventDraft] = []
        self.parse_started = time.monotonic()
        while queue:
            request, optional, is_primary = queue.popleft()
            if self.report.requests >= self.source.max_requests:
                raise ParseError(
                    f"more than {self.source.max_requests} requests in one run "
                    f"(sources.{self.source.id}.max_requests)"
                )
            self.report.requests += 1
            response = self._fetch(request, optional, conditional and is_primary)
            if response is None:
                return None
            for item in self.adapter.parse(response, self.ctx):
                # Adapters may not read the clock, so the core bounds their work: a
                # pathological document (an impossible RRULE, a huge page) fails this source
                # instead of stalling the cycle. Checked per item, so one slow item can overrun.
                if time.monotonic() - self.parse_started > PARSE_BUDGET:
                    raise ParseError(
                        f"parsing took longer than {PARSE_BUDGET:.0f} s (a pathological document?); "
                        f"stopped after {len(drafts)} events"
                    )
                if isinstance(item, Follow):
                    self.follows += 1
                    queue.append((item.request, item.optional, False))
                elif isinstance(item, EventDraft):
                    drafts.append(item)
                else:
                    raise ParseError(f"adapter {self.adapter.name} yielded {type(item).__name__}")
        return drafts

    def _fetch(self, request: Request, optional: bool, conditional: bool) -> Response | None:
        try:
            result = self.fetcher.fetch(
                request,
                etag=self.state.etag if conditional else None,
                last_modified=self.state.last_modified if conditional else None,
                ignore_robots=self.source.ignore_robots,
            )
        except FetchError as err:
            if not optional:
                raise
            self.ctx.warn(f"could not fetch {request.url}: {err}")
            return Response(url=request.url, status=0, headers={}, body=b"", request=request, error=str(err))
        response = result.response
        if conditional or self.new_hash is None:
            # The first request's validators are remembered for the next run's conditional GET.
            self.new_etag = response.headers.get("etag")
            self.new_last_modified = response.headers.get("last-modified")
        if result.not_modified:
            return None
        digest = _body_hash(response.body)
        if self.new_hash is None:
            self.new_hash = digest
            if conditional and digest == self.state.body_hash:
                return None
        return response


def collect_source(
    settings: Settings,
    source: SourceSettings,
    store: Store | None,
    fetcher: Fetcher,
    now: datetime,
    *,
    use_cache: bool = True,
) -> RunReport:
    """Run one source. With ``store=None`` nothing is written (``aggregator check``)."""
    state = store.source_state(source.id) if store is not None else SourceState(id=source.id)
    run = _Run(settings, source, fetcher, now, state, use_cache and store is not None)
    report = run.report
    try:
        drafts = run.drafts()
        if drafts is None:
            report.outcome = "unchanged"
        else:
            report.drafts = len(drafts)
            report.events = _normalise_all(drafts, source, settings, run.ctx, report)
            if store is not None:
                _store(store, source, report, run.ctx, now)
    except AggregatorError as err:
        report.outcome = "failed"
        report.error = f"{type(err).__name__}: {err}"
        report.fault = err
    except Exception as err:  # an adapter bug must not stop the other sources
        report.outcome = "failed"
        report.error = f"adapter {source.adapter} crashed: {type(err).__name__}: {err}"
        log.debug("adapter crash in %s\n%s", source.id, traceback.format_exc())
    report.warnings.extend(run.ctx.warnings)
    report.skips = [*run.ctx.skips, *report.skips]
    if store is not None:
        _record(store, run, report, now)
    return report


def _normalise_all(
    drafts: list[EventDraft], source: SourceSettings, settings: Settings, ctx: RunContext, report: RunReport
) -> list[NormalEvent]:
    defaults = Defaults(
        zone=settings.zone,
        base_url=source.url if source.url and source.url.startswith("http") else None,
        place=source.place,
        categories=source.categories,
        audience=source.audience,
        category_map=source.category_map,
        audience_map=source.audience_map,
    )
    events: list[NormalEvent] = []
    seen: set[tuple[str, str]] = set()
    for draft in drafts:
        try:
            ev = normalise(draft, defaults)
        except SkipEvent as err:
            report.skips.append(Skip(str(err), draft.uid))
            continue
        key = (ev.uid, ev.recurrence_id)
        if key in seen:
            ctx.warn(f"uid {ev.uid!r} {ev.recurrence_id} appears twice; kept the first")
            continue
        seen.add(key)
        events.append(ev)
    return events


def _store(store: Store, source: SourceSettings, report: RunReport, ctx: RunContext, now: datetime) -> None:
    if not report.events and store.count_events(source.id) > 0:
        # "200 with zero events" is possible but suspicious: keep what we have (design §5).
        ctx.warn("the source returned no events; the stored events are kept")
        return
    # Only a complete run can tell that an event is gone (design §5).
    window = None if ctx.incomplete else (now, ctx.horizon_end)
    result = store.apply_run(source.id, report.events, now, window=window)
    report.created, report.updated = result.created, result.updated
    report.unchanged, report.removed = result.unchanged, result.removed
    if result.held:
        ctx.warn(
            f"{result.held} upcoming events are missing: the removal is held until it is seen for "
            f"24 hours or confirmed (aggregator sources confirm {source.id})"
        )


def _record(store: Store, run: _Run, report: RunReport, now: datetime) -> None:
    import json

    state = run.state
    state.last_run = now
    state.last_outcome = report.outcome
    if report.outcome == "failed":
        state.failures += 1
        state.last_error = report.error
        log.warning("source %s failed: %s", report.source_id, report.error)
    else:
        if state.failures:
            log.info("source %s recovered after %d failed runs", report.source_id, state.failures)
        state.failures = 0
        state.last_error = None
        state.last_success = now
        if report.outcome == "ok":
            state.etag, state.last_modified = run.new_etag, run.new_last_modified
            state.body_hash = run.new_hash
            state.follows = run.follows
        state.event_count = store.count_events(report.source_id)
    health.after_run(state, report, run.source, now)
    store.save_source_state(state)
    store.record_run(
        Run(
            source_id=report.source_id,
            started=now,
            ended=now,
            outcome=report.outcome,
            requests=report.requests,
            drafts=report.drafts,
            skipped=len(report.skips),
            created=report.created,
            updated=report.updated,
            removed=report.removed,
            error=report.error,
            warnings=json.dumps(
                report.warnings[:50] + [f"skipped: {s.reason}" for s in report.skips[:50]], ensure_ascii=False
            ),
        )
    )
