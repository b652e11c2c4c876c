"""The targets report: every target of an importer measured, tracked, and its levers.

One convenience over :mod:`~minsec.outlook.targets`, :mod:`~minsec.outlook.levers` and the
recycling model, shared by the command line and the benchmark (I/O: it reads the store).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from minsec import assessment
from minsec.errors import MinsecError
from minsec.outlook import recycling
from minsec.outlook import targets as T

LEVERS_SOURCE = "minsec targets levers (outlook/levers.py)"


@dataclass(frozen=True, repr=False)
class TargetsReport:
    """The tracked targets of one importer and the levers that move them.

    ``tracked``: one row per target (baseline, today, projected, on track, gap, ``source``);
    ``levers``: what each lever moves, with its ``source``.
    """

    importer: str
    tracked: pd.DataFrame
    levers: pd.DataFrame

    def __repr__(self) -> str:
        return (f"TargetsReport({self.importer!r}, {len(self.tracked)} targets, "
                f"{len(self.levers)} levers)")


def targets_report(importer: str, store: Path | None = None, stock_days: float = 54.0,
                   inputs: assessment.Inputs | None = None) -> TargetsReport:
    """Measure, track and lever the targets of ``importer`` (KOR, EU27 ...)."""
    if stock_days < 0:
        raise MinsecError(f"--stock-days: must be >= 0 (got {stock_days:g})")
    targets = T.load_targets()
    mine = targets[targets["importer"].eq(importer)]
    if mine.empty:
        known = ", ".join(sorted(targets["importer"].unique()))
        raise MinsecError(f"importer: no targets for {importer!r} (known: {known})")
    inputs = inputs or assessment.load(store)
    demand = recycling.load_inputs(store)
    recycled = recycling.run(demand=demand).recycled_share
    tracked = T.tracker(inputs, importer, recycled=recycled, current_stock_days=stock_days,
                        targets=targets, store=store)
    scopes = {s: T.scope_minerals(s, aggregates=True) for s in set(mine["scope"])
              if s.startswith(("kr_", "eu_"))}
    levers = T.levers(mine, tracked, scopes, recycled, T.recycling_rerun(demand=demand))
    levers = levers.assign(source=LEVERS_SOURCE)
    return TargetsReport(importer, tracked, levers)
