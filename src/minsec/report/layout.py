"""How each briefing table is shown in the HTML and PDF: columns, labels, formats, rows.

Presentation only: the section tables (and the workbook, which has every column and row)
are untouched. :data:`LAYOUTS` is keyed by table name; a table without an entry gets
:func:`default_layout` (no ``source`` column, no id column beside a name, humanised headers,
formats guessed from the column names). Formats are the keys of
:data:`minsec.report.tables.FORMATS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Col:
    """One column shown: the table's column, its header, its number format."""

    name: str
    label: str
    fmt: str = "auto"


@dataclass(frozen=True)
class Layout:
    """Which rows and columns of a table are shown, and how.

    ``where``: keep rows equal to these values; ``sort``/``descending``: order; ``rows``: how
    many (per group of ``per`` when given); ``pivot``: ``(index, columns, values)`` spread
    into a wide table (the ``values`` column's format for every cell); ``distinct``: one row
    per distinct combination of the columns, with their count in the column of this name;
    ``joined``: columns whose values are listed together ("nickel, cobalt") in one row per
    distinct combination of the other columns;
    ``cite``: columns moved out of the rows into the table's "Source:" line; ``caption``:
    what the selection is, said under the table.
    """

    columns: tuple[Col, ...]
    rows: int | None = 25
    per: tuple[str, ...] = ()
    sort: tuple[str, ...] = ()
    descending: bool = False
    where: tuple[tuple[str, Any], ...] = ()
    pivot: tuple[str, str, str] | None = None
    distinct: str | None = None
    joined: tuple[str, ...] = ()
    cite: tuple[str, ...] = ("source",)
    caption: str = ""
    title: str = ""


def cols(*specs: tuple[str, ...]) -> tuple[Col, ...]:
    """``Col`` from ``(name, label[, fmt])`` tuples."""
    return tuple(Col(*spec) for spec in specs)


RISKS = cols(("rank", "Rank", "int"), ("name", "Mineral", "text"),
             ("risk_score", "Risk score", "score"), ("risk_inputs", "Indicators (of 5)", "int"),
             ("top_supplier", "Largest supplier", "text"),
             ("top_supplier_share", "Its share of imports", "pct"),
             ("china_share", "China's share", "pct"), ("import_reliance", "Import reliance", "pct"),
             ("import_stage", "Import stage", "text"), ("import_year", "Year", "year"),
             ("gpr_score", "GeoPolRisk score", "score"), ("mbi", "MBI", "num1"))
POLICY = "54 days of cover released after 8 days (Korea's stockpile policy)"

