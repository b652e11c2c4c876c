"""Export-control scenarios and what the stockpile policy changes (the library's runner)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from minsec import charts
from minsec.briefing.core import Context, Section, strategic_minerals
from minsec.errors import MinsecError
from minsec.scenarios import baseline as base
from minsec.scenarios import engine, library, results, runner
from minsec.scenarios.spec import Scenario, dump

POLICY = ["scenario", "mineral", "days_of_cover", "release_lag", "p_shortfall", "unmet_mean_t",
          "unmet_mean_pct", "unmet_p95_pct", "days_short_mean", "min_stock_p5_t",
          "price_jump_p95", "loss_mean_usd", "loss_p95_usd", "not_computed", "basis", "source"]
ENGINE = ("minsec scenario engine: Monte Carlo of export cuts, cascade after Marchand et al. "
          "(2016), price response after USGS (2025); Korea's stockpile 54 days, released within "
          "8 days (Yonhap 2023-02-27, MOTIE)")


@lru_cache(maxsize=4)
def inputs(store: Path | None) -> base.BaselineInputs:
    """The scenario baseline's tables, read once per store."""
    return base.load_inputs(store)


def concerning(ctx: Context) -> list[Scenario]:
    """The library's scenarios that cut one of the importer's strategic minerals."""
    mine = set(strategic_minerals(ctx))
    return [s for s in map(library.get, library.ids()) if mine & set(s.minerals)]


def aimed_elsewhere(spec: Scenario, importer: str) -> tuple[str, ...]:
    """The importers a scenario names, when every event names a list without ``importer``.

    Such a scenario cuts no flow to ``importer`` and none to the market it buys from
    (``runner._targets``), so its loss there is nil by construction, not by computation.
    """
    named = [e.targets for e in spec.events if not isinstance(e.targets, str)]
    if len(named) < len(spec.events) or any(importer in t for t in named):
        return ()
    return tuple(sorted({c for t in named for c in t}))


def _not_computed(table: pd.DataFrame, importer: str) -> list[str]:
    """One note per mineral left out, naming the scenarios it is left out of."""
    missing = table[table["not_computed"].ne("")]
    return [f"{mineral} not computed for {importer} ({part['not_computed'].iloc[0]}): its loss "
            f"is left out of {', '.join(part['scenario'].unique())}."
            for mineral, part in missing.groupby("mineral", sort=False)]


def _source(spec: Scenario) -> str:
    urls = spec.sources or tuple(e.source for e in spec.events if e.source)
    return f"minsec scenario library {spec.id}: " + " | ".join(urls)


def musd(value: float) -> str:
    """``670,145,972`` -> ``USD 670.1 million``; NaN -> ``not computed``."""
    return "not computed" if pd.isna(value) else f"USD {value / 1e6:,.1f} million"


def _policy(days: float, lag: float) -> str:
    return f"{days:g} days, lag {lag:g}"


def scenarios(ctx: Context, draws: int = 2000, days: Sequence[float] = (0, 54, 100),
              lags: Sequence[float] = (8, 30)) -> Section:
    """The library's scenarios on the importer's minerals under stockpile days x release lag.

    Every policy meets the same draws (the runner's common random numbers).
    """
    frames, notes, sources = [], [], [ENGINE]
    for spec in concerning(ctx):
        if elsewhere := aimed_elsewhere(spec, ctx.importer):
            notes.append(f"{spec.name} ({spec.id}) targets {', '.join(elsewhere)} only: "
                         f"no flow to {ctx.importer} is cut, so it is not run here.")
            continue
        spec = spec.replace(draws=draws, importer=ctx.importer)
        try:
            table = runner.compare(spec, inputs(ctx.store), ctx.year, days, lags)
        except MinsecError as exc:
            notes.append(f"{spec.id} ({spec.name}) not run for {ctx.importer}: {exc}.")
            continue
        frames.append(table.assign(scenario=spec.id, name=spec.name, source=_source(spec)))
        sources.append(_source(spec))
    if not frames:
        return Section("scenarios", "Export-control scenarios and the stockpile", {}, {},
                       notes or ["No library scenario cuts the importer's strategic minerals."],
                       sources)
    table = pd.concat(frames, ignore_index=True)
    notes += _not_computed(table, ctx.importer)
    total = table.groupby(["scenario", "name", "days_of_cover", "release_lag"], sort=False,
                          as_index=False).agg(loss_mean_usd=("loss_mean_usd",
                                                             lambda v: v.sum(min_count=1)))
    total["policy"] = [_policy(d, lag) for d, lag in zip(total["days_of_cover"],
                                                        total["release_lag"], strict=True)]
    chart = charts.bars(total, "scenario", "loss_mean_usd", f"{ctx.importer}: expected loss "
                        f"per scenario and stockpile policy (USD, {draws:,} draws)",
                        color="policy", y_title="USD", group=True)
    total["seed"] = [library.get(sid).seed for sid in total["scenario"]]
    none, korea = (min(days), min(lags)), (54.0, 8.0)
    for (sid, name), part in total.groupby(["scenario", "name"], sort=False):
        by = part.set_index(["days_of_cover", "release_lag"])["loss_mean_usd"]
        text = f"{name} ({sid}): expected loss {musd(by.get(none, np.nan))} without stock"
        if korea in by.index:
            text += f", {musd(by[korea])} with 54 days released after 8 days"
        notes.append(text + ".")
    notes.append(f"Each scenario: {draws:,} draws at its library seed (the seed column of "
                 "workbook sheet scenarios.loss_by_policy).")
    return Section("scenarios", "Export-control scenarios and the stockpile",
                   {"policies": table[[*POLICY[:1], "name", *POLICY[1:]]],
                    "loss_by_policy": total.assign(source=ENGINE)},
                   {"loss_by_policy": chart}, notes, sources)


