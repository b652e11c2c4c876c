"""Rank an importer's minerals by expected loss over the scenario library.

Every library scenario is run for the importer (its own draws and seed, the same baseline
year). A mineral's expected loss in a scenario is the mean over draws, so an event with
probability ``p`` counts ``p`` times its loss (the engine draws whether it occurs). A mineral
is ranked by its largest expected loss over the scenarios that touch it (ours: the scenarios
overlap, e.g. ``CN-2025-Oct`` contains ``CN-2025-REE7``, so their losses are not added), with
that scenario's P95 and CVaR95, its two parts and the inputs they stand on: the value added
per tonne (``value_at_risk.csv``), the price and the trade basis, each with its source. A
mineral no scenario could compute keeps its row, with its reason and no rank.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from minsec.scenarios import library, runner
from minsec.scenarios.baseline import BaselineInputs

COLUMNS = ("rank", "mineral", "scenario", "loss_mean_usd", "loss_p95_usd", "loss_cvar95_usd",
           "extra_cost_mean_usd", "lost_value_added_mean_usd", "price_jump_median",
           "unmet_mean_pct", "scenarios", "basis", "value_at_risk_usd_per_t",
           "value_at_risk_source", "price_usd_per_t", "price_source", "not_computed")


def scenario_losses(inputs: BaselineInputs, importer: str, year: int,
                    ids: Iterable[str] | None = None, draws: int | None = None,
                    progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Each library scenario's summary for ``importer``, one row per scenario and mineral."""
    frames = []
    for scenario_id in ids or library.ids():
        if progress:
            progress(scenario_id)
        scenario = library.get(scenario_id).replace(importer=importer)
        scenario = scenario.replace(draws=draws) if draws else scenario
        result = runner.run(scenario, inputs, year)
        b = result.baseline
        frames.append(result.summary().assign(
            scenario=scenario_id,
            value_at_risk_usd_per_t=b.value_at_risk, price_usd_per_t=b.price,
            value_at_risk_source=[b.sources.get(f"value_at_risk:{m}", "") for m in b.minerals],
            price_source=[b.sources.get(f"price:{m}", "") for m in b.minerals]))
    return pd.concat(frames, ignore_index=True)


def rank(losses: pd.DataFrame) -> pd.DataFrame:
    """Minerals by their largest expected loss over the scenarios (module docstring)."""
    counts = losses.groupby("mineral")["scenario"].nunique().rename("scenarios")
    done = losses.dropna(subset=["loss_mean_usd"])
    worst = done.sort_values("loss_mean_usd", ascending=False).drop_duplicates("mineral")
    missing = losses[~losses["mineral"].isin(done["mineral"])].drop_duplicates("mineral")
    missing = missing.assign(not_computed=missing["not_computed"].where(
        missing["not_computed"].ne(""), "no scenario computed it"))
    table = pd.concat([worst.assign(not_computed=""), missing], ignore_index=True)
    table = table.join(counts, on="mineral")
    table.insert(0, "rank", np.where(table["loss_mean_usd"].notna(),
                                     np.arange(1, len(table) + 1), np.nan))
    table["rank"] = table["rank"].astype("Int64")
    return table[list(COLUMNS)].reset_index(drop=True)
