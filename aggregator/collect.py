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
from aggregator.errors import AggregatorError, FetchError, ParseError, SkipEvent, TransientFetchError
from aggregator.fetch import Fetcher
from aggregator.model import EventDraft, Follow, Request, Response
from aggregator.normalise import Defaults, NormalEvent, normalise
from aggregator.settings import Settings, SourceSettings
from aggregator.store import FetchCache, Run, SourceState, Store

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
        #: last run's responses by request key, and this run's (saved after a complete run)
        self.cache: dict[str, FetchCache] = {}
        self.new_cache: list[FetchCache] = []
        self.all_unchanged = True

    def drafts(self) -> list[EventDraft] | None:
        """Every draft of the source, or None when nothing changed since the last run.

        Every request is conditional (its own ETag / Last-Modified from the last complete run);
        a 304 is answered with the cached body, so a paged source still sees all its pages.
        A single-document source whose document is unchanged is not even parsed again.
        """
        primary = list(self.adapter.requests(self.source.url))
        if not primary:
            raise ParseError("the adapter asked for nothing to download (is the url set?)")
        recent = self.state.last_success is not None and self.now - self.state.last_success < REPARSE_AFTER
        single = len(primary) == 1 and self.state.follows == 0
        queue: deque[tuple[Request, bool]] = deque((r, False) for r in primary)
        drafts: list[EventDraft] = []
        self.parse_started = time.monotonic()
        while queue:
            request, optional = queue.popleft()
            if self.report.requests >= self.source.max_requests:
                raise ParseError(
                    f"more than {self.source.max_requests} requests in one run "
                    f"(sources.{self.source.id}.max_requests)"
                )
            self.report.requests += 1
            response = self._fetch(request, optional)
            if single and recent and self.all_unchanged:
                return None  # the one document is as it was: nothing to parse or store
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
                    queue.append((item.request, item.optional))
                elif isinstance(item, EventDraft):
                    drafts.append(item)
                else:
                    raise ParseError(f"adapter {self.adapter.name} yielded {type(item).__name__}")
        same_requests = {e.key for e in self.new_cache} == set(self.cache)
        if recent and self.all_unchanged and same_requests:
            return None  # every page as it was: the stored events stand
        return drafts

    def _fetch(self, request: Request, optional: bool) -> Response:
        key = _request_key(request)
        cached = self.cache.get(key)
        try:
            result = self.fetcher.fetch(
                request,
                etag=cached.etag if cached else None,
                last_modified=cached.last_modified if cached else None,
                ignore_robots=self.source.ignore_robots,
            )
        except FetchError as err:
            if not optional:
                raise
            self.all_unchanged = False
            self.ctx.warn(f"could not fetch {request.url}: {err}")
            return Response(url=request.url, status=0, headers={}, body=b"", request=request, error=str(err))
        response = result.response
        if result.not_modified:
            if cached is None:
                raise TransientFetchError("HTTP 304 to a request that was not conditional", url=request.url)
            headers = {"content-type": cached.content_type} if cached.content_type else {}
            response = Response(
                url=response.url, status=200, headers=headers, body=cached.body, request=request
            )
            etag, modified = cached.etag, cached.last_modified
        else:
            etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
        digest = _body_hash(response.body)
        if cached is None or cached.body_hash != digest:
            self.all_unchanged = False
        self.new_cache.append(
            FetchCache(
                source_id=self.source.id,
                key=key,
                url=request.url,
                etag=etag,
                last_modified=modified,
                content_type=response.headers.get("content-type"),
                body_hash=digest,
                body=response.body,
            )
        )
        return response


def _request_key(request: Request) -> str:
    return hashlib.sha256(
        b"\x1f".join([request.method.encode(), request.url.encode(), request.body or b""])
    ).hexdigest()


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
    if store is not None and use_cache:
        run.cache = store.fetch_cache(source.id)
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
            state.follows = run.follows
        if report.outcome == "ok" or {e.key for e in run.new_cache} == set(run.cache):
            # the validators of a complete run (an unchanged run may bring fresher ETags)
            store.save_fetch_cache(report.source_id, run.new_cache)
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
