"""Country governance (World Bank WGI) rescaled for supply-risk weighting, and ``HHI_WGI,t``.

The EU criticality method (European Commission 2017 *Guidelines*; Blengini et al. 2017, JRC
EUR 28654; codified in Regulation (EU) 2024/1252 Annex II) weights each supplier's squared share
by its governance: the mean of the six Worldwide Governance Indicators, rescaled to 0..10 with
10 the worst governance, times the trade variable ``t`` of the EC tables.

Rules taken here (the sources do not state them; they are ours and can be changed by argument):

* **Missing dimensions**: the mean is taken over the dimensions present when at least
  ``min_dimensions`` (default 5) of the six are published; otherwise the country-year has no
  score (NaN). In the 2024 WGI update every supplier country of the EC tables has all six;
  the default only drops micro-territories scored on two dimensions (Cook Islands, Niue).
* **Year**: :func:`wgi_at` takes the requested year, falling back per country to the latest
  earlier year within ``max_lag`` years.
* **Aggregates**: ``EU27`` is scored by :func:`with_eu27` as the unweighted mean of the member
  states' scores. ``ROW``/``WLD``/any country without a score is *unrated*: it is left out of
  the sum (an unattributed remainder is taken as atomised, so the index is a lower bound) and its
  share is reported by :func:`hhi_wgi_t_table`. The 2023 EC tables list member states one by one
  (with ``t = 0.8``) and carry no 'other' row, so neither case arises with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

DIMENSIONS = ("va", "pv", "ge", "rq", "rl", "cc")


def wgi_scaled(governance: pd.DataFrame, min_dimensions: int = 5) -> pd.DataFrame:
    """WGI mean of the six dimensions, rescaled: ``wgi = (2.5 - mean) / 5 * 10``, 0..10.

    10 is the worst governance (mean estimate -2.5), 0 the best (+2.5). CritMAT writes the same
    as ``(mean - 2.5) * -2`` (meyerdata/CritMAT, ``calc_hhi_wgi_tp.py``).

    Parameters
    ----------
    governance
        Long WGI table ``country, year, indicator, estimate`` (the store's ``governance``);
        one row per country, year and dimension (filter to one load first).
    min_dimensions
        Fewest dimensions the mean may rest on; fewer gives NaN.

    Returns
    -------
    DataFrame ``country, year, wgi, dimensions`` (dimensions = how many entered the mean).

    Source: European Commission (2017), *Methodology for establishing the EU list of critical
    raw materials - Guidelines*; WGI estimates: World Bank, WGI 2024 update.
    """
    rows = governance[governance["indicator"].isin(DIMENSIONS)]
    if rows.duplicated(["country", "year", "indicator"]).any():
        raise ValueError("governance has two estimates for one country, year and dimension; "
                         "filter it to one WGI load (source) first")
    grouped = rows.groupby(["country", "year"])["estimate"]
    out = pd.DataFrame({"mean": grouped.mean(), "dimensions": grouped.count()}).reset_index()
    out["wgi"] = ((2.5 - out["mean"]) / 5 * 10).where(out["dimensions"] >= min_dimensions)
    return out[["country", "year", "wgi", "dimensions"]]


def wgi_at(wgi: pd.DataFrame, year: int, max_lag: int = 3) -> pd.Series:
    """Scaled WGI per country for ``year``: that year, else the latest within ``max_lag``.

    Takes the frame of :func:`wgi_scaled`; returns a Series indexed by country, named ``wgi``.
    """
    rated = wgi[wgi["wgi"].notna() & wgi["year"].between(year - max_lag, year)]
    latest = rated.sort_values("year").groupby("country")["wgi"].last()
    return latest.rename("wgi")


def with_eu27(wgi: pd.Series, members: Iterable[str]) -> pd.Series:
    """Add an ``EU27`` entry: the unweighted mean of the member states' scaled WGI, 0..10."""
    members = list(members)
    return pd.concat([wgi.drop("EU27", errors="ignore"),
                      pd.Series({"EU27": wgi.reindex(members).mean()}, name=wgi.name)])


def hhi_wgi_t(shares: pd.Series, wgi: pd.Series, t: pd.Series | float = 1.0) -> float:
    """Governance-weighted concentration ``HHI_WGI,t = sum_c S_c^2 * WGI_c * t_c``, 0..10.

    ``shares`` are fractions (so the plain HHI lies in 0..1) indexed by country; ``wgi`` is the
    0..10 score of :func:`wgi_scaled` by country; ``t`` the EC trade-related variable (a Series
    by country, or one number). Countries without a score (``ROW``, ``WLD``) are left out.

    Source: European Commission (2017) Guidelines; Regulation (EU) 2024/1252, Annex II.
    """
    factor = t.reindex(shares.index) if isinstance(t, pd.Series) else t
    terms = shares**2 * wgi.reindex(shares.index) * factor
    return float(terms.sum(min_count=1))


def hhi_wgi_t_table(supply: pd.DataFrame, wgi: pd.Series,
                    by: Sequence[str] = ("material", "stage", "scope")) -> pd.DataFrame:
    """:func:`hhi_wgi_t` for every group of a long share table at once.

    Parameters
    ----------
    supply
        Columns ``*by, country, share, t`` (shares as fractions; ``t`` NaN counts as 1).
    wgi
        Scaled WGI by country (:func:`wgi_at`, optionally :func:`with_eu27`).

    Returns
    -------
    DataFrame ``*by, hhi_wgi_t, share_total, share_unrated, countries``: the index (0..10),
    the sum of the published shares, the part of it without a WGI score, the count of rows.
    """
    keys = list(by)
    frame = supply[[*keys, "country", "share", "t"]].copy()
    frame["wgi"] = frame["country"].map(wgi)
    frame["term"] = frame["share"] ** 2 * frame["wgi"] * frame["t"].fillna(1.0)
    frame["unrated"] = np.where(frame["wgi"].isna(), frame["share"], 0.0)
    grouped = frame.groupby(keys, dropna=False)
    out = pd.DataFrame({"hhi_wgi_t": grouped["term"].sum(min_count=1),
                        "share_total": grouped["share"].sum(),
                        "share_unrated": grouped["unrated"].sum(),
                        "countries": grouped["country"].count()})
    return out.reset_index()
