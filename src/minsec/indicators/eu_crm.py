"""EU critical raw materials (CRM) method: supply risk, economic importance, the screen.

Formulas: European Commission (2017), *Methodology for establishing the EU list of critical
raw materials - Guidelines*; Regulation (EU) 2024/1252 (CRMA), Annex II; results and inputs:
*Study on the critical raw materials for the EU 2023 - Final Report* (DG GROW, Grohol & Veeh).
Critical when ``SR >= 1.0`` and ``EI >= 2.8``.

Reproducing the lists from the published SR/EI (``eu_crm_assessment``): 2020 gives the 30
CRMs of COM(2020) 474 and 2023 gives 32, which with copper and nickel (below the SR threshold,
listed as strategic raw materials, and every strategic raw material is critical under the CRMA)
are the 34 of CRMA Annex II Section 1. Judgements: HREE, LREE and PGM are one material each (the
assessment table holds the groups, not the elements); 2020 assessed bauxite (critical) and
aluminium (not) apart, 2023 merged them as "Aluminium" (= CRMA "bauxite/alumina/aluminium");
2023 assessed titanium (SR 0.5) and titanium metal (SR 1.6): only the metal is critical, both
carry the mineral id ``titanium``; feldspar (SR 1.5), helium and arsenic (EI 2.9 each) and
manganese are critical in 2023 by the numbers alone; coking coal (SR 1.0) and phosphate rock
(SR 1.0) sit exactly on the threshold, which counts as passing.

Recomputing SR 2023 (:func:`recompute_supply_risk`; WGI 2020 of the 2024 WGI update; the
published shares with t; IR, EoL-RIR and SI_SR as CritMAT transcribed them): 113 of 129
material-stage pairs computable, median |difference| 0.035, 85 within 0.1 and 72 within 0.05 of
the published one-decimal SR, 13 beyond 0.25 (max 2.64, neodymium-E). Why values differ:

* WGI vintage: the study does not name its WGI year and the 2024 update revised past years.
  Scanning 2012-2023, median |difference| is 0.03-0.05 for 2016-2020 and 2022 (2021: 0.053);
  we take 2020, the last year of the study's 2016-2020 reference period.
* Supply used (``eu_used_supply_*``: GS+EU, GS only, EU only): where another choice explains
  the gap the note says so (arsenic-P: GS-only gives 1.94 against 1.9, GS+EU 1.04;
  yttrium-P, published as GS-only, fits GS+EU: 3.71 against 3.5).
* Published SR out of reach: SR is a weighted mean of HHI_GS and HHI_EUS, so
  ``SR <= max(HHI_GS, HHI_EUS) * (1 - EoL_RIR) * SI_SR``. Neodymium-E (4.5, bound 2.66) and
  cerium-E (3.9, bound 2.6) break it; kaolin-E (0.8, bound 0.53) fits with EoL-RIR 0 (0.76, and
  kaolin-P 0.51 against 0.5), so the transcribed 31% EoL-RIR looks misplaced.
* Not reproducible from the published inputs: germanium-P (1.8 published, 3.6 computed: 83% of
  both global and EU supply from China), La/Nd/Pr/Sm-P (3.2-3.7 published, ~4.0 computed, while
  cerium-P on the same shares matches, 3.94 against 4.0), rhodium-P (2.4 against 2.93),
  titanium-P (0.4 against 0.73, not the stage the EC used).
* Incomplete EU sourcing: chromium-E lists 9% of EU sourcing (South Africa 7%, Turkey 2%).
* Rounding: shares to 0.1 point, '<0.1%' stored as 0.05% (HHI term ~0), SR to one decimal.
* Missing inputs (NaN, with the reason in ``note``): group rows (HREE, LREE, PGM) have no
  shares or SI_SR; individual HREEs have no EU sourcing at extraction (``eu_proxy=HREE_PROXY``
  borrows the group's: 123 computable, median 0.038; dysprosium-E and yttrium-E stay off).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from minsec.indicators.governance import hhi_wgi_t_table

SR_THRESHOLD = 1.0
EI_THRESHOLD = 2.8
WGI_YEAR_2023 = 2020  # our choice: see the module docstring
CRMA_STRATEGIC_ADDED = ("copper", "nickel")  # critical by CRMA Annex II, not by the thresholds
LARGE = 0.25  # a difference worth a note in the recomputation
_EPS = 1e-9
# Names one material carries across the EC tables (case-folded): supply/end-use -> results.
SAME_MATERIAL = {"barytes": "baryte", "borate": "boron", "phosphorous": "phosphorus",
                 "sulphur": "sulfur", "talc": "talc, steatite & pyrophyllite",
                 "titanium ores": "titanium", "heavy rare earths elements": "hree",
                 "limestone": "lime"}
# EU sourcing of the individual heavy rare earths at extraction is published for the group only.
HREE_PROXY = dict.fromkeys(("dysprosium", "erbium", "europium", "gadolinium", "holmium",
                            "lutetium", "terbium", "thulium", "ytterbium", "yttrium"), "hree")
_STAGE_USED = {"Extraction": "mining", "Processing": "refining"}
_SUPPLY_USED = {"GS+EU": "GS+EU", "GSonly": "GSonly", "EUonly": "EUonly", "EU": "EUonly"}
_RESULT_VARIABLES = ["supply_risk", "economic_importance", "supply_risk_primary",
                     "supply_risk_refined", "si_ei", "si_sr", "import_reliance_primary",
                     "import_reliance_refined", "eol_rir"]


def material_key(names: pd.Series) -> pd.Series:
    """A join key for one material across the EC tables: case-folded, aliases resolved."""
    keys = names.astype("string").str.split().str.join(" ").str.casefold()
    return keys.replace(SAME_MATERIAL)


def supply_risk(hhi_gs: float | pd.Series, hhi_eus: float | pd.Series, ir: float | pd.Series,
                eol_rir: float | pd.Series, si_sr: float | pd.Series) -> float | pd.Series:
    """``SR = [HHI_GS * IR/2 + HHI_EUS * (1 - IR/2)] * (1 - EoL_RIR) * SI_SR``, 0..10.

    ``hhi_*`` are ``HHI_WGI,t`` of global supply and of EU sourcing (0..10); ``ir`` the EU import
    reliance, ``eol_rir`` the end-of-life recycling input rate (fractions 0..1); ``si_sr`` the
    substitution index (0..1). Global-only: pass ``hhi_eus = hhi_gs``; EU-only the reverse.

    Source: European Commission (2017) Guidelines; Regulation (EU) 2024/1252, Annex II §2.
    """
    return (hhi_gs * ir / 2 + hhi_eus * (1 - ir / 2)) * (1 - eol_rir) * si_sr


def economic_importance(end_use: pd.DataFrame, si_ei: pd.Series,
                        q_max: float | None = None) -> pd.DataFrame:
    """``EI = 10 * sum_s(A_s * Q_s) / max_s Q_s * SI_EI``, 0..10.

    ``end_use`` has one row per application: ``material, share`` (A, fraction),
    ``value_added`` (Q_s of the application's NACE 2-digit sector, MEUR); ``si_ei`` is indexed
    by material. ``q_max`` defaults to the largest sector value added in ``end_use`` (C28,
    204 200 MEUR in the 2023 tables). Applications without a sector or value added (the
    "Other" rows) cannot enter: ``share_assigned`` is the part of use that did.

    Source: Regulation (EU) 2024/1252 Annex II §2 (A_s, Q_s, SI_EI); the scaling by the largest
    sector is the JRC practice [R], checked here against the published 2023 EI (median
    |difference| 0.04).
    """
    q_max = float(end_use["value_added"].max()) if q_max is None else q_max
    rows = end_use.assign(aq=end_use["share"] * end_use["value_added"],
                          assigned=end_use["share"].where(end_use["value_added"].notna()))
    grouped = rows.groupby("material")
    out = pd.DataFrame({"sum_aq": grouped["aq"].sum(min_count=1),
                        "share_assigned": grouped["assigned"].sum()})
    out["economic_importance"] = 10 * out["sum_aq"] / q_max * si_ei.reindex(out.index)
    return out.reset_index()[["material", "economic_importance", "share_assigned"]]


def classify(assessment: pd.DataFrame, sr_threshold: float = SR_THRESHOLD,
             ei_threshold: float = EI_THRESHOLD) -> pd.DataFrame:
    """Critical when ``SR >= sr_threshold`` and ``EI >= ei_threshold`` (EC: 1.0 and 2.8).

    Returns ``material, mineral, year, supply_risk, economic_importance, critical``; ``critical``
    is NA where SR or EI was not assessed.
    """
    out = assessment[["material", "mineral", "year", "supply_risk",
                      "economic_importance"]].copy()
    known = out[["supply_risk", "economic_importance"]].notna().all(axis=1)
    passes = ((out["supply_risk"] >= sr_threshold - _EPS)
              & (out["economic_importance"] >= ei_threshold - _EPS))
    out["critical"] = passes.astype("boolean").mask(~known)
    return out.reset_index(drop=True)


def critical_list(assessment: pd.DataFrame, year: int, also: tuple[str, ...] = (),
                  sr_threshold: float = SR_THRESHOLD,
                  ei_threshold: float = EI_THRESHOLD) -> pd.DataFrame:
    """The critical materials of one assessment year, plus the minerals named in ``also``.

    ``also=CRMA_STRATEGIC_ADDED`` with ``year=2023`` gives the CRMA's 34. Returns
    ``material, mineral, supply_risk, economic_importance, basis`` (``thresholds`` or ``added``).
    """
    rows = classify(assessment, sr_threshold, ei_threshold)
    rows = rows[rows["year"] == year]
    listed = rows["critical"].fillna(False).astype(bool)
    added = rows["mineral"].isin(also) & ~listed
    out = rows[listed | added].assign(basis=np.where(listed[listed | added], "thresholds",
                                                     "added"))
    return out[["material", "mineral", "supply_risk", "economic_importance",
                "basis"]].sort_values("material").reset_index(drop=True)


def results_wide(results: pd.DataFrame) -> pd.DataFrame:
    """``eu_crm_result`` one row per material key, with the stage and supply used as columns."""
    rows = results.assign(key=material_key(results["material"]))
    wide = rows.pivot_table(index="key", columns="variable", values="value", aggfunc="first")
    wide = wide.reindex(columns=_RESULT_VARIABLES)
    notes = rows.set_index(["variable", "key"])["note"].astype("string")

    def label(variable: str, pattern: str) -> pd.Series:
        picked = notes.xs(variable) if variable in notes.index.get_level_values(0) else notes[:0]
        return picked.str.extract(pattern)[0].reindex(wide.index)

    wide["stage_used"] = label("supply_risk", r"stage used: (\w+)").map(_STAGE_USED)
    wide["used_primary"] = label("supply_risk_primary", r"supply used: ([\w+]+)")
    wide["used_refined"] = label("supply_risk_refined", r"supply used: ([\w+]+)")
    wide["material"] = rows.groupby("key")["material"].first()
    return wide


def _stages(res: pd.DataFrame) -> pd.DataFrame:
    """The results by stage: ``key, stage, material, used, supply_used, ir, sr_published``."""
    parts = []
    for stage, tag in (("mining", "primary"), ("refining", "refined")):
        used = res["stage_used"].eq(stage)
        published = res[f"supply_risk_{tag}"]
        part = pd.DataFrame({
            "key": res.index, "stage": stage, "material": res["material"], "used": used,
            "supply_used": res[f"used_{tag}"].map(_SUPPLY_USED),
            "ir": res[f"import_reliance_{tag}"], "eol_rir": res["eol_rir"],
            "si_sr": res["si_sr"], "sr_published": published.fillna(res["supply_risk"].where(used)),
            "from_overall": published.isna() & used & res["supply_risk"].notna()})
        parts.append(part.reset_index(drop=True))
    return pd.concat(parts, ignore_index=True)


def _percent(fractions: pd.Series) -> pd.Series:
    """Fractions as whole percent strings ('9'), NA kept."""
    return (fractions * 100).round().astype("Int64").astype("string")


def _text(values: pd.Series) -> pd.Series:
    """Numbers as strings with two decimals at most ('2.66')."""
    return values.round(2).astype("string")


def _note(pieces: list[pd.Series]) -> pd.Series:
    """Join non-empty note pieces with '; '."""
    note = pd.Series("", index=pieces[0].index, dtype="string")
    for piece in pieces:
        piece = piece.fillna("").astype("string")
        sep = pd.Series(np.where(note.eq("") | piece.eq(""), "", "; "), index=note.index,
                        dtype="string")
        note = note + sep + piece
    return note


def recompute_supply_risk(supply_shares: pd.DataFrame, wgi: pd.Series, results: pd.DataFrame,
                          eu_proxy: dict[str, str] | None = None) -> pd.DataFrame:
    """Recompute SR per material and stage from the published shares and compare.

    Parameters
    ----------
    supply_shares
        ``eu_crm_supply_share``: ``material, stage, scope (global|eu), country, share, t``.
    wgi
        Scaled WGI by country (``governance.wgi_at``), 0..10.
    results
        ``eu_crm_result`` (long): IR by stage, EoL-RIR, SI_SR, the published SR by stage and
        the supply used (GS+EU, GS only, EU only) as notes.
    eu_proxy
        Material -> material whose EU sourcing shares stand in where a material has none at a
        stage (e.g. :data:`HREE_PROXY`); noted per row.

    Returns
    -------
    DataFrame ``material, stage, used, supply_used, hhi_gs, hhi_eus, ir, eol_rir, si_sr,
    sr_published, sr_computed, difference, note``; ``used`` marks the stage the EC reported.
    ``difference = sr_computed - sr_published``.
    """
    shares = supply_shares.assign(key=material_key(supply_shares["material"]), proxy=pd.Series(
        pd.NA, index=supply_shares.index, dtype="string"))
    if eu_proxy:
        have = set(zip(shares["key"], shares["stage"], shares["scope"], strict=True))
        extra = [shares[(shares["key"] == group) & (shares["scope"] == "eu")
                        & (shares["stage"] == stage)].assign(key=member, proxy=group)
                 for member, group in eu_proxy.items() for stage in ("mining", "refining")
                 if (member, stage, "eu") not in have]
        shares = pd.concat([shares, *extra], ignore_index=True)
    hhi = hhi_wgi_t_table(shares, wgi, by=["key", "stage", "scope"]).pivot(
        index=["key", "stage"], columns="scope", values=["hhi_wgi_t", "share_total"]).reindex(
        columns=pd.MultiIndex.from_product([["hhi_wgi_t", "share_total"], ["global", "eu"]]))
    hhi.columns = ["hhi_gs", "hhi_eus", "gs_total", "eu_total"]
    proxied = shares.dropna(subset=["proxy"]).groupby(["key", "stage"])["proxy"].first()
    table = _stages(results_wide(results)).set_index(["key", "stage"])
    table = table.join(hhi, how="left").join(proxied.rename("proxy"), how="left")
    table = table[table[["sr_published", "hhi_gs", "hhi_eus"]].notna().any(axis=1)].reset_index()

    # With IR = 0 global supply has no weight: a missing HHI_GS is then no gap.
    gs = table["hhi_gs"].mask(table["hhi_gs"].isna() & table["ir"].eq(0), 0.0)
    eu, damp = table["hhi_eus"], (1 - table["eol_rir"]) * table["si_sr"]
    variants = {"GS+EU": supply_risk(gs, eu, table["ir"], table["eol_rir"], table["si_sr"]),
                "GSonly": table["hhi_gs"] * damp, "EUonly": eu * damp}
    used = table["supply_used"].fillna("GS+EU")
    table["sr_computed"] = np.select([used.eq(k) for k in variants],
                                     [np.asarray(v, dtype=float) for v in variants.values()],
                                     np.nan)
    table["difference"] = table["sr_computed"] - table["sr_published"]
    table["note"] = _note(_notes(table, used, variants))
    return table[["material", "stage", "used", "supply_used", "hhi_gs", "hhi_eus", "ir",
                  "eol_rir", "si_sr", "sr_published", "sr_computed", "difference", "note"]]


def _notes(table: pd.DataFrame, used: pd.Series,
           variants: dict[str, float | pd.Series]) -> list[pd.Series]:
    """The reasons behind a missing or differing recomputed SR, one Series per kind."""
    def when(mask: pd.Series | np.ndarray, text: pd.Series | str) -> pd.Series:
        return pd.Series(text, index=table.index, dtype="string").where(mask, "")

    needs_gs = used.eq("GSonly") | (used.eq("GS+EU") & table["ir"].ne(0))
    needs_eu = used.ne("GSonly")
    errors = pd.DataFrame({k: (pd.Series(v, index=table.index) - table["sr_published"]).abs()
                           for k, v in variants.items()})
    best = errors.fillna(np.inf).idxmin(axis=1)
    values = np.column_stack([np.broadcast_to(np.asarray(v, dtype=float), len(table))
                              for v in variants.values()])
    best_sr = pd.Series(values[np.arange(len(table)), errors.columns.get_indexer(pd.Index(best))],
                        index=table.index)
    bound = table[["hhi_gs", "hhi_eus"]].max(axis=1) * (1 - table["eol_rir"]) * table["si_sr"]
    return [
        when(table["sr_published"].isna(), "no published SR for this stage"),
        when(table["from_overall"], "published: the overall SR (stage value not transcribed)"),
        when(table["supply_used"].isna(), "supply used not published: GS+EU assumed"),
        when(needs_gs & table["hhi_gs"].isna(), "no global supply shares"),
        when(needs_eu & table["hhi_eus"].isna(), "no EU sourcing shares"),
        when(used.eq("GS+EU") & table["ir"].isna(), "no import reliance"),
        when(table["eol_rir"].isna(), "no EoL-RIR"),
        when(table["si_sr"].isna(), "no SI_SR"),
        when(table["proxy"].notna(), "EU sourcing: shares of " + table["proxy"].astype("string")),
        when(needs_eu & table["eu_total"].lt(0.9), "EU sourcing shares sum to "
             + _percent(table["eu_total"]) + "%"),
        when(table["sr_published"] > bound + 0.05,
             "published SR above max(HHI_GS, HHI_EUS)*(1-EoL)*SI_SR = " + _text(bound)
             + ": not reachable from these shares"),
        when((table["difference"].abs() > LARGE) & best.ne(used) & errors.min(axis=1).le(
             table["difference"].abs() / 2), best.astype("string") + " would give "
             + _text(best_sr)),
    ]


def recompute_economic_importance(end_use: pd.DataFrame, results: pd.DataFrame,
                                  q_max: float | None = None) -> pd.DataFrame:
    """:func:`economic_importance` from the published end uses and SI_EI, against the published EI.

    Returns ``material, ei_published, ei_computed, difference, share_assigned, note``.
    """
    res = results_wide(results)
    uses = end_use.assign(material=material_key(end_use["material"]))
    ei = economic_importance(uses, res["si_ei"], q_max).set_index("material")
    out = pd.DataFrame({"material": res["material"], "ei_published": res["economic_importance"],
                        "ei_computed": ei["economic_importance"].reindex(res.index),
                        "share_assigned": ei["share_assigned"].reindex(res.index)})
    out["difference"] = out["ei_computed"] - out["ei_published"]
    percent = _percent(out["share_assigned"])
    out["note"] = _note([
        pd.Series("no end-use shares", index=out.index).where(out["share_assigned"].isna(), ""),
        pd.Series("no SI_EI", index=out.index).where(res["si_ei"].isna(), ""),
        ("only " + percent + "% of use has a sector").where(out["share_assigned"] < 0.95, ""),
        ("end-use shares sum to " + percent + "%").where(out["share_assigned"] > 1.02, "")])
    return out.reset_index(drop=True)[["material", "ei_published", "ei_computed", "difference",
                                       "share_assigned", "note"]]
