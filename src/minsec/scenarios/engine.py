"""Vectorised Monte Carlo of supply cuts, the cascade and the stockpile (pure NumPy).

Physics of mineral ``m`` on day ``t`` (rates per day = annual / 365), after the brief:
``w_s = cut_s (to_importer_s I_s + to_others_s (E_s - I_s))`` withheld by an active cut,
``W = sum_s w_s``; replacement ``R = min(spare of suppliers not cutting, W)``; the importer's
loss ``L = sum_s cut_s to_importer_s I_s`` and shortfall ``L (1 - R/W)`` (``R/W = 0`` when
``W = 0``): the unreplaced loss is shared pro rata to what each buyer lost (Marchand et al.
2016, the cascade). From day ``t_r`` the stock releases ``min(shortfall, rate d, stock)``;
``unmet = shortfall - release``; price jump ``max_t ((W - R) / Q) / |eps|`` (USGS 2025).

Conventions. Days are whole: a cut is felt on the days ``t`` of ``[0, horizon)`` with
``start <= t < start + duration`` (``sample`` rounds both to the nearest day; fractional
values count from ``ceil``). ``t_r`` is the first start of a cut that reaches the importer
(``cut to_importer I > 0``) plus ``ceil(release_lag)``. A day is short when its unmet demand
exceeds ``ZERO_TOL`` of the daily demand (no rounding noise). The stock never refills, so
``min_stock`` is the stock left at the end. ``price_jump`` is NaN where ``Q |eps|`` is 0
(unknown) and the world is short.

Integration is exact and event based: between the start and end days of the cuts and ``t_r``
every rate is constant, so each draw x mineral is a few segments (``O(K^2)`` for ``K``
cutting suppliers, none per day). ``trace=True`` also runs the plain daily loop, which the
tests hold the segments to.

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

from minsec.scenarios.model import Array, Baseline, Outcome, Policy, Shocks

BLOCK = 1_000  # draws per random stream
ZERO_TOL = 1e-9  # unmet below this share of daily demand is not a day short
DAYS = 365.0  # rates per day = annual / DAYS


@dataclass(frozen=True)
class EventArrays:
    """Scenario events resolved to indices: event ``k`` cuts one mineral at some suppliers.

    Each draw: the event occurs with probability ``probability`` (Bernoulli), then its cut
    fraction, duration and start day are uniform on ``[low, high]`` (``low == high``: fixed).
    Where two events hit the same (mineral, supplier), the larger cut wins with its days and
    targets (ties: the earlier event).
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
    occurs = rng.random((n, k)) < events.probability
    magnitude = np.where(occurs, rng.uniform(events.magnitude_low, events.magnitude_high,
                                             (n, k)), 0.0)
    duration = np.rint(rng.uniform(events.duration_low, events.duration_high, (n, k)))
    start = np.rint(rng.uniform(events.start_low, events.start_high, (n, k)))
    out = {f.name: np.zeros((n, events.n_minerals, s)) for f in fields(Shocks)}
    for e in range(k):
        m, cols = int(events.mineral[e]), np.flatnonzero(events.suppliers[e])
        wins = magnitude[:, e, None] > out["cut"][:, m, cols]  # (n, cols)
        new = {"cut": magnitude[:, e], "start": start[:, e], "duration": duration[:, e],
               "to_importer": np.full(n, events.to_importer[e]),
               "to_others": np.full(n, events.to_others[e])}
        for name, value in new.items():
            out[name][:, m, cols] = np.where(wins, value[:, None], out[name][:, m, cols])
    return Shocks(**out)


def _release_from(start: Array, end: Array, loss: Array, lag: float, horizon: int) -> Array:
    """``t_r``: first start of a live cut with ``loss > 0``, + ``ceil(lag)``; else horizon."""
    first = np.where((loss > 0) & (start < end), start, horizon).min(axis=-1, initial=horizon)
    return np.minimum(first + math.ceil(lag), horizon)


def release_day(baseline: Baseline, shocks: Shocks, policy: Policy, horizon: int) -> Array:
    """First start of a cut reaching the importer + ``ceil(lag)``, ``(N, M)``; else horizon."""
    start = np.clip(np.ceil(shocks.start), 0, horizon)
    end = np.clip(np.ceil(shocks.start + shocks.duration), start, horizon)
    loss = shocks.cut * shocks.to_importer * (baseline.imports / DAYS)
    return _release_from(start, end, loss, policy.release_lag, horizon)


def _gather(a: Array, idx: npt.NDArray[np.intp]) -> Array:
    """``a[..., m, idx[m, k]]``: the columns ``idx`` (M, K) of each mineral of ``a``."""
    return np.take_along_axis(a, np.broadcast_to(idx, (*a.shape[:-2], *idx.shape)), axis=-1)


