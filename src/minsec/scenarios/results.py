"""What the draws came to: a tidy table per draw and a summary per mineral."""

from __future__ import annotations

import numpy as np
import pandas as pd

from minsec.scenarios.model import Array, Baseline, Outcome

MEASURES = ("unmet", "days_short", "min_stock", "released", "price_jump", "loss")


def draws_table(outcome: Outcome, baseline: Baseline) -> pd.DataFrame:
    """One row per draw and mineral: ``draw, mineral`` and the :class:`Outcome` measures."""
    n, m = outcome.unmet.shape
    frame = pd.DataFrame({"draw": np.repeat(np.arange(n), m),
                          "mineral": np.tile(np.array(baseline.minerals, dtype=object), n)})
    for name in MEASURES:
        frame[name] = getattr(outcome, name).reshape(-1)
    return frame


def cvar(values: Array, level: float = 0.95) -> Array:
    """Conditional value at risk: the mean of the worst ``1 - level`` of the draws, per column.

    ``CVaR_a = E[X | X >= VaR_a]`` over axis 0 (Rockafellar & Uryasev, 2000).
    """
    var = np.quantile(values, level, axis=0)
    tail = values >= var
    return np.asarray((values * tail).sum(axis=0) / np.maximum(tail.sum(axis=0), 1))


def not_computed(baseline: Baseline) -> list[str]:
    """Per mineral: why it was not computed (its ``missing:`` basis), or ``""``."""
    return [b.removeprefix("missing: ") if not ok else ""
            for b, ok in zip(baseline.basis, baseline.computed, strict=True)]


def summary(outcome: Outcome, baseline: Baseline) -> pd.DataFrame:
    """Per mineral: the odds of a shortfall, its size, its duration, stock, price and loss.

    ``p_shortfall = P(unmet > 0)``; unmet demand in t and in % of annual demand (mean, P95,
    CVaR95); days short (mean, P95); the lowest stock level (median and P5 over draws); the
    price jump (median, P95); the loss in USD (mean, P95, CVaR95) and its two parts (extra
    cost of what is bought, value added lost for what is not). A mineral without the data
    for a baseline has NaN everywhere and its reason in ``not_computed``, never zeros.
    """
    demand = np.where(baseline.demand > 0, baseline.demand, np.nan)
    unmet = outcome.unmet
    table = pd.DataFrame({
        "mineral": baseline.minerals,
        "basis": baseline.basis,
        "demand_t": baseline.demand,
        "p_shortfall": (unmet > 1e-9).mean(axis=0),
        "unmet_mean_t": unmet.mean(axis=0),
        "unmet_p95_t": np.quantile(unmet, 0.95, axis=0),
        "unmet_cvar95_t": cvar(unmet),
        "unmet_mean_pct": 100 * unmet.mean(axis=0) / demand,
        "unmet_p95_pct": 100 * np.quantile(unmet, 0.95, axis=0) / demand,
        "days_short_mean": outcome.days_short.mean(axis=0),
        "days_short_p95": np.quantile(outcome.days_short, 0.95, axis=0),
        "min_stock_median_t": np.median(outcome.min_stock, axis=0),
        "min_stock_p5_t": np.quantile(outcome.min_stock, 0.05, axis=0),
        "price_jump_median": np.median(outcome.price_jump, axis=0),
        "price_jump_p95": np.quantile(outcome.price_jump, 0.95, axis=0),
        "loss_mean_usd": outcome.loss.mean(axis=0),
        "loss_p95_usd": np.quantile(outcome.loss, 0.95, axis=0),
        "loss_cvar95_usd": cvar(outcome.loss),
        "extra_cost_mean_usd": _mean(outcome.extra_cost, unmet),
        "lost_value_added_mean_usd": _mean(outcome.lost_value_added, unmet),
    })
    numbers = table.columns.difference(["mineral", "basis"])
    table.loc[~baseline.computed, numbers] = np.nan
    return table.assign(not_computed=not_computed(baseline))


def _mean(values: Array | None, like: Array) -> Array:
    return np.full(like.shape[1], np.nan) if values is None else values.mean(axis=0)


FAN = (0.05, 0.25, 0.5, 0.75, 0.95)


def stock_fan(stock: Array, minerals: tuple[str, ...] | list[str],
              quantiles: tuple[float, ...] = FAN) -> pd.DataFrame:
    """Per day and mineral, quantiles of the stock over the draws: the fan chart's table.

    ``stock`` is ``(N, M, T)`` t at the end of each day (``engine.Trace.stock``). Returns
    ``day, mineral, quantile, stock_t`` (days 0..T-1; ``np.quantile``, linear interpolation).
    """
    n, m, t = stock.shape
    q = np.quantile(stock, quantiles, axis=0)  # (Q, M, T)
    return pd.DataFrame({
        "day": np.tile(np.arange(t), len(quantiles) * m),
        "mineral": np.tile(np.repeat(np.array(minerals, dtype=object), t), len(quantiles)),
        "quantile": np.repeat(np.array(quantiles, dtype=np.float64), m * t),
        "stock_t": q.reshape(-1)})
