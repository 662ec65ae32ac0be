"""The routes of the calendar people see: pages, event pages, filtered feeds, embed, screen,
print and the JSON API.

Owns reading each request (query string, language, clock) and answering it with a page or
document; the markup lives in pages.py/boards.py, the choice of events in listing.py. It must
not write the store, fetch sources or trust a query value (listing.WebQuery caps them all).
``clock`` is injected so tests and benchmarks decide what "now" is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from aggregator.publish import ics
from aggregator.publish.build import day_start, render_feed, select_events
from aggregator.publish.feedinfo import FeedInfo
from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.web import api, boards, pages
from aggregator.web.feeds import _NAME, _not_modified, feed_response, serve_file
from aggregator.web.i18n import LANGS, choose_lang, t
from aggregator.web.layout import e, html_response, page
from aggregator.web.listing import (
    FILTER_KEYS,
    CachedReader,
    WebQuery,
    cluster_of,
    facet_values,
    refine,
    shown,
    today,
    window,
)

STATIC = Path(__file__).parent / "static"
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _params(request: Request) -> dict[str, list[str]]:
    return {key: request.query_params.getlist(key) for key in list(request.query_params.keys())[:40]}


def _int(request: Request, key: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(request.query_params.get(key, default))))
    except ValueError:
        return default


def asset_response(request: Request, body: bytes, media_type: str, *, cors: bool = False) -> Response:
    """A small static body with a strong ETag and 304 (embed.js is fetched by every host page)."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
    if cors:
        headers["Access-Control-Allow-Origin"] = "*"
    if _not_modified(request, etag, 0):
        return Response(status_code=304, headers=headers)
    return Response(body, headers=headers, media_type=media_type)