def _spec_table(spec: Scenario, seed: int) -> pd.DataFrame:
    return pd.DataFrame([{"scenario": spec.id, "importer": spec.importer, "draws": spec.draws,
                          "seed": seed, "days_of_cover": spec.stockpile.days_of_cover,
                          "release_lag_days": spec.stockpile.release_lag_days,
                          "yaml": dump(spec), "source": _source(spec)}])


def scenario_run(ctx: Context, scenario_id: str, draws: int, stock_days: float,
                 lag_days: float, seed: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Section:
    """One run (the web form): loss distributions and the stockpile fan chart.

    ``seed``: the random seed; ``None`` takes the scenario spec's own seed (so a run with the
    defaults repeats the library's published figures).
    ``progress(done, total)`` is called after each block of draws. The fan is drawn from the
    run's first block (its first ``min(draws, 1000)`` draws, same random stream).
    """
    if draws < 1:
        raise MinsecError(f"draws must be >= 1 (got {draws})")
    if stock_days < 0 or lag_days < 0:
        raise MinsecError(f"stockpile days and release lag must be >= 0 (got {stock_days:g}, "
                          f"{lag_days:g})")
    chosen = library.get(scenario_id)
    seed = chosen.seed if seed is None else seed
    spec = chosen.replace(draws=draws, seed=seed, importer=ctx.importer)
    spec = spec.with_policy(days=stock_days, lag=lag_days)
    data = inputs(ctx.store)
    result = runner.run(spec, data, ctx.year, progress=progress)
    baseline = result.baseline
    policy = spec.stockpile.policy(baseline.minerals)
    events = runner.resolve(spec, baseline, set(data.partners))
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    shocks = engine.sample(rng, min(draws, engine.BLOCK), events)
    trace = engine.daily_trace(baseline, shocks, policy, spec.horizon_days)
    fan = results.stock_fan(trace.stock, baseline.minerals)
    summary = result.summary().assign(source=_source(spec))
    table = result.draws_table()
    figures = {"loss": charts.histogram(table, "loss", f"{spec.id}: loss per draw (USD)",
                                        color="mineral", x_title="USD"),
               "unmet": charts.histogram(table, "unmet", f"{spec.id}: unmet demand per draw (t)",
                                         color="mineral", x_title="t")}
    for mineral in baseline.minerals:
        figures[f"fan-{mineral}"] = charts.fan(
            fan[fan["mineral"].eq(mineral)], f"{mineral}: stock over the year (t), "
            f"{_policy(stock_days, lag_days)}", value="stock_t", y_title="t")
    notes = [f"{spec.name}: {draws:,} draws, seed {seed}, {_policy(stock_days, lag_days)} "
             f"for {ctx.importer} ({ctx.year} baseline)."]
    notes += [f"{r['mineral']}: not computed ({r['not_computed']})." if r["not_computed"] else
              f"{r['mineral']}: P(shortfall) {r['p_shortfall']:.1%}, expected unmet "
              f"{r['unmet_mean_t']:,.0f} t ({r['unmet_mean_pct']:.1f}% of demand), expected "
              f"loss {musd(r['loss_mean_usd'])} ({r['basis']})."
              for _, r in summary.iterrows()]
    return Section(f"run-{spec.id}", f"{spec.name}: one run", {
        "summary": summary, "draws": table.assign(source=ENGINE),
        "stock_fan": fan.assign(source=ENGINE), "spec": _spec_table(spec, seed)},
        figures, notes, [_source(spec), ENGINE])
