"""Measures of the national targets: pure functions of the store's tidy tables.

Dependence on the largest supplier (Korea), the recycled share, stockpile days, and the EU
CRMA benchmarks (extraction, processing, recycling, single third country). Each formula and
its source is in the docstring; what the data cannot measure is NaN with a ``reason``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from minsec.errors import MinsecError

#: KOMIR rare-metal stockpile, Feb 2023 strategy (facts/kr_targets.csv, high): Yonhap
#: https://m-en.yna.co.kr/view/AEN20230227003300320 and MOTIE
#: https://english.motie.go.kr/eng/article/EATCLdfa319ada/1212/view
STOCKPILE_DAYS, STOCKPILE_YEAR = 54.0, 2023
EC_CRM_YEAR = 2023  # the European Commission's 2023 criticality assessment (eu_crm_* tables)
WMD = "wmd2026"  # World Mining Data lists every producer: a member it does not list produces 0
RECYCLED_COLUMNS = ["year", "mineral", "secondary_t", "demand_t", "share"]


def _chosen(imports: pd.DataFrame, minerals: Sequence[str]) -> pd.DataFrame:
    """Per mineral and year, the stage with the larger imports (rows with a value only)."""
    unknown = sorted(set(minerals) - set(imports["mineral"]))
    if unknown:
        raise MinsecError(f"minerals: not in the imports table: {', '.join(unknown)}")
    rows = imports[imports["mineral"].isin(minerals) & (imports["imports"] > 0)
                   & imports["top_supplier_share"].notna()]
    rows = rows.sort_values("imports", ascending=False).drop_duplicates(["mineral", "year"])
    return rows.drop_duplicates(["year", "stage", "source"])


def dependence_series(imports: pd.DataFrame, minerals: Sequence[str]) -> pd.Series:
    """Import-value-weighted top-supplier share per year (see :func:`top_supplier_dependence`)."""
    rows = _chosen(imports, minerals)
    weighted = (rows["imports"] * rows["top_supplier_share"]).groupby(rows["year"]).sum()
    return (weighted / rows.groupby("year")["imports"].sum()).rename("dependence")


def top_supplier_dependence(imports: pd.DataFrame, minerals: Sequence[str], year: int) -> float:
    """Dependence on the single largest supplier, weighted by import value (0-1).

    ``D = sum_m M_m s_m / sum_m M_m`` over the minerals ``m`` with a measured value in
    ``year``: ``M_m`` the import value (kUSD, BACI FOB) of the mineral's stage with the larger
    imports, ``s_m`` its top-supplier share. Minerals whose chosen stage rests on the same HS
    codes (Nd, Dy, Tb, La: one rare-earth basket) count once. Curated rows (published shares,
    ``basis`` ``curated``) carry no value and cannot be weighted: they are left out, as are
    minerals without a code (``missing``). Korea's target: dependence on specific countries,
    80% (2023) -> 50% (2030), MOTIE 2023 strategy (facts/kr_targets.csv); the weighting is ours.
    ``imports`` as from :func:`minsec.assessment.import_table` for one importer.
    """
    series = dependence_series(imports, minerals)
    return float(series.get(year, np.nan))


def recycled_share(recycled: pd.DataFrame, minerals: Sequence[str], year: int) -> float:
    """Share of demand met by secondary supply: ``R = sum_m S_m / sum_m D_m`` (0-1, tonnes).

    ``recycled``: ``year, mineral, secondary_t, demand_t, share`` as from the recycling model
    (``minsec.outlook.recycling``). Minerals of ``minerals`` the frame lacks are left out; NaN
    when none is there. Korea's target 2% (2023) -> 20% (2030): MOTIE 2023 strategy
    (facts/kr_targets.csv); the tonnage weighting is ours.
    """
    missing = set(RECYCLED_COLUMNS) - set(recycled.columns)
    if missing:
        raise MinsecError(f"recycled: missing columns {sorted(missing)}")
    rows = recycled[recycled["mineral"].isin(minerals) & recycled["year"].eq(year)]
    demand = rows["demand_t"].sum()
    return float(rows["secondary_t"].sum() / demand) if demand > 0 else float("nan")


def stockpile_days(current: float = STOCKPILE_DAYS) -> float:
    """Days of domestic demand held in stock: a user input (default 54 days, KOMIR, 2023).

    Source of the default: Korea's Feb 2023 strategy, 54 -> 100 days (facts/kr_targets.csv,
    high; Yonhap 2023-02-27, MOTIE 2023-02-28). Stock levels are not published per mineral.
    """
    if not np.isfinite(current) or current < 0:
        raise MinsecError(f"current_stock_days must be a number >= 0, not {current}")
    return float(current)


def eu_production(supply: pd.DataFrame, eu27: Sequence[str]) -> pd.DataFrame:
    """EU27 production (t) per mineral, stage and year: the sum of the members' WMD figures.

    Only where WMD covers the mineral, stage and year (then a member it does not list produces
    0); elsewhere no row (unknown). Units are WMD's (metal content, Li2O, TiO2...).
    """
    wmd = supply[supply["edition"].eq(WMD) & supply["variable"].eq("production")
                 & supply["unit"].eq("t") & ~supply["country"].isin(["WLD", "ROW"])]
    keys = ["mineral", "stage", "year"]
    covered = wmd[keys].drop_duplicates()
    members = wmd[wmd["country"].isin(list(eu27))].groupby(keys, as_index=False)["value"].sum()
    out = covered.merge(members, how="left").fillna({"value": 0.0})
    return out.rename(columns={"value": "production_t"})


def _eu_stage_share(imports: pd.DataFrame, production: pd.DataFrame,
                    minerals: Sequence[str], stage: str) -> pd.DataFrame:
    rows = imports[imports["importer"].eq("EU27") & imports["mineral"].isin(minerals)
                   & imports["stage"].eq(stage)
                   & imports["year"].isin(production["year"].unique())]
    rows = rows.merge(production, on=["mineral", "stage", "year"], how="left")
    consumption = rows["production_t"] + rows["imports_t"] - rows["exports_t"]
    share = (rows["production_t"] / consumption.where(consumption > 0)).clip(0, 1)
    reason = np.select(
        [rows["basis"].str.startswith("missing"), rows["production_t"].isna(), share.isna()],
        ["no BACI code: " + rows["basis"].str.removeprefix("missing: "),
         "no EU production figure in the store (WMD does not cover this stage)",
         "apparent consumption <= 0 (net exporter, or content vs gross weight)"], "")
    return rows.assign(consumption_t=consumption, share=share, reason=reason)[
        ["mineral", "stage", "year", "production_t", "consumption_t", "share", "reason"]]


def eu_extraction_share(imports: pd.DataFrame, production: pd.DataFrame,
                        minerals: Sequence[str]) -> pd.DataFrame:
    """EU extraction as a share of EU consumption, per mineral and year (0-1; NaN + reason).

    ``share = P / (P + I - E)`` at the mining stage: ``P`` EU27 mine production
    (:func:`eu_production`), ``I``/``E`` extra-EU imports/exports (t, BACI). Caveat: BACI is
    gross weight (ores, concentrates), WMD mostly content, so the share is biased low where
    ores are traded. Benchmark >= 10% by 2030: Regulation (EU) 2024/1252 Art. 5(1)(a)(i).
    """
    return _eu_stage_share(imports, production, minerals, "mining")


def eu_processing_share(imports: pd.DataFrame, production: pd.DataFrame,
                        minerals: Sequence[str]) -> pd.DataFrame:
    """EU processing as a share of EU consumption, as :func:`eu_extraction_share` at refining.

    Benchmark >= 40% by 2030: Regulation (EU) 2024/1252 Art. 5(1)(a)(ii).
    """
    return _eu_stage_share(imports, production, minerals, "refining")


def eu_single_country_share(imports: pd.DataFrame, minerals: Sequence[str]) -> pd.DataFrame:
    """Largest third-country share of extra-EU imports (value, BACI), per mineral and year.

    ``max over stages of max_j m_j / M`` (0-1), with the supplier and stage. An import share:
    EU production and re-exports are not netted (BACI's units do not allow it). Benchmark <= 65%
    of consumption of each strategic raw material from one third country by 2030: Regulation
    (EU) 2024/1252 Art. 5(1)(b).
    """
    rows = imports[imports["importer"].eq("EU27") & imports["mineral"].isin(minerals)
                   & ~imports["basis"].str.startswith(("curated", "missing"))
                   & imports["top_supplier_share"].notna()]
    rows = rows.sort_values("top_supplier_share", ascending=False).drop_duplicates(
        ["mineral", "year"])
    return rows.rename(columns={"top_supplier_share": "share", "top_supplier": "supplier"})[
        ["mineral", "stage", "year", "supplier", "share"]].sort_values(["mineral", "year"])


def eu_recycling_share(eu_result: pd.DataFrame, minerals: Sequence[str]) -> pd.DataFrame:
    """End-of-life recycling input rate (EoL-RIR, 0-1) per mineral, EC 2023 assessment.

    EoL-RIR = secondary input from end-of-life scrap / total EU input (European Commission,
    Study on the Critical Raw Materials for the EU 2023). A proxy for the recycling benchmark
    (>= 25% of consumption by 2030, Regulation (EU) 2024/1252 Art. 5(1)(a)(iii)), which counts
    capacity. ``eu_result``: the ``eu_crm_result`` table.
    """
    rows = eu_result[eu_result["variable"].eq("eol_rir") & eu_result["mineral"].isin(minerals)]
    rows = rows.drop_duplicates("mineral", keep="last")
    return rows.assign(year=EC_CRM_YEAR, share=rows["value"])[["mineral", "year", "share"]]


def eu_sourcing(supply_share: pd.DataFrame, minerals: Sequence[str],
                eu27: Sequence[str]) -> pd.DataFrame:
    """EC 2023 EU sourcing per mineral and stage: the EU27 share and the top third country.

    ``eu_share = sum`` of the members' shares of EU sourcing (domestic production + imports),
    ``third_share = max`` over non-members (0-1), from the ``eu_crm_supply_share`` table
    (scope ``eu``; European Commission, Study on the Critical Raw Materials for the EU 2023).
    A cross-check of the store-based measures on the CRMA's own consumption basis, one year
    only. Where the EC gives several materials for one stage (titanium), the last by name.
    """
    rows = supply_share[supply_share["scope"].eq("eu") & supply_share["mineral"].isin(minerals)]
    last = rows[["mineral", "stage", "material"]].drop_duplicates().sort_values("material")
    rows = rows.merge(last.drop_duplicates(["mineral", "stage"], keep="last"))
    member = rows["country"].isin(list(eu27))
    eu = rows[member].groupby(["mineral", "stage"])["share"].sum().rename("eu_share")
    third = rows[~member].sort_values("share").drop_duplicates(["mineral", "stage"], keep="last")
    third = third.set_index(["mineral", "stage"])[["country", "share"]].rename(
        columns={"country": "supplier", "share": "third_share"})
    out = third.join(eu, how="outer").fillna({"eu_share": 0.0}).reset_index()
    return out.assign(year=EC_CRM_YEAR)
