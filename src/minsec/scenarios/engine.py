"""Vectorised Monte Carlo of supply cuts, the world market, the stockpile (pure NumPy).

Physics of mineral ``m`` on day ``t`` (rates per day = annual / 365), each supplier ``s``:

* **The cut.** ``c_s = cut_s (1 - leak_s)``, times ``residual_s`` from ``start_s + ease_s``
  (licences granted: the observed recovery, :mod:`minsec.scenarios.library`). Withheld:
  ``w_s = c_s (to_importer_s I_s + to_others_s (E_s - I_s))``, ``W = sum_s w_s``; of it
  ``T = sum_s c_s to_importer_s (1 - to_others_s) I_s`` is aimed at the importer alone, and
  ``theta = 1 - T / W`` is a cut of the whole market.
* **Replacement.** Idle capacity of the suppliers not cutting arrives in
  :data:`RAMP_STEPS` equal steps over ``ramp`` days from the first cut (USGS 2025: available
  excess capacity); a cut aimed at the importer is also replaced by the other suppliers
  diverting their other sales. ``R = min(offered, W)``, gap ``G = W - R``.
* **Who is short.** A market cut is shared by every buyer in proportion to its purchases
  (one world price clears the market: the importer's share ``I / Q``, ``Q = sum_s E_s`` the
  ex-cutter market); a targeted cut falls on the importer as it lost it (Marchand et al.
  2016): ``shortfall = G (theta I / Q + (1 - theta) L / W)``, ``L`` the importer's own loss.
* **Stock.** From day ``t_r`` (the first cut + ``ceil(release_lag)``) the stock releases
  ``min(shortfall, rate d, stock)``; ``unmet = shortfall - release``. What firms bought ahead
  (``front_run_s`` days of ``I_s``) adds to the stock.
* **Price.** A constant-elasticity market: the ex-cutter price multiple is
  ``min(cap, (1 - g)^(-1 / eta))``, ``g`` the horizon's mean gap as a share of ``Q`` and
  ``eta = |e_d| + e_s`` (USGS OFR 2025-1047: elasticities of demand and supply).
* **Loss** (USGS OFR 2025-1047's logic): the extra cost of what is still bought,
  ``(multiple - 1) price (I h/365 - shortfall)``, plus the value added lost downstream for
  what is not, ``unmet x value_at_risk``.

Conventions. Days are whole: a cut is felt on the days ``t`` of ``[0, horizon)`` with
``start <= t < start + duration`` (``sample`` rounds both to the nearest day; fractional
values count from ``ceil``). A day is short when its unmet demand exceeds ``ZERO_TOL`` of the
daily demand (no rounding noise). The stock never refills, so ``min_stock`` is the stock left
at the end. ``price_jump`` is NaN where ``Q`` is 0 and a cut is active.

Integration is exact and event based: between the days of the cuts, their easing, the ramp
steps and ``t_r`` every rate is constant, so each draw x mineral is a few segments (none per
day). ``trace=True`` also runs the plain daily loop, which the tests hold the segments to.

Seeds: draw ``i`` lies in block ``i // BLOCK``, sampled by
``default_rng(SeedSequence(seed, spawn_key=(b,)))``, which is
``SeedSequence(seed).spawn(n)[b]`` for any ``n > b``, and simulated alone. Chunks (and Dask
tasks) are whole blocks, so results are bit-identical whatever the chunking or backend.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Literal, overload

import numpy as np
import numpy.typing as npt

from minsec.scenarios.model import NEVER, Array, Baseline, Outcome, Policy, Shocks

BLOCK = 1_000  # draws per random stream
ZERO_TOL = 1e-9  # unmet below this share of daily demand is not a day short
DAYS = 365.0  # rates per day = annual / DAYS
RAMP_STEPS = 4  # idle capacity arrives in this many equal steps over the ramp-up days


@dataclass(frozen=True)
class EventArrays:
    """Scenario events resolved to indices: event ``k`` cuts one mineral at some suppliers.

    Each draw: the event occurs with probability ``probability`` (Bernoulli), then its cut
    fraction, duration, start day, the days until licences ease it and the share of the cut
    left then are uniform on ``[low, high]`` (``low == high``: fixed). Where two events hit
    the same (mineral, supplier), the larger cut wins with its days and targets (ties: the
    earlier event).
    """

    n_minerals: int  # M
    mineral: npt.NDArray[np.intp]  # (K,) mineral index
    suppliers: npt.NDArray[np.bool_]  # (K, S) the suppliers that cut
    probability: Array  # (K,)
    magnitude_low: Array  # (K,) cut fraction 0..1
    magnitude_high: Array  # (K,)
    duration_low: Array  # (K,) days
    duration_high: Array  # (K,)
    start_low: Array  # (K,) day
    start_high: Array  # (K,)
    to_importer: Array  # (K,) 0 or 1
    to_others: Array  # (K,) 0..1
    ease_low: Array | None = None  # (K,) days from the start until the cut eases; None: never
    ease_high: Array | None = None  # (K,)
    residual_low: Array | None = None  # (K,) share of the cut left once eased; None: 1
    residual_high: Array | None = None  # (K,)
    leakage: Array | None = None  # (K,) share of the withheld flows arriving via others
    front_run: Array | None = None  # (K,) days of the importer's imports bought ahead
    weights: Array | None = None  # (K, S) share of the cut each supplier passes on; None: 1

    def dynamics(self) -> dict[str, Array]:
        """The optional arrays, with their defaults where absent."""
        k = len(self.mineral)
        default = {"ease_low": NEVER, "ease_high": NEVER, "residual_low": 1.0,
                   "residual_high": 1.0, "leakage": 0.0, "front_run": 0.0}
        return {name: np.full(k, value) if getattr(self, name) is None
                else np.asarray(getattr(self, name), dtype=np.float64)
                for name, value in default.items()}


@dataclass(frozen=True)
class Trace:
    """Daily arrays of the plain daily integration, shapes ``(N, M, T)``, t per day."""

    supply: Array  # what arrives: demand/365 - shortfall
    release: Array  # from the stockpile
    unmet: Array  # shortfall - release
    stock: Array  # at the end of the day


def sample(rng: np.random.Generator, n: int, events: EventArrays) -> Shocks:
    """Draw ``n`` sets of cuts, shapes ``(n, M, S)``; larger cut wins on overlaps.

    Every number is drawn whether or not its event occurs, so the stream (and every other
    event's draws) does not depend on the probabilities.
    """
    k, s = events.suppliers.shape
    dyn = events.dynamics()
    occurs = rng.random((n, k)) < events.probability
    magnitude = np.where(occurs, rng.uniform(events.magnitude_low, events.magnitude_high,
                                             (n, k)), 0.0)
    duration = np.rint(rng.uniform(events.duration_low, events.duration_high, (n, k)))
    start = np.rint(rng.uniform(events.start_low, events.start_high, (n, k)))
    ease = np.rint(rng.uniform(dyn["ease_low"], dyn["ease_high"], (n, k)))
    residual = rng.uniform(dyn["residual_low"], dyn["residual_high"], (n, k))
    out = {f.name: np.zeros((n, events.n_minerals, s)) for f in fields(Shocks)}
    for e in range(k):
        m, cols = int(events.mineral[e]), np.flatnonzero(events.suppliers[e])
        cut = magnitude[:, e, None] * (1.0 if events.weights is None
                                       else events.weights[e, cols][None, :])  # (n, cols)
        wins = cut > out["cut"][:, m, cols]  # (n, cols)
        new = {"cut": cut, "start": start[:, e], "duration": duration[:, e],
               "to_importer": np.full(n, events.to_importer[e]),
               "to_others": np.full(n, events.to_others[e]), "ease": ease[:, e],
               "residual": residual[:, e], "leakage": np.full(n, dyn["leakage"][e]),
               "front_run": np.full(n, dyn["front_run"][e])}
        for name, value in new.items():
            value = value if value.ndim == 2 else value[:, None]
            out[name][:, m, cols] = np.where(wins, value, out[name][:, m, cols])
    return Shocks(**out)


def _gather(a: Array | None, idx: npt.NDArray[np.intp]) -> Array:
    """``a[..., m, idx[m, k]]``: the columns ``idx`` (M, K) of each mineral of ``a``."""
    assert a is not None  # Shocks fills its optional arrays
    return np.take_along_axis(a, np.broadcast_to(idx, (*a.shape[:-2], *idx.shape)), axis=-1)


def market_share(baseline: Baseline) -> Array:
    """``I / Q`` per mineral: the importer's purchases over the ex-cutter market (0 if none)."""
    q = baseline.exports.sum(axis=1)
    return np.divide(baseline.imports.sum(axis=1), q, out=np.zeros_like(q), where=q > 0)


def ramp_steps(first: Array, ramp: Array) -> Array:
    """Days on which idle capacity reaches ``k / RAMP_STEPS`` of itself, ``(..., M, steps)``.

    ``first`` (..., M) is the day the first cut starts; step ``k`` arrives
    ``ceil(k ramp / RAMP_STEPS)`` days later (ramp 0: all on day ``first``).
    """
    k = np.arange(1, RAMP_STEPS + 1) / RAMP_STEPS
    return first[..., None] + np.ceil(k * ramp[:, None])


def price_multiple(gap: Array, market: Array, horizon: int, eta: Array, cap: Array) -> Array:
    """Ex-cutter price multiple: ``min(cap, (1 - g)^(-1/eta))``, ``g = gap / (Q horizon)``.

    A constant-elasticity market (USGS OFR 2025-1047 equilibrates with elasticities of demand
    and supply): the mean unreplaced share ``g`` of the ex-cutter market ``Q`` (t/day) over
    the horizon, ``gap`` in t. NaN where ``Q`` is 0 and there is a gap; 1 without a gap.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        share = np.clip(gap / (market * horizon), 0.0, 1.0)
        multiple = np.minimum(cap, (1.0 - share) ** (-1.0 / eta))
    multiple = np.where(market > 0, multiple, np.nan)
    return np.where(gap > 0, multiple, 1.0)


@dataclass(frozen=True)
class _Cuts:
    """The touched suppliers' cuts, per draw ``(N, M, K)``, days already whole."""

    level: Array  # cut x (1 - leakage)
    residual: Array
    start: Array
    eased: Array
    end: Array
    per_cut: Array  # t/day withheld per unit cut: to_imp I + to_oth (E - I)
    own: Array  # t/day of the importer's own flows per unit cut: to_imp I
    alone: Array  # t/day cut from the importer alone per unit cut: to_imp (1 - to_oth) I
    spare: Array  # t/day idle capacity of the supplier
    others: Array  # t/day of its sales to others, divertible to the importer
    ahead: Array  # (N, M) t bought ahead before the cuts
    first: Array  # (N, M) day the first cut starts (horizon: none)


def _cuts(baseline: Baseline, shocks: Shocks, horizon: int) -> tuple[_Cuts, Array, Array]:
    """The cuts of the suppliers that cut in some draw; the idle rates of those who never do."""
    touched = (shocks.cut > 0).any(axis=0)  # (M, S)
    k = max(int(touched.sum(axis=1).max(initial=0)), 1)
    idx = np.argsort(~touched, axis=1, kind="stable")[:, :k]  # (M, K) touched first
    valid = np.take_along_axis(touched, idx, axis=1)
    imports, exports, spare = (np.take_along_axis(x, idx, axis=1) / DAYS for x in
                               (baseline.imports, baseline.exports, baseline.spare_capacity))
    cut = _gather(shocks.cut, idx) * valid
    to_imp, to_oth = _gather(shocks.to_importer, idx), _gather(shocks.to_others, idx)
    first = _gather(shocks.start, idx)
    start = np.clip(np.ceil(first), 0, horizon)  # fractional days: as the daily loop sees them
    end = np.clip(np.ceil(first + _gather(shocks.duration, idx)), start, horizon)
    eased = np.clip(np.ceil(first + _gather(shocks.ease, idx)), start, end)
    per_cut = to_imp * imports + to_oth * (exports - imports)
    live = (cut > 0) & (start < end) & (per_cut > 0)
    ahead = (live * _gather(shocks.front_run, idx) * imports).sum(axis=-1)
    cuts = _Cuts(cut * (1 - _gather(shocks.leakage, idx)), _gather(shocks.residual, idx),
                 start, eased, end, per_cut, to_imp * imports,
                 to_imp * (1 - to_oth) * imports, spare * valid, (exports - imports) * valid,
                 ahead, np.where(live, start, horizon).min(axis=-1, initial=horizon))
    never = ~touched
    free = ((baseline.spare_capacity * never).sum(axis=1) / DAYS,
            ((baseline.exports - baseline.imports) * never).sum(axis=1) / DAYS)
    return cuts, free[0], free[1]


def _rates(baseline: Baseline, c: _Cuts, free_spare: Array, free_others: Array,
           day: Array) -> tuple[Array, Array]:
    """``(gap, shortfall)`` in t/day on ``day`` (shape (N, M, P)); P segments or one day."""
    d = day[..., None]  # (N, M, P, 1) against the cuts' (N, M, 1, K)
    x = {name: getattr(c, name)[..., None, :] for name in
         ("level", "residual", "start", "eased", "end", "per_cut", "own", "alone", "spare",
          "others")}
    on = (x["level"] > 0) & (x["start"] <= d) & (d < x["end"])
    level = on * x["level"] * np.where(d >= x["eased"], x["residual"], 1.0)
    big_w = (level * x["per_cut"]).sum(axis=-1)
    own = (level * x["own"]).sum(axis=-1)
    theta = 1 - np.divide((level * x["alone"]).sum(axis=-1), big_w, out=np.zeros_like(big_w),
                          where=big_w > 0)
    steps = ramp_steps(c.first, baseline.ramp)  # (N, M, steps)
    arrived = (day[..., None] >= steps[..., None, :]).sum(axis=-1) / RAMP_STEPS
    idle = free_spare[:, None] + (~on * x["spare"]).sum(axis=-1)
    divert = free_others[:, None] + (~on * x["others"]).sum(axis=-1)
    offered = arrived * (idle + (1 - theta) * divert)
    gap = big_w - np.minimum(offered, big_w)
    share = market_share(baseline)[:, None]
    ratio = np.divide(own, big_w, out=np.zeros_like(big_w), where=big_w > 0)
    return gap, gap * (theta * share + (1 - theta) * ratio)


def _days_short(short: Array, rate: Array, before: Array, length: Array,
                tol: Array) -> Array:
    """Days with unmet > tol in each segment: a suffix once the stock cannot keep up.

    Day ``i`` releases ``min(r, max(S - i r, 0))``; it is not short iff that is at least
    ``short - tol``, i.e. (when ``r >= short - tol``) iff ``i <= (S - short + tol) / r``.
    """
    need = short - tol
    with np.errstate(over="ignore", divide="ignore"):  # tiny rates: covered = length
        covered = np.clip(np.floor((before - need) / np.where(rate > 0, rate, 1.0)) + 1, 0,
                          length)
    covered = np.where(rate >= need, covered, 0.0)
    return np.where(need > 0, length - covered, 0.0).sum(axis=-1)


def _release_day(c: _Cuts, lag: float, horizon: int) -> Array:
    """``t_r``: the first cut's start + ``ceil(lag)``, ``(N, M)``; horizon where none."""
    return np.minimum(c.first + math.ceil(lag), horizon)


def _loss(baseline: Baseline, shortfall: Array, unmet: Array, gap: Array,
          horizon: int) -> dict[str, Array]:
    """Price jump, extra cost, lost value added and their sum, per draw and mineral (USD)."""
    market = baseline.exports.sum(axis=1) / DAYS
    multiple = price_multiple(gap, market, horizon, baseline.eta, baseline.cap)
    bought = np.maximum(baseline.imports.sum(axis=1) * horizon / DAYS - shortfall, 0.0)
    extra = (multiple - 1) * baseline.price * bought
    lost = unmet * baseline.value_at_risk
    return {"price_jump": multiple - 1, "extra_cost": extra, "lost_value_added": lost,
            "loss": extra + lost}


def _integrate(baseline: Baseline, shocks: Shocks, policy: Policy, horizon: int) -> Outcome:
    """The outcome of every draw by exact integration over the segments."""
    c, free_spare, free_others = _cuts(baseline, shocks, horizon)
    t_r = _release_day(c, policy.release_lag, horizon)
    edges = [c.start, c.eased, c.end, ramp_steps(c.first, baseline.ramp),
             np.zeros_like(t_r)[..., None], t_r[..., None]]
    days = np.clip(np.sort(np.concatenate(edges, axis=-1), axis=-1), 0, horizon)
    length = np.diff(days, axis=-1, append=horizon)
    gap, short = _rates(baseline, c, free_spare, free_others, days)
    daily = baseline.demand / DAYS
    cap, stock0 = policy.release_rate * daily, policy.days_of_cover * daily + c.ahead
    rate = np.where(days >= t_r[..., None], np.minimum(short, cap[:, None]), 0.0)
    wanted = np.cumsum(rate * length, axis=-1)
    released = np.minimum(wanted[..., -1], stock0)
    spent = np.concatenate([np.zeros_like(wanted[..., :1]), wanted[..., :-1]], axis=-1)
    before = np.maximum(stock0[..., None] - spent, 0.0)  # stock at each segment's start
    shortfall = (short * length).sum(axis=-1)
    unmet = np.maximum(shortfall - released, 0.0)
    return Outcome(unmet=unmet,
                   days_short=_days_short(short, rate, before, length, ZERO_TOL * daily[:, None]),
                   min_stock=stock0 - released, released=released, shortfall=shortfall,
                   **_loss(baseline, shortfall, unmet, (gap * length).sum(axis=-1), horizon))


def daily_trace(baseline: Baseline, shocks: Shocks, policy: Policy, horizon: int) -> Trace:
    """The plain daily loop (small N only): the reference integration, the same rates."""
    c, free_spare, free_others = _cuts(baseline, shocks, horizon)
    t_r = _release_day(c, policy.release_lag, horizon)
    daily = baseline.demand / DAYS
    cap = policy.release_rate * daily
    stock = policy.days_of_cover * daily + c.ahead
    out = {f.name: np.zeros((*t_r.shape, horizon)) for f in fields(Trace)}
    for t in range(horizon):
        _, short = _rates(baseline, c, free_spare, free_others, np.full((*t_r.shape, 1), t))
        short = short[..., 0]
        release = np.where(t >= t_r, np.minimum(np.minimum(short, cap), stock), 0.0)
        stock = stock - release
        out["supply"][..., t], out["release"][..., t] = daily - short, release
        out["unmet"][..., t], out["stock"][..., t] = short - release, stock
    return Trace(**out)


@overload
def simulate(baseline: Baseline, shocks: Shocks, policy: Policy, horizon: int = ...,
             trace: Literal[False] = ...) -> Outcome: ...
@overload
def simulate(baseline: Baseline, shocks: Shocks, policy: Policy, horizon: int = ...,
             *, trace: Literal[True]) -> tuple[Outcome, Trace]: ...
@overload
def simulate(baseline: Baseline, shocks: Shocks, policy: Policy, horizon: int = ...,
             trace: bool = ...) -> Outcome | tuple[Outcome, Trace]: ...
def simulate(baseline: Baseline, shocks: Shocks, policy: Policy, horizon: int = 365,
             trace: bool = False) -> Outcome | tuple[Outcome, Trace]:
    """Outcome per draw and mineral ``(N, M)`` of the sampled cuts under a stock policy.

    With ``trace=True`` also the daily arrays of the plain daily loop (small N only).
    """
    outcome = _integrate(baseline, shocks, policy, horizon)
    return (outcome, daily_trace(baseline, shocks, policy, horizon)) if trace else outcome


def concat(parts: list[Outcome]) -> Outcome:
    """Outcomes stacked along the draws, in order."""
    return Outcome(**{f.name: np.concatenate([getattr(p, f.name) for p in parts])
                      for f in fields(Outcome)})


def block_ranges(draws: int, chunk: int) -> list[tuple[int, int]]:
    """Chunks as ``[first, last)`` block indices; ``chunk`` must be a whole number of blocks."""
    if chunk <= 0 or chunk % BLOCK:
        raise ValueError(f"chunk must be a positive multiple of BLOCK={BLOCK}, got {chunk}")
    n_blocks, per = -(-draws // BLOCK), chunk // BLOCK
    return [(a, min(a + per, n_blocks)) for a in range(0, n_blocks, per)]


def run_blocks(baseline: Baseline, events: EventArrays, policy: Policy, draws: int, seed: int,
               horizon: int, first: int, last: int) -> Outcome:
    """Sample and simulate blocks ``first..last-1`` (one task), each on its own stream."""
    parts = []
    for b in range(first, last):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(b,)))
        n = min(BLOCK, draws - b * BLOCK)
        parts.append(simulate(baseline, sample(rng, n, events), policy, horizon))
    return concat(parts)


def run_local(baseline: Baseline, events: EventArrays, policy: Policy, draws: int, seed: int,
              horizon: int = 365, chunk: int = 10_000,
              progress: Callable[[int, int], None] | None = None) -> Outcome:
    """All draws in this process, chunk by chunk; the result does not depend on ``chunk``.

    ``progress(done, total)`` is called after each chunk.
    """
    ranges = block_ranges(draws, chunk)
    parts = []
    for i, (a, b) in enumerate(ranges, start=1):
        parts.append(run_blocks(baseline, events, policy, draws, seed, horizon, a, b))
        if progress is not None:
            progress(i, len(ranges))
    return concat(parts)
