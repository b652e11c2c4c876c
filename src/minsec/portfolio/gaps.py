"""Where the MSP portfolio is thin: regions, minerals and stages against the world's supply.

Pure functions over tidy tables; the store and the registry are read by the caller.

The gap score is ours. For each kind it compares the share of a *need* with the share of the
portfolio's projects, both on 0..1:

``gap_k = need_k / sum(need) - projects_k / sum(projects)``  (share points; > 0: under-served)

* region: need = the region's share of the world's reserves and production of the importer's
  high-risk minerals, weighted by ``risk_score`` and counted *outside the mineral's top
  supplier* (the supply the portfolio can diversify to; the top supplier is taken from the
  data per mineral and variable, not named). Regions are the MSP's four (statement of
  26 Sept 2024) with Southeast Asia split out of Asia-Pacific, so the five do not overlap.
* mineral: need = the importer's ``risk_score`` (:func:`minsec.assessment.assess`), over the
  minerals in the MSP's own mineral count (its scope) that have one; a group (rare earths,
  the MSP's largest category) counts once, as the assessment ranks it, its members not at
  all; a mineral of the scope without a score is listed, unscored, with the reason.
* stage: need = ``recycling_target`` for recycling (Korea's 2030 recycled share, 20%,
  reference/data/targets.csv) and the rest split between upstream (mining) and midstream
  (refining) in proportion to their mean production HHI over the scope's minerals.
"""

from __future__ import annotations

import pandas as pd

from minsec.errors import MinsecError
from minsec.indicators.concentration import stage_shares
from minsec.tables import editions

REGIONS = ("Africa", "Americas", "Asia-Pacific", "Europe")
SEA = "Southeast Asia"
STAGES = {"upstream": "mining", "midstream": "refining", "recycling": None}
PUBLISHERS = ("mcs", "wmd")  # the newest USGS MCS first, World Mining Data where it is missing


