"""The contract suite: what every adapter in ``sources/`` must satisfy (design.md §4 and §8).

Owns: checks parametrised over ``aggregator.adapter.registry()`` — the name equals the file
name; ``Options`` is a pydantic model that forbids unknown keys and is frozen (or is at least
left untouched by parse); the module, and every project module it imports, does no network,
database, environment, file or clock access (read from the AST, so docstrings that *say*
"no datetime.now()" do not count); the adapter's fixture folder exists, has fixtures and a
``fixtures.toml`` that covers every one of them.
Must not: run an adapter over its fixtures for their output (test_fixtures.py does that) or
know anything about one adapter.
"""

from __future__ import annotations

import ast
import copy
import importlib.util
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from aggregator.adapter import Adapter, RunContext, registry
from tests.contract.snapshot import (
    CONFIG,
    SNAPSHOTS,
    SOURCES,
    Case,
    cases_of,
    fixture_files,
    load_config,
    run,
)

ADAPTERS = sorted(registry())
UNKNOWN = "surely_not_an_option"

#: Modules an adapter must not reach, directly or through a helper: the network, the database,
#: the core stages that do I/O, and settings (the only reader of the environment).
FORBIDDEN_MODULES = (
    "httpx",
    "requests",
    "urllib.request",
    "urllib3",
    "http.client",
    "socket",
    "aiohttp",
    "sqlalchemy",
    "sqlmodel",
    "sqlite3",
    "psycopg",
    "aggregator.store",
    "aggregator.fetch",
    "aggregator.collect",
    "aggregator.settings",
)
ENVIRONMENT = {"environ", "environb", "getenv", "putenv"}
CLOCK_ATTRS = {"now", "utcnow", "today"}  # on datetime / date
CLOCK_CALLS = {"time.time", "time.time_ns", "time.monotonic", "time.monotonic_ns", "time.perf_counter",
               "time.perf_counter_ns"}  # fmt: skip
CLOCK_IF_NO_ARGS = {"time.localtime", "time.gmtime", "time.ctime"}
OTHER_CALLS = {
    "open": "opens a file",
    "io.open": "opens a file",
    "__import__": "imports dynamically",
    "importlib.import_module": "imports dynamically",
    "import_module": "imports dynamically",
}
PROJECT_PACKAGES = ("aggregator", "sources")
#: The contract itself, which every adapter imports; not scanned, because the registry in
#: aggregator/adapter.py imports the adapters dynamically, which is its job.
CONTRACT_MODULES = {"aggregator", "aggregator.adapter", "aggregator.model", "aggregator.errors"}


# --- the AST scan ------------------------------------------------------------------------------


def _forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN_MODULES)


@dataclass
class Scan:
    problems: list[str]
    imports: set[str]


def scan_source(source: str, where: str, package: str | None = None) -> Scan:
    """Every forbidden import, environment read, file open or clock read in ``source``."""
    tree = ast.parse(source)
    problems: list[str] = []
    imports: set[str] = set()

    def bad(node: ast.AST, what: str) -> None:
        problems.append(f"{where}:{getattr(node, 'lineno', '?')}: {what}")

    # Local names bound by imports ("import time as t", "from time import time"), so that
    # t.time() and a bare time() are recognised; "from datetime import time" stays harmless.
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update({a.asname: a.name for a in node.names if a.asname})
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            aliases.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})

    def resolved(expr: ast.expr) -> str:
        head, dot, rest = ast.unparse(expr).partition(".")
        return aliases.get(head, head) + dot + rest

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                imports.add(alias.name)
                if _forbidden(alias.name):
                    bad(node, f"imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            base = (
                importlib.util.resolve_name("." * node.level + (node.module or ""), package)
                if node.level
                else (node.module or "")
            )
            imports.add(base)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if _forbidden(base) or _forbidden(full):
                    bad(node, f"imports {full}")
                elif base == "os" and alias.name in ENVIRONMENT:
                    bad(node, f"reads the environment (from os import {alias.name})")
                imports.add(full)  # may be a submodule (from aggregator.parsing import dates)
        elif isinstance(node, ast.Attribute):
            owner = resolved(node.value)
            if owner == "os" and node.attr in ENVIRONMENT:
                bad(node, f"reads the environment (os.{node.attr})")
            elif node.attr in CLOCK_ATTRS and owner.rsplit(".", 1)[-1] in ("datetime", "date"):
                bad(node, f"reads the clock ({owner}.{node.attr}); use ctx.now")
        if isinstance(node, ast.Call):
            func = resolved(node.func)
            if func in CLOCK_CALLS or (func in CLOCK_IF_NO_ARGS and not node.args):
                bad(node, f"reads the clock ({func}()); use ctx.now")
            elif func in OTHER_CALLS:
                bad(node, f"{OTHER_CALLS[func]} ({func}())")
    return Scan(problems, imports)


