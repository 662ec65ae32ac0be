"""/status: every source's health, since when, and its last error, as a page and as JSON.

JSON is answered for ``?format=json`` or ``Accept: application/json``. Owns the rendering of
health for people and monitors; the state machine is aggregator/health.py. Reads the store
only; must not fetch sources or change anything.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aggregator import health
from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.web.layout import html_response, page


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def source_rows(settings: Settings, store: Store, now: datetime) -> list[dict[str, Any]]:
    states = store.all_source_states()
    rows = []
    for source in settings.sources.values():
        st = states.get(source.id)
        now_health = health.current(st, source, now)
        rows.append(
            {
                "id": source.id,
                "adapter": source.adapter,
                "url": source.url,
                "every_seconds": int(source.every.total_seconds()),
                "health": now_health.state,
                "since": _iso(now_health.since),
                "reason": now_health.reason,
                "last_run": _iso(st.last_run) if st else None,
                "last_success": _iso(st.last_success) if st else None,
                "last_outcome": st.last_outcome if st else None,
                "last_error": st.last_error if st else None,
                "failures": st.failures if st else 0,
                "events": st.event_count if st else 0,
                "backoff_until": _iso(st.backoff_until) if st else None,
            }
        )
    return rows


def _wants_json(request: Request) -> bool:
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _page(rows: list[dict[str, Any]], now: datetime, settings: Settings) -> str:
    def local(value: str | None) -> str:
        if not value:
            return ""
        return datetime.fromisoformat(value).astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")

    body = []
    for r in rows:
        body.append(
            f'<tr class="{html.escape(r["health"])}"><td>{html.escape(r["id"])}</td>'
            f"<td>{html.escape(r['adapter'])}</td><td><strong>{html.escape(r['health'])}</strong></td>"
            f"<td>{local(r['since'])}</td><td>{local(r['last_run'])}</td><td>{local(r['last_success'])}</td>"
            f"<td>{r['events']}</td><td>{html.escape(r['last_error'] or r['reason'] or '')}</td></tr>"
        )
    counts = {
        s: sum(1 for r in rows if r["health"] == s)
        for s in ("ok", "degraded", "failing", "stale", "disabled")
    }
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    table = (
        f"<h1>Status for kildene</h1><p>{html.escape(summary)} · "
        f"{now.astimezone(settings.zone):%Y-%m-%d %H:%M}</p>"
        # A wide table scrolls sideways on a phone: the region takes focus so a keyboard can
        # scroll it (axe-core: scrollable-region-focusable, WCAG 2.1.1).
        '<div class="status-wrap" tabindex="0" role="region" aria-label="Kildene">'
        '<table class="status"><thead><tr><th scope="col">kilde</th>'
        '<th scope="col">adapter</th><th scope="col">helse</th><th scope="col">siden</th>'
        '<th scope="col">siste kjøring</th><th scope="col">siste suksess</th><th scope="col">hendelser</th>'
        '<th scope="col">siste feil</th></tr></thead><tbody>' + "".join(body) + "</tbody></table></div>"
    )
    # The site's frame and stylesheet (no inline style: the pages' CSP forbids it).
    return page(lang="nb", title="Status – kilder", body=table, path="/status", query=[], explicit_lang=None)


def status_routes(settings: Settings, store: Store, clock: Callable[[], datetime]) -> list[Route]:
    def status(request: Request) -> Response:
        now = clock()
        rows = source_rows(settings, store, now)
        if _wants_json(request):
            return JSONResponse({"generated": now.isoformat(), "sources": rows})
        return html_response(_page(rows, now, settings), max_age=0)

    return [Route("/status", status)]
