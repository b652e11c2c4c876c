"""The MSP project registry: a validated ``Project`` per publicly named project, and tidy views.

The shipped registry is ``reference/data/msp_projects.csv`` (facts.md §1.7); the official
aggregate counts are ``reference/data/msp_portfolio_stats.csv`` (facts.md §1.6). The full list
of the 32 (Sept 2024) projects is not public, so the registry is partial by construction.

Flat files (CSV, Excel) join list fields with ``;`` and write dicts as ``key:value;...``
(``capacity_t``: ``graphite:60000``; ``offtake``: ``POSCO International:40000000``, where a
value that is not a number is kept as text). JSON keeps native lists and objects.
Imports are all-or-nothing: every bad row is reported in one ``MinsecError``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from minsec.countries import msp_region, resolve
from minsec.errors import MinsecError
from minsec.reference import DATA, mineral_id
from minsec.render import escape_frame, unescape_formula

PROJECTS = DATA / "msp_projects.csv"
STATS = DATA / "msp_portfolio_stats.csv"
Stage = Literal["mining", "processing", "recycling"]
# "unknown" where no public source states the project's stage gate (most named projects)
Status = Literal["exploration", "feasibility", "construction", "operating", "unknown"]
LIST_FIELDS = ("minerals", "stages", "financing", "partners")
FIELDS = ("id", "name", "country", "sites", "minerals", "stages", "status", "capacity_t",
          "start_year", "capex_usd", "offtake", "financing", "msp_support", "partners",
          "source_url", "confidence")
SHOWN = 5  # bad rows listed in full in the error message


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return [] if value is None else value


def _pairs(value: Any) -> Any:
    """``"a:1;b:2"`` → ``[("a", "1"), ("b", "2")]``; other values pass through."""
    if not isinstance(value, str):
        return value
    pairs = []
    for part in _split(value):
        key, sep, rest = part.partition(":")
        if not sep:
            raise ValueError(f"{part!r} is not 'key:value'")
        pairs.append((key.strip(), rest.strip()))
    return pairs


def _iso3(name: str) -> str:
    try:
        return resolve(name)
    except MinsecError as err:
        raise ValueError(str(err)) from None


def _mineral(name: str) -> str:
    try:
        return mineral_id(name)
    except MinsecError as err:
        raise ValueError(str(err)) from None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class Offtake(BaseModel):
    """A purchase commitment: a party with an amount in USD, or a text when none is stated."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    party: str = Field(min_length=1)
    amount_usd: float | None = Field(default=None, ge=0)
    text: str | None = None

    @model_validator(mode="after")
    def _amount_or_text(self) -> Offtake:
        if self.amount_usd is None and not self.text:
            raise ValueError(f"offtake by {self.party!r} needs an amount_usd or a text")
        return self


class Project(BaseModel):
    """One MSP project, each with its source URL and confidence (high, medium, low)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    country: str
    sites: str = ""
    minerals: tuple[str, ...] = ()
    stages: tuple[Stage, ...] = ()
    status: Status
    capacity_t: dict[str, float] = Field(default_factory=dict)
    start_year: int | None = Field(default=None, ge=1900, le=2100)
    capex_usd: float | None = Field(default=None, ge=0)
    offtake: tuple[Offtake, ...] = ()
    financing: tuple[str, ...] = ()
    msp_support: str = ""
    partners: tuple[str, ...] = ()
    source_url: str = Field(min_length=1)
    confidence: Literal["high", "medium", "low"]

    @field_validator("minerals", "stages", "financing", "partners", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return _iso3(value)

    @field_validator("partners")
    @classmethod
    def _partners(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_iso3(name) for name in value)

    @field_validator("minerals")
    @classmethod
    def _minerals(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_mineral(name) for name in value)

    @field_validator("capacity_t", mode="before")
    @classmethod
    def _capacity(cls, value: Any) -> Any:
        pairs = _pairs(value)
        if isinstance(pairs, list):
            return {key: _number(text) if _number(text) is not None else text
                    for key, text in pairs}
        return pairs

    @field_validator("capacity_t")
    @classmethod
    def _capacity_ids(cls, value: dict[str, float]) -> dict[str, float]:
        if bad := {k: v for k, v in value.items() if v < 0}:
            raise ValueError(f"capacity must be >= 0 t/yr, got {bad}")
        return {_mineral(key): tonnes for key, tonnes in value.items()}

    @field_validator("offtake", mode="before")
    @classmethod
    def _offtake(cls, value: Any) -> Any:
        pairs = _pairs(value)
        if isinstance(pairs, list) and pairs and isinstance(pairs[0], tuple):
            return [{"party": party, "amount_usd": _number(text)} if _number(text) is not None
                    else {"party": party, "text": text} for party, text in pairs]
        return pairs

    @field_validator("start_year", "capex_usd", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


def _flat(project: Project) -> dict[str, object]:
    """One project as a flat row of strings (the CSV/Excel layout)."""
    row: dict[str, object] = project.model_dump()
    for field in LIST_FIELDS:
        row[field] = ";".join(getattr(project, field))
    row["capacity_t"] = ";".join(f"{k}:{v:g}" for k, v in project.capacity_t.items())
    row["offtake"] = ";".join(f"{o.party}:{o.amount_usd:g}" if o.amount_usd is not None
                              else f"{o.party}:{o.text}" for o in project.offtake)
    return {k: "" if v is None else v for k, v in row.items()}


def _records(path: Path) -> tuple[list[dict[str, Any]], str]:
    """Raw records of a file and the word for its row numbers."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise MinsecError(f"{path}: no such file")
    if suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise MinsecError(f"{path}: not valid JSON ({err})") from None
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise MinsecError(f"{path}: expected a JSON list of project objects")
        return data, "record"
    if suffix not in (".csv", ".xlsx"):
        raise MinsecError(f"{path}: unknown format {suffix!r}; use .csv, .xlsx or .json")
    try:
        frame = (pd.read_csv(path, dtype=str, keep_default_na=False) if suffix == ".csv"
                 else pd.read_excel(path, dtype=str).fillna(""))
    except (ValueError, OSError) as err:  # pandas' ParserError is a ValueError
        raise MinsecError(f"{path}: cannot read as {suffix} ({err})") from None
    return [{str(k): unescape_formula(v) for k, v in r.items()}
            for r in frame.to_dict("records")], "line"


