"""The optimiser form's job: the same calls as ``minsec portfolio optimise``, as a section.

The analytics are :func:`minsec.portfolio.optimise.optimise` (a MILP over the draws of
:func:`minsec.portfolio.report.scenario_draws`); this module only reads the form and lays out
the result with its sources.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minsec.briefing import Section
from minsec.web.jobs import Progress

SOURCES = ["Scenario draws: minsec scenario library (China's export controls since 2023, the "
           "DRC's cobalt measures), each scenario with its sources",
           "Countries' MSP regions: UN M49 (the store's region table)",
           "Candidates: the uploaded file (source_url per row)"]


def select(found: pd.DataFrame, budget: float, importer: str, draws: int,
           quotas: dict[str, int], store: Path | None, progress: Progress) -> Section:
    """Draw the scenarios, then choose the candidates for the budget."""
    from minsec.portfolio.report import scenario_draws, select_projects

    progress(0, 2)
    sample = scenario_draws(importer, draws, store)
    progress(1, 2)
    choice, summary = select_projects(found, budget, sample, quotas, store)
    progress(2, 2)
    weighed = int(summary["weighed"].iloc[0])
    notes = [f"{len(choice.chosen)} of {weighed} candidates weighed chosen for "
             f"{budget:,.0f} USD: expected loss {choice.loss_before:,.0f} -> "
             f"{choice.loss_after:,.0f} USD ({draws:,} draws, {importer})."]
    left = choice.table[choice.table["left_out"].notna()]
    if len(left):
        notes.append(f"{len(left)} of {len(choice.table)} uploaded candidates left out (not "
                     "weighed, reason in the candidates table's left_out): "
                     + "; ".join(f"{i}: {r.removeprefix('left out: ')}"
                                 for i, r in zip(left["id"], left["left_out"], strict=True)))
    return Section("optimiser", "Project selection", {"selection": summary,
                   "candidates": choice.table}, notes=notes, sources=SOURCES)
