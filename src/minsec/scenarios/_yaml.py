"""YAML read within bounds: size, nesting depth and nodes after alias expansion.

A scenario is a few kilobytes of plain data. A file of nested aliases ("billion laughs")
expands to billions of nodes, and 50,000 nested ``[`` exhaust the recursion of the composer;
both are refused here in milliseconds with one line, before ``yaml.safe_load`` builds anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from minsec.errors import MinsecError

MAX_BYTES = 1_000_000  # a scenario file; the library's are 1-3 kB
MAX_DEPTH = 32  # levels of nesting (a scenario needs 5)
MAX_NODES = 100_000  # scalars, lists and mappings once every alias is expanded
_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def read_text(path: Path) -> str:
    """The text of a scenario file, or one line: missing, too large, or not text."""
    if not path.is_file():
        raise MinsecError(f"{path}: no such scenario file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise MinsecError(f"{path}: {size:,} bytes; a scenario file has at most "
                          f"{MAX_BYTES:,}")
    data = path.read_bytes()
    try:
        if b"\x00" in data:
            raise UnicodeError
        return data.decode("utf-8")
    except UnicodeError:
        raise MinsecError(f"{path}: not a text file (binary?); a scenario is YAML in "
                          "UTF-8") from None


def _depth(text: str, where: str) -> None:
    """Walk the events (no recursion): refuse nesting deeper than :data:`MAX_DEPTH`."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                line = f":{event.start_mark.line + 1}" if event.start_mark else ""
                raise MinsecError(f"{where}{line}: nested more than {MAX_DEPTH} levels deep; "
                                  "a scenario needs a few")
        elif isinstance(event, _CLOSE):
            depth -= 1


def _expanded(node: yaml.Node, sizes: dict[int, int]) -> int:
    """Nodes under ``node`` with every alias expanded (memoised: aliases share nodes)."""
    if id(node) not in sizes:
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        sizes[id(node)] = 1 + sum(_expanded(child, sizes) for child in children)
    return sizes[id(node)]


def safe_load(text: str, where: str) -> Any:
    """``yaml.safe_load`` of ``text`` within the bounds above; errors as one line."""
    if len(text) > MAX_BYTES:
        raise MinsecError(f"{where}: {len(text):,} characters; a scenario has at most "
                          f"{MAX_BYTES:,}")
    _depth(text, where)
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is not None and (size := _expanded(node, {})) > MAX_NODES:
        raise MinsecError(f"{where}: expands to {size:,} nodes (nested aliases?); a scenario "
                          f"has at most {MAX_NODES:,}")
    try:
        return yaml.safe_load(text)
    except ValueError as exc:  # e.g. an integer of 5,000 digits (Python's conversion limit)
        raise MinsecError(f"{where}: a value YAML cannot convert "
                          f"({str(exc).split(':')[0][:80]})") from None
