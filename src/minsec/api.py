"""The notebook front door: ``minsec.assess``, ``trend``, ``compare``, ``scenario`` ... .

... ``outlook``, ``targets`` and ``report``: thin over the library the command line calls
(:mod:`minsec.assessment`, :mod:`minsec.scenarios.runner`, :mod:`minsec.outlook`,
:mod:`minsec.report`). Each returns tidy DataFrames with a ``source`` column, or a small
result object holding them. The store is ``store=`` or ``$MINSEC_STORE`` (else the user data
directory); what is read from it is kept per store file and modification time, so a second
call is quick and a rebuilt store is re-read. A user mistake (an unknown importer, mineral,
scenario or year) is a :class:`MinsecError`.

>>> import minsec
>>> table = minsec.assess("KOR", 2023)
>>> table.loc[table["mineral"].eq("graphite"), "top_supplier"].item()
'CHN'
"""

from __future__ import annotations

import inspect
import os
import sys
import types
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from minsec.countries import resolve
from minsec.errors import MinsecError
from minsec.store import default_path

if TYPE_CHECKING:  # the library is imported when first used: `import minsec` stays quick
    from minsec import assessment
    from minsec.api_results import Outlook, ScenarioRun
    from minsec.outlook.report import TargetsReport
    from minsec.report import Written
    from minsec.scenarios.baseline import BaselineInputs

Store = str | os.PathLike[str] | None


class FrontDoor(types.ModuleType):
    """A package that is also a front-door function: ``minsec.report(...)``, ``outlook(...)``.

    ``minsec.outlook`` stays the package (``minsec.outlook.demand`` ...); calling it calls
    the function of :mod:`minsec.api` of the same name.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The function of :mod:`minsec.api` named as the package."""
        return globals()[self.__name__.rpartition(".")[2]](*args, **kwargs)


def front_door(package: str) -> None:
    """Make ``package`` (``minsec.outlook``, ``minsec.report``) callable as its function."""
    module = sys.modules[package]
    module.__class__ = FrontDoor
    function = globals()[package.rpartition(".")[2]]
    module.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]


def _path(store: Store) -> Path:
    path = Path(store).expanduser() if store is not None else default_path()
    if not path.is_file():
        raise MinsecError(f"no store at {path}: run `minsec data build` (or minsec.build()) "
                          "first, or pass store=")
    return path


@lru_cache(maxsize=2)
def _assessment_inputs(path: Path, stamp: int) -> assessment.Inputs:
    from minsec import assessment

    return assessment.load(path)


@lru_cache(maxsize=2)
def _scenario_inputs(path: Path, stamp: int) -> BaselineInputs:
    from minsec.scenarios.baseline import load_inputs

    return load_inputs(path)


def inputs(store: Store = None) -> assessment.Inputs:
    """The store's tables the assessment reads, read once per store file and version."""
    path = _path(store)
    return _assessment_inputs(path, path.stat().st_mtime_ns)


def importer_code(trade: pd.DataFrame, name: str) -> str:
    """The ISO3 (or EU27) of ``name``, if ``trade`` (mineral trade) records its imports."""
    code = resolve(name)
    if code != "EU27" and not trade["importer"].eq(code).any():
        raise MinsecError(f"no trade recorded for {code}")
    return code


def trade_year(trade: pd.DataFrame, year: int | None, option: str = "year") -> int:
    """``year`` if the trade data cover it, else their latest year when ``year`` is None."""
    latest = int(trade["year"].max())
    if year is not None and not 1995 <= year <= latest:
        raise MinsecError(f"{option} {year}: the trade data cover 1995-{latest}")
    return latest if year is None else int(year)


