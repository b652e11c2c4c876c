"""The shared contract of the briefing: one loaded :class:`Context`, views as :class:`Section`.

A section is what the report prints and the web pages show: tidy tables, Plotly figure
dicts, sentences carrying the computed figures, and the sources behind them. Builders are thin
views over the library; no analytics live here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from minsec import assessment
from minsec.countries import resolve
from minsec.errors import MinsecError
from minsec.reference import listed

STRATEGIC = {"KOR": "kr_strategic_2023", "EU27": "eu_crma_strategic"}
LIST_NAMES = {
    "kr_strategic_2023": "Korea's 10 strategic minerals (MOTIE, 2023)",
    "eu_crma_strategic": "the EU's 17 strategic raw materials (CRMA, Regulation (EU) 2024/1252)",
}
TOP = 10  # minerals shown for an importer without a curated strategic list


@dataclass(frozen=True, eq=False)
class Context:
    """Everything loaded once for one importer and year (read-only: shared between views)."""

    importer: str
    year: int
    store: Path | None
    inputs: assessment.Inputs
    assessment: pd.DataFrame


@dataclass(frozen=True, eq=False)
class Section:
    """One part of the briefing: tables, charts, sentences and their sources."""

    key: str
    title: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@lru_cache(maxsize=4)
def _inputs(store: Path | None) -> assessment.Inputs:
    return assessment.load(store)


@lru_cache(maxsize=64)
def _context(importer: str, year: int | None, store: Path | None,
             governance_vintage: str | None = None) -> Context:
    inputs = assessment.with_governance_vintage(_inputs(store), governance_vintage)
    known = set(inputs.mineral_trade["importer"]) | {"EU27"}
    if importer not in known:
        raise MinsecError(f"no trade recorded for {importer}")
    latest = assessment.default_year(inputs)
    if year is not None and not 1995 <= year <= latest:
        raise MinsecError(f"year {year}: the trade data cover 1995-{latest}")
    chosen = latest if year is None else year
    table = assessment.assess(inputs, importer, chosen)
    return Context(importer, chosen, store, inputs, table)


def context(importer: str = "KOR", year: int | None = None, store: Path | None = None,
            governance_vintage: str | None = None) -> Context:
    """Load the store and assess ``importer`` in ``year`` (default: the latest trade year).

    ``governance_vintage``: one WGI vintage for the governance-based indicators (default: the
    newest with a value per country and year). Cached: the store is read once per path, the
    assessment once per importer, year and vintage. A country without BACI imports, a year
    outside the trade data or an unknown vintage is a ``MinsecError``.
    """
    return _context(resolve(importer), year, store, governance_vintage)


def strategic_list(ctx: Context) -> str | None:
    """The id of the importer's curated strategic list, if it has one."""
    return STRATEGIC.get(ctx.importer)


def strategic_minerals(ctx: Context) -> list[str]:
    """The importer's curated strategic minerals, else its ``TOP`` minerals by ``risk_score``.

    Curated lists: Korea's 10 strategic minerals (MOTIE 2023) and the EU's strategic raw
    materials (CRMA Annex I). Only minerals the assessment covers are returned, in the
    assessment's risk order.
    """
    ranked = ctx.assessment.dropna(subset=["risk_score"])["mineral"].tolist()
    if (list_id := strategic_list(ctx)) is None:
        return ranked[:TOP]
    members = assessment.group_members(ctx.inputs.forms)  # a rare earth: as its group
    chosen = {members.get(m, m) for m in listed(list_id)}
    return [m for m in ctx.assessment["mineral"] if m in chosen]
