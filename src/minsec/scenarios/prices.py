"""What a tonne costs in the baseline: the market price, checked against what trade measures.

Pink Sheet annual mean, else the USGS salient price (median of its forms), else the unit value
of the imports (USD per contained t, ``tables.mineral_trade``); a market price more than
:data:`MEASURE_TOLERANCE` times off that unit value is for another measure (lithium: a price
per t of carbonate against t of lithium) and gives way. All pure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MEASURE_TOLERANCE = 3.0
# USD per unit -> USD per tonne. mtu: a metric ton unit is 10 kg of the contained oxide/metal.
TO_USD_PER_T = {"USD/t": 1.0, "USD/kg": 1e3, "USD/g": 1e6, "USD/lb": 2204.62262185,
                "USD/troy oz": 32150.7466, "USD/short ton": 1.10231131, "USD/mtu": 100.0}
# Single rare earths priced as an oxide in the USGS rare-earths salient table.
REE_OXIDE = {"cerium": "CeO2", "dysprosium": "Dy2O3", "europium": "Eu2O3",
             "lanthanum": "La2O3", "neodymium": "Nd2O3", "terbium": "TbO2"}


def market_price(prices: pd.DataFrame, us_statistics: pd.DataFrame, mineral: str,
                 year: int) -> tuple[float, str]:
    """USD/t: Pink Sheet mean of the latest year <= ``year``, else the USGS salient price.

    USGS: the latest year <= ``year``, newest edition, median over the price forms (single
    rare earths: their oxide in the rare-earths table), converted by :data:`TO_USD_PER_T`.
    """
    pink = prices[prices["mineral"].eq(mineral) & prices["unit"].isin(list(TO_USD_PER_T))]
    pink = pink.assign(year=pd.to_datetime(pink["period"]).dt.year)
    pink = pink[pink["year"] <= year]
    if not pink.empty:
        last = pink[pink["year"].eq(pink["year"].max())]
        mean = (last["value"] * last["unit"].map(TO_USD_PER_T)).mean()
        return float(mean), (f"World Bank Pink Sheet {last['commodity'].iloc[0]} "
                            f"{last['year'].iloc[0]} mean of {len(last)} months")
    us = us_statistics[us_statistics["variable"].eq("price")]
    if mineral in REE_OXIDE:
        us = us[us["mineral"].eq("rare_earths") & us["form"].eq(REE_OXIDE[mineral])]
    else:
        us = us[us["mineral"].eq(mineral)]
    us = us[us["unit"].isin(list(TO_USD_PER_T)) & us["value"].gt(0) & (us["year"] <= year)]
    if us.empty:
        return float("nan"), "none"
    us = us[us["year"].eq(us["year"].max())]
    us = us[us["edition"].eq(us["edition"].max())]
    usd = (us["value"] * us["unit"].map(TO_USD_PER_T)).groupby(us["form"].fillna("")).mean()
    forms = ", ".join(f for f in usd.index if f) or "one series"
    return float(usd.median()), (f"USGS {us['edition'].iloc[0]} salient price "
                                 f"{us['year'].iloc[0]} (median of: {forms})")


def baseline_price(market: tuple[float, str], unit_value: float) -> tuple[float, str]:
    """The market price, unless the imports' unit value (USD/t) shows another measure.

    Kept when ``1/k <= market / unit_value <= k`` (k = :data:`MEASURE_TOLERANCE`) or when
    there is no unit value; else the unit value, which prices the quantities the baseline
    counts (contained tonnes).
    """
    price, label = market
    if not np.isfinite(unit_value):
        return price, label
    if np.isfinite(price) and 1 / MEASURE_TOLERANCE <= price / unit_value <= MEASURE_TOLERANCE:
        return price, label
    why = f" ({label}: {price:,.0f} USD/t is for another measure)" if np.isfinite(price) else ""
    return unit_value, "unit value of the importer's imports (USD per contained t)" + why