def _segments(baseline: Baseline, shocks: Shocks, lag: float,
              horizon: int) -> tuple[Array, ...]:
    """Piecewise-constant rates: segment day, length, W, R, shortfall; release day ``t_r``.

    Only the suppliers that cut in some draw are kept (``K`` per mineral); each segment's
    active set is evaluated at its left day, so the arrays are ``(N, M, 2K + 2)``.
    """
    touched = (shocks.cut > 0).any(axis=0)  # (M, S)
    k = max(int(touched.sum(axis=1).max(initial=0)), 1)
    idx = np.argsort(~touched, axis=1, kind="stable")[:, :k]  # (M, K) touched first
    valid = np.take_along_axis(touched, idx, axis=1)
    imports, exports, spare = (np.take_along_axis(x, idx, axis=1) / DAYS for x in
                               (baseline.imports, baseline.exports, baseline.spare_capacity))
    cut = _gather(shocks.cut, idx) * valid
    to_imp, to_oth = _gather(shocks.to_importer, idx), _gather(shocks.to_others, idx)
    w = cut * (to_imp * imports + to_oth * (exports - imports))  # (N, M, K)
    loss = cut * to_imp * imports
    first = _gather(shocks.start, idx)
    start = np.clip(np.ceil(first), 0, horizon)  # fractional days: as the daily loop sees them
    end = np.clip(np.ceil(first + _gather(shocks.duration, idx)), start, horizon)
    t_r = _release_from(start, end, loss, lag, horizon)
    edges = [start, end, np.zeros_like(t_r)[..., None], t_r[..., None]]
    days = np.sort(np.concatenate(edges, axis=-1), axis=-1)
    left, length = days[..., :, None], np.diff(days, axis=-1, append=horizon)
    on = (cut > 0)[..., None, :] & (start[..., None, :] <= left) & (left < end[..., None, :])
    big_w = (on * w[..., None, :]).sum(axis=-1)  # (N, M, P)
    big_l = (on * loss[..., None, :]).sum(axis=-1)
    free = (baseline.spare_capacity * ~touched).sum(axis=1) / DAYS  # spare never cut
    offered = free[:, None] + (~on * (spare * valid)[..., None, :]).sum(axis=-1)
    replaced = np.minimum(offered, big_w)
    short = big_l * (1 - np.divide(replaced, big_w, out=np.zeros_like(big_w), where=big_w > 0))
    return days, length, big_w, replaced, short, t_r


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


def _integrate(baseline: Baseline, shocks: Shocks, policy: Policy, horizon: int) -> Outcome:
    """The outcome of every draw by exact integration over the segments."""
    days, length, big_w, replaced, short, t_r = _segments(baseline, shocks,
                                                          policy.release_lag, horizon)
    daily = baseline.demand / DAYS
    cap, stock0 = policy.release_rate * daily, policy.days_of_cover * daily  # (M,)
    rate = np.where(days >= t_r[..., None], np.minimum(short, cap[:, None]), 0.0)
    wanted = np.cumsum(rate * length, axis=-1)
    released = np.minimum(wanted[..., -1], stock0)
    spent = np.concatenate([np.zeros_like(wanted[..., :1]), wanted[..., :-1]], axis=-1)
    before = np.maximum(stock0[:, None] - spent, 0.0)  # stock at each segment's start
    unmet = np.maximum((short * length).sum(axis=-1) - released, 0.0)
    gap = np.where(length > 0, big_w - replaced, 0.0).max(axis=-1)
    scale = baseline.world_supply * np.abs(baseline.elasticity) / DAYS
    with np.errstate(over="ignore"):  # a vanishing world supply: an infinite jump
        jump = np.divide(gap, scale, out=np.full_like(gap, np.nan), where=scale > 0)
    return Outcome(unmet=unmet,
                   days_short=_days_short(short, rate, before, length, ZERO_TOL * daily[:, None]),
                   min_stock=stock0 - released, released=released,
                   price_jump=np.where(gap > 0, jump, 0.0),
                   loss=unmet * baseline.value_at_risk)


def daily_trace(baseline: Baseline, shocks: Shocks, policy: Policy, horizon: int) -> Trace:
    """The plain daily loop over ``(N, M, S)`` (small N only): the reference integration."""
    imports, exports, spare = (x / DAYS for x in (baseline.imports, baseline.exports,
                                                  baseline.spare_capacity))
    w = shocks.cut * (shocks.to_importer * imports + shocks.to_others * (exports - imports))
    loss = shocks.cut * shocks.to_importer * imports
    end = shocks.start + shocks.duration
    t_r = release_day(baseline, shocks, policy, horizon)
    daily = baseline.demand / DAYS
    cap = policy.release_rate * daily
    stock = np.broadcast_to(policy.days_of_cover * daily, t_r.shape).copy()
    out = {f.name: np.zeros((*t_r.shape, horizon)) for f in fields(Trace)}
    for t in range(horizon):
        on = (shocks.cut > 0) & (shocks.start <= t) & (t < end)
        big_w, big_l = (on * w).sum(axis=-1), (on * loss).sum(axis=-1)
        replaced = np.minimum(np.where(on, 0.0, spare).sum(axis=-1), big_w)
        ratio = np.divide(replaced, big_w, out=np.zeros_like(big_w), where=big_w > 0)
        short = big_l * (1 - ratio)
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
