"""The HTTP face of aggregator (Starlette). It serves published files and reads the store;
it never fetches sources."""

from aggregator.web.app import create_app

__all__ = ["create_app"]
