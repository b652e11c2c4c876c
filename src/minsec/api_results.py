"""What the notebook front door (:mod:`minsec.api`) returns: tidy tables with their sources.

The result objects hold DataFrames and print as one short line; their fields are the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from minsec.briefing.overview import row_source
from minsec.outlook.demand import Share
from minsec.scenarios.runner import Result
from minsec.scenarios.spec import Scenario

IEA = "IEA (2024), Critical Minerals Data Explorer, CC BY 4.0"


def source_of(table: pd.DataFrame) -> pd.Series:
    """Per row of an assessment or trend table, where its figures come from."""
    trend = "mining_source" not in table and "mining_edition" in table  # one row a year
    if trend:
        stages = ("mining", "refining")
        table = table.rename(columns={f"{s}_edition": f"{s}_source" for s in stages}).assign(
            **{f"{s}_year": table["year"] for s in stages})
    found = [row_source(row) for _, row in table.iterrows()]
    if trend:  # a trend has no risk score
        found = [text.rpartition("; risk_score:")[0] for text in found]
    return pd.Series(found, index=table.index, dtype="object")


@dataclass(frozen=True, repr=False)
class ScenarioRun:
    """A scenario run: ``summary`` per mineral (with ``source``), the spec and the draws.

    ``summary``: as ``minsec scenario run --format csv`` (losses in USD), plus ``source``;
    ``draws()``: one row per draw and mineral; ``spec``: the scenario as YAML.
    """

    id: str
    importer: str
    year: int
    draws: int
    seed: int
    spec: str
    summary: pd.DataFrame
    result: Result

    @classmethod
    def of(cls, scenario: Scenario, year: int, result: Result) -> ScenarioRun:
        """The run of ``scenario`` on the ``year`` baseline, its summary sourced."""
        cited = " | ".join(scenario.sources or tuple(e.source for e in scenario.events
                                                     if e.source))
        summary = result.summary()
        summary = summary.assign(year=year, source=[
            f"baseline: {basis}; scenario {scenario.id}: {cited}" for basis in summary["basis"]])
        return cls(scenario.id, scenario.importer, year, result.draws, result.seed,
                   result.spec, summary, result)

    def draws_table(self) -> pd.DataFrame:
        """One row per draw and mineral: unmet, days short, stock, release, price, loss."""
        return self.result.draws_table()

    def __repr__(self) -> str:
        minerals = self.summary["mineral"].tolist()
        return (f"ScenarioRun({self.id!r}, importer={self.importer!r}, year={self.year}, "
                f"draws={self.draws}, minerals={minerals!r})")


@dataclass(frozen=True, repr=False)
class Outlook:
    """IEA demand of one mineral and scenario by year (kt), sourced.

    ``demand``: by sector (the sectors add up); ``totals``: the IEA's own totals, with what
    each ``covers`` (all uses, clean technologies), never to be added to the sectors;
    ``share``: the importer's share of world consumption both are scaled by (None: world).
    """

    mineral: str
    scenario: str
    demand: pd.DataFrame
    totals: pd.DataFrame
    share: Share | None = None

    @classmethod
    def of(cls, demand: pd.DataFrame, totals: pd.DataFrame, share: Share | None) -> Outlook:
        """The outlook frames with their source (and the share's basis, when scaled)."""
        source = IEA if share is None else f"{IEA}; x {share.value:.4g}: {share.basis}"
        return cls(str(demand["mineral"].iloc[0]), str(demand["scenario"].iloc[0]),
                   demand.assign(source=source), totals.assign(source=source), share)

    def __repr__(self) -> str:
        who = "world" if self.share is None else f"{self.share.importer} {self.share.value:.1%}"
        years = self.demand["year"]
        return (f"Outlook({self.mineral!r}, {self.scenario!r}, {who}, {years.min()}-"
                f"{years.max()}, {self.demand['sector'].nunique()} sectors)")
