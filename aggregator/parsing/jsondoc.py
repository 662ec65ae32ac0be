"""Reading JSON documents from providers safely, and finding values in them by dotted path.

Owns: decoding a response body as JSON with NaN, Infinity, number overflow and runaway nesting
refused (``read_json``), replacing lone surrogates so text can be written as UTF-8
(``clean_text``), dotted paths (``resolve``: ``data.location.name``, ``images.0.url``,
``topicEvent.*.topic.name``), ``path = value`` conditions (``matches``), first-non-empty
alternatives (``lookup``: ``event_description|event_summary``) and ``{path}`` templates
(``fill_template``). Used by sources/jsonapi.py (the settings-driven mapper) and sources/tribe.py.

Must not: know any provider's field names, turn values into draft fields (dates, prices and
URLs are the adapter's), or do I/O.
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, Final
from urllib.parse import quote

from aggregator.errors import ParseError
from aggregator.model import Response

__all__ = [
    "MISSING",
    "clean_text",
    "fill_template",
    "is_template",
    "lookup",
    "matches",
    "nullify",
    "read_json",
    "resolve",
]


class _Missing(enum.Enum):
    MISSING = enum.auto()


#: what ``resolve`` returns for a path that is not in the document (a JSON null is None)
MISSING: Final = _Missing.MISSING

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN/Infinity by default (JSONTestSuite n_number_NaN.json).
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # i_number_huge_exp.json decodes to inf
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def read_json(response: Response) -> Any:
    """The body as JSON, or ParseError: NaN, Infinity, overflow and runaway nesting are refused."""
    text = response.text()
    if not text.strip():
        raise ParseError("the response body is empty, not JSON")
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:  # n_structure_100000_opening_arrays.json
        raise ParseError("JSON nested too deeply") from None
    except ValueError as err:
        head = text.lstrip()[:1]
        hint = " (looks like HTML)" if head == "<" else ""
        raise ParseError(f"not valid JSON{hint}: {err}") from None


def clean_text(value: str) -> str:
    """Replace lone surrogates (JSONTestSuite i_string_lone_second_surrogate) so UTF-8 output works."""
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace").strip()


def resolve(data: Any, path: str) -> Any:
    """Follow a dotted path (``MISSING`` when absent); ``*`` maps over a list."""
    if path == "":
        return data
    current = data
    parts = path.split(".")
    for index, part in enumerate(parts):
        if part == "*":
            if not isinstance(current, list):
                return MISSING
            rest = ".".join(parts[index + 1 :])
            found = [resolve(element, rest) for element in current]
            return [value for value in found if value is not MISSING and value is not None]
        if isinstance(current, dict):
            current = current.get(part, MISSING)
        elif isinstance(current, list) and part.lstrip("-").isdigit():
            position = int(part)
            current = current[position] if -len(current) <= position < len(current) else MISSING
        else:
            return MISSING
        if current is MISSING:
            return MISSING
    return current


def matches(item: Any, conditions: Mapping[str, Any]) -> bool:
    """Every ``path = value`` holds (a list of values means any of them)."""
    for path, expected in conditions.items():
        value = resolve(item, path)
        if isinstance(expected, list):
            if value not in expected:
                return False
        elif value != expected:
            return False
    return True


def nullify(value: Any, null_strings: Collection[str]) -> Any:
    """None for an absent value or one of ``null_strings``; text cleaned; lists filtered."""
    if value is MISSING or value is None:
        return None
    if isinstance(value, str):
        text = clean_text(value)
        return None if text in null_strings else text
    if isinstance(value, list):
        kept = [nullify(element, null_strings) for element in value]
        return [element for element in kept if element is not None]
    return value


def lookup(item: Any, spec: str, null_strings: Collection[str]) -> Any:
    """``a|b``: the value of the first alternative path that is not empty, else None.

    A null string counts as empty (Aktivitet for Alle writes "None": event 43 in
    tests/fixtures/sources/jsonapi/aktivitetforalle_events.json falls back to its summary).
    """
    for alternative in spec.split("|"):
        value = nullify(resolve(item, alternative.strip()), null_strings)
        if value is not None and value != []:
            return value
    return None


def is_template(spec: str) -> bool:
    """Whether ``spec`` holds ``{path}`` placeholders rather than being one path."""
    return _PLACEHOLDER.search(spec) is not None


def fill_template(template: str, value_of: Callable[[str], Any], *, quoted: bool) -> str | None:
    """``"{street}, {zip} {city}"`` filled with ``value_of(path)``; None when every part is empty.

    ``quoted`` percent-encodes the values (a template that builds a URL).
    """
    filled = 0

    def fill(match: re.Match[str]) -> str:
        nonlocal filled
        value = value_of(match.group(1))
        if value is None or isinstance(value, dict | list):
            return ""
        filled += 1
        text = str(value)
        return quote(text, safe="/:?=&%#+@") if quoted else text

    text = _PLACEHOLDER.sub(fill, template)
    if not filled:
        return None
    # A template with some parts empty ("{street}, {zip} {city}" with no street) leaves
    # stray separators behind: collapse them.
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"(\s*,)+", ",", text)
    return text.strip(" ,")
