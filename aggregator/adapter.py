"""The adapter contract and the registry that discovers adapters in ``sources/``.

An adapter turns downloaded documents into drafts. It never does I/O, never reads the clock
or the environment, and never touches the database: everything it needs arrives in the
``Response`` and the ``RunContext``. See docs/architecture.md, "The adapter contract".
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from aggregator.errors import ConfigError
from aggregator.model import EventDraft, Follow, Request, Response

#: keys every [sources.<id>] table has; an adapter's own Options may not reuse them
COMMON_KEYS = frozenset(
    {
        "adapter",
        "url",
        "every",
        "priority",
        "enabled",
        "categories",
        "audience",
        "place",
        "max_requests",
        "category_map",
        "audience_map",
        "names",
    }
)


class NoOptions(BaseModel):
    """Options of an adapter that accepts nothing beyond the common keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class Skip:
    """One item an adapter (or normalise) passed over, and why; shown by ``check``."""

    reason: str
    item: str = ""


@dataclass
class RunContext:
    """What a parse may know about the world: injected, never looked up."""

    source_id: str
    now: datetime
    zone: ZoneInfo
    horizon_days: int = 180
    max_occurrences: int = 1000
    warnings: list[str] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    #: reasons why this run did not see the whole source (e.g. a page cap); absent events of an
    #: incomplete run are not treated as gone
    incomplete: list[str] = field(default_factory=list)

    @property
    def horizon_start(self) -> datetime:
        # Recent past is kept so that subscribers see what happened last week too.
        return self.now - timedelta(days=31)

    @property
    def horizon_end(self) -> datetime:
        return self.now + timedelta(days=self.horizon_days)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def skip(self, reason: str, item: str = "") -> None:
        self.skips.append(Skip(reason, item))

    def mark_incomplete(self, reason: str) -> None:
        """Say that this run saw only part of the source (a page cap, a partial listing)."""
        self.incomplete.append(reason)
        self.warnings.append(reason)


class Adapter:
    """Base class of every adapter. Subclasses set ``name`` and, if they take options, ``Options``.

    ``requests`` says what to download (default: GET the source's url). ``parse`` turns one
    document into ``EventDraft``s and ``Follow``s.
    """

    name: ClassVar[str] = ""
    Options: ClassVar[type[BaseModel]] = NoOptions
    #: whether the source's ``url`` is required for this adapter
    needs_url: ClassVar[bool] = True

    def __init__(self, options: BaseModel | None = None) -> None:
        self.options = options if options is not None else self.Options()

    def requests(self, url: str | None) -> Iterable[Request]:
        if url is None:
            return []
        return [Request(url=url)]

    def parse(self, response: Response, ctx: RunContext) -> Iterator[EventDraft | Follow]:
        raise NotImplementedError


def _import_sources(package: str) -> dict[str, type[Adapter]]:
    pkg = importlib.import_module(package)
    found: dict[str, type[Adapter]] = {}
    problems: list[str] = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        classes = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Adapter)
            and obj is not Adapter
            and obj.__module__ == module.__name__
        ]
        if len(classes) != 1:
            problems.append(
                f"sources/{info.name}.py must define exactly one Adapter subclass, found {len(classes)}"
            )
            continue
        cls = classes[0]
        if cls.name != info.name:
            problems.append(
                f"sources/{info.name}.py: adapter name {cls.name!r} must equal the file name {info.name!r}"
            )
            continue
        clash = COMMON_KEYS.intersection(cls.Options.model_fields)
        if clash:
            problems.append(
                f"sources/{info.name}.py: option(s) {', '.join(sorted(clash))} clash with the common "
                "source keys; give them another name"
            )
            continue
        if cls.name in found:
            problems.append(f"adapter name {cls.name!r} is defined twice")
            continue
        found[cls.name] = cls
    if problems:
        raise ConfigError(problems)
    return found


_REGISTRY: dict[str, type[Adapter]] | None = None


def registry() -> dict[str, type[Adapter]]:
    """Every adapter in the ``sources`` package, by name (imported once)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = _import_sources("sources")
    return _REGISTRY


def get_adapter(name: str) -> type[Adapter]:
    known = registry()
    try:
        return known[name]
    except KeyError:
        raise ConfigError([f"unknown adapter {name!r}; known adapters: {', '.join(sorted(known))}"]) from None
