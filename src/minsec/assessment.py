"""The assessment: for an importer and a year, one row per mineral with every indicator.

Each figure keeps its data year (``*_year``) and its basis; nothing missing becomes a zero.
:func:`indicators` computes the indicator families of one importer for every mineral and
year; :func:`assess`, :func:`trend` and :func:`compare` are views of those tables.

Choices that are ours (documented here and in the columns):

* Production concentration in year Y: the latest figure at or before Y, preferring the newest
  USGS MCS edition in the store, then the older ones, then World Mining Data (``*_source``
  names the edition; :func:`minsec.tables.editions`).
* Import structure: of the two stages, the one with the larger import value (``import_stage``).
* Import reliance: for the USA, USGS's published net import reliance; for other importers,
  computed from BACI quantities and World Mining Data production, where a mineral WMD covers
  counts 0 production for an importer WMD does not list (WMD lists every producer).
* ``risk_score`` (0..1, the ranking): the mean of the available normalised risks: production
  HHI/10 000 (the worse stage), top-supplier share, GeoPolRisk score, USGS-style supply risk
  and (100 - MBI)/100. ``risk_inputs`` counts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from minsec import tables
from minsec.indicators import early_warning, geopolrisk, imports, supply_risk
from minsec.indicators.concentration import stage_concentration

PRODUCTION = ("mcs", "wmd")  # preference for production figures: tables.editions(frame, ...)
LISTS = {"kr_critical_2023": "KR33", "kr_strategic_2023": "KR10", "us_2022": "US22",
         "us_2025": "US25", "eu_crma_critical": "EU34", "eu_crma_strategic": "EU17"}
METHODS = ("concentration", "imports", "geopolrisk", "eu_crm", "usgs", "early_warning")
RISKS = ("production_hhi", "top_supplier_share", "gpr_score", "usgs_supply_risk", "mbi_risk")


@dataclass(frozen=True)
class Inputs:
    """The store's tables the assessment reads, read once."""

    supply: pd.DataFrame
    mineral_trade: pd.DataFrame
    membership: pd.DataFrame
    eu27: list[str]
    lists: pd.DataFrame
    minerals: pd.DataFrame
    prices: pd.DataFrame
    eu_assessment: pd.DataFrame
    us_statistics: pd.DataFrame
    curated: pd.DataFrame
    gaps: pd.DataFrame
    geopolrisk: geopolrisk.Inputs
    governance: pd.DataFrame


def load(store: Path | None = None) -> Inputs:
    """Read every table the assessment needs (I/O)."""
    return Inputs(
        tables.supply(store), tables.mineral_trade(store), tables.membership(store),
        tables.region_members("eu27", store), tables.lists(store), tables.minerals(store),
        tables.prices(store), tables.eu_crm("eu_crm_assessment", store),
        tables.us_statistics(store), imports.load_curated(), tables.trade_gaps(store),
        geopolrisk.load_inputs(store), tables.governance(store))


def latest(frame: pd.DataFrame, keys: list[str], year: int,
           order: Iterable[str] = ()) -> pd.DataFrame:
    """Per ``keys``, the row of the latest year at or before ``year`` (ties: ``order``)."""
    rows = frame[frame["year"] <= year]
    rank = {edition: i for i, edition in enumerate(order)}
    if rank:
        rows = rows[rows["edition"].isin(rank)]
        rows = rows.assign(_rank=rows["edition"].map(rank)).sort_values(
            ["year", "_rank"], ascending=[False, True]).drop(columns="_rank")
    else:
        rows = rows.sort_values("year", ascending=False)
    return rows.drop_duplicates(keys)


