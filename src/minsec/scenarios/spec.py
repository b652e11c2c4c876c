"""What a disruption scenario says, validated and frozen: events, stockpile policy, run settings.

Read from YAML with ``yaml.safe_load`` only (a ``!!python/...`` tag is refused, never run), within
bounds of size, depth and alias expansion (:mod:`minsec.scenarios._yaml`). Every
validation error becomes one :class:`~minsec.errors.MinsecError` line naming the file, the line
and the field, e.g. ``x.yaml:7: events[0].magnitude.high: must be ≤ 1 (got 1.5)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import numpy as np
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from minsec.errors import MinsecError
from minsec.scenarios._errors import bad_yaml, one_line
from minsec.scenarios._fields import (
    Countries,
    Elasticity,
    Importer,
    MineralId,
    NonNegative,
    PerMineral,
    Targets,
    Url,
    _non_empty,
)
from minsec.scenarios._yaml import read_text, safe_load
from minsec.scenarios.model import Policy

KOREA_STOCKPILE_DAYS = 54.0  # 2023 rare-metal stockpile, target 100 by 2031 (facts.md §2.2)
KOREA_RELEASE_LAG_DAYS = 8.0  # 'swift release' to firms within 8 days (facts.md §2.2)
# Ours: a short-run price elasticity of demand for a metal (Δq/q = ε Δp/p), in the -0.1..-0.5
# range usual for metals; the USGS 2025 method uses per-commodity values not in the fact pack.
DEFAULT_ELASTICITY = -0.3
DEFAULT_SEED = 20230801  # any fixed number: the day China's first control (Ga/Ge) took effect


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Distribution(_Frozen):
    """A range sampled uniformly by the engine; ``low == high`` is a fixed value.

    YAML may give ``{low: 0.3, high: 0.8}``, ``[0.3, 0.8]`` or one number (fixed).
    """

    low: float
    high: float

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, data: Any) -> Any:
        if isinstance(data, Distribution):
            return {"low": data.low, "high": data.high}
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"low": data, "high": data}
        if isinstance(data, list | tuple) and len(data) == 2:
            return {"low": data[0], "high": data[1]}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be ≥ low ({self.low})")
        return self

    @property
    def fixed(self) -> bool:
        """Whether the range is a single value."""
        return self.low == self.high


class Magnitude(Distribution):
    """Fraction of the exporter's exports to the targets that is withheld, 0..1."""

    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)


class StartDay(Distribution):
    """Day of the horizon the cut starts on, ≥ 0 (day 0 = the start of the horizon)."""

    low: float = Field(ge=0)
    high: float = Field(ge=0)


class Duration(Distribution):
    """Days the cut lasts, ≥ 1."""

    low: float = Field(ge=1)
    high: float = Field(ge=1)


class Recovery(_Frozen):
    """Licences granted: ``after_days`` from the start, the cut falls to ``residual`` of itself."""

    after_days: StartDay
    residual: Magnitude


class Event(_Frozen):
    """One exporter decision: who cuts which minerals, at which stage, how much, to whom, when.

    Give ``magnitude`` (fraction withheld) or ``quota_t`` (an annual export quota in t; the
    engine cuts ``1 - quota_t / exports``, floored at 0), never both. ``targets``: all
    destinations, the MSP partners, the non-partners, or a list of importers (ISO3).
    The observed dynamics: ``recovery`` (licences easing the cut), ``leakage`` (share of the
    withheld flows that still arrive through third countries) and ``front_run_days`` (days of
    the importer's imports from the exporters bought ahead of the start). ``through``: the
    cut also reaches the importer through third countries' refiners, in proportion to the
    exporters' mined share of their sales (:mod:`minsec.scenarios.through`).
    """

    id: str | None = None
    exporters: Countries
    minerals: Annotated[tuple[MineralId, ...], AfterValidator(_non_empty)]
    stage: Literal["mining", "refining", "all"] = "all"
    magnitude: Magnitude | None = None
    quota_t: NonNegative | None = None
    targets: Targets = "all"
    start_day: StartDay = StartDay(low=0, high=0)
    duration_days: Duration
    probability: Annotated[float, Field(ge=0, le=1)] = 1.0
    recovery: Recovery | None = None
    leakage: Annotated[float, Field(ge=0, le=1)] = 0.0
    front_run_days: Annotated[float, Field(ge=0, le=365)] = 0.0
    through: bool | None = None
    source: Url | None = None

    @property
    def passes_through(self) -> bool:
        """Whether the cut reaches the importer through the refiners that use the ore.

        ``through`` unset: a ``mining`` event does (a mine country's ore ban); others do not
        (a refiner's export control stays at the refiner's own sales).
        """
        return self.stage == "mining" if self.through is None else self.through

    @model_validator(mode="after")
    def _one_size(self) -> Self:
        if (self.magnitude is None) == (self.quota_t is None):
            raise ValueError("give either magnitude (a fraction) or quota_t (t/yr), not "
                             f"{'both' if self.quota_t is not None else 'neither'}")
        return self


