"""The Starlette application: routes only; each concern lives in its own module.

The app's lifespan (run by uvicorn; by ``with TestClient(app)`` in tests) starts and stops
the thread that keeps the pages' cluster view computed (listing.CachedReader.start_warming),
so the first visitor after a collection does not pay for reading and clustering the store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.web.listing import CachedReader
from aggregator.web.metrics import metrics_routes
from aggregator.web.routes import Clock, page_routes, utc_now
from aggregator.web.status import status_routes


def create_app(settings: Settings, store: Store | None = None, clock: Clock | None = None) -> Starlette:
    db = store if store is not None else Store(settings.database)
    clock = clock or utc_now
    reader = CachedReader(db)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        reader.start_warming(settings, clock)
        try:
            yield
        finally:
            reader.stop_warming()

    def healthz(request: Request) -> Response:
        try:
            states = db.all_source_states()
        except Exception as err:  # the database being away is exactly what healthz reports
            return JSONResponse({"status": "error", "error": str(err)}, status_code=503)
        failing = sorted(s.id for s in states.values() if s.last_outcome == "failed")
        return JSONResponse({"status": "ok", "sources": len(settings.sources), "failing": failing})

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            # source health for people and monitors: aggregator/web/status.py, metrics.py
            *status_routes(settings, db, clock),
            *metrics_routes(settings, db, clock),
            # the calendar people see (pages, filtered feeds, embed, API): aggregator/web/routes.py
            *page_routes(settings, db, clock, reader),
        ],
        lifespan=lifespan,
    )
    app.state.reader = reader  # the pages' cache (tests and bench/web.py look at its warmer)
    return app
