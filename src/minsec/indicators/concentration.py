"""Market concentration of supply: shares, top-n shares and the Herfindahl-Hirschman index."""

from __future__ import annotations

import pandas as pd

AGGREGATES = ("WLD", "ROW", "EU27")


def shares(values: pd.Series, total: float | None = None) -> pd.Series:
    """Share of each country in the total: ``s_i = x_i / X``, 0..1.

    ``total`` is the published world total where there is one (USGS "World total (rounded)"),
    else the sum of ``values``. Indexed like ``values``.
    """
    denominator = total if total is not None and total > 0 else values.sum()
    return values / denominator if denominator else values * float("nan")


def hhi(shares_: pd.Series) -> float:
    """Herfindahl-Hirschman index ``HHI = sum_i (100 s_i)^2``, 0..10 000.

    Source: U.S. DOJ/FTC Horizontal Merger Guidelines (2023), §2.1; shares in percent.
    Aggregate rows (WLD, ROW, EU27) must be removed by the caller: an unattributed rest
    of the world counts as atomised, so the index is a lower bound when one is present.
    """
    return float(((100 * shares_.dropna()) ** 2).sum())


def top_share(shares_: pd.Series, n: int = 1) -> float:
    """Combined share of the ``n`` largest suppliers, 0..1."""
    return float(shares_.dropna().nlargest(n).sum())
