"""Levers: how far each lever moves each national target.

The collection rate and the recovery rate (through a re-run of the recycling model), more
stockpile days, and one more MSP project (not modelled against the targets: see ``_LINKS``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from minsec import reference
from minsec.errors import MinsecError
from minsec.outlook.measures import recycled_share

RecyclingRun = Callable[[str, float], pd.DataFrame]  # (parameter, +delta) -> recycled frame


LEVERS = {  # lever -> (parameter of the recycling model, its change, the change as shown)
    "collection rate": ("collection_rate", 0.10, "+10 points"),
    "recovery rate": ("recovery_rate", 0.10, "+10 points"),
    "stockpile days": ("", 30.0, "+30 days"),
    "one more MSP project": ("", 1.0, "+1 project"),
}
_LINKS = {  # (lever kind, metric) -> how the effect is found, or why it is not
    ("recycling", "recycled_share"): "model",
    ("recycling", "top_supplier_share"): "not modelled: secondary supply would displace "
    "imports, but the split by supplier is unknown",
    ("recycling", "eu_recycling_share"): "not modelled: the EU measure is the EC's published "
    "EoL-RIR, not the recycling model",
    ("stockpile", "stockpile_days"): "stock",
    **{("msp", metric): "not modelled against this target: the registry has one project with "
       "a stated capacity (Mahenge, graphite); its effect on China's share of the importer's "
       "graphite imports is the portfolio what-if (minsec portfolio what-if mahenge)"
       for metric in ("top_supplier_share", "eu_single_country_share", "eu_extraction_share",
                      "eu_processing_share")},
}


def _lever_kind(lever: str) -> str:
    return "recycling" if LEVERS[lever][0] else "stockpile" if "stock" in lever else "msp"


def levers(targets: pd.DataFrame, tracked: pd.DataFrame,
           minerals: Mapping[str, Sequence[str]], recycled: pd.DataFrame | None = None,
           rerun: RecyclingRun | None = None) -> pd.DataFrame:
    """How far each lever moves each target it acts on, in the target's unit.

    ``effect`` = change of the value at the target year (signed; for recycling: ``100 *
    (R(rerun(parameter, +0.10)) - R(recycled))`` at the target year, :func:`recycled_share`;
    for stocks: +30 days, a one-off purchase that stays). ``gap_after`` = ``gap`` less the
    improvement. NaN with the reason where the link is not modelled or the input is missing.
    ``minerals``: scope -> mineral ids; ``rerun(parameter, delta)`` re-runs the recycling model
    with ``parameter`` raised by ``delta`` for all cohorts (passed in: this stays pure).
    """
    rows = []
    table = targets.merge(tracked[["importer", "target", "gap"]], on=["importer", "target"])
    for _, target in table.iterrows():
        for lever, (parameter, change, shown) in LEVERS.items():
            link = _LINKS.get((_lever_kind(lever), target["metric"]))
            if link is None:
                continue
            effect, note = float("nan"), link
            if link == "stock":
                effect, note = change, "a one-off purchase, kept to the target year"
            elif link == "model" and (rerun is None or recycled is None):
                note = "no recycling model run given"
            elif link == "model" and rerun is not None and recycled is not None:
                scope, year = minerals[target["scope"]], int(target["target_year"])
                effect = 100 * (recycled_share(rerun(parameter, change), scope, year)
                                - recycled_share(recycled, scope, year))
                note = f"recycling model re-run, {parameter} {shown}"
            sign = 1.0 if target["direction"] == "up" else -1.0
            rows.append({"importer": target["importer"], "lever": lever,
                         "target": target["target"], "change": shown, "effect": effect,
                         "unit": target["unit"], "gap_after": target["gap"] - sign * effect,
                         "note": note})
    return pd.DataFrame(rows, columns=["importer", "lever", "target", "change", "effect", "unit",
                                       "gap_after", "note"])


def scope_groups(scope: str) -> dict[str, str]:
    """Mineral id -> the entry of list ``scope`` it belongs to (reference/data/mineral_list)."""
    lists = reference.frame("mineral_list")
    rows = lists[lists["list"].eq(scope)]
    if rows.empty:
        raise MinsecError(f"scope: unknown mineral list {scope!r}")
    return dict(zip(rows["mineral"], rows["listed_as"].fillna(rows["mineral"]), strict=True))


def scope_minerals(scope: str, aggregates: bool = False) -> list[str]:
    """The mineral ids of mineral list ``scope`` (e.g. ``kr_strategic_2023``).

    ``aggregates`` adds ``rare_earths`` where the list names rare-earth elements: the recycling
    model counts the rare earths as one mineral.
    """
    found = sorted(scope_groups(scope))
    catalogue = reference.minerals()
    elements = set(catalogue.loc[catalogue["group"].eq("rare_earth"), "id"])
    return [*found, "rare_earths"] if aggregates and elements & set(found) else found


def recycling_rerun(config: object | None = None,
                    demand: pd.DataFrame | None = None) -> RecyclingRun:
    """A :data:`RecyclingRun` over ``minsec.outlook.recycling``: raise one rate and re-run.

    ``collection_rate``: every cohort's collection rate (each year's) + ``delta``;
    ``recovery_rate``: every mineral's recovery efficiency + ``delta``; both capped at 1.
    ``config``/``demand`` as :func:`minsec.outlook.recycling.run` takes them (the defaults and
    the defaults' IEA copy when None).
    """
    from minsec.outlook import recycling
    from minsec.outlook.recycling_config import RecyclingConfig, load_config

    base = config if isinstance(config, RecyclingConfig) else load_config()

    def raised(rate: float | Mapping[int, float], delta: float) -> float | dict[int, float]:
        if isinstance(rate, Mapping):
            return {year: min(1.0, value + delta) for year, value in rate.items()}
        return min(1.0, rate + delta)

    def rerun(parameter: str, delta: float) -> pd.DataFrame:
        if parameter == "collection_rate":
            cohorts = {name: cohort.model_copy(update={
                "collection_rate": raised(cohort.collection_rate, delta)})
                for name, cohort in base.cohorts.items()}
            changed = base.model_copy(update={"cohorts": cohorts})
        elif parameter == "recovery_rate":
            changed = base.model_copy(update={"recovery": {
                mineral: min(1.0, rate + delta) for mineral, rate in base.recovery.items()}})
        else:
            raise MinsecError(f"parameter: no recycling lever {parameter!r}")
        return recycling.run(changed, demand).recycled_share

    return rerun