def _problems(err: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'row'}: "
            f"{e['msg'].removeprefix('Value error, ')}" for e in err.errors()]


def read_projects(path: str | Path) -> list[Project]:
    """Projects from a ``.csv``, ``.xlsx`` or ``.json`` file; all rows valid or none imported.

    Row numbers are file lines (1-based, header = line 1) for CSV/Excel and 1-based records
    for JSON. The error lists the first ``SHOWN`` bad rows with their fields.
    """
    path = Path(path)
    records, word = _records(path)
    offset = 2 if word == "line" else 1
    projects, bad = [], []
    for i, record in enumerate(records):
        try:
            projects.append(Project.model_validate(record))
        except ValidationError as err:
            bad.append(f"{word} {i + offset}: {'; '.join(_problems(err))}")
    if bad:
        more = f" (and {len(bad) - SHOWN} more)" if len(bad) > SHOWN else ""
        raise MinsecError(f"{path}: {len(bad)} bad row(s), nothing imported: "
                          + " | ".join(bad[:SHOWN]) + more)
    if len(ids := [p.id for p in projects]) != len(set(ids)):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise MinsecError(f"{path}: duplicate project id(s) {', '.join(dup)}; nothing imported")
    return projects


def write_projects(projects: list[Project], path: str | Path) -> Path:
    """Write projects to ``.csv``, ``.xlsx`` (flat layout) or ``.json`` (native lists)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        data = [p.model_dump(mode="json", exclude_none=True) for p in projects]
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        return path
    # text cells escaped against formula injection (undone when read back)
    frame = escape_frame(pd.DataFrame([_flat(p) for p in projects], columns=list(FIELDS)))
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        raise MinsecError(f"{path}: unknown format {suffix!r}; use .csv, .xlsx or .json")
    return path


def load_projects(path: str | Path | None = None) -> list[Project]:
    """The shipped registry (``reference/data/msp_projects.csv``) or another file."""
    return read_projects(PROJECTS if path is None else path)


def portfolio_stats(path: str | Path | None = None) -> pd.DataFrame:
    """Official counts: ``as_of, event, dimension, category, count, note, source_url, confidence``.

    ``dimension`` is ``total``, ``region`` (MSP regions), ``stage`` (upstream, midstream,
    recycling, as the statements say) or ``mineral`` (catalogue ids). Source: facts.md §1.6.
    """
    frame = pd.read_csv(STATS if path is None else path, dtype=str, keep_default_na=False)
    return frame.astype({"count": "int64"})


def msp_regions(store: Path | None = None) -> pd.DataFrame:
    """``country, msp_region, southeast_asia`` from the store's UN M49 ``region`` table."""
    from minsec.store import query

    m49 = query("SELECT country, grouping, region FROM region WHERE grouping IN "
                "('m49_region', 'm49_subregion', 'southeast_asia')", store=store)
    wide = m49.pivot_table(index="country", columns="grouping", values="region",
                           aggfunc="first").reindex(columns=["m49_region", "m49_subregion",
                                                             "southeast_asia"])
    wide = wide.dropna(subset=["m49_region"])
    return pd.DataFrame({
        "country": wide.index,
        "msp_region": [msp_region(r, s if isinstance(s, str) else "")
                       for r, s in zip(wide["m49_region"], wide["m49_subregion"], strict=True)],
        "southeast_asia": wide["southeast_asia"].notna().to_numpy(),
    }).reset_index(drop=True)


def projects_frame(projects: list[Project], regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy: one row per project × mineral × stage, with its MSP region and capacity (t/yr).

    ``regions`` is ``country, msp_region, southeast_asia`` (default: read from the store by
    ``msp_regions``). Unknown minerals or stages stay as one row with a missing value.
    """
    rows = [{"project": p.id, "name": p.name, "country": p.country, "mineral": m, "stage": s,
             "status": p.status, "capacity_t": p.capacity_t.get(m) if m else None,
             "start_year": p.start_year, "confidence": p.confidence}
            for p in projects for m in (p.minerals or (None,)) for s in (p.stages or (None,))]
    columns = ["project", "name", "country", "mineral", "stage", "status", "capacity_t",
               "start_year", "confidence"]
    frame = pd.DataFrame(rows, columns=columns).astype({"start_year": "Int64",
                                                        "capacity_t": "float64"})
    regions = msp_regions() if regions is None else regions
    frame = frame.merge(regions[["country", "msp_region", "southeast_asia"]], on="country",
                        how="left")
    return frame[["project", "name", "country", "msp_region", "southeast_asia", *columns[3:]]]
