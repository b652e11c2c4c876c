r"""European Commission, Study on the critical raw materials for the EU 2023 (tables of Annexes).

Two loads: ``eu_crm_2023`` reads E. Emilsson's extraction of the assessment tables (SR/EI
2011-2023, global and EU supply shares with the trade variable t, end-use shares);
``eu_crm_critmat`` reads the CritMAT transcription of the per-material results (SR by stage,
substitution indices, import reliance, EoL-RIR). Quirks handled here:

* ``fact_*Shares*.csv`` are cp1252 (``Türkiye``; the ``€`` of the end-use header).
* Names vary between files (``Baryte``/``Barytes``, ``Natural Teak\nwood``): the material keeps
  the EC's name with its whitespace collapsed; the map to mineral ids is case-insensitive.
* ``<0.1%`` is stored as 0.0005 (half the bound) with flag ``<``; one EU share is published
  without its ``%`` (Silicon metal, Germany, ``6``) and is read as a percentage like the rest.
* ``>0%`` in the end-use table has no place for a flag there: it is stored as NULL.
* Country typos (``Brasilia``, ``Turkyie``, ``Libanon``) are mapped by ``country_alias.csv``.
* CritMAT: five rows (Coking coal, Diatomite, Magnesite, Natural cork, Strontium) carry the
  primary SR one column right, under ``eu_used_supply_refined``: moved back; LREE's primary SR
  ``281%`` is no index: NULL; Tungsten is listed twice, identically: the first is kept. The
  ``note`` of each affected row says so. Group rows (HREE, LREE, PGM) have no SI: no row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minsec.countries import to_iso3
from minsec.errors import SourceError
from minsec.reference import check_minerals
from minsec.sources import Source
from minsec.sources._parse import parse_numbers, read_table

DIR = "eu_crm_2023"
_STAGES = {"E": "mining", "P": "refining"}

# EC materials with no catalogue id: mineral is NULL for them by decision, not by a miss.
OUTSIDE_CATALOGUE = frozenset({
    "natural cork", "natural rubber", "natural teak wood", "sapele wood", "roundwood", "balsa",
    "hydrogen",  # not minerals
    "aggregates", "limestone", "krypton", "neon", "xenon",  # minerals the catalogue lacks
})
# EC material name (case-folded, whitespace collapsed) -> canonical mineral id.
MINERALS = {
    "aluminium": "aluminium", "bauxite": "bauxite", "antimony": "antimony", "arsenic": "arsenic",
    "baryte": "barite", "barytes": "barite", "bentonite": "bentonite", "beryllium": "beryllium",
    "bismuth": "bismuth", "boron": "boron", "borate": "boron", "cadmium": "cadmium",
    "chromium": "chromium", "cobalt": "cobalt", "coking coal": "metallurgical_coal",
    "copper": "copper", "diatomite": "diatomite", "feldspar": "feldspar",
    "fluorspar": "fluorspar", "gallium": "gallium", "germanium": "germanium", "gold": "gold",
    "gypsum": "gypsum", "hafnium": "hafnium", "helium": "helium", "indium": "indium",
    "iron ore": "iron_ore", "kaolin": "kaolin", "kaolin clay": "kaolin", "lead": "lead",
    "lime": "lime", "lithium": "lithium", "magnesite": "magnesite", "magnesium": "magnesium",
    "manganese": "manganese", "molybdenum": "molybdenum", "natural graphite": "graphite",
    "nickel": "nickel", "niobium": "niobium", "perlite": "perlite",
    "phosphate rock": "phosphate_rock", "phosphorus": "phosphorus", "phosphorous": "phosphorus",
    "potash": "potash", "rhenium": "rhenium", "scandium": "scandium", "selenium": "selenium",
    "silica sand": "industrial_sand_and_gravel", "silicon metal": "silicon", "silver": "silver",
    "strontium": "strontium", "sulphur": "sulfur", "sulfur": "sulfur", "talc": "talc",
    "talc, steatite & pyrophyllite": "talc", "tantalum": "tantalum", "tellurium": "tellurium",
    "tin": "tin", "titanium": "titanium", "titanium ores": "titanium",
    "titanium metal": "titanium", "tungsten": "tungsten", "vanadium": "vanadium",
    "zinc": "zinc", "zirconium": "zirconium", "hrees": "heavy_rare_earths",
    "hree": "heavy_rare_earths", "heavy rare earths elements": "heavy_rare_earths",
    "lrees": "light_rare_earths", "lree": "light_rare_earths",
    "pgms": "platinum_group_metals", "pgm": "platinum_group_metals",
    **{n: n for n in ("cerium", "dysprosium", "erbium", "europium", "gadolinium", "holmium",
                      "lanthanum", "lutetium", "neodymium", "praseodymium", "samarium",
                      "terbium", "thulium", "ytterbium", "yttrium", "iridium", "palladium",
                      "platinum", "rhodium", "ruthenium")},
}


def material_names(cells: pd.Series) -> pd.Series:
    """The EC's material names with stray line breaks and spaces collapsed."""
    return cells.str.split().str.join(" ").astype("string")


