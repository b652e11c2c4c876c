"""Section data builders shared by the report (``minsec report``) and the web app.

The contract: :func:`context` loads one importer and year once; each builder returns a
:class:`Section` (tidy tables, Plotly figure dicts, sentences with the computed figures, and
their sources). :func:`briefing` is the report, in order. Builders are thin views over the
library (assessment, profile, scenarios, portfolio, outlook, store).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from minsec.briefing.annex import methods
from minsec.briefing.core import Context, Section, context, strategic_list, strategic_minerals
from minsec.briefing.minerals import mineral_profile, outlook, profiled
from minsec.briefing.overview import headline, risk_matrix
from minsec.briefing.plans import portfolio, target_importers, targets
from minsec.briefing.scenarios import scenario_run, scenarios
from minsec.errors import MinsecError


def briefing(ctx: Context, draws: int = 2000) -> list[Section]:
    """The report, in order: headline, matrix, profiles, scenarios, portfolio, targets, annex.

    A part whose capability has no data for the importer (a ``MinsecError``, e.g. scenarios
    for the EU27 aggregate) is omitted; the annex says why.
    """
    parts, omitted = [headline(ctx), risk_matrix(ctx)], []

    def add(label: str, build: Callable[[], Section]) -> None:
        try:
            parts.append(build())
        except MinsecError as exc:
            omitted.append((label, str(exc)))

    for mineral, also in profiled(ctx):
        add(f"profile of {mineral}", partial(mineral_profile, ctx, mineral, also))
    add("scenarios", partial(scenarios, ctx, draws=draws))
    add("portfolio", partial(portfolio, ctx))
    add("targets", partial(targets, ctx))
    parts.append(methods(ctx, shown=parts, omitted=omitted))
    return parts


__all__ = ["Context", "Section", "briefing", "context", "headline", "methods",
           "mineral_profile", "outlook", "portfolio", "profiled", "risk_matrix", "scenario_run",
           "scenarios", "strategic_list", "strategic_minerals", "target_importers", "targets"]
