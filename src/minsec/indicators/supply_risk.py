"""USGS-style supply risk: disruption potential x trade exposure x economic vulnerability.

Nassar, N.T. et al. (2020), "Evaluating the mineral commodity supply risk of the U.S.
manufacturing sector", *Science Advances* 6: eaay8647; Nassar, N.T. & Fortier, S.M. (2021),
USGS Open-File Report 2021-1045 (the 2022 U.S. list). Supply risk is "the confluence of" the
likelihood of a foreign supply disruption (DP), the dependency on foreign supplies (TE) and
the ability to withstand a disruption (EV). We could not re-read the papers' Methods; the forms
below follow /work/shared/reference/methods.md §2.1-2.2, which marks them recalled [R] or
uncertain [U]. Every choice not taken from a source is marked **ours**:

* DP ``= sum_i s_i^2 g_i`` ("akin to", methods.md [R]); ``g_i`` a WGI-based score on 0..1,
  1 the worst. **Ours**: ``g`` is the mean of the six WGI dimensions (at least five present),
  rescaled linearly, ``g = (2.5 - mean) / 5`` clipped to 0..1 (the EU's 0..10 WGI scale / 10);
  the importer's own production is "not at foreign risk", which we write as ``g = 0`` for the
  importer; the governance year is the latest at or before the production year (3 years at
  most); a producer without a WGI score (New Caledonia, Christmas Island) is left out of the sum
  and its share reported as ``unrated_share`` (DP is then a lower bound); WLD/ROW/EU27 are
  left out like in the HHI; the stage is the one with the higher DP (the EU's bottleneck rule).
* TE = net import reliance of the importer, bounded to 0..1 (methods.md [R]). **Ours**: no
  adjustment for the import mix ([U] in methods.md); a USGS "E" (net exporter) is 0 and a
  bound (">75") is taken at its number.
* EV: the published measure (cost of the commodity to the using industries relative to their
  net income, BEA data) is not available. **Ours**: a proxy, the EU CRM 2023 economic
  importance ``EI`` (0..10, value-added based) divided by 10; missing EI is missing EV.
* Aggregate: ``(DP * TE * EV)^(1/3)`` in methods.md [U: exponent]; ``exponent=1`` gives the
  plain product. The ranking of minerals is the same for any positive exponent.
* Ranking across years: "recency-weighted mean" (USGS Table 1 note, [V]); **ours**: linear
  weights 1, 2, ..., n from the oldest year.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from minsec.indicators.concentration import AGGREGATES, STAGE_KEYS, stage_shares
from minsec.indicators.governance import newest_vintage, wgi_scaled

# EU CRM 2023 assesses these as a group or under another name; the group's EI stands in (ours).
EI_PROXY = {"rare_earths": ("light_rare_earths", "heavy_rare_earths"),
            "platinum": ("platinum_group_metals",), "palladium": ("platinum_group_metals",),
            "bauxite": ("aluminium",), "alumina": ("aluminium",)}


def governance_risk(governance: pd.DataFrame, min_dimensions: int = 5) -> pd.DataFrame:
    """Governance risk ``g = (2.5 - mean WGI) / 5``, clipped to 0..1 (1 = worst governance).

    The EU's 0..10 WGI scale (:func:`minsec.indicators.governance.wgi_scaled`) divided by 10.
    ``governance`` is the long WGI table ``country, year, indicator, estimate`` (with
    ``vintage, revision``: any number of vintages); the mean is over the six dimensions of one
    vintage present (none when fewer than ``min_dimensions``), and each country-year takes the
    newest vintage with a score. Returns ``country, year, g, vintage`` for the scored
    country-years. Scale and dimensions: ours (see the module docstring); estimates: World
    Bank, Worldwide Governance Indicators.
    """
    scaled = wgi_scaled(governance, min_dimensions)
    out = newest_vintage(scaled.assign(g=(scaled["wgi"] / 10).clip(0, 1)), "g")
    if "vintage" not in out:
        out = out.assign(vintage=None)
    return out[["country", "year", "g", "vintage"]].reset_index(drop=True)


def disruption_potential(shares: pd.DataFrame, governance: pd.DataFrame,
                         importer: str | None = "USA", max_lag: int = 3,
                         keys: Sequence[str] = tuple(STAGE_KEYS)) -> pd.DataFrame:
    """Disruption potential ``DP = sum_i s_i^2 g_i`` over producing countries, 0..1.

    Parameters
    ----------
    shares
        ``country, share`` (0..1) and the ``keys`` (which include ``year``), as from
        :func:`minsec.indicators.concentration.stage_shares`.
    governance
        ``country, year, g`` (0..1, 1 = worst) from :func:`governance_risk`; each share takes
        the country's latest ``g`` at or before its year, at most ``max_lag`` years older.
    importer
        Its own production is not at foreign risk: ``g = 0`` (ours).
    keys
        The columns one DP is computed for.

    Returns
    -------
    One row per key: the keys, ``dp`` (0..1), ``unrated_share`` (share of producers
    without a governance score, left out of the sum) and ``governance_vintage`` (the WGI
    vintages the scores came from, newest first). Source: Nassar et al. (2020) [R].
    """
    rows = shares[~shares["country"].isin(AGGREGATES)].reset_index(drop=True)
    scores = governance.reindex(columns=["country", "year", "g", "vintage"]).astype(
        {"year": "int64"})
    rated = pd.merge_asof(
        rows.assign(_row=rows.index).astype({"year": "int64"}).sort_values("year"),
        scores.rename(columns={"year": "g_year"}).sort_values("g_year"),
        left_on="year", right_on="g_year", by="country", direction="backward",
        tolerance=max_lag)
    rated = rated.sort_values("_row").set_index("_row")
    g = rated["g"].where(rated["country"] != importer, 0.0)
    terms = rows.assign(term=rows["share"].pow(2) * g,
                        unrated=rows["share"].where(g.isna(), 0.0),
                        vintage=rated["vintage"].where(rated["g"].notna()))
    grouped = terms.groupby(list(keys))
    out = pd.DataFrame({"dp": grouped["term"].sum(min_count=1),
                        "unrated_share": grouped["unrated"].sum(),
                        "governance_vintage": grouped["vintage"].agg(_joined)})
    return out.reset_index()


def _joined(vintages: pd.Series) -> str | None:
    """The distinct vintages of a group, in order of first appearance, or None."""
    names = list(dict.fromkeys(vintages.dropna()))
    return ", ".join(names) if names else None


def trade_exposure(reliance: pd.Series) -> pd.Series:
    """Trade exposure ``TE = min(max(NIR, 0), 1)``: net import reliance bounded to 0..1.

    ``reliance`` is a fraction (USGS publishes percent: divide by 100 first). A net exporter
    (negative reliance) has no exposure; missing stays missing. Source: Nassar et al. (2020)
    [R]; the import-mix adjustment methods.md mentions [U] is not applied (ours).
    """
    return reliance.clip(lower=0.0, upper=1.0).rename("te")


def economic_vulnerability(importance: pd.Series, scale: float = 10.0) -> pd.Series:
    """Economic vulnerability proxy ``EV = EI / scale``, clipped to 0..1 (ours).

    ``importance`` is an economic-importance score; by default the EU CRM 2023 ``EI`` on
    0..10 (European Commission 2023, *Study on the Critical Raw Materials for the EU*). The
    published USGS EV (industry cost relative to net income) is not available to us.
    """
    return (importance / scale).clip(lower=0.0, upper=1.0).rename("ev")


def supply_risk(dp: pd.Series, te: pd.Series, ev: pd.Series,
                exponent: float = 1 / 3) -> pd.Series:
    """Supply risk ``SR = (DP * TE * EV)^exponent``, 0..1; zero when any factor is zero.

    The three factors are aligned on their index. ``exponent = 1/3`` is the geometric mean
    (methods.md §2.1 [U]); ``exponent = 1`` is the plain product. Missing factor, missing risk.
    Source: Nassar et al. (2020); Nassar & Fortier (2021), OFR 2021-1045.
    """
    if exponent <= 0:
        raise ValueError("exponent must be positive")
    product = (dp * te * ev).clip(lower=0.0)
    return product.pow(exponent).rename("supply_risk")


def recency_weighted_mean(risk: pd.Series, year: pd.Series) -> float:
    """Mean of yearly scores with weights ``1, 2, ..., n`` from the oldest year (ours).

    USGS ranks the 2022 list by "a recency-weighted mean" of 2015-2019 scores [V]; the
    weights are not given in what we could read. Missing years are skipped.
    """
    valid = risk.notna()
    weights = year[valid].rank(method="dense")
    return float((risk[valid] * weights).sum() / weights.sum()) if valid.any() else np.nan


def eu_importance(assessment: pd.DataFrame, year: int = 2023) -> pd.DataFrame:
    """EU CRM economic importance per mineral: ``mineral, ei`` (0..10).

    From ``eu_crm_assessment`` rows of ``year``; a mineral assessed twice (titanium and
    titanium metal) takes the higher EI, and the minerals of ``EI_PROXY`` take their group's
    (rare earths: the higher of LREEs and HREEs). Both rules are ours. Source: European
    Commission (2023), *Study on the Critical Raw Materials for the EU 2023*.
    """
    rows = assessment[assessment["year"].eq(year) & assessment["mineral"].notna()]
    ei = rows.groupby("mineral")["economic_importance"].max()
    proxies = pd.Series({m: ei.reindex(list(groups)).max()
                         for m, groups in EI_PROXY.items() if m not in ei.dropna().index},
                        dtype="float64")
    out = pd.concat([ei.dropna(), proxies.dropna()])
    return out.rename_axis("mineral").rename("ei").reset_index()


def us_reliance(us_statistics: pd.DataFrame) -> pd.DataFrame:
    """USGS net import reliance as a fraction: ``edition, mineral, year, reliance``.

    ``E`` (net exporter) is 0; a bound (">75") is its number; W and NA are missing. One
    figure per mineral and year: the front-matter figure (MCS Fig. 2) where there is one, else
    the highest of the salient-statistics forms (rare earths: compounds and metals 100%, not
    concentrate E); the choice among forms is ours. Source: USGS Mineral Commodity Summaries.
    """
    rows = us_statistics[us_statistics["variable"].eq("net_import_reliance")]
    value = rows["value"].where(rows["flag"].ne("E"), 0.0) / 100
    rows = rows.assign(reliance=value, trends=rows["source"].str.endswith("_trends"))
    rows = rows[rows["reliance"].notna()].sort_values(
        ["edition", "mineral", "year", "trends", "reliance"],
        ascending=[True, True, True, False, False])
    return rows.drop_duplicates(["edition", "mineral", "year"])[
        ["edition", "mineral", "year", "reliance"]].reset_index(drop=True)


def assess(supply: pd.DataFrame, governance: pd.DataFrame, reliance: pd.DataFrame,
           importance: pd.DataFrame, importer: str = "USA") -> pd.DataFrame:
    """Supply risk of every mineral and year of one production edition, for ``importer``.

    ``supply``: supply rows of one edition; ``governance``: :func:`governance_risk`;
    ``reliance``: ``mineral, year, reliance`` (0..1, the importer's); ``importance``:
    ``mineral, ei`` (0..10). DP is taken at the stage with the higher DP (ours).
    Returns ``mineral, year, stage, dp, unrated_share, te, ev, supply_risk,
    governance_vintage``.
    """
    dp = disruption_potential(stage_shares(supply), governance, importer)
    dp = dp.sort_values("dp", ascending=False).drop_duplicates(["mineral", "year"])
    out = dp.merge(reliance[["mineral", "year", "reliance"]], on=["mineral", "year"], how="left")
    out = out.merge(importance[["mineral", "ei"]], on="mineral", how="left")
    out["te"] = trade_exposure(out["reliance"])
    out["ev"] = economic_vulnerability(out["ei"])
    out["supply_risk"] = supply_risk(out["dp"], out["te"], out["ev"])
    return out[["mineral", "year", "stage", "dp", "unrated_share", "te", "ev",
                "supply_risk", "governance_vintage"]].sort_values(["mineral", "year"],
                                                                  ignore_index=True)


# --- reads of the store (I/O, not pure) -------------------------------------------------------

def load_inputs(store: Path | None = None, edition: str | None = None,
                governance_vintage: str | None = None) -> dict[str, pd.DataFrame]:
    """The tables :func:`assess` takes, read from the store for one USGS edition.

    ``edition``: default the newest USGS MCS edition in the store; ``governance_vintage``:
    one WGI vintage (default: the newest with a score per country and year).
    """
    from minsec import tables
    from minsec.indicators.governance import only_vintage

    edition = edition or tables.supply_editions(store, ["mcs"])[0]
    wgi = only_vintage(tables.governance(store), governance_vintage)
    reliance = us_reliance(tables.us_statistics(store, "net_import_reliance"))
    return {"supply": tables.supply(store, edition=edition),
            "governance": governance_risk(wgi),
            "reliance": reliance[reliance["edition"].eq(edition)],
            "importance": eu_importance(tables.eu_crm("eu_crm_assessment", store))}