def mineral_ids(materials: pd.Series, file: str, lines: pd.Series) -> pd.Series:
    """Catalogue id per material; NULL for :data:`OUTSIDE_CATALOGUE`; unknown names raise."""
    keys = materials.str.casefold()
    known = keys.isin(MINERALS.keys()) | keys.isin(OUTSIDE_CATALOGUE)
    if not known.all():
        first = int((~known).to_numpy().argmax())
        raise SourceError(file, f"unknown material {materials.iloc[first]!r}; add it to MINERALS "
                                "or OUTSIDE_CATALOGUE in sources/eu_crm.py", int(lines.iloc[first]))
    ids = keys.map(MINERALS).astype("string")
    present = ids.notna()
    check_minerals(ids[present], file, lines[present])
    return ids


def read_csv(path: Path, rel: str, columns: list[str], encoding: str) -> pd.DataFrame:
    """The named columns of a strict CSV read, with the physical line of each row."""
    return read_table(path, columns, rel, encoding)[[*columns, "line"]]


def _read(root: Path, files: list[str], name: str, columns: list[str],
          encoding: str = "utf-8") -> tuple[pd.DataFrame, str]:
    rel = f"{DIR}/{name}"
    if rel not in files:
        raise SourceError(rel, "file missing from the sources directory")
    frame = read_csv(root / rel, rel, columns, encoding)
    frame["material"] = material_names(frame[columns[0]])
    frame["mineral"] = mineral_ids(frame["material"], rel, frame["line"])
    return frame, rel


def _unique(frame: pd.DataFrame, key: list[str], rel: str) -> None:
    dup = frame.duplicated(key)
    if dup.any():
        row = frame[dup].iloc[0]
        raise SourceError(rel, f"duplicate row for {[row[k] for k in key]}", int(row["line"]))


def assessment(root: Path, files: list[str]) -> pd.DataFrame:
    """SR and EI per material and assessment year; ``-`` (not assessed) is NULL."""
    frame, rel = _read(root, files, "dimension_CRMsOverTime.csv", ["Material", "Year", "SR", "EI"])
    year, _ = parse_numbers(frame["Year"], rel, frame["line"], "Year")
    frame["year"] = year.astype("Int64")
    frame["supply_risk"], _ = parse_numbers(frame["SR"], rel, frame["line"], "SR")
    frame["economic_importance"], _ = parse_numbers(frame["EI"], rel, frame["line"], "EI")
    _unique(frame, ["material", "year"], rel)
    return frame[["material", "mineral", "year", "supply_risk", "economic_importance"]]


def supply_shares(root: Path, files: list[str], name: str, scope: str) -> pd.DataFrame:
    """Country shares of supply per material and stage, as fractions, with the variable t."""
    columns = ["Material", "Stage", "Country", "Share", "t"]
    frame, rel = _read(root, files, name, columns, encoding="cp1252")
    unknown = ~frame["Stage"].str.strip().isin(_STAGES.keys())
    if unknown.any():
        row = frame[unknown].iloc[0]
        raise SourceError(rel, f"unknown stage {row['Stage']!r} (E or P)", int(row["line"]))
    frame["stage"] = frame["Stage"].str.strip().map(_STAGES)
    frame["scope"] = scope
    frame["country"] = to_iso3(frame["Country"].str.strip(), rel, frame["line"])
    percent, frame["flag"] = parse_numbers(frame["Share"], rel, frame["line"], "Share")
    bound = frame["flag"].eq("<").fillna(False).astype(bool)
    frame["share"] = percent.mask(bound, percent / 2) / 100
    frame["t"], _ = parse_numbers(frame["t"], rel, frame["line"], "t")
    _unique(frame, ["material", "stage", "country"], rel)
    return frame[["material", "mineral", "stage", "scope", "country", "share", "flag", "t"]]


def end_uses(root: Path, files: list[str]) -> pd.DataFrame:
    """Shares of each material's use by application, with the NACE sector and its value added."""
    columns = ["Material", "Application", "Share", "NACE sector", "VA in million €"]
    frame, rel = _read(root, files, "fact_MaterialUseShares.csv", columns, encoding="cp1252")
    percent, flag = parse_numbers(frame["Share"], rel, frame["line"], "Share")
    frame["share"] = percent.where(flag.isna()) / 100  # '>0%' cannot be stored as a bound
    frame["value_added"], _ = parse_numbers(frame[columns[4]], rel, frame["line"], columns[4])
    frame["application"] = frame["Application"].str.strip()
    frame["nace"] = frame["NACE sector"].str.strip().replace("", None)
    return frame[["material", "mineral", "application", "share", "nace", "value_added"]]


