"""The origin model's inputs from tidy tables, and the model run over minerals and years.

:func:`mine_production` gives each country's mine output in the flows' measure;
:func:`implied_ore` stands in for an ore traded only under a shared code; :func:`origins`
solves every mineral-year (:func:`minsec.indicators.origin.solve`) and traces every importer's
imports (:func:`~minsec.indicators.origin.look_through`). Choices that are ours, each named in
the rows' ``basis`` or in the notes:

* **Mine production**: USGS MCS, newest edition first, else World Mining Data 2026 for the
  country-year (:func:`minsec.indicators.imports.production_t`); WMD's lithium is Li2O, so
  times 0.4645 (2 x 6.941 / 29.881) to the Li the flows measure.
* **An ore in a shared code** (spodumene and rare-earth concentrates in HS 253090 and 261220,
  ``excluded`` in forms.csv): its trade is not charged to the mineral, so a mine country's
  output that its measured exports of the mineral's other forms do not account for is taken
  as ore exported, to the importers of the shared codes in the store (by gross tonnes of the
  latest year at or before, in the mirror China's 253090 imports from Australia and the USA).
  A country that itself imports the shared code keeps its own ore. These flows are ``implied``
  and say so (:data:`IMPLIED`); they are what makes Australia's spodumene visible at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from minsec.indicators import origin
from minsec.indicators.imports import production_t

IMPLIED = "implied ore: mine output not accounted for by measured exports (shared HS code)"
WMD_TO_FLOWS = {"lithium": 2 * 6.941 / 29.881}  # WMD measures Li2O; the flows Li
ROWS = ["importer", "mineral", "year", "processing_country", "mine_country", "unexplained_at",
        "contained_t", "share", "first_tier_share", "mine_source", "basis"]


def mine_production(supply: pd.DataFrame) -> pd.DataFrame:
    """``country, mineral, year, contained_t, source``: mine output, one figure each (t)."""
    rows = production_t(supply)
    rows = rows[rows["stage"].eq("mining")]
    factor = rows["mineral"].map(WMD_TO_FLOWS).where(rows["edition"].str.startswith("wmd"))
    return pd.DataFrame({"country": rows["country"], "mineral": rows["mineral"],
                         "year": rows["year"].astype(int),
                         "contained_t": rows["value"] * factor.fillna(1.0),
                         "source": rows["edition"]}).reset_index(drop=True)


def shared_ore_codes(forms: pd.DataFrame) -> dict[str, list[str]]:
    """Minerals whose mining-stage forms are all uncharged shared codes: mineral -> codes."""
    mining = forms[forms["stage"].eq("mining")]
    charged = set(mining.loc[mining["allocation"].isin(["full", "split"]), "mineral"])
    out: dict[str, list[str]] = {}
    for mineral, rows in mining[mining["allocation"].eq("excluded")].groupby("mineral"):
        if mineral not in charged:
            codes = {str(c) for col in ("hs92", "hs2017", "hs2022") for c in rows[col].dropna()}
            out[str(mineral)] = sorted(c for c in codes if c)
    return out


def destinations(shared: pd.DataFrame, codes: Iterable[str], year: int) -> pd.Series:
    """Net importers of the shared codes by gross t, the latest year at or before ``year``.

    ``shared``: trade records ``year, exporter, importer, hs6, quantity`` (any source); a pair
    declared twice counts once (the larger). The weight is imports less exports, where
    positive. Empty where no record is at or before the year.
    """
    rows = shared[shared["hs6"].isin(list(codes)) & shared["year"].le(year)
                  & shared["quantity"].gt(0) & shared["exporter"].ne(shared["importer"])]
    if rows.empty:
        return pd.Series(dtype=float)
    rows = rows[rows["year"].eq(rows["year"].max())]
    pairs = rows.groupby(["exporter", "importer", "hs6"])["quantity"].max()
    net = pairs.groupby(level="importer").sum().sub(
        pairs.groupby(level="exporter").sum(), fill_value=0.0)
    return net[net > 0]


def implied_ore(flows: pd.DataFrame, mine: pd.Series, to: pd.Series) -> pd.DataFrame:
    """Ore flows implied by mine output the measured exports do not account for.

    ``flows``: the mineral-year's ``exporter, importer, stage, contained_t``; ``mine``: output
    by country (t); ``to``: destination weights. Country ``c`` not among the destinations sends
    ``max(P_c - X_c, 0)`` (``X_c`` its measured exports but scrap) to them in proportion.
    Returns ``exporter, importer, stage, contained_t, basis``.
    """
    to = to[to > 0]
    if to.empty:
        return pd.DataFrame(columns=["exporter", "importer", "stage", "contained_t", "basis"])
    sold = flows[flows["stage"].ne(origin.SCRAP)].groupby("exporter")["contained_t"].sum()
    left = (mine - sold.reindex(mine.index).fillna(0.0)).clip(lower=0.0)
    left = left[(left > 0) & ~left.index.isin(to.index)]
    weights = to / to.sum()
    rows = [(c, d, t * w) for c, t in left.items() for d, w in weights.items()]
    return pd.DataFrame(rows, columns=["exporter", "importer", "contained_t"]).assign(
        stage="mining", basis=IMPLIED)


def network(trade: pd.DataFrame) -> pd.DataFrame:
    """The flows summed per ``mineral, year, stage, exporter, importer`` (contained t)."""
    keys = ["mineral", "year", "stage", "exporter", "importer"]
    frame = trade[[*keys, "contained_t"]]
    frame = frame[frame["contained_t"].gt(0) & frame["exporter"].ne(frame["importer"])]
    out = pd.DataFrame(frame.groupby(keys, as_index=False, sort=False, observed=True)[
        "contained_t"].sum())
    return out.astype(dict.fromkeys([k for k in keys if k != "year"], str))


def bases(trade: pd.DataFrame, importer: str, members: Iterable[str] = ()) -> pd.DataFrame:
    """The bases of one importer's flows, for the rows' labels.

    ``mineral, year, importer, exporter, basis``; a bloc: its members' imports from outside.
    """
    inside = set(members)
    if inside:
        rows = trade[trade["importer"].isin(inside) & ~trade["exporter"].isin(inside)]
    else:
        rows = trade[trade["importer"].eq(importer)]
    rows = rows[["mineral", "year", "exporter", "basis"]].drop_duplicates().astype(
        dict.fromkeys(["mineral", "exporter", "basis"], str))
    out = rows.sort_values("basis").groupby(["mineral", "year", "exporter"])["basis"].agg(
        lambda b: "; ".join(b))
    return out.reset_index().assign(importer=importer)


def origins(net: pd.DataFrame, production: pd.DataFrame, shared: pd.DataFrame,
            forms: pd.DataFrame, minerals: Iterable[str] | None = None,
            years: Iterable[int] | None = None,
            blocs: Mapping[str, Iterable[str]] | None = None,
            importers: Iterable[str] | None = None,
            cache: dict[tuple[str, int], Solved] | None = None,
            labels: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Look-through rows (:data:`ROWS`) and notes (``mineral, year, note``) per mineral-year.

    ``net``: :func:`network`'s flows; ``production``: :func:`mine_production`; ``shared``:
    trade records of the shared ore codes. Default: every mineral with mine production and
    flows, every year with both. ``importers``: keep only these importers' rows. ``cache``
    keeps each mineral-year's solved chain for the next call (the chain is the same for
    every importer). ``labels``: :func:`bases` of the importers, for the rows' ``basis``.
    """
    codes = shared_ore_codes(forms)
    have = production.groupby(["mineral", "year"]).size()
    pairs = net[["mineral", "year"]].drop_duplicates()
    pairs = pairs[pd.MultiIndex.from_frame(pairs).isin(have.index)]
    if minerals is not None:
        pairs = pairs[pairs["mineral"].isin(list(minerals))]
    if years is not None:
        pairs = pairs[pairs["year"].isin([int(y) for y in years])]
    cache = {} if cache is None else cache
    wanted = pairs.sort_values(["mineral", "year"])
    todo = wanted[[(m, int(y)) not in cache for m, y in wanted.itertuples(index=False)]]
    if len(todo):
        net = net.merge(todo, on=["mineral", "year"])
        groups = dict(iter(net.groupby(["mineral", "year"], observed=True)))
        made = dict(iter(production.groupby(["mineral", "year"])))
        for mineral, year in todo.itertuples(index=False):
            cache[(mineral, int(year))] = _solved(groups[(mineral, year)],
                                                  made[(mineral, year)], codes.get(mineral),
                                                  shared, int(year))
    out, notes = [], []
    for mineral, year in wanted.itertuples(index=False):
        chain, flows, mine, said = cache[(mineral, int(year))]
        notes += [(mineral, int(year), n) for n in said]
        rows = origin.look_through(chain, flows, blocs, importers)
        said_by = None if labels is None else labels[labels["mineral"].eq(mineral)
                                                     & labels["year"].eq(year)]
        out.append(_labelled(rows, flows, mine, mineral, int(year), said_by))
    table = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=ROWS)
    return table.reindex(columns=ROWS), pd.DataFrame(notes, columns=["mineral", "year", "note"])