def assess(importer: str = "KOR", year: int | None = None, *,
           methods: Iterable[str] | None = None, all_minerals: bool = False,
           store: Store = None) -> pd.DataFrame:
    """One row per mineral, ranked by ``risk_score``: every indicator, its year and basis.

    As ``minsec assess`` (:func:`minsec.assessment.assess`): ``importer`` by ISO3, name or
    EU27; ``year`` the trade year (default the latest); ``methods`` some of
    :data:`minsec.assessment.METHODS`; ``all_minerals`` also those on no list. ``source``
    names what each row's figures come from.

    >>> import minsec
    >>> kor = minsec.assess("Korea", 2023)
    >>> print(kor[["mineral", "rank", "top_supplier"]].head(2).to_string(index=False))
     mineral  rank top_supplier
     niobium     1          BRA
    tungsten     2          CHN
    >>> for part in kor["source"].iloc[0].split("; "):
    ...     print(part)
    imports: BACI 2023 (minsec trade by form: BACI HS92, UN Comtrade, ITC Trade Map
    contained tonnes)
    mining: USGS MCS 2025 (2023)
    risk_score: minsec assessment
    >>> minsec.assess("KOR", 2051)
    Traceback (most recent call last):
    minsec.errors.MinsecError: year 2051: the trade data cover 1995-2024
    """
    from minsec import assessment
    from minsec.api_results import source_of

    found = inputs(store)
    code = importer_code(found.mineral_trade, importer)
    chosen = trade_year(found.mineral_trade, year)
    if unknown := sorted(set(methods or []) - set(assessment.METHODS)):
        raise MinsecError(f"unknown method {', '.join(unknown)}; choose from "
                          f"{', '.join(assessment.METHODS)}")
    table = assessment.assess(found, code, chosen, list(methods or assessment.METHODS),
                              listed_only=not all_minerals)
    return table.assign(source=source_of(table))


def trend(mineral: str, importer: str = "KOR", *, store: Store = None) -> pd.DataFrame:
    """One row per year: the indicators of one mineral for one importer (``minsec trend``).

    >>> import minsec
    >>> graphite = minsec.trend("graphite", "KOR")
    >>> print(graphite[["year", "top_supplier", "china_share"]].tail(2).to_string(index=False))
     year top_supplier  china_share
     2023          CHN         0.97
     2024          CHN         0.97
    >>> minsec.trend("unobtainium")
    Traceback (most recent call last):
    minsec.errors.MinsecError: unknown mineral 'unobtainium'; did you mean uranium, ...
    """
    from minsec import assessment
    from minsec.api_results import source_of
    from minsec.reference import mineral_id

    mid = mineral_id(mineral)
    found = inputs(store)
    code = importer_code(found.mineral_trade, importer)
    table = assessment.trend(found, mid, code)
    if table.empty:
        raise MinsecError(f"no indicator of {mid} for {code} in any year")
    return table.assign(source=source_of(table))


def compare(importers: Iterable[str] = ("KOR", "JPN", "USA", "DEU"), year: int | None = None,
            minerals: Iterable[str] | None = None, *, store: Store = None) -> pd.DataFrame:
    """Importers side by side: one row per importer and mineral (``minsec compare``).

    >>> import minsec
    >>> both = minsec.compare(["KOR", "JPN"], 2023, minerals=["graphite"])
    >>> print(both[["importer", "mineral", "top_supplier"]].to_string(index=False))
    importer  mineral top_supplier
         JPN graphite          CHN
         KOR graphite          CHN
    """
    from minsec import assessment
    from minsec.reference import mineral_id

    wanted = {mineral_id(m) for m in minerals or []}
    names = [importers] if isinstance(importers, str) else list(importers)
    if not names:
        raise MinsecError("importers: name at least one importer, e.g. ['KOR', 'JPN']")
    frames = [assess(name, year, store=store) for name in names]
    table = pd.concat([f[f["mineral"].isin(wanted)] if wanted else f for f in frames])
    columns = ["importer", "mineral", "lists", *assessment.COMPARE, "year", "source"]
    return table[columns].sort_values(["mineral", "importer"], ignore_index=True)


