"""The pages' data: sections from :mod:`minsec.briefing`, cached per parameters.

Pages are read-only views of a built store, so a page is computed once per (store, page,
parameters) and kept in a bounded LRU cache; its JSON twin is cached as bytes, so that the
twins answer in milliseconds under load. No analytics here: every figure comes from the
briefing's builders, which are thin views over the library.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from minsec import briefing
from minsec.briefing import Context, Section
from minsec.errors import MinsecError
from minsec.render import records

OUTLOOK_DEFAULT = "lithium"


class NotFound(MinsecError):
    """A named thing (mineral, job, table) that does not exist: 404."""


@dataclass(frozen=True, eq=False)
class Page:
    """What one page shows: its sections, with the parameters that made it."""

    key: str
    title: str
    params: dict[str, Any]
    sections: list[Section]
    links: dict[str, str] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the page by name (``section.table`` when names collide)."""
        names = [n for s in self.sections for n in s.tables]
        return {(n if names.count(n) == 1 else f"{s.key}.{n}"): t
                for s in self.sections for n, t in s.tables.items()}

    def document(self) -> dict[str, Any]:
        """The JSON twin: the same data, tables as records, with notes and sources."""
        return {"page": self.key, "title": self.title, "params": self.params,
                "sections": [section_document(s) for s in self.sections],
                "links": self.links}


def section_document(section: Section) -> dict[str, Any]:
    """One section as JSON: tables as records; chart names (the data is in the tables)."""
    return {"key": section.key, "title": section.title,
            "tables": {name: records(t) for name, t in section.tables.items()},
            "charts": list(section.charts), "notes": section.notes,
            "sources": section.sources}


def context(store: Path | None, importer: str, year: int | None,
            governance_vintage: str | None = None) -> Context:
    """The briefing's context (cached there per importer, year and governance vintage)."""
    return briefing.context(importer, year, store, governance_vintage)


def mineral_id(name: str) -> str:
    """A catalogue id, or 404 naming the nearest ones."""
    from minsec.reference import mineral_id as lookup

    try:
        return lookup(name)
    except MinsecError as exc:
        raise NotFound(str(exc)) from None


def _scenario_library() -> Section:
    from minsec.scenarios.library import list_scenarios

    return Section("library", "The scenario library", {"scenarios": list_scenarios()},
                   notes=["Real export controls and clearly hypothetical cuts (ids HYP-), "
                          "each with its sources; run one below."],
                   sources=["minsec scenario library (src/minsec/scenarios/library/*.yaml)"])


def _sections(key: str, ctx: Context, mineral: str | None) -> list[Section]:
    if key == "overview":
        return [briefing.headline(ctx), briefing.risk_matrix(ctx)]
    if key == "mineral":
        return [briefing.mineral_profile(ctx, mineral or "")]
    if key == "scenarios":
        return [_scenario_library(), _or_why("scenarios", "Scenarios", briefing.scenarios, ctx)]
    if key == "portfolio":
        return [_or_why("portfolio", "Portfolio", briefing.portfolio, ctx)]
    if key == "outlook":
        return [briefing.outlook(ctx, mineral or OUTLOOK_DEFAULT)]
    if key == "targets":
        return [_or_why("targets", "Targets", briefing.targets, ctx)]
    if key == "data":
        return [briefing.methods(ctx)]
    raise NotFound(f"no page {key!r}")


def _or_why(key: str, title: str, build: Callable[[Context], Section], ctx: Context) -> Section:
    """The section, or one saying why the importer has none (e.g. no targets, an aggregate)."""
    try:
        return build(ctx)
    except MinsecError as exc:
        return Section(key, title, notes=[f"Not available for {ctx.importer}: {exc}."])


TITLES = {"overview": "Overview", "mineral": "Mineral profile", "scenarios": "Scenarios",
          "portfolio": "Portfolio", "outlook": "Outlook", "targets": "Targets",
          "data": "Data and methods"}


@lru_cache(maxsize=128)
def page(store: Path | None, key: str, importer: str, year: int | None,
         mineral: str | None = None, governance_vintage: str | None = None) -> Page:
    """One page for one importer and year (and mineral, and WGI vintage), computed once."""
    ctx = context(store, importer, year, governance_vintage)
    mid = mineral_id(mineral) if mineral else None
    title = TITLES[key] + (f": {mid}" if mid else "") + f" · {ctx.importer} {ctx.year}"
    params: dict[str, Any] = {"importer": ctx.importer, "year": ctx.year}
    if mid:
        params["mineral"] = mid
    if governance_vintage:
        params["governance_vintage"] = governance_vintage
    links = {m: f"/minerals/{m}?importer={ctx.importer}&year={ctx.year}"
             for m in briefing.strategic_minerals(ctx)}
    return Page(key, title, params, _sections(key, ctx, mid), links)


def warm(store: Path | None, importer: str) -> None:
    """Compute ``importer``'s pages ahead of the first visitor (the server's start-up thread).

    A failure is only logged: the page then reports it to whoever asks for it.
    """
    import logging

    try:
        # the same arguments as the routes pass, so that the caches' keys match
        for key in ("overview", "scenarios", "portfolio", "targets", "outlook", "data"):
            page_json(store, key, importer, None, None, None)
        for mineral in briefing.strategic_minerals(context(store, importer, None)):
            page_json(store, "mineral", importer, None, mineral, None)
    except Exception:  # noqa: BLE001 - logged; never kills the server
        logging.getLogger("minsec.web").exception("warming %s's pages failed", importer)


@lru_cache(maxsize=128)
def page_json(store: Path | None, key: str, importer: str, year: int | None,
              mineral: str | None = None, governance_vintage: str | None = None) -> bytes:
    """The page's JSON twin, serialised once."""
    found = page(store, key, importer, year, mineral, governance_vintage)
    return json.dumps(found.document(), ensure_ascii=False, allow_nan=False,
                      default=str).encode()


@lru_cache(maxsize=4)
def importers(store: Path | None) -> list[str]:
    """ISO3 codes with BACI imports (the importer selector), plus EU27."""
    inputs = context(store, "KOR", None).inputs
    return sorted(set(inputs.mineral_trade["importer"].dropna()) | {"EU27"})


@lru_cache(maxsize=4)
def outlook_minerals(store: Path | None) -> list[str]:
    """The minerals of the IEA outlook in the store (the outlook page's selector)."""
    from minsec.outlook.demand import load_demand

    return sorted(load_demand(store)["mineral"].dropna().unique())


def forget() -> None:
    """Drop every cached page and the tables behind them (the store was replaced)."""
    from importlib import import_module

    core, minerals, scenarios = (import_module(f"minsec.briefing.{name}")
                                 for name in ("core", "minerals", "scenarios"))
    for cached in (page, page_json, importers, outlook_minerals, core._inputs, core._context,
                   scenarios.inputs, minerals.indicators):
        cached.cache_clear()
