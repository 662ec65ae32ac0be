"""Feed renderers and the atomic writer: EventRecords in, feed bytes out, files in place.

Owns the published formats (.ics, RSS 2.0, Atom, JSON Feed 1.1) and writing them atomically.
It must not read sources or the network; choosing a feed's events from the store is the
orchestration in ``build.py``. Every renderer is a pure function of (FeedInfo, events, now)
and gives byte-identical output for the same input.
"""

from __future__ import annotations

from aggregator.publish.feedinfo import FeedInfo
from aggregator.publish.ics import fit_ics, render_ics
from aggregator.publish.jsonfeed import render_jsonfeed
from aggregator.publish.rss import render_atom, render_rss
from aggregator.publish.writer import write_atomic

__all__ = [
    "FeedInfo",
    "fit_ics",
    "render_atom",
    "render_ics",
    "render_jsonfeed",
    "render_rss",
    "write_atomic",
]