def page_routes(
    settings: Settings, db: Store, clock: Clock = utc_now, reader: CachedReader | None = None
) -> list[BaseRoute]:
    store = reader if reader is not None else CachedReader(db)

    def context(request: Request) -> tuple[str, str | None, WebQuery, list[tuple[str, str]]]:
        explicit = request.query_params.get("lang")
        explicit = explicit if explicit in LANGS else None
        lang = choose_lang(explicit, request.headers.get("accept-language"))
        params = _params(request)
        query = WebQuery.parse(params, settings)
        pairs = [(k, v) for k, vs in params.items() for v in vs[:20]]
        return lang, explicit, query, pairs

    def calendar(request: Request) -> Response:
        lang, explicit, query, pairs = context(request)
        now = clock()
        base = window(settings, store, query, now)
        events = refine(base, query)
        body = pages.calendar_body(settings, query, events, facet_values(base), lang, explicit, now)
        feed = settings.feeds.get(query.feed)
        title = f"{t(lang, 'whats_on')} – {feed.title if feed else t(lang, 'site')}"
        feed_link = ""
        if feed is not None:
            href = f"/feeds/{feed.id}.rss{query.feed_query()}"
            feed_link = f'<link rel="alternate" type="application/rss+xml" title="RSS" href="{e(href)}">'
        return html_response(
            page(
                lang=lang,
                title=title,
                body=body,
                path="/",
                query=pairs,
                explicit_lang=explicit,
                head=feed_link,
            )
        )

    def _record(request: Request) -> tuple[int | None, bool]:
        ref: str = request.path_params["ref"]
        as_ics = ref.endswith(".ics")
        number = ref.removesuffix(".ics")
        return (int(number) if number.isdigit() and len(number) < 12 else None), as_ics

    def event_page(request: Request) -> Response:
        lang, explicit, _query, pairs = context(request)
        event_id, as_ics = _record(request)
        record = db.event(event_id) if event_id is not None else None
        now = clock()
        # Any member's id shows its cluster as published: the merged copy under the cluster's
        # UID, with every source that lists it (an event outside the clusters' window, e.g.
        # long past, is shown as its source stored it).
        cluster = cluster_of(settings, store, record.id, now) if record is not None else None
        copies = [record] if record is not None else []
        also: tuple[tuple[str, str | None], ...] = ()
        moved_from = None
        if cluster is not None:
            record, copies, also = cluster.record, list(cluster.members), cluster.also
            moved_from = cluster.moved_from
        if record is None:
            body = f'<h1>{e(t(lang, "not_found"))}</h1><p><a href="/">{e(t(lang, "back"))}</a></p>'
            html = page(
                lang=lang,
                title=t(lang, "not_found"),
                body=body,
                path=request.url.path,
                query=pairs,
                explicit_lang=explicit,
            )
            return html_response(html, status=404)
        if as_ics:
            info = FeedInfo(
                id=f"event-{record.id}",
                title=record.title[:200] or "event",
                base_url=settings.base_url,
                timezone=settings.timezone,
            )
            data = ics.render_ics(info, [record], now=day_start(settings, now))
            response = feed_response(request, data, "ics", record.modified.timestamp())
            response.headers["Content-Disposition"] = f'attachment; filename="event-{record.id}.ics"'
            return response
        page_url = f"{settings.base_url.rstrip('/')}/events/{record.id}"
        body = pages.event_body(
            settings, record, copies, lang, explicit, now, also=also, moved_from=moved_from
        )
        head = (
            pages.json_ld(pages.without_also_note(record, also), settings, page_url)
            + f'<link rel="canonical" href="{e(page_url)}">'
        )
        html = page(
            lang=lang,
            title=record.title,
            body=body,
            path=request.url.path,
            query=pairs,
            explicit_lang=explicit,
            head=head,
        )
        return html_response(html)

    def feeds(request: Request) -> Response:
        """Published files as they are; with filter parameters, the feed rendered for them."""
        match = _NAME.match(request.path_params["name"])
        feed = settings.feeds.get(match.group(1)) if match else None
        filtered = any(key in request.query_params for key in FILTER_KEYS)
        if not filtered and (feed is None or (settings.feeds_dir / request.path_params["name"]).is_file()):
            return serve_file(request, settings.feeds_dir)
        # A filter, or a configured feed not yet published (a fresh install, before the first
        # `aggregator publish`): render it from the store, with the same caching headers.
        if match is None or feed is None:
            return PlainTextResponse("Not found", status_code=404)
        query = WebQuery.parse(_params(request), settings)
        now = clock()
        fmt = match.group(2)

        def render() -> tuple[bytes, float]:
            events = select_events(
                settings, db, feed, now, extra=query.extra_filter(), view=store.clusters(settings, now)
            )
            if query.free:
                events = [e for e in events if e.free]
            body, _warnings = render_feed(settings, feed, events, now, fmt)
            # Last-Modified: the newest change among the events, so it only moves when they do.
            newest = max(
                (e.modified.timestamp() for e in events), default=day_start(settings, now).timestamp()
            )
            return body, newest

        # Feeds are rendered for the local day (build.render_feed), so the day is in the key.
        key = ("feed", feed.id, fmt, query.feed_query(), day_start(settings, now))
        body, newest = store.memo(key, render)
        return feed_response(request, body, fmt, newest)

    def api_events(request: Request) -> Response:
        query = WebQuery.parse(_params(request), settings)
        limit = _int(request, "limit", api.DEFAULT_LIMIT, 1, api.MAX_LIMIT)
        offset = _int(request, "offset", 0, 0, 1_000_000)
        now = clock()
        events = shown(settings, store, query, now)
        chunk = events[offset : offset + limit]
        index = store.cluster_index(settings, now)
        next_url = None
        if offset + limit < len(events):
            next_url = f"{settings.base_url.rstrip('/')}/api/events{query.query_string()}"
            next_url += ("&" if "?" in next_url else "?") + f"limit={limit}&offset={offset + limit}"
        payload = {
            "feed": query.feed,
            "total": len(events),
            "offset": offset,
            "limit": limit,
            "next": next_url,
            "events": [
                api.event_json(r, settings.base_url, index[r.id].also if r.id in index else ()) for r in chunk
            ],
        }
        return JSONResponse(
            payload, headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=60"}
        )

    def openapi(request: Request) -> Response:
        doc = api.openapi(settings.base_url, list(settings.feeds))
        body = json.dumps(doc, ensure_ascii=False, indent=1).encode()
        return asset_response(request, body, "application/json", cors=True)

    def embed_js(request: Request) -> Response:
        return asset_response(
            request, (STATIC / "embed.js").read_bytes(), "text/javascript; charset=utf-8", cors=True
        )

    def screen_worker(request: Request) -> Response:
        # At the root so that its scope may be /screen (a worker's scope cannot be above its own
        # folder); revalidated on every check so a new version reaches the screens at once.
        response = asset_response(
            request, (STATIC / "screen-sw.js").read_bytes(), "text/javascript; charset=utf-8"
        )
        response.headers["Cache-Control"] = "no-cache"
        return response

    def embed(request: Request) -> Response:
        lang, explicit, query, pairs = context(request)
        now = clock()
        limit = _int(request, "limit", 10, 1, 50)
        events = shown(settings, store, query, now)[:limit]
        body = boards.embed_body(settings, events, lang, now)
        feed = settings.feeds.get(query.feed)
        html = page(
            lang=lang,
            title=feed.title if feed else t(lang, "site"),
            body=body,
            path="/embed",
            query=pairs,
            explicit_lang=explicit,
            body_class="embed",
            chrome=False,
        )
        return html_response(html, embed=True)

    def embed_help(request: Request) -> Response:
        lang, explicit, query, pairs = context(request)
        limit = _int(request, "limit", 5, 1, 50)
        body = boards.embed_help_body(settings, query, lang, limit)
        return html_response(
            page(
                lang=lang,
                title=t(lang, "embed_help"),
                body=body,
                path="/embed-help",
                query=pairs,
                explicit_lang=explicit,
            )
        )

    def screen(request: Request) -> Response:
        lang, explicit, query, pairs = context(request)
        now = clock()
        days = _int(request, "days", 3, 1, 7)
        refresh = _int(request, "refresh", 60, 2, 3600)
        events = shown(settings, store, query, now, days=days - 1)
        feed = settings.feeds.get(query.feed)
        body = boards.screen_body(
            settings, events, lang, now, refresh, feed.title if feed else t(lang, "site")
        )
        head = '<script src="/static/screen.js" defer></script>'
        html = page(
            lang=lang,
            title=t(lang, "screen"),
            body=body,
            path="/screen",
            query=pairs,
            explicit_lang=explicit,
            head=head,
            body_class="screen-page",
            chrome=False,
        )
        return html_response(html, max_age=0)

    def print_week(request: Request) -> Response:
        lang, explicit, query, pairs = context(request)
        now = clock()
        monday = boards.parse_week(request.query_params.get("week"), today(settings, now))
        week_query = WebQuery(
            feed=query.feed,
            categories=query.categories,
            audience=query.audience,
            places=query.places,
            sources=query.sources,
            free=query.free,
            text=query.text,
            start=monday,
            end=monday + timedelta(days=6),
        )
        events = shown(settings, store, week_query, now, upcoming_only=False)
        feed = settings.feeds.get(query.feed)
        body = boards.print_body(settings, events, lang, now, monday, feed.title if feed else t(lang, "site"))
        html = page(
            lang=lang,
            title=f"{t(lang, 'program_for')} {monday.isoformat()}",
            body=body,
            path="/print",
            query=pairs,
            explicit_lang=explicit,
            body_class="print-page",
        )
        return html_response(html)

    return [
        Route("/", calendar),
        Route("/events/{ref}", event_page),
        Route("/feeds/{name}", feeds, methods=["GET", "HEAD"]),
        Route("/api/events", api_events),
        Route("/api/openapi.json", openapi),
        Route("/embed.js", embed_js),
        Route("/embed", embed),
        Route("/embed-help", embed_help),
        Route("/screen", screen),
        Route("/screen-sw.js", screen_worker),
        Route("/print", print_week),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
