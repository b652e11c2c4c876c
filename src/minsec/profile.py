"""A mineral's supply profile: where it is mined and refined, and who trades it.

Production and reserves by country with shares, concentration, and the largest exporters and
importers. Every figure carries its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from minsec.errors import MinsecError
from minsec.indicators.concentration import AGGREGATES, hhi, shares, top_share
from minsec.reference import listed, mineral_id, minerals
from minsec.store import query
from minsec.tables import edition_label, editions, supply_editions

MEASURE = ["stage", "variable", "form", "unit", "year"]


@dataclass
class Profile:
    """The tables of a profile (tidy frames) and the notes that explain gaps."""

    mineral: str
    edition: str
    year: int
    supply: pd.DataFrame
    concentration: pd.DataFrame
    trade: pd.DataFrame
    imports: pd.DataFrame | None = None
    importer: str | None = None
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The profile's tables by name."""
        tables = {"supply": self.supply, "concentration": self.concentration, "trade": self.trade}
        return tables if self.imports is None else tables | {"imports": self.imports}

    def document(self) -> dict[str, object]:
        """The profile as one JSON-ready document (frames become record lists on output)."""
        return {"mineral": self.mineral, "edition": self.edition, "year": self.year,
                "importer": self.importer, **self.tables(), "notes": self.notes}


def _cite(frame: pd.DataFrame) -> pd.Series:
    label = frame["edition"].map(edition_label)
    line = frame["line"].astype("string").fillna("")
    return label + ", " + frame["file"] + ":" + line


def with_shares(rows: pd.DataFrame) -> pd.DataFrame:
    """Country rows with their share of the published world total of the same measure."""
    totals = rows[rows["country"] == "WLD"].groupby(MEASURE, dropna=False)["value"].first()
    countries = rows[~rows["country"].isin(AGGREGATES[1:])].copy()
    def share(group: pd.DataFrame) -> pd.Series:
        key = tuple(group.iloc[0][MEASURE])
        total = totals.get(key)
        body = group[group["country"] != "WLD"]
        out = shares(body["value"], None if total is None or pd.isna(total) else float(total))
        return pd.concat([out, pd.Series(1.0, index=group.index[group["country"] == "WLD"])])
    parts = [share(g) for _, g in countries.groupby(MEASURE, dropna=False)]
    countries["share"] = pd.concat(parts) if parts else pd.Series(dtype=float)
    countries["source"] = _cite(countries)
    return countries


def concentration(supply: pd.DataFrame) -> pd.DataFrame:
    """Top-1 and top-3 shares and HHI per measure, from the country shares."""
    records = []
    for key, group in supply.groupby(MEASURE, dropna=False):
        body = group[~group["country"].isin(AGGREGATES)].set_index("country")["share"]
        if body.dropna().empty:
            continue
        records.append(dict(zip(MEASURE, key, strict=True)) | {
            "top1_country": body.idxmax(), "top1_share": top_share(body, 1),
            "top3_share": top_share(body, 3), "hhi": hhi(body),
            "countries": int(body.notna().sum()), "source": group["source"].iloc[0]})
    return pd.DataFrame(records)