class StockpilePolicy(_Frozen):
    """Days of cover held at day 0, the lag before release, the release rate.

    Defaults are Korea's: 54 days of demand, released to firms within 8 days (facts.md §2.2,
    [K-yonhap] https://m-en.yna.co.kr/view/AEN20230227003300320 and [K-motie]). The release
    rate is ours: up to a full day's demand per day. With a dict, unlisted minerals hold no
    stock.
    """

    days_of_cover: PerMineral = KOREA_STOCKPILE_DAYS
    release_lag_days: NonNegative = KOREA_RELEASE_LAG_DAYS
    release_rate: Annotated[float, Field(gt=0)] = 1.0

    def days_for(self, mineral: str) -> float:
        """Days of cover of one mineral."""
        if isinstance(self.days_of_cover, Mapping):
            return float(self.days_of_cover.get(mineral, 0.0))
        return float(self.days_of_cover)

    def policy(self, minerals: tuple[str, ...]) -> Policy:
        """The engine's :class:`~minsec.scenarios.model.Policy` for these minerals."""
        days = np.array([self.days_for(m) for m in minerals], dtype=np.float64)
        return Policy(days, self.release_lag_days, self.release_rate)


class Scenario(_Frozen):
    """A disruption scenario: the events, the importer and its stockpile, the run settings."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    name: str
    description: str = ""
    importer: Importer = "KOR"
    events: tuple[Event, ...]
    stockpile: StockpilePolicy = StockpilePolicy()
    elasticity: Elasticity | None = None  # None: market_response.csv per mineral
    value_at_risk: dict[MineralId, NonNegative] = {}  # USD/t overrides of the engine defaults
    horizon_days: Annotated[int, Field(ge=1, le=3650)] = 365
    draws: Annotated[int, Field(ge=1, le=1_000_000)] = 10_000
    seed: Annotated[int, Field(ge=0)] = DEFAULT_SEED
    sources: tuple[Url, ...] = ()

    @field_validator("events")
    @classmethod
    def _named_once(cls, events: tuple[Event, ...]) -> tuple[Event, ...]:
        """At least one event, ids unique; two events may cut one exporter and mineral."""
        ids = [e.id for e in _non_empty(events) if e.id is not None]
        if dupes := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"event id {dupes[0]!r} is used twice")
        return events

    @property
    def minerals(self) -> tuple[str, ...]:
        """The minerals any event touches, in order of first mention."""
        return tuple(dict.fromkeys(m for e in self.events for m in e.minerals))

    def elasticity_of(self, mineral: str) -> float | None:
        """Price elasticity of demand of one mineral set by the scenario (None: not set)."""
        if isinstance(self.elasticity, Mapping):
            value = self.elasticity.get(mineral)
            return None if value is None else float(value)
        return None if self.elasticity is None else float(self.elasticity)

    def replace(self, **changes: Any) -> Scenario:
        """A validated copy with some top-level fields changed (e.g. ``draws=1000``)."""
        return parse({**self.model_dump(mode="json"), **changes}, f"scenario {self.id}")

    def with_policy(self, days: float | Mapping[str, float] | None = None,
                    lag: float | None = None, rate: float | None = None) -> Scenario:
        """A copy with another stockpile policy (unchanged where ``None``), for comparisons."""
        change = {"days_of_cover": days, "release_lag_days": lag, "release_rate": rate}
        stockpile = {**self.stockpile.model_dump(mode="json"),
                     **{k: v for k, v in change.items() if v is not None}}
        return self.replace(stockpile=stockpile)


def parse(data: Any, where: str = "<scenario>", text: str | None = None) -> Scenario:
    """Validate plain data as a :class:`Scenario`; an error names ``where`` and the field."""
    if not isinstance(data, Mapping):
        got = "nothing" if data is None else type(data).__name__
        raise MinsecError(f"{where}: a scenario is a mapping of fields (got {got})")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise one_line(exc, where, text, Scenario) from None


def load(source: str | Path | Mapping[str, Any]) -> Scenario:
    """A scenario from a YAML file, YAML text or a mapping; errors as one line each."""
    if isinstance(source, Mapping):
        return parse(source)
    path = Path(source) if isinstance(source, Path) or (
        "\n" not in source and (source.endswith((".yaml", ".yml")) or Path(source).is_file())
    ) else None
    text = read_text(path) if path is not None else str(source)
    where = str(path) if path is not None else "<text>"
    try:
        data = safe_load(text, where)
    except yaml.YAMLError as exc:
        raise bad_yaml(exc, where) from None
    return parse(data, where, text)


def dump(scenario: Scenario) -> str:
    """The scenario as YAML, every field written out; ``load(dump(s)) == s``."""
    return yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True)