def portfolio_counts(stats: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """The official counts per ``dimension`` (region, stage, mineral) as of a date.

    Per dimension, the rows of the latest ``as_of`` at or before the date (the MSP does not
    publish every breakdown at every meeting). Returns ``dimension, category, count, as_of``.
    """
    rows = stats.dropna(subset=["count"])
    rows = rows[pd.to_datetime(rows["as_of"]) <= pd.Timestamp(as_of)]
    latest = rows.groupby("dimension")["as_of"].transform("max")
    rows = rows[rows["as_of"].eq(latest)]
    out = rows[["dimension", "category", "count", "as_of"]].astype({"count": "int64"})
    return out.sort_values(["dimension", "count", "category"], ascending=[True, False, True],
                           ignore_index=True)


def region_table(stats: pd.DataFrame, as_of: str, projects: pd.DataFrame,
                 regions: pd.DataFrame) -> pd.DataFrame:
    """The MSP's regional table plus Southeast Asia, as the seed gives it.

    The four MSP regions are the official counts. Southeast Asia (a part of Asia-Pacific that
    the MSP does not report) is counted from the named projects (``projects``: ``country``
    ISO3 and ``confidence``) whose country is in the ``southeast_asia`` grouping of
    ``regions`` (``country, grouping``); links of low confidence (the "exploring" of US-ROK
    rare-earth projects in Vietnam, 2024) are not counted as projects. The named projects are
    a part of the portfolio, so the Southeast Asia count is a lower bound.
    Returns ``region, count, basis``.
    """
    counts = portfolio_counts(stats, as_of)
    official = counts[counts["dimension"].eq("region")]
    out = official.rename(columns={"category": "region"})[["region", "count"]].assign(
        basis="official count (" + official["as_of"].astype(str) + ")")
    sea = set(regions.loc[regions["grouping"].eq("southeast_asia"), "country"])
    counted = projects[projects["confidence"].ne("low")] if "confidence" in projects else projects
    n_sea = int(counted["country"].isin(sea).sum())
    extra = pd.DataFrame({"region": [SEA], "count": [n_sea],
                          "basis": [f"named projects in Southeast Asia ({len(counted)} named)"]})
    return pd.concat([out, extra], ignore_index=True)


def _latest_supply(supply: pd.DataFrame) -> pd.DataFrame:
    """Reserves and production of the latest year, the newest MCS first, then WMD where missing."""
    order = editions(supply, PUBLISHERS)
    rows = supply[supply["variable"].isin(["reserves", "production"])
                  & supply["edition"].isin(order)]
    keys = ["mineral", "stage", "variable"]
    rank = rows["edition"].map({e: i for i, e in enumerate(order)})
    best = rows.assign(_rank=rank).groupby(keys)["_rank"].transform("min")
    rows = rows[rank.eq(best)]
    return rows[rows["year"].eq(rows.groupby(keys)["year"].transform("max"))]


def world_distribution(supply: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Shares of the world's reserves and production held by each MSP region and Southeast Asia.

    ``share_r = sum_{i in r} x_i / X`` per mineral, stage and variable, with ``x_i`` and ``X``
    as in :func:`minsec.indicators.concentration.stage_shares` (published world total where
    there is one; reserves are read the same way). The four MSP regions come from the
    ``msp_region`` grouping; Southeast Asia (``southeast_asia``) is part of Asia-Pacific.
    Also returns ``top1_country`` (the largest holder) and ``share_ex_top1``: the share of
    the world outside that country. Returns ``region, mineral, stage, variable, share,
    share_ex_top1, top1_country, year, edition``.
    """
    rows = _latest_supply(supply)
    parts = []
    for variable in ("reserves", "production"):
        part = rows[rows["variable"].eq(variable)].assign(variable="production")
        parts.append(stage_shares(part).assign(variable=variable))
    shares = pd.concat(parts, ignore_index=True)
    keys = ["mineral", "stage", "variable"]
    top = shares.sort_values("share", ascending=False).drop_duplicates(keys)
    top = top[[*keys, "country", "share"]].rename(columns={"country": "top1_country",
                                                          "share": "top1_share"})
    groups = regions[regions["grouping"].isin(["msp_region", "southeast_asia"])]
    data = shares.merge(groups[["country", "region"]], on="country").merge(top, on=keys)
    data = data.assign(rest=data["share"].where(data["country"].ne(data["top1_country"]), 0))
    out = data.groupby(["region", *keys, "edition", "year", "top1_country", "top1_share"],
                       as_index=False).agg(share=("share", "sum"), rest=("rest", "sum"))
    out["share_ex_top1"] = (out["rest"] / (1 - out["top1_share"])).where(out["top1_share"] < 1)
    return out[["region", *keys, "share", "share_ex_top1", "top1_country", "year", "edition"]
               ].sort_values(["region", *keys], ignore_index=True)


def _gap(need: pd.Series, projects: pd.Series) -> pd.DataFrame:
    need_share = need / need.sum()
    project_share = projects.reindex(need.index).fillna(0) / projects.sum()
    return pd.DataFrame({"need_share": need_share, "project_share": project_share,
                         "score": need_share - project_share})


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def region_gaps(counts: pd.DataFrame, world: pd.DataFrame, risk: pd.Series) -> pd.DataFrame:
    """Region gap: risk-weighted share of diversifiable supply vs share of projects."""
    w = world[world["mineral"].isin(risk.index)].assign(
        weight=lambda f: f["mineral"].map(risk))
    by_region = (w["share_ex_top1"].fillna(0) * w["weight"]).groupby(w["region"]).sum()
    weight = w.drop_duplicates(["mineral", "stage", "variable"])["weight"].sum()
    if not weight > 0:
        raise MinsecError("no high-risk mineral has world supply data: the region gaps weigh "
                          "the supply of high-risk minerals outside their top supplier")
    need = by_region.reindex([*REGIONS, SEA]).fillna(0) / weight
    need["Asia-Pacific"] -= need[SEA]  # Southeast Asia split out: the five do not overlap
    projects = counts.set_index("category")["count"].astype(float)
    if "Asia-Pacific" in projects:
        projects["Asia-Pacific"] -= projects.get(SEA, 0.0)
    out = _gap(need, projects)
    label = {"Asia-Pacific": "Asia-Pacific outside Southeast Asia"}
    out["reason"] = [f"{label.get(r, r)} holds {_pct(n)} of the world's diversifiable "
                     f"reserves and production of high-risk minerals but {_pct(p)} of MSP "
                     "projects"
                     for r, n, p in zip(out.index, out["need_share"], out["project_share"],
                                        strict=True)]
    return out


def mineral_gaps(counts: pd.DataFrame, risk: pd.Series,
                 notes: pd.Series | None = None) -> pd.DataFrame:
    """Mineral gap: the importer's risk score vs the projects, over the MSP's minerals.

    The shares are over the MSP's minerals that have a risk score. One without (an
    ``insufficient data`` mineral of :func:`minsec.assessment.assess`) is kept with no score
    and the reason (``notes``: the assessment's ``rank_note`` per mineral), never dropped. A
    group the MSP counts (``rare_earths``) is one mineral: its members are not MSP categories.
    """
    projects = counts.groupby("category")["count"].sum().astype(float)
    need = risk.reindex(projects.index).dropna()
    out = _gap(need, projects[need.index])
    out["reason"] = [f"{m}: risk score {risk[m]:.2f} ({_pct(n)} of the risk of the MSP's "
                     f"minerals) but {int(projects[m])} projects ({_pct(p)})"
                     for m, n, p in zip(out.index, out["need_share"], out["project_share"],
                                        strict=True)]
    unscored = projects.index.difference(need.index)
    why = (notes if notes is not None else pd.Series(dtype=object)).reindex(unscored)
    rest = pd.DataFrame({"need_share": float("nan"), "project_share": float("nan"),
                         "score": float("nan"),
                         "reason": [f"{m}: {int(projects[m])} projects, no risk score ("
                                    f"{w if isinstance(w, str) and w else 'not assessed'}): "
                                    "not scored" for m, w in zip(unscored, why, strict=True)]},
                        index=unscored)
    return pd.concat([out, rest]) if len(rest) else out


def stage_gaps(counts: pd.DataFrame, concentration: pd.DataFrame, minerals: pd.Index,
               recycling_target: float) -> pd.DataFrame:
    """Stage gap: concentration (HHI) of mining and refining, and the recycling target."""
    conc = concentration[concentration["mineral"].isin(minerals)
                         & concentration["edition"].isin(editions(concentration, PUBLISHERS))]
    conc = conc.sort_values("year").drop_duplicates(["mineral", "stage"], keep="last")
    hhi = conc.groupby("stage")["hhi"].mean()
    primary = pd.Series({s: hhi.get(st, 0.0) for s, st in STAGES.items() if st})
    need = pd.concat([primary / primary.sum() * (1 - recycling_target),
                      pd.Series({"recycling": recycling_target})])
    out = _gap(need, counts.set_index("category")["count"].astype(float))
    worst = str(hhi.idxmax())
    reasons = {s: f"{s} ({st}): mean HHI {hhi.get(st, float('nan')):.0f} over the MSP's "
                  f"minerals{' (worst stage)' if st == worst else ''}" for s, st in STAGES.items()
               if st}
    reasons["recycling"] = f"recycling: target recycled share {_pct(recycling_target)}"
    out["reason"] = [f"{reasons[s]}; need {_pct(n)} vs {_pct(p)} of MSP projects"
                     for s, n, p in zip(out.index, out["need_share"], out["project_share"],
                                        strict=True)]
    return out


def gap_scores(counts: pd.DataFrame, world: pd.DataFrame, risk: pd.DataFrame,
               concentration: pd.DataFrame, recycling_target: float = 0.20,
               high_risk: float = 0.5) -> pd.DataFrame:
    """All gaps ranked: ``kind, key, score, need_share, project_share, reason``.

    ``counts``: :func:`portfolio_counts` (the Southeast Asia row of :func:`region_table` may be
    added to the region dimension); ``world``: :func:`world_distribution`; ``risk``:
    ``mineral, risk_score`` of :func:`minsec.assessment.assess`; ``concentration``:
    :func:`minsec.indicators.concentration.stage_concentration`. High-risk minerals for the
    region score are those with ``risk_score >= high_risk`` (ours). An MSP mineral without a
    risk score is listed with no score and ``risk``'s ``rank_note`` (:func:`mineral_gaps`).
    Sorted by kind, then score descending (no score last); ties by key, so the order does not
    depend on the order of input rows.
    """
    scores = risk.dropna(subset=["risk_score"]).groupby("mineral")["risk_score"].max()
    notes = (risk.dropna(subset=["rank_note"]).groupby("mineral")["rank_note"].first()
             if "rank_note" in risk else None)
    if scores.empty:  # e.g. a trade year before the production and risk data begin
        year = f" in {risk['year'].iloc[0]}" if "year" in risk and len(risk) else ""
        why = f" ({notes.value_counts().index[0]})" if notes is not None and len(notes) else ""
        raise MinsecError(f"no mineral has a risk score{year}{why}: the gaps weigh the "
                          "minerals by their risk score")
    by = {str(d): f for d, f in counts.groupby("dimension")}
    scope = by["mineral"]["category"].unique()
    parts = {"region": region_gaps(by["region"], world, scores[scores >= high_risk]),
             "mineral": mineral_gaps(by["mineral"], scores, notes),
             "stage": stage_gaps(by["stage"], concentration, pd.Index(scope), recycling_target)}
    out = pd.concat([p.rename_axis("key").reset_index().assign(kind=k) for k, p in parts.items()],
                    ignore_index=True)
    out = out.sort_values(["kind", "score", "key"], ascending=[True, False, True],
                          ignore_index=True)
    return out[["kind", "key", "score", "need_share", "project_share", "reason"]]
