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
    """Largest exporters and importers of the mineral's HS codes in BACI, with value shares.

    For an ``importer``, the largest sources of its imports instead.
    """
    codes = query("SELECT stage, hs6, note FROM hs_concordance WHERE mineral = ?", [mineral],
                  store)
    notes = [f"no HS code in the BACI subset for {mineral} ({stage}): {note.removeprefix('GAP: ')}"
             for stage, hs6, note in codes.itertuples(index=False) if pd.isna(hs6)]
    sql = f"""
        WITH flows AS (
          SELECT c.stage, t.year, t.hs6, t.exporter, t.importer, t.value, t.quantity, t.source
          FROM trade t JOIN hs_concordance c ON c.hs6 = t.hs6 AND c.in_baci
          WHERE c.mineral = ? AND t.source = 'baci_hs92' AND {"t.importer = ?" if importer else "?"}
            AND t.year = (SELECT max(year) FROM trade WHERE source = 'baci_hs92' AND year <= ?)),
        sides AS (
          SELECT stage, year, {"'supplier'" if importer else "'exporter'"} AS side,
                 exporter AS country, value, quantity, hs6
          FROM flows
          UNION ALL
          SELECT stage, year, 'importer', importer, value, quantity, hs6 FROM flows
          WHERE {"false" if importer else "true"}),
        agg AS (
          SELECT stage, year, side, country, sum(value) AS value, sum(quantity) AS quantity,
                 string_agg(DISTINCT hs6, ' ' ORDER BY hs6) AS hs6
          FROM sides GROUP BY ALL)
        SELECT *, value / sum(value) OVER (PARTITION BY stage, side) AS share,
               row_number() OVER (PARTITION BY stage, side ORDER BY value DESC) AS rank
        FROM agg QUALIFY rank <= ? ORDER BY stage, side, rank"""
    flows = query(sql, [mineral, importer or True, year, top], store)
    flows["unit"] = "kUSD"
    flows["source"] = "CEPII BACI HS92 V202401b, HS " + flows["hs6"]
    return flows, notes


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
