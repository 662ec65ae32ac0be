"""JSON-LD blocks in HTML pages: finding them, reading hand-made ones, and walking them for nodes.

Owns: finding every ``<script type="application/ld+json">`` in a parsed page, decoding each
block, repairing the breakage hand-made blocks carry (comments, CDATA, control characters, bad
escapes, stray quotes, trailing commas: badinputs jsonld/extruct__JSONLD_*), cutting nesting
that would exhaust the decoder (``prune``), walking arrays, ``@graph`` and lists for schema.org
Event nodes with a depth limit (``event_nodes``), and reading a type or enumeration IRI
(``schema_term``). Used by sources/jsonld.py.

Must not: map properties onto drafts (``aggregator.parsing.schemaorg`` reads values, the
adapter decides), interpret times, fetch anything, or fail a page for one bad block: a block
that cannot be read is warned about and skipped; only a page with no readable block fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Final

from bs4 import BeautifulSoup
from bs4.element import Tag

from aggregator.errors import ParseError

__all__ = ["MAX_DEPTH", "MAX_NESTING", "event_nodes", "prune", "repair", "schema_term"]

#: How deep the walk looks for Event nodes (ItemList > ListItem > item sits at depth 4); deeper
#: structures are not event listings but hostile input (badinputs authored__jsonld_deep_nesting).
MAX_DEPTH: Final = 12
MAX_NESTING: Final = 64  # containers deeper than this are dropped before decoding

_BROKEN = object()
_JSON_ESCAPES = set('"\\/bfnrtu')
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|[^"\[\]{}]+|"')


def event_nodes(soup: BeautifulSoup, warn: Callable[[str], None]) -> list[dict[str, Any]]:
    """Every schema.org Event node in the page's JSON-LD blocks, in page order.

    ParseError when the page has no JSON-LD block, or none of its blocks is readable JSON
    (publishing nothing would remove every stored event at the next complete run). An empty
    list means the blocks are readable and hold no Event.
    """
    blocks = [s for s in soup.find_all("script") if _is_ld_json(s)]
    if not blocks:
        raise ParseError('no <script type="application/ld+json"> block in the page')
    nodes: list[dict[str, Any]] = []
    readable = 0
    for number, script in enumerate(blocks, 1):
        data = _load_block(script.string or "", number, warn)
        if data is not _BROKEN:
            readable += 1
            _collect(data, 0, nodes)
    if not readable:
        raise ParseError(f"none of the {len(blocks)} JSON-LD blocks is readable JSON")
    return nodes


def schema_term(value: Any) -> str:
    """'https://schema.org/EventCancelled', 'schema:Event', 'Event' -> the last segment."""
    if isinstance(value, dict):
        value = value.get("@id")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), "")
    return re.split(r"[/#:]", value.strip())[-1] if isinstance(value, str) else ""


# --- blocks ------------------------------------------------------------------------------------


def _is_ld_json(script: Tag) -> bool:
    kind = script.get("type")
    return isinstance(kind, str) and kind.split(";")[0].strip().lower() == "application/ld+json"


def _load_block(text: str, number: int, warn: Callable[[str], None]) -> Any:
    """One block as JSON; a block that cannot be read is warned about and skipped, never fatal."""
    try:
        return _decode(text, number, warn)
    except ValueError:
        pass
    try:
        data = _decode(repair(text), number, warn)
    except ValueError as err:
        warn(f"JSON-LD block {number} is not JSON and was skipped: {str(err)[:80]}")
        return _BROKEN
    warn(f"JSON-LD block {number} was malformed and read after repair")
    return data


def _decode(text: str, number: int, warn: Callable[[str], None]) -> Any:
    try:
        return json.loads(text, strict=False)  # strict=False: raw newlines inside strings
    except RecursionError:
        # The stdlib decoder recurses per level and gives up near 1000 levels
        # (badinputs authored__jsonld_deep_nesting.html): cut the deep part, keep the top.
        warn(f"JSON-LD block {number} nests deeper than {MAX_NESTING} levels; the deeper part was dropped")
        return json.loads(prune(text, MAX_NESTING), strict=False)


def prune(text: str, limit: int) -> str:
    """The JSON text with every object or array nested deeper than ``limit`` replaced by null."""
    out: list[str] = []
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("{", "["):
            depth += 1
            if depth == limit + 1:
                out.append("null")
            if depth > limit:
                continue
        elif token in ("}", "]"):
            depth -= 1
            if depth >= limit:
                continue
        elif depth > limit:
            continue
        out.append(token)
    return "".join(out)


def repair(text: str) -> str:
    """Rewrite hand-made JSON into JSON, string-aware (badinputs jsonld/extruct__JSONLD_*).

    Drops CDATA/HTML-comment wrappers and // or /* */ comments outside strings, trailing commas,
    stray control characters; inside strings fixes \\' and \\xHH, keeps unknown escapes as a
    literal backslash, and escapes a quote that is not followed by , : } ] (an unescaped quote
    inside the text, as WordPress writes ``style="..."`` into descriptions).
    """
    text = _unwrap(text)
    out: list[str] = []
    i, n, in_str = 0, len(text), False
    while i < n:
        c = text[i]
        if in_str:
            if c == "\\":
                nxt = text[i + 1] if i + 1 < n else ""
                if nxt and nxt in _JSON_ESCAPES:
                    out.append(c + nxt)
                    i += 2
                elif nxt == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 2 : i + 4]):
                    out.append("\\u00" + text[i + 2 : i + 4])
                    i += 4
                elif nxt == "'":
                    out.append("'")
                    i += 2
                else:
                    out.append("\\\\")
                    i += 1
                continue
            if c == '"':
                j = i + 1
                while j < n and text[j] in " \t\r\n":
                    j += 1
                if j >= n or text[j] in ",:}]":
                    in_str = False
                    out.append(c)
                else:
                    out.append('\\"')
            else:
                out.append(c)
            i += 1
            continue
        if c == '"':
            in_str = True
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        elif c in "}]":
            k = len(out) - 1
            while k >= 0 and out[k] in " \t\r\n":
                k -= 1
            if k >= 0 and out[k] == ",":
                del out[k]
        elif ord(c) < 32 and c not in "\t\r\n":
            c = " "
        out.append(c)
        i += 1
    return "".join(out)


def _unwrap(text: str) -> str:
    """Drop bare <![CDATA[ ]]> / <!-- --> around a block; "//<![CDATA[" is a comment line anyway."""
    text = text.strip()
    while True:
        before = text
        for mark in ("<![CDATA[", "<!--"):
            text = text.removeprefix(mark).lstrip()
        for mark in ("]]>", "-->"):
            text = text.removesuffix(mark).rstrip()
        if text == before:
            return text


def _collect(value: Any, depth: int, out: list[dict[str, Any]]) -> None:
    """Event nodes in a block: the block itself, array items, @graph, ItemList items, ...

    The walk is depth-limited and does not descend into an Event (subEvent chains are hostile
    input more often than festival programmes: badinputs authored__jsonld_deep_nesting.html).
    """
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            _collect(item, depth + 1, out)
    elif isinstance(value, dict):
        if _is_event(value):
            out.append(value)
            return
        for item in value.values():
            if isinstance(item, list | dict):
                _collect(item, depth + 1, out)


def _is_event(node: dict[str, Any]) -> bool:
    kind = node.get("@type")
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return any(isinstance(k, str) and schema_term(k).endswith("Event") for k in kinds)
