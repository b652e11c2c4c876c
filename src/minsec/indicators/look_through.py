"""Indicators on the origin model: mine-origin shares, look-through HHI and GeoPolRisk, exposure.

All take the origin model's rows (:data:`minsec.indicators.origin_inputs.ROWS`: importer,
mineral, year, processing_country, mine_country, contained_t, share ...) and are pure.

* **Mine-origin share** ``m_o = sum_p c_po / sum_po c_po`` over first-tier suppliers ``p``.
* **Look-through HHI** ``10 000 sum_o m_o^2`` over named mine countries (U.S. DOJ/FTC
  Horizontal Merger Guidelines 2023 §2.1, as :func:`minsec.indicators.concentration.hhi`):
  the ``unexplained`` share is left out as atomised, so the index is a lower bound and the
  share is shown beside it.
* **Look-through import risk** ``IR = sum_o g_o f_io / (F_i + P_i)`` with ``o`` the mine
  countries (geopolrisk-py's formula, :func:`minsec.indicators.geopolrisk.import_risk`, fed
  with mine origins instead of direct partners; ``unexplained`` takes the peer's 0.5 for an
  unrated exporter). The first tier on the same contained-tonne basis sits beside it.
* **Two-tier exposure**: the share of the importer's supply passing through a processing
  country, and the share mined in a country.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp

from minsec.indicators import geopolrisk
from minsec.indicators.imports import GREATER_CHINA
from minsec.indicators.origin import UNEXPLAINED

KEY = ["importer", "mineral", "year"]


def mine_shares(rows: pd.DataFrame) -> pd.DataFrame:
    """``importer, mineral, year, mine_country, contained_t, share`` (shares sum to 1)."""
    out = pd.DataFrame(rows.groupby([*KEY, "mine_country"], as_index=False)["contained_t"].sum())
    out["share"] = out["contained_t"] / out.groupby(KEY)["contained_t"].transform("sum")
    return out.sort_values([*KEY, "share"], ascending=[True, True, True, False],
                           ignore_index=True)


def exposure(rows: pd.DataFrame) -> pd.DataFrame:
    """Two-tier exposure: ``importer, mineral, year, tier, country, share``.

    ``tier`` ``processing``: the share passing through the country (its first-tier share);
    ``mine``: the share mined there (``unexplained`` included as its own country).
    """
    parts = []
    for tier, column in (("processing", "processing_country"), ("mine", "mine_country")):
        part = pd.DataFrame(rows.groupby([*KEY, column], as_index=False)["share"].sum())
        parts.append(part.rename(columns={column: "country"}).assign(tier=tier))
    out = pd.concat(parts, ignore_index=True)
    return out[[*KEY, "tier", "country", "share"]].sort_values(
        [*KEY, "tier", "share"], ascending=[True, True, True, True, False], ignore_index=True)


def _hhi(shares: pd.Series) -> float:
    return float((100 * shares[shares.index != UNEXPLAINED]).pow(2).sum())


def summary(rows: pd.DataFrame, china: Iterable[str] = GREATER_CHINA) -> pd.DataFrame:
    """First tier and look-through side by side, per importer, mineral and year.

    Returns ``importer, mineral, year, imports_t`` (contained) ``, ft_top_supplier,
    ft_top_share, ft_hhi, ft_china_share, lt_top_origin, lt_top_origin_share, lt_hhi,
    lt_china_share, lt_unexplained_share``; HHI 0-10 000 (see the module).
    """
    china = set(china)
    out = []
    for key, group in rows.groupby(KEY, sort=True):
        first = group.groupby("processing_country")["share"].sum().sort_values(ascending=False)
        mined = group.groupby("mine_country")["share"].sum().sort_values(ascending=False)
        named = mined.drop(UNEXPLAINED, errors="ignore")
        out.append((*key, float(group["contained_t"].sum()), first.index[0],
                    float(first.iloc[0]), _hhi(first), float(first[first.index.isin(china)]
                                                                 .sum()),
                    named.index[0] if len(named) else None,
                    float(named.iloc[0]) if len(named) else float("nan"), _hhi(mined),
                    float(named[named.index.isin(china)].sum()),
                    float(mined.get(UNEXPLAINED, 0.0))))
    return pd.DataFrame(out, columns=[
        *KEY, "imports_t", "ft_top_supplier", "ft_top_share", "ft_hhi", "ft_china_share",
        "lt_top_origin", "lt_top_origin_share", "lt_hhi", "lt_china_share",
        "lt_unexplained_share"])


def import_risk(rows: pd.DataFrame, governance: pd.DataFrame, production: pd.DataFrame,
                blocs: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """First-tier and look-through import risk (0..1) on contained tonnes.

    ``governance``: WGI ``country, year, estimate`` (PV); ``production``: the origin model's
    mine output ``country, mineral, year, contained_t`` (the importer's own ``P_i``; a bloc's
    is its members' sum). Returns ``importer, mineral, year, ft_import_risk,
    lt_import_risk, lt_imputed_share`` (the part of the supply weighted with the peer's 0.5
    for want of a rating: ``unexplained`` and unrated countries).
    """
    g = geopolrisk.normalised_pv(governance)
    made = production.rename(columns={"contained_t": "value"})[
        ["country", "mineral", "year", "value"]]
    for bloc, members in (blocs or {}).items():
        inside = made[made["country"].isin(set(members))]
        made = pd.concat([made, inside.groupby(["mineral", "year"], as_index=False)[
            "value"].sum().assign(country=bloc)], ignore_index=True)
    made = made[made["mineral"].isin(set(rows["mineral"])) & made["year"].isin(
        set(rows["year"]))]
    risks = []
    for tier, column in (("ft", "processing_country"), ("lt", "mine_country")):
        flows = pd.DataFrame(rows.groupby([*KEY, column], as_index=False)["contained_t"].sum()
                             ).rename(
            columns={column: "exporter", "contained_t": "quantity"}).assign(
            value=0.0, unquantified_value=0.0)
        risk = geopolrisk.import_risk(flows, g, made)
        risk = risk.merge(rows[KEY].drop_duplicates(), on=KEY)
        imputed = risk["imputed_imports"] / risk["imports"].where(risk["imports"] > 0)
        risks.append(risk[KEY].assign(**{f"{tier}_import_risk": risk["import_risk"],
                                         f"{tier}_imputed_share": imputed}))
    out = risks[0].merge(risks[1], on=KEY, how="outer")
    return out[[*KEY, "ft_import_risk", "lt_import_risk", "lt_imputed_share"]]


def hhi_rows(matrix: sp.csr_matrix, drop: np.ndarray | None = None) -> np.ndarray:
    """Per row of tonnes: ``10 000 sum_o s_o^2``, ``s`` the shares of the row total.

    ``drop``ped columns (unexplained) count in the total, not in the sum (a lower bound).
    """
    total = np.asarray(matrix.sum(axis=1)).ravel()
    kept = matrix if drop is None else matrix @ sp.diags((~drop).astype(float))
    squares = np.asarray(kept.multiply(kept).sum(axis=1)).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        return 10_000 * squares / total ** 2


def summary_all(importers: list[str], first: sp.csr_matrix, mined: sp.csr_matrix,
                origins: tuple[str, ...]) -> pd.DataFrame:
    """:func:`summary`'s HHI and unexplained share for every importer from the matrices."""
    gap = np.array([o.startswith(UNEXPLAINED) for o in origins])
    total = np.asarray(mined.sum(axis=1)).ravel()
    unexplained = np.asarray(mined[:, np.flatnonzero(gap)].sum(axis=1)).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = unexplained / total
    return pd.DataFrame({"importer": importers, "imports_t": total,
                         "ft_hhi": hhi_rows(first), "lt_hhi": hhi_rows(mined, gap),
                         "lt_unexplained_share": share})
