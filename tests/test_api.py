"""The notebook front door (minsec.assess ... report) on the real store: doctests, errors."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import minsec
from minsec import api

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def store(built: Path) -> Iterator[Path]:
    """The test store as ``$MINSEC_STORE``, as a notebook user would have it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MINSEC_STORE", str(built))
        yield built


def test_doctests(store: Path) -> None:
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for module in (minsec, api):
        result = doctest.testmod(module, optionflags=flags)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_tutorial_runs(store: Path) -> None:
    env = {**os.environ, "MINSEC_STORE": str(store)}
    done = subprocess.run([sys.executable, str(REPO / "examples" / "tutorial.py")], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "refused: unknown country 'Atlantis'" in done.stdout
    assert "ScenarioRun('CN-2023-graphite', importer='KOR'" in done.stdout


def test_every_row_has_a_source(store: Path) -> None:
    table = minsec.assess("KOR", 2023)
    assert table["source"].str.contains("imports: ").all()
    run = minsec.scenario("CN-2023-graphite", draws=100, year=2023)
    assert run.summary["source"].str.contains("https://").all()
    assert minsec.outlook("cobalt").demand["source"].str.startswith("IEA (2024)").all()
    assert minsec.targets("KOR").levers["source"].notna().all()


def test_packages_are_also_the_functions(store: Path) -> None:
    from minsec.outlook import demand  # the package still holds its modules

    assert minsec.outlook.demand is demand
    assert repr(minsec.outlook("cobalt", "STEPS")).startswith("Outlook('cobalt', 'STEPS', world")
    with pytest.raises(minsec.MinsecError, match="--draws 0: give 1 to 100,000"):
        minsec.report("KOR", draws=0, out=store.parent / "never")
    assert not (store.parent / "never").exists()


@pytest.mark.parametrize(("call", "message"), [
    (lambda: minsec.assess("Atlantis"), "unknown country 'Atlantis'"),
    (lambda: minsec.assess("KOR", 1990), "year 1990: the trade data cover 1995-"),
    (lambda: minsec.assess("KOR", methods=["astrology"]), "unknown method astrology"),
    (lambda: minsec.trend("unobtainium"), "unknown mineral 'unobtainium'"),
    (lambda: minsec.compare([]), "name at least one importer"),
    (lambda: minsec.compare(["KOR", "BVT"]), "no trade recorded for BVT"),
    (lambda: minsec.scenario("CN-2099-nothing"), "unknown scenario 'CN-2099-nothing'"),
    (lambda: minsec.scenario("CN-2023-graphite", year=2050), "year 2050"),
    (lambda: minsec.outlook("lithium", "XYZ"), "scenario 'XYZ' is not in"),
    (lambda: minsec.outlook("lithium", share=2.0), r"share: 2 for lithium is not in \(0, 1\]"),
    (lambda: minsec.targets("BRA"), "no targets for 'BRA'"),
    (lambda: minsec.report("Atlantis"), "unknown country 'Atlantis'"),
])
def test_user_mistakes_are_minsec_errors(store: Path, call: object, message: str) -> None:
    with pytest.raises(minsec.MinsecError, match=message):
        call()  # type: ignore[operator]


def test_a_missing_store_is_named(tmp_path: Path) -> None:
    with pytest.raises(minsec.MinsecError, match="no store at .*nothing.duckdb"):
        minsec.assess("KOR", store=tmp_path / "nothing.duckdb")
