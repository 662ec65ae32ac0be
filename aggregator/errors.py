"""The exception tree of aggregator. Every error a user can see is one of these.

```
AggregatorError
├── ConfigError            every problem in settings.toml at once, with its key path
├── FetchError
│   ├── TransientFetchError   timeouts, resets, 5xx, 429: retry later with back-off
│   └── PermanentFetchError   404/410, refused address, too large: stop and tell the operator
├── ParseError             the document is unusable as a whole (HTML where ICS was expected, ...)
└── SkipEvent              one draft rejected with a reason; counted; the run goes on
```

Only ``fetch.py`` maps httpx errors into this tree; ``collect.py`` catches
``AggregatorError`` per source and records it on the run.
"""

from __future__ import annotations


class AggregatorError(Exception):
    """Base of every error aggregator reports to a user."""


class ConfigError(AggregatorError):
    """settings.toml (or the environment) is unusable; ``problems`` lists every one."""

    def __init__(self, problems: list[str], path: str | None = None) -> None:
        self.problems = list(problems)
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(where + "; ".join(self.problems))

    def render(self) -> str:
        head = f"Invalid settings in {self.path}:" if self.path else "Invalid settings:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class FetchError(AggregatorError):
    """Downloading a source's document failed."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.url = url
        self.status = status
        self.retry_after = retry_after
        super().__init__(message)


class TransientFetchError(FetchError):
    """A failure that may pass: timeouts, resets, 5xx, 429."""


class PermanentFetchError(FetchError):
    """A failure that will not pass by itself: 404/410, refused address, body too large."""


class ParseError(AggregatorError):
    """The document cannot be read as a whole."""


class SkipEvent(AggregatorError):
    """One draft is rejected; the reason is counted and shown to the operator."""
