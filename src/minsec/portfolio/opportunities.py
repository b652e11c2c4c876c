"""Where the MSP could add projects: countries it works with, holding supply it does not cover.

``P_PRODUCTION``, the probability that a project reaches production from each stage gate, is
ours: round figures in the range of published stage-to-production rates for mining projects
(exploration finds rarely become mines; construction mostly finishes). No single source gives
these four numbers; replace them with a calibrated table when one is curated.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minsec.errors import MinsecError
from minsec.indicators.concentration import stage_shares
from minsec.portfolio.gaps import _latest_supply

P_PRODUCTION = {"exploration": 0.1, "feasibility": 0.3, "construction": 0.7, "operating": 1.0}
STATUSES = ("partner", "forum", "southeast_asia", "other")
CANDIDATE_COLUMNS = ("name", "country", "mineral", "stage", "capacity_t", "capex_usd", "status",
                     "source_url")


def country_shares(supply: pd.DataFrame) -> pd.DataFrame:
    """Each country's share of the world's reserves and production (latest year, MCS 2024 first).

    ``country, mineral, stage, variable, share`` as in
    :func:`minsec.indicators.concentration.stage_shares`.
    """
    rows = _latest_supply(supply)
    parts = [stage_shares(rows[rows["variable"].eq(v)].assign(variable="production"))
             .assign(variable=v) for v in ("reserves", "production")]
    return pd.concat(parts, ignore_index=True)[["country", "mineral", "stage", "variable",
                                                "share"]]


def status(countries: pd.Series, membership: pd.DataFrame, regions: pd.DataFrame) -> pd.Series:
    """``partner``, ``forum``, ``southeast_asia`` or ``other``, the first that applies."""
    role = membership.sort_values("role", key=lambda r: r.map(
        {"partner": 0, "forum": 1})).drop_duplicates("country").set_index("country")["role"]
    sea = set(regions.loc[regions["grouping"].eq("southeast_asia"), "country"])
    out = countries.map(role)
    return out.where(out.notna(), countries.isin(sea).map({True: "southeast_asia",
                                                          False: "other"}))


def scan(world: pd.DataFrame, membership: pd.DataFrame, regions: pd.DataFrame,
         covered: set[tuple[str, str]], risk: pd.DataFrame, min_share: float = 0.02,
         high_risk: float = 0.5, stage: str = "exploration") -> pd.DataFrame:
    """Candidate countries for new projects, ranked by ``risk_score x share``.

    A candidate: a country with ``partner``, ``forum`` or ``southeast_asia`` status (see
    :func:`status`) holding ``share >= min_share`` of the world's reserves or production
    (``world``: :func:`country_shares`) of a mineral with ``risk_score >= high_risk`` (``risk``:
    ``mineral, risk_score``), where ``(country, mineral)`` is not in ``covered`` (the
    registry's projects). One row per country, mineral and stage, keeping the larger of the
    reserves and production shares. Candidates start at gate ``stage`` (``P_PRODUCTION``).
    """
    if stage not in P_PRODUCTION:
        raise MinsecError(f"unknown stage {stage!r}: one of {', '.join(P_PRODUCTION)}")
    scores = risk.dropna(subset=["risk_score"]).groupby("mineral")["risk_score"].max()
    rows = world[world["share"].ge(min_share) & world["mineral"].isin(
        scores[scores >= high_risk].index)]
    rows = rows.assign(status=status(rows["country"], membership, regions))
    pairs = pd.Series(list(zip(rows["country"], rows["mineral"], strict=True)), index=rows.index)
    rows = rows[rows["status"].ne("other") & ~pairs.isin(covered)]
    rows = rows.sort_values("share", ascending=False).drop_duplicates(
        ["country", "mineral", "stage"])
    rows = rows.assign(risk_score=rows["mineral"].map(scores), p_production=P_PRODUCTION[stage])
    rows["reason"] = (rows["status"] + " " + rows["country"] + " holds "
                      + (100 * rows["share"]).round(1).astype(str) + "% of world "
                      + rows["stage"] + " " + rows["variable"] + " of " + rows["mineral"]
                      + " (risk " + rows["risk_score"].round(2).astype(str)
                      + "); no MSP project there for it")
    rows["_rank"] = rows["risk_score"] * rows["share"]
    rows = rows.sort_values(["_rank", "country", "mineral", "stage"],
                            ascending=[False, True, True, True])
    return rows[["country", "mineral", "stage", "share", "status", "risk_score", "reason",
                 "p_production"]].reset_index(drop=True)


def _check(frame: pd.DataFrame, path: Path) -> None:
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        where = f"{path}:{i}"
        for field in ("name", "country", "mineral", "stage", "status"):
            if not str(getattr(row, field)).strip():
                raise MinsecError(f"{where}: field {field!r} is empty")
        if row.stage not in P_PRODUCTION:
            raise MinsecError(f"{where}: stage {row.stage!r} is not one of "
                              f"{', '.join(P_PRODUCTION)}")
        if row.status not in STATUSES:
            raise MinsecError(f"{where}: status {row.status!r} is not one of "
                              f"{', '.join(STATUSES)}")
        for field in ("capacity_t", "capex_usd"):
            value = pd.to_numeric(getattr(row, field), errors="coerce")
            if str(getattr(row, field)).strip() and not (value >= 0):
                raise MinsecError(f"{where}: field {field!r} must be a number >= 0, "
                                  f"got {getattr(row, field)!r}")
        if not str(row.source_url).startswith(("http://", "https://")):
            raise MinsecError(f"{where}: field 'source_url' must be an http(s) address")


def read_candidates(path: str | Path) -> pd.DataFrame:
    """A user's candidate projects, checked row by row; adds ``p_production`` from the stage.

    CSV columns: ``name, country, mineral, stage, capacity_t, capex_usd, status, source_url``.
    Countries become ISO3 and minerals catalogue ids; a bad row raises one
    :class:`~minsec.errors.MinsecError` naming the file, line and field.
    """
    from minsec.countries import iso3
    from minsec.reference import mineral_id

    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise MinsecError(f"{path}: cannot read the candidate file ({exc})") from None
    missing = [c for c in CANDIDATE_COLUMNS if c not in frame.columns]
    if missing:
        raise MinsecError(f"{path}: missing column(s) {', '.join(missing)}")
    frame = frame.map(str.strip)
    _check(frame, path)
    codes = frame["country"].map(iso3)
    if codes.isna().any():
        line = int(codes.isna().to_numpy().argmax()) + 2
        raise MinsecError(f"{path}:{line}: field 'country': unknown country "
                          f"{frame['country'].iloc[line - 2]!r}")
    minerals = []
    for line, name in enumerate(frame["mineral"], start=2):
        try:
            minerals.append(mineral_id(name))
        except MinsecError as exc:
            raise MinsecError(f"{path}:{line}: field 'mineral': {exc}") from None
    return frame.assign(
        country=codes, mineral=minerals,
        capacity_t=pd.to_numeric(frame["capacity_t"]), capex_usd=pd.to_numeric(frame["capex_usd"]),
        p_production=frame["stage"].map(P_PRODUCTION))
