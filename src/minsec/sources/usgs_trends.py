"""USGS MCS US statistics: per-commodity salient tables and the front-matter trend tables.

Salient columns read ``[<Group>_]<Variable>[_<form>]_<unit>``, sometimes with the unit glued
(``USprod_Primarykg``, ``Price_WO3dt``): USprod/Prod/Production/Extracted -> production,
Imports, Exports, Consump -> consumption, Price, Stocks, Employment (unit count whatever the
suffix), NIR -> net_import_reliance (unit pct). Groups (``Bauxite_``, ``Alumina_``, ``Bort_``,
``Stones_``, ``HPQ_``, ``Crystal_``, ``Granite_``) and the variable words Mine, Refinery,
Quantity, Apparent start the form. Masses are converted to t and ``ctslb`` to USD/lb; other
units are kept (``dst``: USD/short ton). Shipments, sales, recycling, furnace shares
and withdrawals from storage are not loaded. Iron and steel scrap and slag carry ``Scrap``/
``Slag`` at the start of their form (mineral iron_and_steel), titanium mineral concentrates
``Concentrates`` (titanium, like sponge and dioxide).

Trends: ``MCSYYYY_Fig2_Net_Import_Reliance.csv`` gives NIR rows (year from the column name)
and ``us_import_source`` rows (the ranked "Major import sources" list, share NULL; the region
``Europe`` is skipped, keeping the ranks of the others). ``us_import_source`` has no form, so
where several Fig2 commodities share a mineral (titanium sponge and concentrates) the one without
qualifier, else the first listed, gives the ranking (nepheline syenite, NIR form of feldspar,
gives none). ``MCSYYYY_T5_Critical_Minerals_Salient.csv``
adds the NIR of minerals that Fig2 of the same edition lacks (e.g. beryllium ``E``); its other
columns are not loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from minsec.errors import SourceError
from minsec.reference import check_minerals
from minsec.sources._parse import first_row
from minsec.sources.usgs import (
    country_codes,
    file_commodity,
    parse_cells,
    read_csv,
    split_minerals,
)

STATISTICS = ["edition", "mineral", "year", "variable", "form", "value", "unit", "flag", "file",
              "line"]
_WORDS = {"usprod": "production", "prod": "production", "production": "production",
          "extracted": "production", "mine": "production", "refinery": "production",
          "quantity": "production", "imports": "imports", "exports": "exports",
          "consump": "consumption", "consumtion": "consumption", "consumption": "consumption",
          "apparent": "consumption",
          "price": "price", "stocks": "stocks", "employment": "employment",
          "nir": "net_import_reliance"}
_FORM_WORDS = {"extracted", "mine", "refinery", "quantity", "apparent"}  # words that are a form
_NOT_LOADED = ("shipments", "sales", "sold", "supply", "furnace", "continuous", "recycled",
               "products", "withdrawn", "grade-a-sales")
_GROUPS = {"bauxite", "alumina", "bort", "stones", "hpq", "crystal", "granite"}
_PREFIX = {"fescr": "Scrap", "fesla": "Slag", "timin": "Concentrates"}
_QUANTITY = {"t": ("t", 1.0), "kt": ("t", 1e3), "kg": ("t", 1e-3), "mmt": ("t", 1e6),
             "mct": ("million carats", 1.0), "mcm": ("million m3", 1.0), "mdol": ("MUSD", 1.0),
             "msqft": ("million ft2", 1.0)}
_PRICE = {"dt": ("USD/t", 1.0), "dst": ("USD/short ton", 1.0), "dlb": ("USD/lb", 1.0),
          "ctslb": ("USD/lb", 0.01), "dkg": ("USD/kg", 1.0), "dg": ("USD/g", 1.0),
          "dtoz": ("USD/troy oz", 1.0), "dto": ("USD/troy oz", 1.0),
          "dct": ("USD/carat", 1.0), "dmtu": ("USD/mtu", 1.0), "index": ("index", 1.0)}
_FIXED = {"net_import_reliance": (re.compile(r"^(?:(.*?)_?)?(?:pct|ct|t)$"), "pct"),
          "employment": (re.compile(r"^(?:(.*?)_?)?(?:num|um|m|mmt|t)$"), "count")}


def _unit(rest: str, variable: str, name: str, rel: str) -> tuple[str, str, float]:
    """``(form, unit, factor)`` from the part of a header after its variable word."""
    if variable in _FIXED:
        pattern, unit = _FIXED[variable]
        if m := pattern.match(rest):
            return m[1] or "", unit, 1.0
        raise SourceError(rel, f"unknown unit in column {name!r}", 1)
    units = _PRICE if variable == "price" else _QUANTITY
    head, _, tail = rest.rpartition("_")
    if tail.lower() in units:
        return head, *units[tail.lower()]
    glued = [u for u in units if rest.lower().endswith(u) and len(rest) > len(u)]
    if glued and not rest[: -len(max(glued, key=len))].endswith("_"):
        u = max(glued, key=len)
        return rest[: -len(u)], *units[u]
    raise SourceError(rel, f"unknown unit in column {name!r}", 1)


def salient_column(name: str, rel: str) -> tuple[str, str, str, float] | None:
    """``(variable, form, unit, factor)`` of a salient header; ``None`` if not loaded."""
    group, _, rest = name.partition("_")
    if group.lower() not in _GROUPS:
        group, rest = "", name
    low = rest.lower()
    if low.startswith(_NOT_LOADED) or low.startswith("case statement error"):
        return None
    for word in sorted(_WORDS, key=len, reverse=True):
        after = rest[len(word):]
        if low.startswith(word) and (not after or after[0] in "_," or after[0].isupper()):
            form, unit, factor = _unit(after.lstrip("_, "), _WORDS[word], name, rel)
            parts = [group, rest[: len(word)] if word in _FORM_WORDS else "", form.strip("_ ")]
            return _WORDS[word], "_".join(p for p in parts if p and p != "NIR"), unit, factor
    raise SourceError(rel, f"unexpected column {name!r}", 1)


def read_salient_file(root: Path, rel: str) -> pd.DataFrame:
    """One ``mcsYYYY-<abbr>_salient.csv`` as ``us_statistics`` rows."""
    edition, abbr, mineral, _ = file_commodity(rel)
    frame, names = read_csv(root, rel, ["Year"])
    parts = []
    for i, name in enumerate(names):
        if name is None or name in {"DataSource", "Source", "Commodity", "Year"}:
            continue
        spec = salient_column(name, rel)
        if spec is not None:
            parts.append(pd.DataFrame({"cell": frame[i].str.strip(), "column": name,
                                       "year": frame[names.index("Year")], "line": frame["line"],
                                       **dict(zip(["variable", "form", "unit", "factor"], spec,
                                                  strict=True))}))
    long = pd.concat(parts, ignore_index=True)
    long = long[long["cell"] != ""].reset_index(drop=True)
    bad = ~long["year"].str.strip().str.fullmatch(r"\d{4}")
    if bad.any():
        raise SourceError(rel, f"year {long['year'].iloc[first_row(bad)]!r} is not a year",
                          int(long["line"].iloc[first_row(bad)]))
    cells = parse_cells(long["cell"], rel, long["line"], long["column"])
    form = long["form"].replace("", None)
    if abbr in _PREFIX:
        form = (_PREFIX[abbr] + "_" + form.fillna("")).str.rstrip("_")
    out = pd.DataFrame({
        "edition": edition, "mineral": split_minerals(long["form"], abbr, mineral),
        "year": long["year"].astype(int), "variable": long["variable"], "form": form,
        "value": cells["value"] * long["factor"], "unit": long["unit"],
        "flag": cells["flag"].mask(cells["estimated"], "estimated"), "file": rel,
        "line": long["line"]})
    check_minerals(out["mineral"], rel, out["line"])
    return out


def read_salient_files(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """``us_statistics`` rows of every salient table in ``files``."""
    frames = [read_salient_file(root, rel) for rel in files]
    if not frames:
        raise SourceError(root, "no salient tables found")
    return {"us_statistics": pd.concat(frames, ignore_index=True)}


# Front-matter commodity names (case-folded, before any ", qualifier") -> (mineral, form).
_TREND_NAMES: dict[str, tuple[str, str | None]] = {
    **{n: (n, None) for n in (
        "abrasives", "alumina", "antimony", "arsenic", "asbestos", "barite", "bauxite",
        "beryllium", "bismuth", "boron", "bromine", "cadmium", "cement", "cesium", "chromium",
        "cobalt", "copper", "feldspar", "fluorspar", "gallium", "germanium", "graphite",
        "indium", "iodine", "lead", "lithium", "magnesium", "manganese", "nickel", "niobium",
        "palladium", "peat", "perlite", "platinum", "potash", "rhenium", "rubidium", "salt",
        "scandium", "selenium", "silicon", "silver", "strontium", "tantalum", "tellurium", "tin",
        "titanium", "tungsten", "vanadium", "vermiculite", "yttrium", "zinc", "zirconium")},
    "aluminum": ("aluminium", None), "aluminum (bauxite)": ("bauxite", None),
    "diamond (industrial)": ("industrial_diamond", None), "garnet (industrial)": ("garnet", None),
    "gemstones": ("gem_diamond", "gemstones"), "graphite (natural)": ("graphite", "natural"),
    "iron oxide pigments": ("iron_oxide_pigments", None),
    "magnesium compounds": ("magnesite", "compounds"), "magnesium metal": ("magnesium", "metal"),
    "mica (natural)": ("mica", None), "nepheline syenite": ("feldspar", "nepheline syenite"),
    "niobium (columbium)": ("niobium", None), "rare earths": ("rare_earths", None),
    "stone (dimension)": ("dimension_stone", None),
    "titanium mineral concentrates": ("titanium", "mineral concentrates"),
}
_REGIONS = {"Europe"}  # import sources that are not countries (scandium, MCS 2023)
_OWN_SOURCES = {"nepheline syenite"}  # a commodity apart: no import ranking for its mineral
_PARENS = re.compile(r"^(?P<base>.*?) \((?P<qual>.*)\)$")


def trend_minerals(names: pd.Series, rel: str, lines: pd.Series) -> pd.DataFrame:
    """``mineral`` and ``form`` of front-matter names (``"RARE EARTHS, compounds and metals"``)."""
    rows = []
    for name, line in zip(names.tolist(), lines.tolist(), strict=True):
        text = " ".join(str(name).split()).casefold()
        base, _, qual = text.partition(", ")
        m = _PARENS.match(base)
        if base not in _TREND_NAMES and m and m["base"] in _TREND_NAMES:
            base, qual = m["base"], m["qual"]
        if base not in _TREND_NAMES:
            raise SourceError(rel, f"no mineral mapped for commodity {name!r}", int(line))
        mineral, form = _TREND_NAMES[base]
        rows.append((mineral, qual or form))
    return pd.DataFrame(rows, index=names.index, columns=["mineral", "form"], dtype="string")


def _column(names: list[str | None], pattern: str, rel: str) -> tuple[int, re.Match[str]]:
    for i, name in enumerate(names):
        if name and (m := re.fullmatch(pattern, name)):
            return i, m
    raise SourceError(rel, f"no column matching {pattern!r}; wrong file or delimiter?", 1)


def _statistics(frame: pd.DataFrame, rel: str, year: pd.Series, col: int, name_col: int,
                header: str) -> pd.DataFrame:
    """NIR rows of a front-matter table (one per commodity)."""
    edition = "mcs" + Path(rel).name[3:7]
    names = trend_minerals(frame[name_col], rel, frame["line"])
    cells = parse_cells(frame[col].str.strip(), rel, frame["line"],
                        pd.Series(header, index=frame.index))
    return pd.DataFrame({"edition": edition, "mineral": names["mineral"], "year": year,
                         "variable": "net_import_reliance", "form": names["form"],
                         "value": cells["value"], "unit": "pct", "flag": cells["flag"],
                         "file": rel, "line": frame["line"]})


def _import_sources(frame: pd.DataFrame, stats: pd.DataFrame, col: int, period: str,
                    rel: str) -> pd.DataFrame:
    """Ranked import sources; one commodity per mineral (no qualifier first, else first)."""
    pick = stats.assign(plain=stats["form"].isna() | (stats["form"] == "all forms"))
    pick = pick[~pick["form"].isin(_OWN_SOURCES)].sort_values(["plain", "line"],
                                                               ascending=[False, True])
    keep = pick.drop_duplicates("mineral").index
    lists = frame[col].loc[keep].str.split(",")
    long = lists.explode().str.strip().to_frame("name")
    long["rank"] = long.groupby(level=0).cumcount() + 1
    long = long[(long["name"] != "") & ~long["name"].isin(_REGIONS)]
    lines = frame["line"].loc[long.index]
    return pd.DataFrame({"edition": stats["edition"].loc[long.index],
                         "mineral": stats["mineral"].loc[long.index], "period": period,
                         "rank": long["rank"], "country": country_codes(long["name"], rel, lines),
                         "share": float("nan"), "file": rel, "line": lines}).reset_index(drop=True)


def read_fig2(root: Path, rel: str) -> dict[str, pd.DataFrame]:
    """``MCSYYYY_Fig2_Net_Import_Reliance.csv``: NIR by commodity and major import sources."""
    frame, names = read_csv(root, rel, ["Commodity"])
    nir, m = _column(names, r"Net_Import_Reliance_pct_(\d{4})", rel)
    src, period = _column(names, r"Major_Import_Sources_(\d{4})_(\d{4})", rel)
    stats = _statistics(frame, rel, pd.Series(int(m[1]), index=frame.index), nir,
                        names.index("Commodity"), m[0])
    sources = _import_sources(frame, stats, src, f"{period[1]}-{period[2]}", rel)
    return {"us_statistics": stats, "us_import_source": sources}


def read_t5(root: Path, rel: str) -> pd.DataFrame:
    """``MCSYYYY_T5_Critical_Minerals_Salient.csv``: the NIR column."""
    frame, names = read_csv(root, rel, ["Critical_mineral", "Year", "Net_Import_Reliance"])
    year = frame[names.index("Year")].str.extract(r"^\s*(\d{4})", expand=False)
    if year.isna().any():
        bad = first_row(year.isna())
        raise SourceError(rel, f"year {frame[names.index('Year')].iloc[bad]!r} is not a year",
                          int(frame["line"].iloc[bad]))
    return _statistics(frame, rel, year.astype(int), names.index("Net_Import_Reliance"),
                       names.index("Critical_mineral"), "Net_Import_Reliance")


def read_trend_files(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """``us_statistics`` (Fig2, then T5 minerals Fig2 lacks) and ``us_import_source``."""
    fig2 = [read_fig2(root, rel) for rel in files if "_Fig2_" in rel]
    stats = [f["us_statistics"] for f in fig2]
    seen = {(r.mineral, r.year) for s in stats for r in s.itertuples()}
    for rel in (r for r in files if "_T5_" in r):
        t5 = read_t5(root, rel)
        stats.append(t5[[(m, y) not in seen for m, y in zip(t5["mineral"], t5["year"],
                                                              strict=True)]])
    if not stats:
        raise SourceError(root, "no MCS Fig2/T5 tables found")
    out = {"us_statistics": pd.concat(stats, ignore_index=True),
           "us_import_source": pd.concat([f["us_import_source"] for f in fig2] or
                                         [pd.DataFrame(columns=_SOURCE_COLUMNS)],
                                         ignore_index=True)}
    for frame in out.values():
        check_minerals(frame["mineral"], str(frame["file"].iloc[0]) if len(frame) else "",
                       frame["line"])
    return out


_SOURCE_COLUMNS = ["edition", "mineral", "period", "rank", "country", "share", "file", "line"]
