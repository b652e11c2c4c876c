"""What the recycling model is told, validated and frozen: cohorts, lifetimes, rates, imports.

Defaults live in ``recycling.yaml``, each value with its source (a URL, or "ours") and a
confidence. :func:`load_config` lays a user's YAML file, then a mapping of overrides, over them;
a problem is one :class:`~minsec.errors.MinsecError` line naming file, line and field, e.g.
``my.yaml:3: cohorts.ev_batteries.collection_rate: must be ≤ 1 (got 1.5)``. Also here: the
defaults' sources (:func:`sources`), their copy of the IEA demand for runs without a store
(:func:`default_demand`), and the IEA recycling figures (:func:`iea_figures`, :func:`compare_iea`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal, cast, get_args

import numpy as np
import pandas as pd
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
)

from minsec.errors import MinsecError
from minsec.scenarios._errors import one_line

DEFAULTS = Path(str(files("minsec").joinpath("outlook", "recycling.yaml")))
IEA_BASE_YEAR, IEA_LAST_YEAR = 2023, 2050  # the IEA outlook's actual year and its horizon
Mineral = Literal["lithium", "nickel", "cobalt", "manganese", "graphite", "copper", "rare_earths"]
Cohort = Literal["ev_batteries", "stationary_storage", "portable_electronics", "magnets"]
MINERALS: tuple[Mineral, ...] = get_args(Mineral)
COHORTS: tuple[Cohort, ...] = get_args(Cohort)
_NOTES = ("source", "confidence", "note")  # provenance keys, dropped before validation
_DATA = ("default_demand", "validation")  # blocks of the defaults that are data, not parameters

Year = Annotated[int, Field(ge=1900, le=2100)]
Share = Annotated[float, Field(ge=0, le=1)]
Tonnes = Annotated[float, Field(ge=0)]


def _kind(value: Any) -> str:
    return "per_mineral" if isinstance(value, Mapping) else "fixed"


# One number for every year, or {year: value} linear between the years and flat beyond them.
# The tags are names one_line() leaves out of a field's path; "per_mineral" here means per year.
RatePath = Annotated[Annotated[Share, Tag("fixed")] | Annotated[
    dict[Year, Share], Field(min_length=1), Tag("per_mineral")], Discriminator(_kind)]
TonnesPath = Annotated[Annotated[Tonnes, Tag("fixed")] | Annotated[
    dict[Year, Tonnes], Field(min_length=1), Tag("per_mineral")], Discriminator(_kind)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Lifetime(_Frozen):
    """Years a product stays in use: mean and standard deviation of the distribution."""

    mean: Annotated[float, Field(gt=0, le=100)]
    sd: Annotated[float, Field(gt=0, le=100)]


class CohortParams(_Frozen):
    """One product cohort: the IEA demand that feeds it, its mineral content, life and collection.

    ``content_share[m]``: share of the IEA demand of ``sector`` for mineral ``m`` that is in this
    cohort's new products. ``history``: the cohort's inflow before the IEA's first year as a
    share of that year's ({year: index}, linear between years, flat before the first).
    """

    sector: str
    content_share: dict[Mineral, Share]
    lifetime: Lifetime
    collection_rate: RatePath
    history: dict[Year, Tonnes]

    @field_validator("history")
    @classmethod
    def _before_base(cls, history: dict[int, float]) -> dict[int, float]:
        if late := [year for year in history if year >= IEA_BASE_YEAR]:
            raise ValueError(f"years must be before {IEA_BASE_YEAR}, the IEA's first year "
                             f"(got {late[0]})")
        return history


class RecyclingConfig(_Frozen):
    """Every parameter of the recycling model; :func:`load_config` fills it from the defaults."""

    scenario: Literal["STEPS", "APS", "NZE"]
    first_year: Annotated[int, Field(ge=1950, lt=IEA_BASE_YEAR)]
    last_year: Annotated[int, Field(ge=IEA_BASE_YEAR, le=IEA_LAST_YEAR)]
    demand_share: Annotated[float, Field(gt=0, le=1)]
    lifetime_distribution: Literal["normal", "foldednormal", "lognormal"]
    cohorts: dict[Cohort, CohortParams]
    recovery: dict[Mineral, Share]
    scrap_imports: dict[Mineral, TonnesPath] = {}

    @field_validator("cohorts")
    @classmethod
    def _every_cohort(cls, cohorts: dict[str, CohortParams]) -> dict[str, CohortParams]:
        if missing := [c for c in COHORTS if c not in cohorts]:
            raise ValueError(f"missing cohort {missing[0]!r}")
        return cohorts

    @property
    def years(self) -> np.ndarray:
        """The model's years, ``first_year..last_year``."""
        return np.arange(self.first_year, self.last_year + 1)


def path_values(value: float | Mapping[int, float], years: np.ndarray) -> np.ndarray:
    """A rate or tonnage by year: one number everywhere, or {year: value} interpolated."""
    if isinstance(value, Mapping):
        known = sorted(value)
        return np.interp(years, known, [value[y] for y in known])
    return np.full(len(years), float(value))