def _production_for_reliance(supply: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """The importer's production (t) per mineral, stage and year, as far as WMD tells.

    WMD lists every producing country: where it covers the mineral and stage, an importer it
    does not list produces 0; where it covers the mineral at another stage only, an importer
    with no WMD production of the mineral at all also produces 0 at this stage; else unknown.
    """
    wmd = supply[supply["edition"].eq("wmd2026") & supply["variable"].eq("production")
                 & ~supply["country"].isin(["WLD", "ROW"])]
    keys = ["country", "mineral", "stage", "year"]
    produced = wmd.groupby(keys, as_index=False)["value"].sum()
    anywhere = wmd.groupby(["country", "mineral", "year"])["value"].sum()
    rows = grid.rename(columns={"importer": "country"}).merge(produced, how="left")
    same_stage = rows.merge(wmd[["mineral", "stage", "year"]].drop_duplicates(), how="left",
                            indicator=True)["_merge"].eq("both").to_numpy()
    mineral_covered = rows[["mineral", "year"]].merge(
        wmd[["mineral", "year"]].drop_duplicates(), how="left", indicator=True)[
        "_merge"].eq("both").to_numpy()
    elsewhere = rows.set_index(["country", "mineral", "year"]).index.map(anywhere.to_dict())
    none_anywhere = mineral_covered & pd.isna(pd.Series(elsewhere)).to_numpy()
    rows["value"] = rows["value"].where(rows["value"].notna() | ~(same_stage | none_anywhere),
                                        0.0)
    return rows[keys + ["value"]]


def import_table(inputs: Inputs, importer: str) -> pd.DataFrame:
    """Import structure and reliance of ``importer`` for every mineral, stage and year."""
    trade = inputs.mineral_trade
    if importer != "EU27":
        trade = trade[trade["importer"].eq(importer) | trade["exporter"].eq(importer)]
    structure = imports.import_indicators(trade, inputs.membership, inputs.curated,
                                          inputs.gaps, eu27=inputs.eu27)
    structure = structure[structure["importer"].eq(importer)]
    grid = structure[["importer", "mineral", "stage", "year"]]
    if importer == "EU27":  # the bloc produces what its members produce (summed downstream)
        members = pd.DataFrame({"importer": inputs.eu27})
        grid = grid.drop(columns="importer").merge(members, how="cross")
    production = _production_for_reliance(inputs.supply, grid)
    out = imports.with_reliance(structure, production, inputs.eu27)
    if importer == "USA":
        nir = supply_risk.us_reliance(inputs.us_statistics)
        nir = nir.sort_values("edition").drop_duplicates(["mineral", "year"], keep="last")
        out = out.drop(columns="import_reliance").merge(
            nir[["mineral", "year", "reliance"]].rename(columns={"reliance": "import_reliance"}),
            on=["mineral", "year"], how="left")
        out["reliance_basis"] = "USGS MCS net import reliance"
    else:
        out["reliance_basis"] = "BACI quantities, WMD production"
    return out


def indicators(inputs: Inputs, importer: str,
               methods: Iterable[str] = METHODS) -> dict[str, pd.DataFrame]:
    """The indicator families of ``importer`` for all minerals and years, as tidy tables."""
    methods = set(methods)
    out: dict[str, pd.DataFrame] = {}
    if "concentration" in methods:
        out["concentration"] = stage_concentration(inputs.supply)
    if methods & {"imports", "usgs"}:
        out["imports"] = import_table(inputs, importer)
    if "geopolrisk" in methods:
        gpr = geopolrisk.compute(inputs.geopolrisk)
        out["geopolrisk"] = gpr[gpr["importer"].eq(importer)]
    if "eu_crm" in methods:
        published = inputs.eu_assessment.dropna(subset=["mineral", "supply_risk"])
        out["eu_crm"] = published.sort_values("supply_risk", ascending=False).drop_duplicates(
            ["mineral", "year"])[["mineral", "year", "material", "supply_risk",
                                  "economic_importance"]]
    if "usgs" in methods:
        reliance = out["imports"].sort_values("imports", ascending=False).drop_duplicates(
            ["mineral", "year"])[["mineral", "year", "import_reliance"]]
        wgi = supply_risk.governance_risk(
            inputs.governance[inputs.governance["source"].eq("wgi_2024")])
        importance = supply_risk.eu_importance(inputs.eu_assessment)
        reliance = reliance.rename(columns={"import_reliance": "reliance"})
        out["usgs"] = pd.concat([supply_risk.assess(
            inputs.supply[inputs.supply["edition"].eq(edition)], wgi, reliance, importance,
            importer).assign(edition=edition)
            for edition in tables.editions(inputs.supply, PRODUCTION)], ignore_index=True)
    if "early_warning" in methods:
        out["early_warning"] = early_warning.assemble(inputs.prices, inputs.supply,
                                                      inputs.mineral_trade, importer)
    return out


def _wide(frame: pd.DataFrame, stage: str, year: int) -> pd.DataFrame:
    rows = latest(frame[frame["stage"].eq(stage)], ["mineral"], year,
                  tables.editions(frame, PRODUCTION))
    rows = rows[["mineral", "hhi", "top1_country", "top1_share", "top3_share", "year",
                 "edition"]].rename(columns={"edition": "source"})
    return rows.set_index("mineral").add_prefix(f"{stage}_")


def _lists(lists: pd.DataFrame) -> pd.Series:
    labels = lists[lists["list"].isin(LISTS)].assign(label=lambda f: f["list"].map(LISTS))
    order = {label: i for i, label in enumerate(LISTS.values())}
    return labels.sort_values("label", key=lambda c: c.map(order)).groupby("mineral")[
        "label"].agg(" ".join).rename("lists")


def _import_rows(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per mineral, the import figures of one stage and year.

    The stage with the larger imports in the latest year at or before ``year``; where BACI
    has no code, the curated figure nearest in time (its year is shown).
    """
    frame = frame.assign(_missing=frame["basis"].str.startswith("missing"),
                         _distance=(frame["year"] - year).abs() + (frame["year"] > year))
    frame = frame[(frame["year"] <= year) | ~frame["_missing"]]
    frame = frame.sort_values(["_missing", "_distance", "imports"],
                              ascending=[True, True, False])
    return frame.drop_duplicates("mineral").drop(columns=["_missing", "_distance"])


def _risk_score(table: pd.DataFrame, min_inputs: int = 1) -> pd.DataFrame:
    hhi = table.reindex(columns=["mining_hhi", "refining_hhi"]).max(axis=1) / 10_000
    risks = pd.DataFrame({
        "production_hhi": hhi, "top_supplier_share": table.get("top_supplier_share"),
        "gpr_score": table.get("gpr_score"), "usgs_supply_risk": table.get("usgs_supply_risk"),
        "mbi_risk": (100 - table["mbi"]) / 100 if "mbi" in table else None},
        index=table.index)
    count = risks.notna().sum(axis=1)
    out = table.assign(risk_score=risks.mean(axis=1).where(count >= min_inputs),
                       risk_inputs=count)
    out["rank"] = out["risk_score"].rank(ascending=False, method="min").astype("Int64")
    return out.sort_values(["rank", "mineral"], na_position="last")


def assess(inputs: Inputs, importer: str, year: int, methods: Iterable[str] = METHODS,
           listed_only: bool = True) -> pd.DataFrame:
    """One row per mineral: lists, every indicator with its data year, and the ranking.

    ``listed_only``: only minerals on one of the KR, US or EU lists. ``risk_inputs`` says on
    how many of the risk indicators a mineral's ``risk_score`` rests.
    """
    found = indicators(inputs, importer, methods)
    catalogue = inputs.minerals.set_index("id")[["name"]].rename_axis("mineral")
    parts: list[pd.DataFrame | pd.Series] = [catalogue, _lists(inputs.lists)]
    if "concentration" in found:
        parts += [_wide(found["concentration"], s, year) for s in ("mining", "refining")]
    if "imports" in found:
        rows = _import_rows(found["imports"], year)
        parts.append(rows.set_index("mineral")[[
            "stage", "year", "basis", "imports", "top_supplier", "top_supplier_share",
            "china_share", "msp_share", "forum_share", "import_hhi", "import_reliance",
            "reliance_basis"]].rename(columns={"stage": "import_stage", "year": "import_year",
                                               "basis": "import_basis"}))
    if "geopolrisk" in found:
        rows = latest(found["geopolrisk"], ["mineral"], year).set_index("mineral")
        parts.append(rows[["score", "hhi", "import_risk", "year"]].add_prefix("gpr_"))
    if "eu_crm" in found:
        rows = latest(found["eu_crm"], ["mineral"], year).set_index("mineral")
        parts.append(rows[["supply_risk", "economic_importance", "year"]].add_prefix("eu_"))
    if "usgs" in found:
        rows = latest(found["usgs"], ["mineral"], year,
                      tables.editions(found["usgs"], PRODUCTION)).set_index("mineral")
        parts.append(rows[["supply_risk", "year"]].add_prefix("usgs_"))
    if "early_warning" in found:
        rows = latest(found["early_warning"], ["mineral"], year).set_index("mineral")
        parts.append(rows[["mbi", "band", "inputs", "year"]].rename(
            columns={"inputs": "mbi_inputs", "year": "mbi_year"}))
    table = pd.concat(parts, axis=1, join="outer")
    table = table[table.drop(columns=["name", "lists"]).notna().any(axis=1)]
    if listed_only:
        table = table[table["lists"].notna()]
    table = _risk_score(table.reset_index().rename(columns={"index": "mineral"}))
    return table.assign(importer=importer, year=year).reset_index(drop=True)


def default_year(inputs: Inputs) -> int:
    """The latest year of the trade data (BACI), the default of every view."""
    return int(inputs.mineral_trade["year"].max())


TREND_METHODS = ("concentration", "imports", "geopolrisk", "early_warning")


def trend(inputs: Inputs, mineral: str, importer: str,
          found: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One row per year: the indicators of one mineral for one importer over time.

    ``found``: ``indicators(inputs, importer, TREND_METHODS)`` when the caller has them (one
    computation for many minerals).
    """
    found = found or indicators(inputs, importer, TREND_METHODS)
    conc = found["concentration"]
    conc = conc[conc["mineral"].eq(mineral)]
    parts, order = [], tables.editions(conc, PRODUCTION)
    for stage in ("mining", "refining"):
        rows = conc[conc["stage"].eq(stage)].assign(
            _rank=lambda f: f["edition"].map({e: i for i, e in enumerate(order)}))
        rows = rows.dropna(subset=["_rank"]).sort_values("_rank").drop_duplicates("year")
        parts.append(rows.set_index("year")[["hhi", "top1_country", "top1_share", "edition"]]
                     .add_prefix(f"{stage}_"))
    imp = found["imports"][found["imports"]["mineral"].eq(mineral)
                           & ~found["imports"]["basis"].str.startswith("missing")]
    if not imp.empty:
        totals = imp.groupby("stage")["imports"].sum()
        parts.append(imp[imp["stage"].eq(totals.index[int(totals.to_numpy().argmax())])].set_index("year")[[
            "stage", "basis", "imports", "top_supplier", "top_supplier_share", "china_share",
            "msp_share", "import_hhi", "import_reliance"]].rename(
            columns={"stage": "import_stage", "basis": "import_basis"}))
    gpr = found["geopolrisk"]
    parts.append(gpr[gpr["mineral"].eq(mineral)].set_index("year")[
        ["score", "import_risk"]].add_prefix("gpr_"))
    ew = found["early_warning"]
    parts.append(ew[ew["mineral"].eq(mineral)].set_index("year")[["mbi", "band"]])
    table = pd.concat(parts, axis=1).sort_index()
    table = table[table.notna().any(axis=1)].rename_axis("year").reset_index()
    return table.assign(mineral=mineral, importer=importer)


COMPARE = ["rank", "top_supplier", "top_supplier_share", "china_share", "msp_share",
           "import_hhi", "import_reliance", "gpr_score", "usgs_supply_risk", "mbi", "risk_score"]


def compare(inputs: Inputs, importers: Iterable[str], year: int,
            minerals: Iterable[str] | None = None) -> pd.DataFrame:
    """Importers side by side: one row per importer and mineral, the headline indicators."""
    wanted = set(minerals or [])
    frames = []
    for importer in importers:
        table = assess(inputs, importer, year)
        if wanted:
            table = table[table["mineral"].isin(wanted)]
        frames.append(table[["importer", "mineral", "lists", *COMPARE]])
    return pd.concat(frames, ignore_index=True).sort_values(["mineral", "importer"],
                                                            ignore_index=True)
