"""Early warning: a market-balance index on 0-100 in five bands, after KOMIR's MBI.

KOMIR's Market Balance Index (수급안정화지수, KOMIS 2021; methods.md §5.3) starts from a
medium/long-term price-risk outlook and discounts it by the world supply/demand ratio, the
geographic concentration of production, the concentration of Korea's import sources and the
import growth rate; it is shown monthly on 0-100 in five bands. Its functional form and weights
are not public ([U] in methods.md), so **the form and the weights here are ours**:

* each input becomes a *pressure* ``p`` on 0..1 (1 = tightest): the price signal of
  :func:`price_signal`; ``production_hhi / 10 000``; ``import_hhi / 10 000``; import growth
  ``g`` as ``0.5 + g / 2`` clipped (0.5 at no change, 1 when imports double, 0 when they stop);
* the index discounts a balanced market by every pressure, as KOMIR's description does, with a
  weighted geometric mean of the slack ``1 - p``::

      MBI = 100 * prod_k (1 - p_k)^(w_k / sum_available w)

  Slack is floored at 0.005 so one saturated input (a single producer) caps the index near
  ``100 * 0.005^w`` instead of zeroing it; only all inputs near saturation reach the crisis
  band. A missing input drops out and the weights of the others are re-normalised; an index
  needs two inputs at least (one input alone is NaN, not an index);
* weights (``WEIGHTS``): price 0.4, production HHI 0.2, import HHI 0.2, import growth 0.2. The
  price outlook is KOMIR's base variable, hence the largest weight; nothing public ranks the
  three discount factors, hence equal weights. The supply/demand ratio is left out (we have no
  balance for most minerals).

Higher = more balanced or oversupplied; lower = tighter. Pink Sheet prices exist only for
aluminium, copper, lead, tin, nickel, zinc, iron ore, gold, silver, platinum, phosphate rock and
potash; for other minerals the index rests on the remaining inputs (``inputs`` says which).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import overload

import numpy as np
import pandas as pd

from minsec.indicators.concentration import stage_concentration

# Bands of KOMIR's MBI (methods.md §5.3): lower bound inclusive, upper exclusive, 100 included.
BANDS = (("crisis", 0.0), ("unstable", 1.0), ("caution", 5.0), ("stable", 20.0),
         ("oversupply", 80.0))
INPUTS = ("price_signal", "production_hhi", "import_hhi", "import_growth")
WEIGHTS = {"price_signal": 0.4, "production_hhi": 0.2, "import_hhi": 0.2, "import_growth": 0.2}
MIN_SLACK = 0.005


@overload
def band(index: float) -> str | None: ...
@overload
def band(index: pd.Series) -> pd.Series: ...
def band(index: float | pd.Series) -> str | None | pd.Series:
    """The MBI band of an index on 0..100: crisis, unstable, caution, stable, oversupply.

    Bands (KOMIR, methods.md §5.3): crisis [0, 1), unstable [1, 5), caution [5, 20), stable
    [20, 80), oversupply [80, 100]. Boundary convention (ours): a band includes its lower edge,
    so 1 is unstable, 5 caution, 20 stable and 80 oversupply; 100 is oversupply. KOMIR also
    asks for a crisis *event* for the crisis band; that test is the caller's. NaN has no band;
    a value outside 0..100 is an error.
    """
    values = pd.Series([index]) if np.isscalar(index) else pd.Series(index)
    if (values.lt(0) | values.gt(100)).any():
        raise ValueError("the market-balance index lies on 0..100")
    edges = [lower for _, lower in BANDS] + [np.inf]  # [lower, upper): 100 falls in the last
    cut = pd.cut(values, edges, right=False, labels=[name for name, _ in BANDS])
    labels = cut.astype("object").where(cut.notna(), None).rename("band")
    return labels.iloc[0] if np.isscalar(index) else labels


def price_signal(prices: pd.DataFrame) -> pd.DataFrame:
    """Yearly price pressure from monthly prices, per mineral: 0..1, 0.5 neutral.

    At the last month of each year with a price (``period``): ``change_12m = P_t / P_t-12 - 1``;
    ``volatility`` = annualised standard deviation of monthly log returns over the 12 months to
    ``t`` (``sqrt(12) * sd``); ``baseline_volatility`` the same over 60 months (the 5-year
    baseline). With ``z = ln(P_t / P_t-12) / baseline_volatility`` (the 12-month move in units
    of normal yearly movement) and ``v = volatility / baseline_volatility``::

        signal = (2 * logistic(z) + v / (1 + v)) / 3

    0.5 for a flat price at usual volatility; towards 1 for a sharp rise in a turbulent market,
    towards 0 for a calm fall. The two-thirds weight of the move is ours. A volatility needs
    10 of its 12 (50 of its 60) monthly returns, so a missing month (Pink Sheet phosphate rock,
    Nov 2023) does not blank five years; without them, or without ``P_t-12``, no signal.
    ``prices``: ``mineral, period, value`` (monthly, as :func:`minsec.tables.prices`).
    Source of the inputs: World Bank Pink Sheet (monthly nominal prices).
    """
    wide = prices.pivot_table(index="period", columns="mineral", values="value")
    wide = wide.asfreq("MS")  # a missing month stays a gap (NaN), never a filled value
    returns = (wide / wide.shift(1)).apply(np.log)
    parts = {"price": wide, "change_12m": wide / wide.shift(12) - 1,
             "volatility": returns.rolling(12, min_periods=10).std() * np.sqrt(12),
             "baseline_volatility": returns.rolling(60, min_periods=50).std() * np.sqrt(12)}
    frame = pd.concat([part.rename_axis(columns="mineral").melt(ignore_index=False, value_name=name)
                       .set_index("mineral", append=True)[name] for name, part in parts.items()],
                      axis=1).reset_index()
    frame = frame[frame["price"].notna()]
    frame = frame.loc[frame.groupby(["mineral", frame["period"].dt.year])["period"].idxmax()]
    z = np.log1p(frame["change_12m"]) / frame["baseline_volatility"]
    ratio = frame["volatility"] / frame["baseline_volatility"]
    frame["signal"] = (2 / (1 + np.exp(-z)) + ratio / (1 + ratio)) / 3
    frame["year"] = frame["period"].dt.year
    return frame[["mineral", "year", "period", "change_12m", "volatility",
                  "baseline_volatility", "signal"]].reset_index(drop=True)


def pressures(price_signal: pd.Series, production_hhi: pd.Series, import_hhi: pd.Series,
              import_growth: pd.Series) -> pd.DataFrame:
    """Each input as a pressure on 0..1 (1 = tightest); columns ``INPUTS``, NaN kept."""
    return pd.DataFrame({
        "price_signal": price_signal.clip(0, 1), "production_hhi": production_hhi / 10_000,
        "import_hhi": import_hhi / 10_000, "import_growth": (0.5 + import_growth / 2).clip(0, 1),
    })


def market_balance_index(price_signal: pd.Series, production_hhi: pd.Series,
                         import_hhi: pd.Series, import_growth: pd.Series,
                         weights: dict[str, float] | None = None, min_inputs: int = 2,
                         ) -> pd.Series:
    """Market-balance index ``100 * prod_k (1 - p_k)^(w_k / sum w)``, 0..100 (ours).

    The four inputs are aligned on their index (e.g. ``mineral, year``): the price signal
    (0..1, :func:`price_signal`), the production HHI and the import-source HHI (0..10 000),
    and the importer's year-on-year import growth (fraction). Pressures as in
    :func:`pressures`, slack floored at ``MIN_SLACK``; missing inputs drop out and the other
    weights are re-normalised. With fewer than ``min_inputs`` inputs the index is NaN (ours:
    an index on one input is that input restated; a sole supplier alone would read as crisis).
    Weights default to ``WEIGHTS``. Higher = more balanced, lower = tighter; see :func:`band`.
    """
    w = pd.Series(WEIGHTS if weights is None else weights).reindex(list(INPUTS)).fillna(0.0)
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError("weights must be non-negative and not all zero")
    p = pressures(price_signal, production_hhi, import_hhi, import_growth)
    present = p.notna().mul(w, axis=1)
    log_slack = (1 - p).clip(lower=MIN_SLACK).apply(np.log).fillna(0.0).mul(w, axis=1)
    total = present.sum(axis=1)
    enough = p.notna().sum(axis=1).ge(min_inputs) & total.gt(0)
    index = 100 * (log_slack.sum(axis=1) / total.where(enough)).apply(np.exp)
    return index.rename("mbi")


def inputs_used(price_signal: pd.Series, production_hhi: pd.Series, import_hhi: pd.Series,
                import_growth: pd.Series) -> pd.Series:
    """Which inputs an index rests on, e.g. ``"production_hhi,import_hhi,import_growth"``."""
    p = pressures(price_signal, production_hhi, import_hhi, import_growth)
    named = p.notna().apply(lambda c: c.map({True: c.name + ",", False: ""}))
    return named.sum(axis=1).str.rstrip(",").rename("inputs")


def market_balance(table: pd.DataFrame, weights: dict[str, float] | None = None
                   ) -> pd.DataFrame:
    """Add ``mbi``, ``band`` and ``inputs`` to a table holding the four ``INPUTS`` columns."""
    price, production, sources, growth = (table[c] for c in INPUTS)
    mbi = market_balance_index(price, production, sources, growth, weights=weights)
    return table.assign(mbi=mbi, band=band(mbi),
                        inputs=inputs_used(price, production, sources, growth))


def import_sources(mineral_trade: pd.DataFrame, importer: str,
                   keys: Sequence[str] = ("mineral", "year")) -> pd.DataFrame:
    """The importer's import-source HHI and import growth per mineral and year.

    ``import_hhi = sum_j (100 m_j / M)^2`` over exporters ``j`` by import value (0..10 000);
    ``import_growth = M_t / M_t-1 - 1`` (value, kUSD; NaN without the previous year or when
    it was 0). ``mineral_trade``: ``year, exporter, importer, mineral, stage, value``
    (:func:`minsec.tables.mineral_trade`); stages are summed. Returns ``keys, imports,
    import_hhi, import_growth``.
    """
    keys = list(keys)
    flows = mineral_trade[mineral_trade["importer"].eq(importer)]
    by_source = flows.groupby([*keys, "exporter"])["value"].sum().reset_index()
    total = by_source.groupby(keys)["value"].transform("sum")
    by_source["square"] = (100 * by_source["value"] / total.where(total > 0)) ** 2
    out = by_source.groupby(keys).agg(imports=("value", "sum"),
                                      import_hhi=("square", "sum")).reset_index()
    before = out[[*keys, "imports"]].assign(year=out["year"] + 1)
    out = out.merge(before, on=keys, how="left", suffixes=("", "_before"))
    out["import_growth"] = out["imports"] / out["imports_before"].where(
        out["imports_before"] > 0) - 1
    return out.drop(columns="imports_before")


def assemble(prices: pd.DataFrame, supply: pd.DataFrame, mineral_trade: pd.DataFrame,
             importer: str, edition: str = "wmd2026") -> pd.DataFrame:
    """MBI inputs, index and band for every mineral and year of ``importer`` (0..100).

    Production HHI: ``edition``'s highest stage HHI for the mineral and year (ours);
    import-source HHI and growth from :func:`import_sources`; price signal from
    :func:`price_signal`. Rows: every mineral-year with at least a production or import input.
    """
    hhi = stage_concentration(supply[supply["edition"].eq(edition)])
    hhi = hhi.groupby(["mineral", "year"])["hhi"].max().rename("production_hhi").reset_index()
    imports = import_sources(mineral_trade, importer)
    table = hhi.merge(imports, on=["mineral", "year"], how="outer")
    table = table.merge(price_signal(prices)[["mineral", "year", "signal"]],
                        on=["mineral", "year"], how="left")
    table = table.rename(columns={"signal": "price_signal"}).assign(importer=importer)
    return market_balance(table).sort_values(["mineral", "year"], ignore_index=True)


def load_inputs(store: Path | None = None) -> dict[str, pd.DataFrame]:
    """Read the tables :func:`assemble` takes (I/O, not pure)."""
    from minsec import tables

    return {"prices": tables.prices(store), "supply": tables.supply(store),
            "mineral_trade": tables.mineral_trade(store)}
