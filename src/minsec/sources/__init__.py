"""One adapter per publisher: each reads the official files as published and emits canonical rows.

An adapter module declares its loads as :class:`Source` objects in a module-level ``SOURCES``
list, or, when the loads depend on the files present, returns them from ``discover(root)``.
``read(root, files)`` gets the sources directory and the matched file paths (relative to
it) and returns ``{table name: DataFrame}`` with the columns of ``schema.csv`` except
``source``, which the store fills with the load's key. A ``check`` raises a
:class:`~minsec.errors.SourceError` when the frames of a whole load lack what the release
holds (years, codes, world totals): a copy cut at a line boundary parses cleanly otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import pandas as pd

Reader = Callable[[Path, list[str]], dict[str, pd.DataFrame]]
Check = Callable[[dict[str, pd.DataFrame]], None]


@dataclass(frozen=True)
class Source:
    """A load: which files of the sources directory, read how, into which tables."""

    key: str
    publisher: str
    vintage: str
    files: tuple[str, ...]
    read: Reader
    default: bool = True  # False for extracts with restrictive terms (Comtrade, ITC)
    packaged: bool = False  # True when the files ship inside minsec (curated reference data)
    check: Check | None = None  # the build's check that the whole release is there

    def match(self, root: Path) -> list[str]:
        """Files of this load present under ``root``, relative and sorted."""
        found = {p.relative_to(root).as_posix() for pattern in self.files
                 for p in root.glob(pattern) if p.is_file()}
        return sorted(found)


ADAPTERS = ("reference", "m49", "usgs", "wmd", "wgi", "baci", "baci_release", "eu_crm", "iea",
            "pinksheet", "comtrade", "itc")


def registry(root: Path | None = None) -> dict[str, Source]:
    """Every known load, keyed by its key, in build order.

    A module whose loads depend on the files present (the MCS editions) lists them through
    ``discover(root)``; without ``root`` only the fixed ``SOURCES`` are known.
    """
    modules = [import_module(f"minsec.sources.{name}") for name in ADAPTERS]
    return {s.key: s for module in modules
            for s in [*module.SOURCES,
                      *(module.discover(root) if root and hasattr(module, "discover") else [])]}
