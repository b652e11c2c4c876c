"""The scenario library: one YAML file per real (or clearly hypothetical) event, with sources.

Files live in ``scenarios/library/<id>.yaml``; historical replays are built from
``reference/data/export_control.csv`` and the fact pack (facts.md §4), hypothetical ones have
ids starting ``HYP-`` and a judged probability. Each file says in comments where its ranges come
from.
"""

from __future__ import annotations

from difflib import get_close_matches
from functools import cache
from importlib.resources import files
from pathlib import Path

import pandas as pd

from minsec.errors import MinsecError
from minsec.scenarios.spec import Scenario, load

LIBRARY = Path(str(files("minsec").joinpath("scenarios", "library")))


@cache
def _paths() -> dict[str, Path]:
    return {path.stem: path for path in sorted(LIBRARY.glob("*.yaml"))}


def ids() -> list[str]:
    """The ids of the library's scenarios, sorted."""
    return list(_paths())


@cache
def get(scenario_id: str) -> Scenario:
    """A library scenario by id (case-insensitive); an unknown id names the nearest ones."""
    by_key = {key.casefold(): path for key, path in _paths().items()}
    path = by_key.get(scenario_id.strip().casefold())
    if path is None:
        near = get_close_matches(scenario_id.strip().casefold(), list(by_key), n=3, cutoff=0.5)
        names = [by_key[key].stem for key in near] or ids()
        hint = "did you mean" if near else "known ids:"
        raise MinsecError(f"unknown scenario {scenario_id!r}; {hint} {', '.join(names)}")
    scenario = load(path)
    if scenario.id != path.stem:
        raise MinsecError(f"{path}: id {scenario.id!r} differs from the file name {path.stem!r}")
    return scenario


def list_scenarios() -> pd.DataFrame:
    """One row per library scenario: ``id, name, events, minerals, importer, source``.

    ``events`` counts the events, ``minerals`` joins the mineral ids with ``", "`` and
    ``source`` the scenario's source URLs with ``" | "`` (as in the reference CSVs).
    """
    rows = [{"id": s.id, "name": s.name, "events": len(s.events),
             "minerals": ", ".join(s.minerals), "importer": s.importer,
             "source": " | ".join(s.sources or tuple(e.source for e in s.events if e.source))}
            for s in map(get, ids())]
    return pd.DataFrame(rows, columns=["id", "name", "events", "minerals", "importer", "source"])