def _project_file(module: str) -> Path | None:
    if module.split(".")[0] not in PROJECT_PACKAGES:
        return None
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):  # "a.b" where a.b is a name inside a, not a module
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def scan_module(module: str) -> list[str]:
    """Scan ``module`` and every project module it imports, each once."""
    root = Path(__file__).resolve().parents[2]
    seen: set[str] = set()
    todo = [module]
    problems: list[str] = []
    while todo:
        name = todo.pop()
        path = _project_file(name)
        if name in seen or name in CONTRACT_MODULES or path is None:
            continue
        seen.add(name)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        result = scan_source(path.read_text(encoding="utf-8"), str(path.relative_to(root)), package)
        problems += result.problems
        todo += sorted(result.imports - seen)
    return problems


# --- helpers ---------------------------------------------------------------------------------------


def _runnable(adapter: str) -> Iterator[Case]:
    for case in cases_of(adapter):
        if not case.problem and not case.skip and not case.xfail:
            yield case


def minimal_options(adapter: str) -> dict[str, object]:
    """Options that validate for this adapter: the first fixture's whose options do, else {}."""
    options = registry()[adapter].Options
    for case in cases_of(adapter):
        if case.problem:
            continue
        try:
            options.model_validate(dict(case.options))
        except ValidationError:
            continue
        return dict(case.options)
    return {}