def _trade(mineral: str, year: int, store: Path | None, top: int,
           importer: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Largest exporters and importers of each of the mineral's forms, with their shares.

    Each form in its latest year at or before ``year``, on its one basis
    (:mod:`minsec.indicators.trade_forms`); for an ``importer``, the largest sources of its
    imports instead. Shares are of value where every flow has one, else of contained tonnes.
    """
    from minsec import tables

    forms = tables.trade_forms(store)
    group = forms.loc[forms["mineral"].eq(mineral) & forms["form"].eq("group"), "group_id"]
    item = str(group.iloc[0]) if len(group) else mineral
    notes = [f"{mineral} is traded as part of the group {item}: its figures are the group's"
             ] if item != mineral else []
    missing = tables.trade_gaps(store)
    notes += [f"not measured ({stage}): {note}" for stage, note in missing.loc[
        missing["mineral"].eq(mineral), ["stage", "note"]].itertuples(index=False)]
    flows = tables.mineral_trade(store)
    flows = flows[flows["mineral"].eq(item) & flows["year"].le(year)]
    flows = flows[flows["year"].eq(flows.groupby("form", observed=True)["year"].transform("max"))]
    if importer:
        sides = flows[flows["importer"].eq(importer)].assign(side="supplier",
                                                             country=flows["exporter"])
    else:
        sides = pd.concat([flows.assign(side="exporter", country=flows["exporter"]),
                           flows.assign(side="importer", country=flows["importer"])])
    keys = ["stage", "form", "form_name", "year", "basis", "side", "country"]
    agg = sides.groupby(keys, observed=True, as_index=False).agg(
        value=("value", "sum"), valued=("value", "count"), n=("value", "size"),
        gross_t=("gross_t", "sum"), contained_t=("contained_t", "sum"),
        hs6=("hs6", lambda c: " ".join(sorted(set(map(str, c))))))
    by = ["stage", "form", "side"]
    complete = agg.groupby(by, observed=True)["valued"].transform("sum").eq(
        agg.groupby(by, observed=True)["n"].transform("sum"))
    x = agg["value"].where(complete, agg["contained_t"])
    agg["share"] = x / x.groupby([agg[c] for c in by], observed=True).transform("sum")
    agg["share_of"] = complete.map({True: "value", False: "contained tonnes"})
    agg["rank"] = x.groupby([agg[c] for c in by], observed=True).rank(ascending=False,
                                                                       method="first")
    agg = agg[agg["rank"].le(top)].sort_values([*by, "rank"]).drop(columns=["valued", "n"])
    agg["unit"] = "kUSD; t gross; t contained"
    agg["source"] = agg["basis"].astype(str) + ", HS " + agg["hs6"].astype(str)
    return agg.reset_index(drop=True), notes


def default_edition(mineral: str, store: Path | None = None) -> str:
    """The store's preferred edition with figures for ``mineral`` (the newest USGS MCS first).

    A mineral without figures (a single rare earth) gets the store's preferred edition.
    """
    have = editions(query("SELECT DISTINCT edition FROM supply WHERE mineral = ?", [mineral],
                          store))
    return (have or supply_editions(store) or ["none"])[0]


def profile(mineral: str, edition: str | None = None, year: int | None = None,
            store: Path | None = None, top: int = 5, importer: str | None = None) -> Profile:
    """The supply profile of ``mineral`` from one edition (USGS MCS, WMD or IEA) and BACI.

    ``edition``: default :func:`default_edition`. With ``importer`` (ISO3), an ``imports``
    table lists the sources of its imports.
    """
    edition = edition or default_edition(mineral, store)
    rows = query("SELECT * FROM supply WHERE mineral = ? AND edition = ?", [mineral, edition],
                 store)
    if rows.empty:
        have = query("SELECT DISTINCT edition FROM supply WHERE mineral = ? ORDER BY 1",
                     [mineral], store)["edition"].tolist()
        raise MinsecError(f"no {edition} supply figures for {mineral}; "
                          f"editions with it: {', '.join(have) or 'none'}")
    production_years = rows.loc[rows["variable"] != "reserves", "year"]
    if production_years.empty:  # reserves only: the profile is of their year
        production_years = rows["year"]
    chosen = int(year if year is not None else production_years.max())
    if year is not None and year not in set(rows["year"]):
        raise MinsecError(f"--year {year}: {edition} has {mineral} figures for "
                          f"{', '.join(map(str, sorted(set(rows['year']))))}")
    latest_reserves = rows.loc[rows["variable"] == "reserves", "year"].max()
    keep = (rows["year"] == chosen) & (rows["variable"] != "reserves")
    keep |= (rows["variable"] == "reserves") & (rows["year"] == latest_reserves)
    supply = with_shares(rows[keep])
    order = {"production": 0, "capacity": 1, "reserves": 2}
    supply = supply.sort_values(["variable", "stage", "form", "share"],
                                ascending=[True, True, True, False],
                                key=lambda c: c.map(order) if c.name == "variable" else c)
    columns = ["stage", "variable", "form", "country", "year", "value", "unit", "share",
               "estimated", "flag", "source"]
    trade, notes = _trade(mineral, chosen, store, top)
    imports = _trade(mineral, chosen, store, top, importer)[0] if importer else None
    return Profile(mineral, edition, chosen, supply[columns].reset_index(drop=True),
                   concentration(supply), trade, imports, importer, notes)


def reported_as(mineral: str, edition: str, store: Path | None = None) -> tuple[str, str | None]:
    """The id under which ``edition`` reports ``mineral``, and a note when it is a group.

    USGS and World Mining Data report the rare earths as one group: a single element
    (e.g. neodymium) is shown through the group, with a note saying so.
    """
    found = query("SELECT count(*) AS n FROM supply WHERE mineral = ? AND edition = ?",
                  [mineral, edition], store)["n"].iloc[0]
    catalogue = minerals().set_index("id")
    if found or catalogue.loc[mineral, "group"] != "rare_earth" or mineral == "rare_earths":
        return mineral, None
    return "rare_earths", f"{edition} reports rare earths as a group; {mineral} shown through it"


def profile_many(names: list[str], list_id: str | None, edition: str | None, year: int | None,
                 store: Path | None = None, importer: str | None = None) -> list[Profile]:
    """Profiles for the named minerals and the members of a list, each group once.

    ``edition``: one for all, else each mineral's :func:`default_edition`.
    """
    ids = [mineral_id(n) for n in names] + (listed(list_id) if list_id else [])
    if not ids:
        raise MinsecError("name a mineral (e.g. gallium) or a list (--list kr_strategic_2023)")
    result: dict[str, Profile] = {}
    for mid in ids:
        shown, note = reported_as(mid, edition or default_edition(mid, store), store)
        if shown not in result:
            result[shown] = profile(shown, edition, year, store, importer=importer)
        if note:
            result[shown].notes.append(note)
    return list(result.values())
