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
    value_at_risk: Array  # (M,) USD lost per tonne of unmet demand downstream
    basis: tuple[str, ...]  # (M,) where the import structure came from (BACI, curated, ...)
    sources: dict[str, str] = field(default_factory=dict)  # what each array was built from


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


@dataclass(frozen=True)
class Outcome:
    """What the draws came to, per draw and mineral (shapes ``(N, M)``)."""

    unmet: Array  # t of demand not met over the horizon
    days_short: Array  # days with unmet demand > 0
    min_stock: Array  # t, the lowest stock level
    released: Array  # t released from the stockpile
    price_jump: Array  # relative price rise at the worst day (0.5 = +50%)
    loss: Array  # USD: unmet x value at risk

