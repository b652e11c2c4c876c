"""Back-test: the 2023 Ga/Ge and graphite controls, simulated beside the BACI change.

For ``CN-2023-GaGe`` and ``CN-2023-graphite`` (baseline 2022, the year before the controls;
the library's draws, seed and horizon): the simulated change of China's exports to the world
and to Korea (= Korea's imports from China) over the horizon, beside the observed BACI HS92
change 2023 and 2024 against 2022 per code, and over the codes together; Korea's imports from
the world are observed only. Quantities in t (gross weight as BACI reports them).

    MINSEC_STORE=/tmp/dev.duckdb .venv/bin/python benchmarks/backtest_2023.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd

from minsec.scenarios.backtest import backtest
from minsec.scenarios.baseline import load_inputs

SCENARIOS = ("CN-2023-GaGe", "CN-2023-graphite")
SHOWN = ["mineral", "hs6", "flow", "year", "quantity_t", "change_t", "simulated_change"]


def codes_together(table: pd.DataFrame) -> pd.DataFrame:
    """The observed change over a mineral's codes (if several): sum(q) / sum(q[first]) - 1."""
    rows = table.dropna(subset=["year"])
    rows = rows[rows.groupby("mineral")["hs6"].transform("nunique") > 1]
    total = rows.groupby(["mineral", "flow", "year"], as_index=False).agg(
        quantity_t=("quantity_t", "sum"), simulated_change=("simulated_change", "first"))
    first = total.groupby(["mineral", "flow"])["quantity_t"].transform("first")
    return total.assign(hs6="all", change_t=(total["quantity_t"] / first - 1).where(first > 0))


def main() -> None:
    """Print the comparison table of both scenarios."""
    store = os.environ.get("MINSEC_STORE")
    if not store:
        sys.exit("set MINSEC_STORE to a built store (e.g. /tmp/dev.duckdb)")
    inputs = load_inputs(Path(store))
    pd.set_option("display.width", 160)
    pd.set_option("display.float_format", "{:,.3f}".format)
    for scenario in SCENARIOS:
        table = backtest(scenario, inputs, year=2022)
        print(f"\n== {scenario}: simulated (horizon from the control) vs BACI (vs 2022)")
        for mineral, rows in table.groupby("mineral", sort=False):
            print(f"-- {mineral}: baseline {rows['basis'].iloc[0]}")
            if rows["note"].iloc[0]:
                print(f"   note: {rows['note'].iloc[0]}")
        shown = pd.concat([table[SHOWN], codes_together(table)[SHOWN]], ignore_index=True)
        print(shown.to_string(index=False, na_rep="-"))


if __name__ == "__main__":
    main()