Solved = tuple[origin.Chain, pd.DataFrame, pd.DataFrame, tuple[str, ...]]


def _solved(flows: pd.DataFrame, mine: pd.DataFrame, codes: list[str] | None,
            shared: pd.DataFrame, year: int) -> Solved:
    """One mineral-year: the chain, the flows it was solved on (implied ore added), notes."""
    output = mine.groupby("country")["contained_t"].sum()
    notes: list[str] = []
    if codes:
        extra = implied_ore(flows, output, destinations(shared, codes, year))
        flows = pd.concat([flows, extra], ignore_index=True)
        big = extra[extra["contained_t"] >= 0.5]
        notes += [f"{IMPLIED}: {e} -> {i} {t:,.0f} t" for e, i, t in
                  zip(big["exporter"], big["importer"], big["contained_t"], strict=True)]
    chain = origin.solve(flows, output)
    return chain, flows, mine, (*notes, *chain.notes)


def _labelled(rows: pd.DataFrame, flows: pd.DataFrame, mine: pd.DataFrame, mineral: str,
              year: int, labels: pd.DataFrame | None) -> pd.DataFrame:
    """Rows with the mineral, year, the mine figure's source and the first tier's basis."""
    source = mine.drop_duplicates("country").set_index("country")["source"]
    implied = flows[flows.get("basis", pd.Series(index=flows.index, dtype=object)).eq(IMPLIED)]
    said = pd.concat([implied[["importer", "exporter"]].assign(basis=IMPLIED),
                      pd.DataFrame(columns=["importer", "exporter", "basis"])
                      if labels is None else labels[["importer", "exporter", "basis"]]])
    pair = said.groupby(["importer", "exporter"])["basis"].agg("; ".join)
    key = pd.MultiIndex.from_arrays([rows["importer"], rows["processing_country"]])
    basis = pd.Series(pair.reindex(key).to_numpy(), index=rows.index).fillna(
        "trade by form (tables.mineral_trade)")
    mine_source = rows["mine_country"].map(source).where(rows["unexplained_at"].isna())
    return rows.assign(mineral=mineral, year=year, mine_source=mine_source.fillna(
        "excess over inputs at " + rows["unexplained_at"].fillna("?")), basis=basis)