LAYOUTS: dict[str, Layout] = {
    "top_risks": Layout(title="Highest risks", columns=RISKS),
    "strategic": Layout(title="The strategic minerals", columns=RISKS),
    "risk_matrix": Layout(title="Risk matrix", columns=cols(
        ("name", "Mineral", "text"), ("risk_score", "Risk score", "score"),
        ("top_supplier", "Largest supplier", "text"),
        ("top_supplier_share", "Its share of imports", "pct"),
        ("production_hhi", "Production HHI", "int"), ("import_year", "Import year", "year"),
        ("import_basis", "Import data", "text"), ("imports", "Imports (USD\u00a0m)", "kusd_m")),
        rows=15, sort=("risk_score",), descending=True, caption="The 15 highest risk scores."),
    "production": Layout(title="World production and reserves", columns=cols(
        ("stage", "Stage", "text"), ("variable", "Measure", "text"),
        ("country", "Country", "text"), ("year", "Year", "year"),
        ("value", "Amount ({unit})", "int"), ("share", "Share of world", "pct"),
        ("estimated", "Estimated", "bool")),
        rows=6, per=("stage", "variable"),
        caption="The world total and the largest producers per stage and measure."),
    "stages": Layout(title="Concentration by stage", columns=cols(
        ("stage", "Stage", "text"), ("variable", "Measure", "text"), ("form", "Form", "text"),
        ("year", "Year", "year"), ("top1_country", "Largest", "text"),
        ("top1_share", "Its share", "pct"), ("top3_share", "Top-3 share", "pct"),
        ("hhi", "HHI", "int"), ("countries", "Countries", "int"))),
    "import_sources": Layout(title="Import sources", columns=cols(
        ("form", "Form", "text"), ("year", "Year", "year"), ("country", "Supplier", "text"),
        ("share", "Share", "pct"), ("share_of", "Share of", "text"),
        ("contained_t", "Contained (t)", "int"), ("hs6", "HS", "text"))),
    "trend": Layout(title="Imports and concentration over time", columns=cols(
        ("year", "Year", "year"), ("imports", "Imports (USD\u00a0m)", "kusd_m"),
        ("top_supplier", "Largest supplier", "text"),
        ("top_supplier_share", "Its share", "pct"), ("china_share", "China's share", "pct"),
        ("import_reliance", "Import reliance", "pct"), ("mining_hhi", "Mining HHI", "int"),
        ("refining_hhi", "Refining HHI", "int"), ("gpr_score", "GeoPolRisk score", "score"),
        ("mbi", "MBI", "num1")),
        rows=10, sort=("year",), descending=True, caption="The last 10 years, newest first."),
    "published": Layout(title="Published import shares", columns=cols(
        ("year", "Year", "year"), ("stage", "Stage", "text"), ("supplier", "Supplier", "text"),
        ("share", "Share", "pct"), ("data_owner", "Published by", "text"),
        ("basis", "Basis", "text")), sort=("year",), descending=True),
    "policies": Layout(title="Scenario results by mineral", columns=cols(
        ("scenario", "Scenario", "text"), ("mineral", "Mineral", "text"),
        ("p_shortfall", "P(shortfall)", "pct"), ("unmet_mean_t", "Expected unmet (t)", "int"),
        ("unmet_mean_pct", "Unmet, % of demand", "pct_value"),
        ("unmet_p95_pct", "Unmet P95, % of demand", "pct_value"),
        ("days_short_mean", "Days short", "num1"),
        ("price_jump_p95", "Price jump P95", "pct"),
        ("loss_mean_usd", "Expected loss (USD\u00a0m)", "musd"),
        ("loss_p95_usd", "Loss P95 (USD\u00a0m)", "musd")),
        rows=15, where=(("days_of_cover", 54), ("release_lag", 8)), sort=("loss_mean_usd",),
        descending=True, cite=("source", "basis"),
        caption=f"Under {POLICY}, the 15 largest expected losses."),
    "loss_by_policy": Layout(title="Expected loss by stockpile policy", columns=cols(
        ("name", "Scenario", "text"), ("loss_mean_usd", "Expected loss (USD\u00a0m)", "musd")),
        pivot=("name", "policy", "loss_mean_usd"),
        caption="Expected loss in USD million per stockpile policy (days of cover, release "
        "lag in days)."),
    "regions": Layout(title="MSP projects by region", columns=cols(
        ("region", "Region", "text"), ("count", "Projects", "int"), ("basis", "Basis", "text"))),
    "gaps": Layout(title="Portfolio gaps", columns=cols(
        ("kind", "Gap by", "text"), ("key", "Where", "text"), ("score", "Gap score", "score"),
        ("need_share", "Share of need", "pct"), ("project_share", "Share of projects", "pct")),
        rows=10, sort=("score",), descending=True, caption="The 10 largest gaps."),
    "projects": Layout(title="Named MSP projects", columns=cols(
        ("name", "Project", "text"), ("country", "Country", "text"),
        ("msp_region", "MSP region", "text"), ("mineral", "Mineral", "text"),
        ("stage", "Stage", "text"), ("status", "Status", "text"),
        ("capacity_t", "Capacity (t)", "int"), ("start_year", "Start", "year")),
        joined=("mineral", "stage"), caption="One row per project; its minerals and stages "
        "listed together."),
    "recommended": Layout(title="Recommended next projects", columns=cols(
        ("country", "Country", "text"), ("mineral", "Mineral", "text"),
        ("stage", "Stage", "text"), ("share", "Share of world", "pct"),
        ("status", "Country is", "text"), ("risk_score", "Risk score", "score"))),
    "what_if": Layout(title="What-if: one more project", columns=cols(
        ("project", "Project", "text"), ("mineral", "Mineral", "text"),
        ("delta_unmet_t", "Change in expected unmet (t)", "signed_int"),
        ("delta_loss_usd", "Change in expected loss (USD\u00a0m)", "signed_musd"),
        ("china_share_before", "China's share before", "pct"),
        ("china_share_after", "China's share after", "pct"),
        ("delta_china_points", "Change (points)", "signed1"))),
    "targets": Layout(title="Targets", columns=cols(
        ("target", "Target", "text"), ("unit", "Unit", "text"),
        ("baseline", "Baseline", "num1"), ("baseline_year", "Year", "year"),
        ("today", "Today", "num1"), ("today_year", "Year", "year"),
        ("target_value", "Target", "num1"), ("target_year", "By", "year"),
        ("projected", "Projected", "num1"), ("on_track", "On track", "bool"),
        ("gap", "Gap", "num1"))),
    "levers": Layout(title="Levers", columns=cols(
        ("lever", "Lever", "text"), ("target", "Target", "text"), ("change", "Change", "text"),
        ("effect", "Effect", "num1"), ("unit", "Unit", "text"),
        ("gap_after", "Gap after", "num1"), ("note", "Note", "text"))),
    "methods": Layout(title="Methods", columns=cols(
        ("part", "Part", "text"), ("method", "Method", "text"), ("what", "What", "text"),
        ("source", "Source", "text")), cite=()),
    "section_sources": Layout(title="Sources by section", columns=(), rows=0, caption=(
        "Each section lists its sources under its tables and at its end.")),
    "governance_vintages": Layout(title="Governance (WGI) vintages", columns=cols(
        ("vintage", "Vintage", "text"), ("revision", "WGI revision", "year"),
        ("used_by", "Used by", "text")), rows=None, caption="Each vintage's label is in the "
        "workbook; the default takes, per country and year, the newest with a value."),
    "provenance": Layout(title="Data provenance", columns=cols(
        ("source", "Source", "text"), ("vintage", "Vintage", "text"),
        ("files", "Files", "int")), rows=None, distinct="files", cite=(),
        caption="One row per source and vintage; each file with its SHA-256 is in the "
        "workbook."),
    "omitted": Layout(title="Parts left out", columns=cols(
        ("part", "Part", "text"), ("reason", "Reason", "text"))),
}