def read_assessment(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """Read the four assessment tables of the 2023 study."""
    return {
        "eu_crm_assessment": assessment(root, files),
        "eu_crm_supply_share": pd.concat([
            supply_shares(root, files, "fact_GlobalSupplyShares_and_t.csv", "global"),
            supply_shares(root, files, "fact_EUSupplyShares_and_t.csv", "eu"),
        ], ignore_index=True),
        "eu_crm_end_use": end_uses(root, files),
    }


_RESULTS = {  # CritMAT column -> (variable, unit, column naming the stage or scope used)
    "supply_risk": ("supply_risk", "index", "eu_used_stage"),
    "economic_importance": ("economic_importance", "index", ""),
    "supply_risk_primary": ("supply_risk_primary", "index", "eu_used_supply_primary"),
    "supply_risk_refined": ("supply_risk_refined", "index", "eu_used_supply_refined"),
    "si_ei": ("si_ei", "index", ""),
    "si_sr": ("si_sr", "index", ""),
    "import_reliance_primary": ("import_reliance_primary", "fraction", ""),
    "import_reliance_refined": ("import_reliance_refined", "fraction", ""),
    "end_of_life": ("eol_rir", "fraction", ""),
}
_LABELS = ["eu_used_stage", "eu_stages", "eu_used_supply_primary", "eu_used_supply_refined"]


def _repair(frame: pd.DataFrame, rel: str) -> pd.DataFrame:
    """Fix CritMAT's transcription slips; add a ``<column>_note`` saying what was done."""
    notes = pd.DataFrame("", index=frame.index, columns=list(_RESULTS))
    first = ~frame.duplicated(["material"], keep="first")
    twin = frame.duplicated(["material", *_RESULTS, *_LABELS], keep="first")
    _unique(frame[~twin], ["material"], rel)  # a repeated name is fine only if repeated verbatim
    for _, again in frame[twin].iterrows():
        kept = frame[first & frame["material"].eq(again["material"])].iloc[0]
        notes.loc[kept.name] = (f"published twice, identical (lines {kept['line']} and "
                                f"{again['line']}); kept line {kept['line']}")
    frame = frame[~twin].copy()
    notes = notes[~twin]
    # SR(primary) typed one column right: the number sits under eu_used_supply_refined.
    shifted = frame["supply_risk_primary"].eq("") & frame["eu_used_supply_refined"].str.fullmatch(
        r"\s*\d+(\.\d+)?\s*")
    frame.loc[shifted, "supply_risk_primary"] = frame.loc[shifted, "eu_used_supply_refined"]
    frame.loc[shifted, "eu_used_supply_refined"] = ""
    notes.loc[shifted, "supply_risk_primary"] = ("repaired: transcribed one column right, under "
                                                 "eu_used_supply_refined")
    for column, (_, unit, _) in _RESULTS.items():
        percent = frame[column].str.contains("%") & (unit == "index")
        notes.loc[percent, column] = [f"published as {v!r}, not an index; left NULL"
                                      for v in frame.loc[percent, column]]
        frame.loc[percent, column] = ""
    return frame.join(notes.add_suffix("_note"))


def results(root: Path, files: list[str]) -> pd.DataFrame:
    """SR, EI, SR by stage, substitution indices, import reliance and EoL-RIR per material."""
    frame, rel = _read(root, files, "critmat_eureport_results.csv",
                       ["material_name", *_RESULTS, *_LABELS])
    frame = _repair(frame, rel)
    parts = []
    for column, (variable, unit, label) in _RESULTS.items():
        value, _ = parse_numbers(frame[column], rel, frame["line"], column)
        used = frame[label].str.strip() if label else pd.Series("", index=frame.index)
        wording = "stage used: " if label == "eu_used_stage" else "supply used: "
        note = (wording + used).where(used.ne(""), "")
        note = (note + "; " + frame[f"{column}_note"]).str.strip("; ")
        part = frame[["material", "mineral"]].assign(
            variable=variable, value=value / 100 if unit == "fraction" else value, unit=unit,
            note=note.replace("", None))
        parts.append(part[value.notna() | frame[f"{column}_note"].ne("")])
    return pd.concat(parts, ignore_index=True)


def read_results(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """Read CritMAT's transcription of the per-material results of the 2023 study."""
    return {"eu_crm_result": results(root, files)}


SOURCES = [
    Source(key="eu_crm_2023", publisher="European Commission (DG GROW)", vintage="2023",
           files=(f"{DIR}/dimension_CRMsOverTime.csv", f"{DIR}/fact_GlobalSupplyShares_and_t.csv",
                  f"{DIR}/fact_EUSupplyShares_and_t.csv", f"{DIR}/fact_MaterialUseShares.csv"),
           read=read_assessment),
    Source(key="eu_crm_critmat", publisher="European Commission (DG GROW), via CritMAT",
           vintage="2023", files=(f"{DIR}/critmat_eureport_results.csv",), read=read_results),
]
