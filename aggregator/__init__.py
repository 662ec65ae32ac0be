"""aggregator: collect events from many sources, merge them, publish one trustworthy calendar.

The names below are what adapter authors import.
"""

from aggregator.adapter import Adapter, NoOptions, RunContext
from aggregator.errors import AggregatorError, ParseError, SkipEvent
from aggregator.model import EventDraft, Follow, Request, Response, Status

__all__ = [
    "Adapter",
    "AggregatorError",
    "EventDraft",
    "Follow",
    "NoOptions",
    "ParseError",
    "Request",
    "Response",
    "RunContext",
    "SkipEvent",
    "Status",
]