# drawn half-width, side by side (a profile: map | import sources, Sankey | trend)
HALF_CHARTS = ("map", "import_sources", "trend", "origin", "target-")
TALL_CHARTS = ("risk_scores",)  # one bar per mineral: every label needs the height
ID_LIKE = {"id", "key", "mineral", "project", "scenario"}  # dropped beside a ``name`` column
WORDS = {"hhi": "HHI", "gpr": "GeoPolRisk", "mbi": "MBI", "msp": "MSP", "id": "ID",
         "usd": "(USD)", "t": "(t)", "kt": "(kt)", "pct": "(%)", "p5": "P5", "p95": "P95",
         "hs6": "HS6", "yaml": "YAML", "sha256": "SHA-256"}
DEFAULT_COLUMNS, DEFAULT_ROWS = 8, 25


def humanise(column: str) -> str:
    """``top_supplier_share`` -> ``Top supplier share``; ``unmet_mean_t`` -> ``Unmet mean (t)``."""
    words = [WORDS.get(w, w) for w in column.split("_") if w]
    text = " ".join(words) or column
    return text[:1].upper() + text[1:]


def default_layout(frame: pd.DataFrame) -> Layout:
    """For a table without an entry: up to 8 informative columns, 25 rows, humane headers."""
    named = "name" in frame.columns
    keep = [c for c in frame.columns if c != "source" and frame[c].notna().any()
            and not (named and (c in ID_LIKE or c.endswith("_id")))]
    return Layout(tuple(Col(c, humanise(c)) for c in keep[:DEFAULT_COLUMNS]),
                  rows=DEFAULT_ROWS)


def layout(table: str, frame: pd.DataFrame) -> Layout:
    """The layout of ``table`` (by name), else the default for ``frame``."""
    return LAYOUTS.get(table) or default_layout(frame)


def chart_size(name: str) -> str:
    """``half`` (two to a row), ``tall`` or ``full`` width and height, by name or prefix."""
    return "half" if name.startswith(HALF_CHARTS) else "tall" if name in TALL_CHARTS else "full"


def present(frame: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """The columns of ``names`` that ``frame`` has, in order."""
    return [n for n in names if n in frame.columns]
