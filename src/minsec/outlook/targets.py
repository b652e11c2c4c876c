"""National targets: measured from the store, projected to their target year, and levers.

Targets are data (``reference/data/targets.csv``: one row per importer and target, with its
baseline, target value and year, unit, direction, scope, source and confidence). The measures
below are pure functions of tidy tables; :func:`track` compares a measured series with the
targets; :func:`tracker` is the one convenience that reads the store. Shares are measured on a
0-1 scale and reported in the target's unit (``%``: percent, gaps in points; ``days``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from minsec import assessment, tables
from minsec.assessment import Inputs, group_members
from minsec.errors import MinsecError
from minsec.outlook.levers import (  # noqa: F401  (the front door re-exports)
    LEVERS,
    RecyclingRun,
    levers,
    recycling_rerun,
    scope_groups,
    scope_minerals,
)
from minsec.outlook.measures import (  # noqa: F401
    EC_CRM_YEAR,
    RECYCLED_COLUMNS,
    STOCKPILE_DAYS,
    STOCKPILE_YEAR,
    WMD,
    dependence_series,
    eu_extraction_share,
    eu_processing_share,
    eu_production,
    eu_recycling_share,
    eu_single_country_share,
    eu_sourcing,
    recycled_share,
    stockpile_days,
    top_supplier_dependence,
)

TARGET_COLUMNS = ["importer", "target", "metric", "baseline", "baseline_year", "target_value",
                  "target_year", "unit", "direction", "scope", "source_url", "confidence", "note"]
TRACK_COLUMNS = ["importer", "target", "baseline", "baseline_year", "today", "today_year",
                 "target_value", "target_year", "projected", "on_track", "gap", "unit", "source",
                 "direction", "note"]


def load_targets(path: Path | None = None) -> pd.DataFrame:
    """Read and check the targets table (I/O); a bad row raises naming the field."""
    from minsec.reference import DATA

    frame = pd.read_csv(path or DATA / "targets.csv", keep_default_na=False, dtype=str)
    missing = set(TARGET_COLUMNS) - set(frame.columns)
    if missing:
        raise MinsecError(f"targets: missing columns {sorted(missing)}")
    bad = frame.loc[~frame["direction"].isin(["up", "down"]), "direction"]
    if len(bad):
        raise MinsecError(f"targets: direction must be 'up' or 'down', not {bad.iloc[0]!r}")
    for col in ("baseline", "baseline_year", "target_value", "target_year"):
        frame[col] = pd.to_numeric(frame[col].replace("", np.nan))
    return frame


def _projection(target: pd.Series, obs: pd.DataFrame, future: pd.DataFrame,
                ) -> tuple[float, str]:
    """The value at the target year, and how it was found."""
    year = target["target_year"]
    at_target = future[future["year"].eq(year)]
    if len(at_target):
        return float(at_target["value"].iloc[-1]), "projected: the series' own value"
    last = obs.iloc[-1]
    base = obs[obs["year"].eq(target["baseline_year"]) & (obs["year"] < last["year"])]
    if len(base):
        b_year, b_value, how = base["year"].iloc[0], base["value"].iloc[0], "measured baseline"
    elif pd.notna(target["baseline"]) and target["baseline_year"] < last["year"]:
        b_year, b_value, how = target["baseline_year"], target["baseline"], "official baseline"
    else:
        return float("nan"), "no projection: one point"
    slope = (last["value"] - b_value) / (last["year"] - b_year)
    value = last["value"] + slope * (year - last["year"])
    value = min(max(value, 0.0), 100.0 if target["unit"] == "%" else np.inf)
    return float(value), f"projected: linear from the {how} {b_value:.4g} ({int(b_year)})"


def _track_one(target: pd.Series, series: pd.DataFrame, today: int | None,
               ) -> dict[str, object]:
    notes = series.get("note", pd.Series(dtype=object)).dropna()
    series = series.dropna(subset=["value"]).sort_values("year")
    obs = series if today is None else series[series["year"] <= today]
    future = series.iloc[0:0] if today is None else series[series["year"] > today]
    if obs.empty:
        return {"today": np.nan, "today_year": pd.NA, "projected": np.nan, "on_track": pd.NA,
                "gap": np.nan, "note": "; ".join(notes.unique()) or "not measured"}
    notes = obs.get("note", pd.Series(dtype=object)).iloc[-1:].dropna()
    today_value = float(obs["value"].iloc[-1])
    projected, how = _projection(target, obs, future)
    sign = 1.0 if target["direction"] == "up" else -1.0
    known = bool(np.isfinite(projected))
    gap = sign * (target["target_value"] - (projected if known else today_value))
    return {"today": today_value, "today_year": int(obs["year"].iloc[-1]),
            "projected": projected, "on_track": gap <= 0 if known else pd.NA, "gap": gap,
            "note": "; ".join([how if known else how + "; gap from today", *notes])}


def track(targets: pd.DataFrame, measured: pd.DataFrame, today: int | None = None,
          ) -> pd.DataFrame:
    """Each target beside today's value and its projection to the target year.

    ``measured``: ``importer, target, year, value`` (+ optional ``note``) in the target's unit.
    ``today``: rows after it are projections (e.g. the recycling model's); None: all observed.
    ``projected``: the series' own value at the target year if it has one, else the straight
    line through the baseline (measured at ``baseline_year`` if the series has it, else the
    official one) and today, extended to the target year and kept in 0-100 for ``%``; NaN with
    one point only. ``gap`` = shortfall in the target's unit (points, days): ``target -
    projected`` for ``up``, ``projected - target`` for ``down``; > 0 off track, <= 0 met. With
    no projection the gap is from today and ``on_track`` is NA. (Method: ours.)
    """
    rows = []
    for _, target in targets.iterrows():
        series = measured[measured["importer"].eq(target["importer"])
                          & measured["target"].eq(target["target"])]
        found = _track_one(target, series, today)
        rows.append({"importer": target["importer"], "target": target["target"],
                     "baseline": target["baseline"], "baseline_year": target["baseline_year"],
                     "target_value": target["target_value"], "target_year": target["target_year"],
                     "unit": target["unit"], "source": target["source_url"],
                     "direction": target["direction"]} | found)
    out = pd.DataFrame(rows, columns=TRACK_COLUMNS)
    return out.astype({"today_year": "Int64", "on_track": "boolean"})


def _summary(per_mineral: pd.DataFrame, how: str, groups: Mapping[str, str]) -> pd.DataFrame:
    """Per year, the mean (or max) share in % over the list's entries, with a coverage note.

    ``groups`` maps mineral ids to the list's entries (the EU's "rare earth elements for
    magnets" is one entry of seven ids): a mean is over entries, each the mean of its ids.
    """
    n = len(set(groups.values()))
    rows = per_mineral.dropna(subset=["share"]).assign(
        entry=lambda f: f["mineral"].map(groups))
    if rows.empty:
        reasons = "; ".join(per_mineral.get("reason", pd.Series(dtype=str)).unique()[:2])
        return pd.DataFrame({"year": [pd.NA], "value": [np.nan],
                             "note": [f"not measurable for any of {n} entries ({reasons})"]})
    count = rows.groupby("year")["entry"].nunique().astype(str)
    if how == "max":
        top = rows.sort_values("share").drop_duplicates("year", keep="last").set_index("year")
        note = (top["mineral"] + " from " + top["supplier"] + " (" + top["stage"] + "), max of "
                + count + f" of {n} list entries measurable")
        return pd.DataFrame({"value": 100 * top["share"], "note": note}).reset_index()
    entries = rows.groupby(["year", "entry"])["share"].mean().reset_index()
    names = rows.groupby("year")["mineral"].agg(lambda m: ", ".join(sorted(set(m))))
    note = "mean of " + count + f" of {n} list entries measurable: " + names
    return pd.DataFrame({"value": 100 * entries.groupby("year")["share"].mean(),
                         "note": note}).reset_index()


def _cross_check(metric: str, sourcing: pd.DataFrame, groups: Mapping[str, str]) -> str:
    """The EC 2023 EU-sourcing figure for the same benchmark, as a note."""
    stage = {"eu_extraction_share": "mining", "eu_processing_share": "refining"}.get(metric)
    if stage:
        rows = sourcing[sourcing["stage"].eq(stage)]
        entries = rows.groupby(rows["mineral"].map(groups))["eu_share"].mean()
        return (f"EC 2023 EU sourcing (cross-check): mean EU27 share {100 * entries.mean():.1f}%"
                f" over {len(entries)} list entries")
    top = sourcing.dropna(subset=["third_share"]).sort_values("third_share").iloc[-1]
    return (f"EC 2023 EU sourcing (cross-check): {top['mineral']} {100 * top['third_share']:.0f}%"
            f" from {top['supplier']} ({top['stage']})")


def _measure_one(inputs: Inputs, target: pd.Series, imports: Callable[[], pd.DataFrame],
                 recycled: pd.DataFrame | None, stock: tuple[float, int],
                 store: Path | None) -> pd.DataFrame:
    """``year, value, note`` of one target, in its unit."""
    metric = target["metric"]
    if metric == "stockpile_days":
        return pd.DataFrame({"year": [stock[1]], "value": [stockpile_days(stock[0])],
                             "note": ["user input" if stock != (STOCKPILE_DAYS, STOCKPILE_YEAR)
                                      else "default 54 days (KOMIR 2023, kr_targets.csv)"]})
    groups = scope_groups(target["scope"])
    minerals = sorted(groups)
    if metric == "recycled_share":
        minerals = scope_minerals(target["scope"], aggregates=True)
        if recycled is None:
            return pd.DataFrame({"year": [pd.NA], "value": [np.nan],
                                 "note": ["recycling model output not given (recycled=...)"]})
        years = sorted(recycled["year"].unique())
        return pd.DataFrame({"year": years, "value": [100 * recycled_share(recycled, minerals, y)
                                                      for y in years],
                             "note": "recycling model, secondary / demand (t)"})
    # trade metrics: a rare-earth element is traded as its group, counted once
    members = group_members(inputs.forms)
    traded = sorted({members.get(m, m) for m in minerals})
    entries = {**groups, **{members.get(m, m): e for m, e in groups.items()}}
    if metric == "top_supplier_share":
        series = dependence_series(imports(), traded)
        return pd.DataFrame({"year": series.index, "value": 100 * series.to_numpy(),
                             "note": f"BACI import value over the {len(minerals)} minerals of "
                                     f"{target['scope']} (curated-only minerals left out)"})
    if metric == "eu_recycling_share":
        result = tables.eu_crm("eu_crm_result", store)
        return _summary(eu_recycling_share(result, minerals), "mean", groups)
    if metric == "eu_single_country_share":
        found = _summary(eu_single_country_share(imports(), traded), "max", entries)
    else:
        production = eu_production(inputs.supply, inputs.eu27)
        share = eu_extraction_share if metric == "eu_extraction_share" else eu_processing_share
        found = _summary(share(imports(), production, traded), "mean", entries)
    sourcing = eu_sourcing(tables.eu_crm("eu_crm_supply_share", store), minerals, inputs.eu27)
    return found.assign(note=found["note"] + "; " + _cross_check(metric, sourcing, groups))


def measure(inputs: Inputs, importer: str, targets: pd.DataFrame,
            recycled: pd.DataFrame | None = None, current_stock_days: float = STOCKPILE_DAYS,
            stock_year: int = STOCKPILE_YEAR, store: Path | None = None) -> pd.DataFrame:
    """``importer, target, year, value, note`` of every target of ``importer`` (reads tables)."""
    known = sorted(targets["importer"].unique())
    if importer not in known:
        raise MinsecError(f"importer: no targets for {importer!r} (known: {', '.join(known)})")
    cache: dict[str, pd.DataFrame] = {}

    def imports() -> pd.DataFrame:
        if "imports" not in cache:
            cache["imports"] = assessment.import_table(inputs, importer)
        return cache["imports"]

    frames = [_measure_one(inputs, target, imports, recycled, (current_stock_days, stock_year),
                           store).assign(importer=importer, target=target["target"])
              for _, target in targets[targets["importer"].eq(importer)].iterrows()]
    out = pd.concat(frames, ignore_index=True)
    return out[["importer", "target", "year", "value", "note"]].astype({"year": "Int64"})


def tracker(inputs: Inputs, importer: str, recycled: pd.DataFrame | None = None,
            current_stock_days: float = STOCKPILE_DAYS, stock_year: int = STOCKPILE_YEAR,
            targets: pd.DataFrame | None = None, store: Path | None = None) -> pd.DataFrame:
    """The targets of ``importer`` measured from the store and tracked (convenience, I/O).

    Today is the latest BACI year (:func:`minsec.assessment.default_year`) or the stock year,
    whichever is later; the recycling model's later years count as its projection.
    """
    targets = load_targets() if targets is None else targets
    measured = measure(inputs, importer, targets, recycled, current_stock_days, stock_year, store)
    today = max(assessment.default_year(inputs), stock_year)
    return track(targets[targets["importer"].eq(importer)], measured, today)