def scenario(name: str | os.PathLike[str], importer: str | None = None, *,
             year: int | None = None, draws: int | None = None, seed: int | None = None,
             stockpile_days: float | None = None, release_lag: float | None = None,
             store: Store = None) -> ScenarioRun:
    """Run a library scenario (by id) or a YAML file: the Monte Carlo of ``minsec scenario run``.

    ``importer`` and ``draws``, ``seed``, ``stockpile_days``, ``release_lag`` override the
    spec's; ``year`` is the baseline year (default the latest trade year, as the briefing's).

    >>> import minsec
    >>> run = minsec.scenario("CN-2023-graphite", draws=200, year=2023)
    >>> run
    ScenarioRun('CN-2023-graphite', importer='KOR', year=2023, draws=200, minerals=['graphite'])
    >>> float(run.summary["p_shortfall"].iloc[0]) > 0
    True
    """
    from minsec.api_results import ScenarioRun
    from minsec.scenarios import library, runner, spec

    path = Path(name)
    chosen = spec.load(path) if path.suffix in {".yaml", ".yml"} or path.is_file() else (
        library.get(str(name)))
    where = _path(store)
    found = _scenario_inputs(where, where.stat().st_mtime_ns)
    changes: dict[str, object] = {k: v for k, v in {"draws": draws, "seed": seed}.items()
                                  if v is not None}
    if importer is not None:
        changes["importer"] = importer_code(found.mineral_trade, importer)
    chosen = chosen.replace(**changes).with_policy(days=stockpile_days, lag=release_lag)
    when = trade_year(found.mineral_trade, year)
    return ScenarioRun.of(chosen, when, runner.run(chosen, found, when))


def outlook(mineral: str, scenario: str = "APS", importer: str | None = None, *,
            share: float | None = None, store: Store = None) -> Outlook:
    """IEA 2024 demand by sector to 2050, world or scaled to an importer (``minsec outlook``).

    The sectors add up; the IEA's own totals are apart (``totals``), never added to them.
    ``share``: your own share of world demand (0-1) instead of the importer's computed one.

    >>> import minsec
    >>> li = minsec.outlook("lithium", "APS")
    >>> li
    Outlook('lithium', 'APS', world, 2023-2050, 3 sectors)
    >>> li.demand.groupby("year")["value_kt"].sum().round(1).to_dict()[2050]  # the sectors
    1607.1
    >>> li.totals.query("year == 2050")[["sector", "value_kt", "covers"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'sector': 'Total', 'value_kt': 1607.11, 'covers': 'all uses'},
     {'sector': 'Total clean technologies', 'value_kt': 1452.01, 'covers': 'clean technologies'}]
    """
    from minsec.api_results import Outlook
    from minsec.outlook import demand
    from minsec.reference import mineral_id

    mid, where = mineral_id(mineral), _path(store)
    table = demand.outlook(demand.load_demand(where), mid, scenario)
    totals = demand.outlook_totals(demand.load_totals(where), mid, scenario)
    chosen = None
    if importer is not None or share is not None:
        code = resolve(importer or "KOR")
        chosen = (demand.user_share(share, code, mid, "share= in minsec.outlook()")
                  if share is not None else
                  demand.importer_share(demand.load_shares(where, code), mid))
        table = demand.importer_outlook(table, chosen)
        totals = demand.importer_outlook(totals, chosen)
    return Outlook.of(table, totals, chosen)


def targets(importer: str = "KOR", *, stock_days: float = 54.0,
            store: Store = None) -> TargetsReport:
    """The importer's national targets measured, projected and levered (``minsec targets``).

    >>> import minsec
    >>> kor = minsec.targets("KOR")
    >>> kor
    TargetsReport('KOR', 3 targets, 6 levers)
    >>> kor.tracked[["target", "baseline", "unit"]].to_dict("records")[0]
    {'target': 'dependence', 'baseline': 80.0, 'unit': '%'}
    """
    from minsec.outlook.report import targets_report

    where = _path(store)
    return targets_report(resolve(importer), where, stock_days, inputs(where))


def report(importer: str = "KOR", year: int | None = None, out: str | os.PathLike[str] = "out",
           *, draws: int = 2000, store: Store = None) -> Written:
    """Write the briefing (HTML, PDF through Chromium, XLSX) into ``out``; the paths written.

    >>> import minsec
    >>> minsec.report("KOR", out="out")  # doctest: +SKIP
    Written(html=PosixPath('out/minsec-briefing-KOR-2024.html'), ...)
    """
    from minsec.briefing import context
    from minsec.report import write

    return write(context(importer, year, _path(store)), Path(out), draws)
