"""The Starlette application: routes only; each concern lives in its own module."""

from __future__ import annotations

import html

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.web.feeds import serve_file


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    db = store if store is not None else Store(settings.database)

    def feeds(request: Request) -> Response:
        return serve_file(request, settings.feeds_dir)

    def healthz(request: Request) -> Response:
        try:
            states = db.all_source_states()
        except Exception as err:  # the database being away is exactly what healthz reports
            return JSONResponse({"status": "error", "error": str(err)}, status_code=503)
        failing = sorted(s.id for s in states.values() if s.last_outcome == "failed")
        return JSONResponse({"status": "ok", "sources": len(settings.sources), "failing": failing})

    def index(request: Request) -> Response:
        rows = []
        for feed in settings.feeds.values():
            links = " · ".join(
                f'<a href="/feeds/{html.escape(feed.id)}.{ext}">{label}</a>'
                for ext, label in (("ics", "iCal"), ("rss", "RSS"), ("atom", "Atom"), ("json", "JSON Feed"))
            )
            webcal = html.escape(
                settings.base_url.replace("https://", "webcal://").replace("http://", "webcal://")
            )
            rows.append(
                f"<li><strong>{html.escape(feed.title)}</strong> – {html.escape(feed.description)}<br>{links}"
                f' · <a href="{webcal}/feeds/{html.escape(feed.id)}.ics">Abonner (webcal)</a></li>'
            )
        page = (
            '<!doctype html><html lang="nb"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Borgen innbyggertorg – kalendere</title></head><body>"
            "<h1>Kalendere</h1><ul>" + "".join(rows) + "</ul></body></html>"
        )
        return HTMLResponse(page)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/healthz", healthz),
            Route("/feeds/{name}", feeds, methods=["GET", "HEAD"]),
        ]
    )
