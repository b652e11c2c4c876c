"""Stockpile sizing: the tonnes of each mineral to hold for a budget, an LP over the draws.

Choose ``s_m >= 0`` t to minimise the expected loss left after the stock is drawn::

    min (1/N) sum_d sum_m VaR_m z_dm   s.t.  z_dm >= u_dm - s_m,  z_dm >= 0,
                                             sum_m c_m s_m <= budget

with the unit cost ``c_m = price_m * (1 + holding_rate * years)``: the purchase at the baseline
price (Pink Sheet or USGS unit value, ``Baseline.price``) plus holding. The default holding cost,
5 % of the price a year (storage, insurance and the capital tied up), is our assumption, not a
published rate. The stock is assumed to reach firms in time to cover the horizon's unmet demand.

The comparison is Korea's uniform target (100 days of demand for every mineral, PPS/KOMIR):
``s_m = days * demand_m / 365``, scaled by one factor so that it costs the same budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from minsec.errors import MinsecError

HOLDING_RATE = 0.05  # share of the price a year; ours (see the module docstring)
KOREA_DAYS = 100.0  # Korea's uniform stockpile target, days of demand


@dataclass(frozen=True)
class StockpilePlan:
    """The LP's stock, the uniform target's, and the expected loss (USD) under each."""

    table: pd.DataFrame  # mineral, unit_cost_usd, tonnes, tonnes_uniform, cost_usd, ...
    loss_none: float
    loss_plan: float
    loss_uniform: float
    status: str


def expected_loss(unmet: np.ndarray, value_at_risk: np.ndarray, stock: np.ndarray) -> float:
    """``(1/N) sum_d sum_m VaR_m max(0, u_dm - s_m)``, USD."""
    return float((np.maximum(unmet - stock[None, :], 0) * value_at_risk).sum(axis=1).mean())


def uniform_target(demand: np.ndarray, unit_cost: np.ndarray, budget: float,
                   days: float = KOREA_DAYS) -> np.ndarray:
    """``days * demand / 365`` per mineral, scaled by one factor to cost ``budget``."""
    tonnes = days * demand / 365.0
    cost = float(unit_cost @ tonnes)
    return tonnes * (budget / cost) if cost > 0 else np.zeros_like(tonnes)


def _lp(unmet: np.ndarray, var: np.ndarray, unit_cost: np.ndarray,
        budget: float) -> tuple[np.ndarray, str]:
    """Solve the LP in ``(s, z)``; ``z`` row-major over (draw, mineral)."""
    n, m = unmet.shape
    # z_dm + s_m >= u_dm  ->  -s_m - z_dm <= -u_dm
    link = sparse.hstack([-sparse.csr_matrix(np.tile(np.eye(m), (n, 1))),
                          -sparse.identity(n * m, format="csr")])
    money = sparse.hstack([sparse.csr_matrix(unit_cost[None, :]),
                           sparse.csr_matrix((1, n * m))])
    res = optimize.linprog(np.concatenate([np.zeros(m), np.tile(var, n) / n]),
                           A_ub=sparse.vstack([money, link]).tocsr(),
                           b_ub=np.concatenate([[budget], -unmet.ravel()]),
                           bounds=(0, None), method="highs")
    if res.status != 0:
        raise MinsecError(f"stockpile LP failed: {res.message}")
    return np.asarray(res.x[:m]), str(res.message)


def plan(unmet: np.ndarray, value_at_risk: np.ndarray, minerals: Sequence[str],
         price: np.ndarray, demand: np.ndarray, budget: float,
         holding_rate: float = HOLDING_RATE, years: float = 1.0,
         days: float = KOREA_DAYS) -> StockpilePlan:
    """The stock that minimises expected loss for ``budget`` USD, beside the uniform target.

    ``unmet`` (N, M) t over the horizon; ``value_at_risk``, ``price`` (USD/t) and ``demand``
    (t/yr) are (M,), e.g. from ``Result.baseline``.
    """
    u = np.asarray(unmet, dtype=float)
    var, price, demand = (np.asarray(a, dtype=float) for a in (value_at_risk, price, demand))
    m = len(minerals)
    if u.ndim != 2 or u.shape[1] != m or any(a.shape != (m,) for a in (var, price, demand)):
        raise MinsecError(f"unmet must be (draws, {m}); value_at_risk, price and demand ({m},)")
    for name, arr in (("price", price), ("demand", demand), ("value_at_risk", var)):
        bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
        if len(bad):
            raise MinsecError(f"{name} for {minerals[bad[0]]} must be a number >= 0, "
                              f"got {arr[bad[0]]}")
    if not np.isfinite(budget) or budget < 0 or holding_rate < 0 or years < 0:
        raise MinsecError("budget, holding_rate and years must be >= 0")
    unit_cost = price * (1 + holding_rate * years)
    free = unit_cost <= 0
    if free.any():  # a zero price would make the LP unbounded in s; hold what the draws need
        raise MinsecError(f"price for {minerals[int(np.flatnonzero(free)[0])]} must be > 0")
    stock, status = _lp(u, var, unit_cost, budget)
    uniform = uniform_target(demand, unit_cost, budget, days)
    table = pd.DataFrame({
        "mineral": list(minerals), "unit_cost_usd": unit_cost, "tonnes": stock,
        "cost_usd": stock * unit_cost, "days_of_demand": np.divide(
            365 * stock, demand, out=np.full(m, np.nan), where=demand > 0),
        "tonnes_uniform": uniform, "cost_uniform_usd": uniform * unit_cost})
    return StockpilePlan(table=table, loss_none=expected_loss(u, var, np.zeros(m)),
                         loss_plan=expected_loss(u, var, stock),
                         loss_uniform=expected_loss(u, var, uniform), status=status)
