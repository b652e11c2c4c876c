"""Project selection: a two-stage stochastic MILP over the scenario engine's draws (HiGHS).

First stage: binary ``x_c``, fund candidate ``c``. Second stage, per draw ``d`` and mineral ``m``:
covered unmet demand ``y_dm = min(u_dm, K_m)`` with ``K_m = sum_{c in m} D_c x_c``, where
``D_c = capacity_t * horizon_days/365 * p_production`` is the candidate's *expected* delivery
over the horizon (this expected-capacity treatment is ours, not an MSP rule). Objective::

    max (1/N) sum_d sum_m VaR_m y_dm   s.t.  sum_c capex_c x_c <= budget  (+ options)

``form="extensive"`` states it as written (``0 <= y_dm <= u_dm``, ``y_dm <= K_m``).
``form="segments"`` (default) is an exact, much smaller equivalent: per mineral, sort the
distinct unmet values ``v_1 < ... < v_k``; segment ``j`` has width ``v_j - v_{j-1}`` and value
``VaR_m * #{d: u_dm >= v_j} / N``, decreasing in ``j``, so an LP fills segments in order and
``sum_j value_j w_j = (1/N) sum_d VaR_m min(u_dm, K_m)``; one row ``sum_j w_mj <= K_m``.

Options (linear): region quotas ``sum_{c in r} x_c >= k``, stage mix likewise, and a country
cap ``sum_{c in m, country k} D_c x_c <= share * sum_{c in m} D_c x_c`` (so a mineral with
chosen capacity needs more than one country when ``share < 1``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from minsec.errors import MinsecError

COLUMNS = ("id", "mineral", "capacity_t", "capex_usd", "p_production", "region", "stage",
           "country")
Array = np.ndarray


@dataclass(frozen=True)
class Selection:
    """The chosen projects and what they buy; ``table`` has every candidate with ``chosen``."""

    chosen: tuple[str, ...]
    loss_before: float  # USD, expected over the draws
    loss_after: float
    unmet_before: float  # t, expected total over minerals
    unmet_after: float
    capex: float  # USD spent
    risk_cut_per_usd: float  # (loss_before - loss_after) / capex, 0 if nothing chosen
    budget_shadow_price: float  # USD of loss avoided per extra USD, LP relaxation (see below)
    status: str
    mip_gap: float
    table: pd.DataFrame


def check_candidates(candidates: pd.DataFrame, minerals: Sequence[str]) -> pd.DataFrame:
    """Validate the candidate frame; one :class:`MinsecError` naming row and field."""
    missing = [c for c in COLUMNS if c not in candidates.columns]
    if missing:
        raise MinsecError(f"candidates: missing column(s) {', '.join(missing)}")
    frame = candidates.reset_index(drop=True)
    known = set(minerals)
    for i, row in frame.iterrows():
        where = f"candidates row {int(str(i)) + 1} ({row['id']})"
        for f, lo, hi in (("capacity_t", 0, np.inf), ("capex_usd", 0, np.inf),
                          ("p_production", 0, 1)):
            v = pd.to_numeric(row[f], errors="coerce")
            if not np.isfinite(v) or not lo <= v <= hi:
                raise MinsecError(f"{where}: {f} must be a number in [{lo}, {hi}], "
                                  f"got {row[f]!r}")
        if row["mineral"] not in known:
            raise MinsecError(f"{where}: mineral {row['mineral']!r} is not in the draws")
    dup = frame["id"][frame["id"].duplicated()]
    if len(dup):
        raise MinsecError(f"candidates: duplicate id {dup.iloc[0]!r}")
    return frame


def delivered(candidates: pd.DataFrame, horizon_days: float) -> Array:
    """Expected tonnes over the horizon: ``D_c = capacity_t * horizon_days/365 * p``."""
    return np.asarray(candidates["capacity_t"] * (horizon_days / 365.0)
                      * candidates["p_production"], dtype=float)


def avoided_loss(unmet: Array, value_at_risk: Array, capacity: Array) -> float:
    """``(1/N) sum_d sum_m VaR_m min(u_dm, K_m)`` for capacity ``K`` (M,), USD."""
    return float((np.minimum(unmet, capacity[None, :]) * value_at_risk).sum(axis=1).mean())


def _membership(frame: pd.DataFrame, minerals: Sequence[str]) -> Array:
    """(M, C) 0/1: candidate ``c`` supplies mineral ``m``."""
    index = {m: i for i, m in enumerate(minerals)}
    out = np.zeros((len(minerals), len(frame)))
    out[frame["mineral"].map(index).to_numpy(), np.arange(len(frame))] = 1.0
    return out


def _segments(unmet: Array, var: Array) -> tuple[Array, Array, Array]:
    """Per-mineral segments (mineral index, width, value per tonne); see the module doc."""
    rows, widths, values = [], [], []
    n = unmet.shape[0]
    for m in range(unmet.shape[1]):
        u = np.sort(unmet[:, m])
        v, first = np.unique(u, return_index=True)
        keep = v > 0
        prev = np.concatenate([[0.0], v[:-1]])
        rows.append(np.full(keep.sum(), m))
        widths.append((v - np.maximum(prev, 0))[keep])
        values.append(var[m] * (n - first[keep]) / n)
    return np.concatenate(rows), np.concatenate(widths), np.concatenate(values)


def _second_stage(unmet: Array, var: Array, form: str) -> tuple[Array, Array, Array]:
    """(mineral index, upper bound, objective value) of every second-stage variable."""
    if form == "segments":
        return _segments(unmet, var)
    if form == "extensive":
        n, m = unmet.shape
        return np.tile(np.arange(m), n), unmet.ravel(), np.tile(var, n) / n
    raise MinsecError(f"form must be 'segments' or 'extensive', got {form!r}")


def _quotas(frame: pd.DataFrame, field: str, quotas: Mapping[str, int], budget: float,
            ) -> list[tuple[Array, float, str]]:
    """Rows ``-sum_{c in group} x_c <= -k``; raise if one quota alone cannot fit the budget."""
    rows = []
    label = "region" if field == "region" else "stage"
    for group, k in quotas.items():
        name = f"{label} quota {group} ≥ {k}"
        member = (frame[field] == group).to_numpy()
        cheapest = np.sort(frame.loc[member, "capex_usd"].to_numpy(float))[:k]
        if len(cheapest) < k:
            raise MinsecError(f"{name}: only {len(cheapest)} candidate(s) in {group}")
        if cheapest.sum() > budget:
            what = "no candidate" if k == 1 else f"no {k} candidates"
            verb = "fits" if k == 1 else "fit"
            raise MinsecError(f"{name}: {what} in {group} {verb} the budget "
                              f"({cheapest.sum():,.0f} USD > {budget:,.0f} USD)")
        rows.append((-member.astype(float), -float(k), name))
    return rows


def check_quotas(frame: pd.DataFrame, field: str, quotas: Mapping[str, int],
                 budget: float) -> None:
    """Refuse a quota with too few candidates, or whose cheapest ones exceed the budget."""
    _quotas(frame, field, quotas, budget)


def _country_rows(frame: pd.DataFrame, dm: Array, share: float) -> list[tuple[Array, float, str]]:
    """``sum_{c in m,k} D_c x_c - share * sum_{c in m} D_c x_c <= 0`` per mineral and country."""
    rows = []
    for (mineral, country), group in frame.groupby(["mineral", "country"]):
        in_m = (frame["mineral"] == mineral).to_numpy()
        in_k = frame.index.isin(group.index)
        rows.append(((in_k - share * in_m) * dm, 0.0, f"country cap {country} in {mineral}"))
    return rows


def optimise(unmet: Array, value_at_risk: Array, minerals: Sequence[str],
             candidates: pd.DataFrame, budget: float, horizon_days: float = 365,
             region_min: Mapping[str, int] | None = None,
             stage_min: Mapping[str, int] | None = None,
             max_country_share: float | None = None, mip_rel_gap: float = 1e-6,
             time_limit: float | None = None, form: str = "segments") -> Selection:
    """Choose the candidates that maximise expected avoided loss under ``budget`` (USD).

    ``unmet`` is (N draws, M minerals) t over the horizon (``Result.outcome.unmet``);
    ``value_at_risk`` (M,) USD/t (``Result.baseline.value_at_risk``). The budget's shadow
    price comes from the LP relaxation (``0 <= x <= 1``): with ``x`` fixed at the optimum the
    budget row holds no variable and its dual is always 0.
    """
    u, var = np.asarray(unmet, dtype=float), np.asarray(value_at_risk, dtype=float)
    if u.ndim != 2 or u.shape[1] != len(minerals) or var.shape != (len(minerals),):
        raise MinsecError(f"unmet must be (draws, {len(minerals)}) and value_at_risk "
                          f"({len(minerals)},); got {u.shape} and {var.shape}")
    if not np.isfinite(budget) or budget < 0:
        raise MinsecError(f"budget must be a number >= 0 USD, got {budget}")
    frame = check_candidates(candidates, minerals)
    dm = delivered(frame, horizon_days)
    rows = [(frame["capex_usd"].to_numpy(float), float(budget), "budget")]
    rows += _quotas(frame, "region", region_min or {}, budget)
    rows += _quotas(frame, "stage", stage_min or {}, budget)
    if max_country_share is not None:
        rows += _country_rows(frame, dm, max_country_share)
    seg_m, seg_ub, seg_val = _second_stage(u, var, form)
    n_c, n_s = len(frame), len(seg_m)
    # segments: one row per mineral, sum_j w_mj <= K_m; extensive: y_dm <= K_m for each y
    row_of = seg_m if form == "segments" else np.arange(n_s)
    supply = -_membership(frame, minerals) * dm
    link = sparse.hstack([sparse.csr_matrix(supply if form == "segments" else supply[seg_m]),
                          sparse.csr_matrix((np.ones(n_s), (row_of, np.arange(n_s))),
                                            shape=(len(minerals) if form == "segments"
                                                   else n_s, n_s))])
    extra = sparse.hstack([sparse.csr_matrix(np.array([r[0] for r in rows])),
                           sparse.csr_matrix((len(rows), n_s))])
    a_ub = sparse.vstack([extra, link]).tocsr()
    b_ub = np.concatenate([[r[1] for r in rows], np.zeros(link.shape[0])])
    cost = np.concatenate([np.zeros(n_c), -seg_val])
    ub = np.concatenate([np.ones(n_c), seg_ub])
    res = optimize.milp(cost, integrality=np.r_[np.ones(n_c), np.zeros(n_s)],
                        bounds=optimize.Bounds(0, ub),
                        constraints=optimize.LinearConstraint(a_ub, -np.inf, b_ub),
                        options={"mip_rel_gap": mip_rel_gap, "time_limit": time_limit})
    if res.x is None:
        names = "; ".join(r[2] for r in rows if r[2] != "budget" and "country" not in r[2])
        caps = " and the country cap" if max_country_share is not None else ""
        raise MinsecError(f"no selection fits the budget of {budget:,.0f} USD under "
                          f"{names or 'the constraints'}{caps} together ({res.message})")
    x = np.round(res.x[:n_c]).astype(bool)
    relax = optimize.linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=list(zip(np.zeros(len(ub)), ub,
                                                                       strict=True)),
                             method="highs")
    shadow = -float(relax.ineqlin.marginals[0]) if relax.status == 0 else float("nan")
    capacity = _membership(frame, minerals) @ (dm * x)
    before = float((u * var).sum(axis=1).mean())  # expected loss with no project, USD
    after = before - avoided_loss(u, var, capacity)
    spent = float(frame["capex_usd"].to_numpy(float)[x].sum())
    unmet_after = float(np.maximum(u - capacity, 0).sum(axis=1).mean())
    return Selection(
        chosen=tuple(frame["id"][x]), loss_before=before, loss_after=after,
        unmet_before=float(u.sum(axis=1).mean()), unmet_after=unmet_after, capex=spent,
        risk_cut_per_usd=(before - after) / spent if spent > 0 else 0.0,
        budget_shadow_price=shadow, status=str(res.message),
        mip_gap=float(getattr(res, "mip_gap", 0.0) or 0.0),
        table=frame.assign(delivered_t=dm, chosen=x))


def what_if(project: str, unmet: Array, value_at_risk: Array, minerals: Sequence[str],
            candidates: pd.DataFrame, horizon_days: float = 365, chosen: Sequence[str] = (),
            import_row: Mapping[str, float] | None = None) -> dict[str, float | str]:
    """The effect of adding ``project`` on top of ``chosen`` (ids), for its mineral.

    Returns the change (after - before, so negative is better) in expected unmet tonnes and
    loss (USD). With ``import_row`` (``imports_t``, ``china_t``: the importer's yearly imports
    and those from China), the change in dependence on China in points, where (our rule)
    ``share' = china / (imports + capacity_t * p_production)``: the project's expected yearly
    output is assumed all delivered to the importer, on top of today's imports.
    """
    frame = check_candidates(candidates, minerals)
    ids = list(frame["id"])
    unknown = [p for p in [project, *chosen] if p not in ids]
    if unknown:
        raise MinsecError(f"what-if: unknown project {unknown[0]!r}")
    u, var = np.asarray(unmet, dtype=float), np.asarray(value_at_risk, dtype=float)
    dm, member = delivered(frame, horizon_days), _membership(frame, minerals)
    base = frame["id"].isin(chosen).to_numpy()
    plus = base | (frame["id"] == project).to_numpy()
    k0, k1 = member @ (dm * base), member @ (dm * plus)
    out: dict[str, float | str] = {
        "project": project, "mineral": str(frame.loc[ids.index(project), "mineral"]),
        "delta_unmet_t": float((np.maximum(u - k1, 0) - np.maximum(u - k0, 0))
                               .sum(axis=1).mean()),
        "delta_loss_usd": avoided_loss(u, var, k0) - avoided_loss(u, var, k1)}
    if import_row is not None:
        i = ids.index(project)
        imports, china = float(import_row["imports_t"]), float(import_row["china_t"])
        if imports <= 0 or not 0 <= china <= imports:
            raise MinsecError(f"what-if: import row needs imports_t > 0 and 0 <= china_t <= "
                              f"imports_t, got {imports}, {china}")
        added = float(frame["capacity_t"].iloc[i]) * float(frame["p_production"].iloc[i])
        out["china_share_before"] = china / imports
        out["china_share_after"] = china / (imports + added)
        out["delta_china_points"] = 100 * (china / (imports + added) - china / imports)
    return out