# --- the contract ----------------------------------------------------------------------------------


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_name_equals_module_file(adapter: str) -> None:
    cls = registry()[adapter]
    path = Path(inspect.getfile(cls))
    assert cls.name == adapter == path.stem, f"{path}: name {cls.name!r} must equal the file name"
    assert cls.__module__ == f"sources.{adapter}"
    assert issubclass(cls, Adapter)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_options_forbid_unknown_keys(adapter: str) -> None:
    options = registry()[adapter].Options
    assert isinstance(options, type) and issubclass(options, BaseModel), (
        f"{adapter}.Options is not a pydantic model"
    )
    minimal = minimal_options(adapter)
    options.model_validate(minimal)  # the baseline is valid, so the error below is the key's alone
    with pytest.raises(ValidationError) as caught:
        options.model_validate({**minimal, UNKNOWN: 1})
    errors = caught.value.errors()
    assert [(e["type"], e["loc"]) for e in errors] == [("extra_forbidden", (UNKNOWN,))], errors


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_options_are_frozen_or_left_alone(adapter: str, make_ctx: Callable[..., RunContext]) -> None:
    cls = registry()[adapter]
    options = cls.Options.model_validate(minimal_options(adapter))
    if cls.Options.model_config.get("frozen"):
        field = next(iter(cls.Options.model_fields), UNKNOWN)
        with pytest.raises(ValidationError, match="frozen"):
            setattr(options, field, None)
        return
    # Not frozen: acceptable only if parse never changes it (settings objects are shared).
    cases = list(_runnable(adapter))
    assert cases, f"{adapter}.Options is not frozen and there is no fixture to show parse leaves it alone"
    for case in cases:
        opts = cls.Options.model_validate(dict(case.options))
        before = copy.deepcopy(opts.model_dump())
        run(cls(opts), case, make_ctx(**case.ctx))
        assert opts.model_dump() == before, f"{case.id}: parse changed the Options"


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_module_does_no_io_and_reads_no_clock(adapter: str) -> None:
    problems = scan_module(f"sources.{adapter}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_fixture_folder_is_complete(adapter: str) -> None:
    folder = SOURCES / adapter
    assert folder.is_dir(), f"{folder} is missing: every adapter needs fixtures"
    names = fixture_files(folder)
    assert names, f"{folder} holds no fixture files"
    config = load_config(folder)  # ValueError names the file and the problem
    uncovered = [n for n in names if n not in config.files] if config.defaults is None else []
    assert not uncovered, f'{folder / CONFIG}: no [files."…"] entry and no [defaults] for {uncovered}'
    stale = sorted(set(config.files) - set(names))
    assert not stale, f"{folder / CONFIG} names files that do not exist: {stale}"
    snapshots = folder / SNAPSHOTS
    orphans = sorted(p.name for p in snapshots.glob("*.json") if p.name.removesuffix(".json") not in names)
    assert not orphans, f"{snapshots} holds snapshots of no fixture: {orphans}"
    options = registry()[adapter].Options
    for case in cases_of(adapter):
        try:
            options.model_validate(dict(case.options))
        except ValidationError as err:
            pytest.fail(f"{case.id}: the options in {CONFIG} do not validate: {err}")


def test_every_fixture_folder_belongs_to_an_adapter() -> None:
    folders = sorted(p.name for p in SOURCES.iterdir() if p.is_dir())
    assert set(folders) <= set(ADAPTERS), (
        f"fixture folders without an adapter: {sorted(set(folders) - set(ADAPTERS))}"
    )


# --- the suite's own checks can fail -------------------------------------------------------------


def test_scan_finds_every_kind_of_forbidden_code() -> None:
    source = """
import httpx
import os
from urllib import request
from sqlmodel import Session
from os import getenv
import datetime as dt
from datetime import date, datetime
import time
import time as t
from time import monotonic

TOKEN = os.environ["TOKEN"]
when = datetime.now()
day = date.today()
stamp = time.time()
clock = dt.datetime.utcnow
body = open("/etc/passwd").read()
mod = __import__("socket")
tick = t.perf_counter() + monotonic()
"""
    found = scan_source(source, "x.py").problems
    expected = [
        "x.py:2: imports httpx",
        "x.py:4: imports urllib.request",
        "x.py:5: imports sqlmodel.Session",
        "x.py:6: reads the environment (from os import getenv)",
        "x.py:13: reads the environment (os.environ)",
        "x.py:14: reads the clock (datetime.datetime.now); use ctx.now",
        "x.py:15: reads the clock (datetime.date.today); use ctx.now",
        "x.py:16: reads the clock (time.time()); use ctx.now",
        "x.py:17: reads the clock (datetime.datetime.utcnow); use ctx.now",
        "x.py:18: opens a file (open())",
        "x.py:19: imports dynamically (__import__())",
        "x.py:20: reads the clock (time.perf_counter()); use ctx.now",
        "x.py:20: reads the clock (time.monotonic()); use ctx.now",
    ]
    assert sorted(found) == sorted(expected)


def test_scan_accepts_what_adapters_legitimately_do() -> None:
    source = '''
"""Must not call datetime.now() or read os.environ: everything comes from ctx."""
from datetime import datetime, time, timezone
import time as _t  # imported, never used for the clock

def parse(ctx, text):
    start = datetime.combine(ctx.now.date(), time(10, 0))  # ctx.now is the injected clock
    moment = _t.gmtime(0)
    return datetime.fromisoformat(text), start, moment
'''
    assert scan_source(source, "ok.py").problems == []