def load_config(path: str | Path | None = None,
                overrides: Mapping[str, Any] | None = None) -> RecyclingConfig:
    """The defaults, overridden by a user's YAML file, then by ``overrides`` (plain values)."""
    data = _strip({k: v for k, v in _defaults().items() if k not in _DATA}, "", [])
    where, text = str(DEFAULTS), cast(str | None, _defaults_text())
    if path is not None:
        where, text = str(path), _read(Path(path))
        data = _merge(data, _strip(_mapping(_load(text, where), where), "", []))
    if overrides:
        data, where, text = _merge(data, dict(overrides)), f"{where} + overrides", None
    try:
        return RecyclingConfig.model_validate(data)
    except ValidationError as exc:
        raise one_line(exc, where, text, RecyclingConfig) from None


def sources() -> pd.DataFrame:
    """The default parameters: ``parameter, value, source, confidence, note``."""
    rows: list[dict[str, Any]] = []
    _strip({k: v for k, v in _defaults().items() if k not in _DATA}, "", rows)
    return pd.DataFrame(rows, columns=["parameter", "value", "source", "confidence", "note"])


@cache
def _default_demand() -> pd.DataFrame:
    block = _defaults()["default_demand"]
    base, years = block["years"][0], block["years"]
    rows = [(mineral, scenario if year != base else "baseline", sector, year, kt)
            for mineral, sectors in block["kt"].items() for sector, paths in sectors.items()
            for scenario, values in paths.items() for year, kt in zip(years, values, strict=True)]
    frame = pd.DataFrame(rows, columns=["mineral", "scenario", "sector", "year", "value"])
    return frame.drop_duplicates(["mineral", "scenario", "sector", "year"], ignore_index=True)


def default_demand() -> pd.DataFrame:
    """The IEA demand kept in the defaults: ``mineral, scenario, sector, year, value`` (kt).

    The layout of the store's ``demand_outlook`` (2023 actuals as scenario ``baseline``), for
    the sectors the cohorts read; :func:`~minsec.outlook.recycling.load_inputs` reads the store.
    """
    return _default_demand().copy()


def iea_figures() -> pd.DataFrame:
    """The IEA recycling figures: ``mineral, scenario, year, value, source, confidence, note``."""
    rows = [{"mineral": mineral, "scenario": figure["scenario"], "year": figure["year"],
             "value": value, "source": figure["source"], "confidence": figure["confidence"],
             "note": figure["note"]}
            for figure in _defaults()["validation"].values()
            for mineral, value in figure["value"].items()]
    return pd.DataFrame(rows)


def compare_iea(recycled_share: pd.DataFrame) -> pd.DataFrame:
    """A run's ``recycled_share`` beside the IEA's figures: one row per mineral.

    ``iea``: the IEA's cut in new-mine needs; ``share = S/D`` in the figure's year;
    ``growth_cut = (S_y - S_0) / (D_y - D_0)`` from the first year with a demand (our reading
    of "growth in new mining supply brought down by x%"); the differences in points of 1.
    """
    rows = []
    for figure in iea_figures().to_dict("records"):
        own = recycled_share[recycled_share["mineral"] == figure["mineral"]].set_index("year")
        start, end = own.iloc[0], own.loc[int(figure["year"])]
        growth = (end["secondary_t"] - start["secondary_t"]) / (end["demand_t"] - start["demand_t"])
        rows.append({"mineral": figure["mineral"], "year": figure["year"], "iea": figure["value"],
                     "share": end["share"], "growth_cut": growth, "basis": end["demand_basis"]})
    out = pd.DataFrame(rows)
    return out.assign(share_minus_iea=out["share"] - out["iea"],
                      growth_cut_minus_iea=out["growth_cut"] - out["iea"])


@cache
def _defaults_text() -> str:
    return DEFAULTS.read_text(encoding="utf-8")


@cache
def _defaults() -> dict[str, Any]:
    return _mapping(_load(_defaults_text(), str(DEFAULTS)), str(DEFAULTS))


def _read(path: Path) -> str:
    if not path.is_file():
        raise MinsecError(f"{path}: no such recycling config file")
    return path.read_text(encoding="utf-8")


def _load(text: str, where: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark, problem = getattr(exc, "problem_mark", None), getattr(exc, "problem", None) or exc
        at = f"{where}:{mark.line + 1}" if mark is not None else where
        if "tag" in str(problem):
            raise MinsecError(f"{at}: YAML tags are not allowed: a config is plain data") from None
        raise MinsecError(f"{at}: not valid YAML: {problem}") from None


def _mapping(data: Any, where: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise MinsecError(f"{where}: a recycling config is a mapping of parameters "
                          f"(got {type(data).__name__})")
    return dict(data)


def _strip(node: Any, path: str, rows: list[dict[str, Any]]) -> Any:
    """``node`` without provenance: ``{value: v, source: ...}`` becomes ``v``, one row each."""
    if not isinstance(node, Mapping):
        return node
    if "source" in node:
        bare = {k: v for k, v in node.items() if k not in _NOTES}
        value = bare["value"] if set(bare) == {"value"} else bare
        rows.append({"parameter": path, "value": value, "source": node["source"],
                     "confidence": node.get("confidence"), "note": node.get("note")})
        return value
    return {k: _strip(v, f"{path}.{k}" if path else str(k), rows) for k, v in node.items()}


def _merge(base: Any, over: Any) -> Any:
    """``over`` laid on ``base``: mappings of names merge key by key; the rest is replaced."""
    if isinstance(base, Mapping) and isinstance(over, Mapping) and all(
            isinstance(key, str) for key in over):
        return {**base, **{key: _merge(base.get(key), value) for key, value in over.items()}}
    return over
