"""The arrays the scenario engine works on, named once so that every part speaks them.

A :class:`Baseline` is the importer's normal year, per mineral ``m`` and supplier ``s``
(tonnes per year). :class:`Shocks` are the sampled disruptions of every draw. The engine turns
both, with a stockpile policy, into :class:`Outcome` arrays per draw and mineral.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
NEVER = 1e9  # days: a cut that never eases


@dataclass(frozen=True)
class Baseline:
    """The importer's normal year: who supplies it, who else buys, and what a tonne is worth.

    Shapes: ``M`` minerals, ``S`` suppliers (exporters, ISO3).
    """

    importer: str
    year: int
    minerals: tuple[str, ...]  # (M,)
    suppliers: tuple[str, ...]  # (S,)
    imports: Array  # (M, S) t/yr the importer buys from each supplier
    exports: Array  # (M, S) t/yr each supplier exports to the whole world (incl. the importer)
    partner_exports: Array  # (M, S) t/yr of those exports that go to MSP partners
    spare_capacity: Array  # (M, S) t/yr a supplier can add to replace lost supply
    demand: Array  # (M,) t/yr the importer's annual demand (apparent consumption)
    world_supply: Array  # (M,) t/yr world production of the stage (for the price response)
    price: Array  # (M,) USD/t baseline price
    elasticity: Array  # (M,) price elasticity of demand (negative)
    value_at_risk: Array  # (M,) USD of value added lost downstream per tonne not bought
    basis: tuple[str, ...]  # (M,) where the import structure came from (BACI, curated, ...)
    sources: dict[str, str] = field(default_factory=dict)  # what each array was built from
    ramp_days: Array | None = None  # (M,) days for idle capacity to come fully on; None: 0
    supply_elasticity: Array | None = None  # (M,) price elasticity of supply (>= 0); None: 0
    price_cap: Array | None = None  # (M,) the largest price multiple; None: unbounded

    @property
    def ramp(self) -> Array:
        """Days for spare capacity to arrive in full, per mineral (0 where not given)."""
        return _or(self.ramp_days, 0.0, len(self.minerals))

    @property
    def eta(self) -> Array:
        """``|e_d| + e_s``: the price-elasticity of the gap (constant-elasticity market)."""
        return np.abs(self.elasticity) + _or(self.supply_elasticity, 0.0, len(self.minerals))

    @property
    def cap(self) -> Array:
        """The largest price multiple per mineral (inf where not given)."""
        return _or(self.price_cap, np.inf, len(self.minerals))

    @property
    def computed(self) -> npt.NDArray[np.bool_]:
        """Whether each mineral has the data for a baseline (basis not ``missing: ...``)."""
        return np.array([not b.startswith("missing") for b in self.basis], dtype=bool)


def _or(a: Array | None, default: float, m: int) -> Array:
    return np.full(m, default) if a is None else np.asarray(a, dtype=np.float64)


@dataclass(frozen=True)
class Policy:
    """A stockpile policy: cover, how late and how fast it is released."""

    days_of_cover: Array  # (M,) days of the importer's demand held in stock at day 0
    release_lag: float  # days after a cut starts before stock reaches firms (Korea: 8)
    release_rate: float  # most the stock can deliver per day, as a fraction of daily demand


@dataclass(frozen=True)
class Shocks:
    """The sampled disruptions: one cut per draw, mineral and supplier (at most).

    Shapes ``(N, M, S)`` for N draws. ``cut`` is the fraction of the supplier's exports
    withheld from the targeted destinations (0 = no event), active on days
    ``[start, start + duration)`` of the horizon. ``to_importer`` and ``to_others`` say
    whether the importer and the rest of the world are targeted (fraction of the supplier's
    other exports that are cut: 1 = all destinations, the partners' share for a cut aimed
    at MSP partners, 0 = only the importer).
    """

    cut: Array  # (N, M, S) 0..1
    start: Array  # (N, M, S) day
    duration: Array  # (N, M, S) days
    to_importer: Array  # (N, M, S) 0 or 1
    to_others: Array  # (N, M, S) 0..1 share of the supplier's other exports targeted
    ease: Array | None = None  # (N, M, S) days after start when licences ease the cut
    residual: Array | None = None  # (N, M, S) share of the cut left after it eases, 0..1
    leakage: Array | None = None  # (N, M, S) share of the withheld flows arriving anyway
    front_run: Array | None = None  # (N, M, S) days of imports bought ahead before start

    def __post_init__(self) -> None:
        """Absent dynamics: never eases, nothing leaks, nothing bought ahead."""
        for name, value in (("ease", NEVER), ("residual", 1.0), ("leakage", 0.0),
                            ("front_run", 0.0)):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(self.cut.shape, value))


@dataclass(frozen=True)
class Outcome:
    """What the draws came to, per draw and mineral (shapes ``(N, M)``)."""

    unmet: Array  # t of demand not met over the horizon
    days_short: Array  # days with unmet demand > 0
    min_stock: Array  # t, the lowest stock level
    released: Array  # t released from the stockpile
    price_jump: Array  # relative rise of the ex-cutter price over the horizon (0.5 = +50%)
    loss: Array  # USD: extra_cost + lost_value_added
    shortfall: Array | None = None  # t the importer could not buy, before its stock
    extra_cost: Array | None = None  # USD: the price rise on what the importer still bought
    lost_value_added: Array | None = None  # USD: unmet x value added per tonne

