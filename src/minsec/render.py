"""Rendering tidy tables for the terminal, JSON or CSV. No analytics here."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

FORMATS = ("table", "json", "csv")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready records: NaN as null, dates as ISO strings."""
    out: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso",
                                                        double_precision=15))
    return out


def to_json(document: dict[str, Any]) -> str:
    """A document whose DataFrame values become record lists."""
    def convert(value: Any) -> Any:
        if isinstance(value, pd.DataFrame):
            return records(value)
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value
    return json.dumps(convert(document), indent=2, ensure_ascii=False)


def to_csv(tables: dict[str, pd.DataFrame]) -> str:
    """CSV text: one table as is, several as one long table with a leading ``table`` column.

    Text cells are escaped against formula injection (:func:`escape_formula`).
    """
    if len(tables) == 1:
        return escape_frame(next(iter(tables.values()))).to_csv(index=False)
    frames = [t.assign(table=name)[["table", *t.columns]] for name, t in tables.items()]
    buffer = io.StringIO()
    escape_frame(pd.concat(frames, ignore_index=True)).to_csv(buffer, index=False) if frames \
        else None
    return buffer.getvalue()


def _cell(value: Any, column: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if column == "source":  # the terminal shows the file's name; JSON and CSV keep the path
        return re.sub(r"[^ ,]*/", "", str(value))
    if column == "share" or column.endswith("_share"):
        return f"{100 * float(value):.1f}%"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    return str(value)


def print_table(console: Console, frame: pd.DataFrame, title: str,
                missing: Mapping[str, str] | None = None) -> None:
    """A rich table of ``frame`` with human number formats (shares in percent).

    ``missing``: what an empty cell of a column says (``{"expected loss": "not computed"}``).
    """
    said = missing or {}
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(column, justify="right" if numeric else "left",
                         overflow="fold", max_width=60 if column == "source" else None)
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v, c) or said.get(c, "")
                        for v, c in zip(row, frame.columns, strict=True)))
    console.print(table)


def print_revisions(console: Console, frame: pd.DataFrame, mineral: str) -> None:
    """Editions side by side (:mod:`minsec.revisions`): a table per stage and kind."""
    editions = [c for c in frame.columns if re.fullmatch(r"[a-z]+\d{4}", str(c))]
    console.rule(f"[bold]{mineral}[/] · {' -> '.join(editions)} · change: newest - oldest "
                 "edition with the figure (e = estimated in that edition)")
    for (variable, stage, unit), rows in frame.groupby(["variable", "stage", "unit"],
                                                       sort=False):
        year = "year" if variable != "reserves" else "year (each edition's own)"
        shown = rows.assign(year=rows["year"].astype("string").fillna("latest"),
                            change_pct=rows["change_pct"].map(
                                lambda v: "" if pd.isna(v) else f"{v:+.1f}%"))
        for e in editions:
            mark = shown["estimated_in"].fillna("").str.contains(e)
            shown[e] = [_cell(v, e) + (" e" if m else "") for v, m in zip(shown[e], mark,
                                                                           strict=True)]
        print_table(console, shown[["country", "year", *editions, "change", "change_pct"]]
                    .rename(columns={"year": year}), f"{stage} {variable}, {unit}")


def _share(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{100 * float(value):.1f}%"


def _leaders(rows: pd.DataFrame, n: int = 5) -> str:
    return " · ".join(f"{r.country} {_share(r.share)}" for r in rows.head(n).itertuples())


def print_profile(console: Console, profile: Any, top: int = 10) -> None:
    """A supply profile laid out for an 80-column terminal: one small table per measure.

    Shows the ``top`` countries of each measure (all of them are in ``--format csv|json``).
    """
    console.rule(f"[bold]{profile.mineral}[/] · {profile.edition} · {profile.year}")
    measures = profile.supply.groupby(["variable", "stage", "form", "unit", "year"],
                                      sort=False, dropna=False)
    for (variable, stage, form, unit, year), rows in measures:
        table = Table(title=f"{stage} {variable} {year}, {unit}: {form}", title_justify="left",
                      box=None, padding=(0, 1), title_style="bold")
        for name in ("country", "value", "share", "source"):
            table.add_column(name, justify="left" if name in ("country", "source") else "right")
        for r in rows.head(top + 1).itertuples():  # + the world row
            mark = " e" if r.estimated else (f" {r.flag}" if isinstance(r.flag, str) else "")
            table.add_row("World" if r.country == "WLD" else r.country,
                          _cell(r.value, "value") + mark, _share(r.share),
                          _cell(r.source, "source"))
        if len(rows) > top + 1:
            table.add_row(f"+{len(rows) - top - 1} more", "", "", "")
        console.print(table)
        conc = profile.concentration
        conc = conc[(conc["variable"] == variable) & (conc["stage"] == stage)
                    & (conc["form"] == form)]
        for c in conc.itertuples():
            console.print(f"  top-1 {c.top1_country} {_share(c.top1_share)} · top-3 "
                          f"{_share(c.top3_share)} · HHI {c.hhi:,.0f}", highlight=False)
    for name, frame in (("world trade", profile.trade),
                        (f"imports of {profile.importer}", profile.imports)):
        if frame is None or frame.empty:
            continue
        console.print(f"[bold]{name}[/] (each form in its latest year, on one basis; shares "
                      "of value, or of contained tonnes where a flow has no value)")
        keys = ["stage", "form", "form_name", "year", "basis", "side", "share_of"]
        for (_, _, form, year, basis, side, share_of), rows in frame.groupby(
                keys, sort=False):
            codes = " ".join(sorted(set(" ".join(rows["hs6"].astype(str)).split())))
            tonnes = rows["contained_t"].sum()
            console.print(f"  {form} {side}s, HS {codes}, {year}, {_BASES.get(basis, basis)}, "
                          f"{tonnes:,.0f} t contained, by {share_of}: {_leaders(rows)}",
                          highlight=False)
    for note in profile.notes:
        console.print(f"[dim]note: {note}[/]")


_FORMULA = ("=", "+", "-", "@")


def escape_formula(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``)."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA) else value


def unescape_formula(value: Any) -> Any:
    """Undo :func:`escape_formula` when reading back a file minsec wrote."""
    escaped = isinstance(value, str) and value.startswith("'") and value[1:2] in _FORMULA
    return value[1:] if escaped and value[1:2] else value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are escaped with :func:`escape_formula`."""
    safe = frame.copy()
    for column in safe.columns[safe.dtypes.astype(str).isin(["object", "string", "str"])]:
        safe[column] = safe[column].map(escape_formula)
    return safe


def to_xlsx(tables: dict[str, pd.DataFrame], path: Any) -> None:
    """Write one sheet per table (names cut to Excel's 31 characters), text cells escaped."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables.items():
            escape_frame(frame).to_excel(writer, sheet_name=name[:31], index=False)


def _pct(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{100 * float(value):.0f}%"


def _num(value: Any, digits: int = 2) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):.{digits}f}"


def _lists(labels: Any) -> str:
    """``KR33 KR10 US22 EU34 EU17`` as ``KS U ES`` for a narrow terminal."""
    have = set(str(labels or "").split())
    kr = "KS" if "KR10" in have else ("K" if "KR33" in have else "")
    eu = "ES" if "EU17" in have else ("E" if "EU34" in have else "")
    return " ".join(x for x in (kr, "U" if have & {"US22", "US25"} else "", eu) if x)


def _unranked(note: Any) -> str:
    text = "" if note is None or pd.isna(note) else str(note)
    return "group" if text.startswith("ranked with") else "n/a" if text else ""


def _value(x: Any) -> float:
    return -1.0 if x is None or pd.isna(x) else float(x)


_BASES = {"BACI HS92": "BACI", "UN Comtrade, declared by the importer": "CT-M",
          "UN Comtrade, declared by the exporters": "CT-X",
          "ITC Trade Map, declared by the importer": "ITC-M",
          "ITC Trade Map, declared by the exporters": "ITC-X"}


def import_label(basis: Any, year: Any) -> str:
    """A short label of an import figure's basis and year, e.g. ``BACI+CT-M 2024*``."""
    text = "" if basis is None or pd.isna(basis) else str(basis)
    when = "" if year is None or pd.isna(year) else f" {int(year)}"
    if text.startswith("curated"):
        return f"curated{when}"
    if text.startswith("group:"):
        return "in " + text.split()[-1]
    if text.startswith(("not measured", "missing")):
        return "immaterial" if "immaterial" in text else "not measured"
    head, _, partial = text.partition(" (partial")
    bases = [_BASES.get(b.strip(), b.strip()) for b in head.split(";") if b.strip()]
    return "+".join(dict.fromkeys(bases)) + when + ("*" if partial else "")


def print_assessment(console: Console, table: pd.DataFrame, title: str) -> None:
    """The assessment's headline columns for a terminal; every column is in json/csv/xlsx."""
    needed = ["mining_hhi", "refining_hhi", "mining_top1_country", "mining_top1_share",
              "refining_top1_country", "refining_top1_share", "top_supplier",
              "top_supplier_share", "china_share", "import_reliance", "gpr_score",
              "usgs_supply_risk", "mbi", "band", "lists", "import_basis", "import_year",
              "rank_note"]
    table = table.reindex(columns=[*table.columns, *(c for c in needed if c not in table)])
    view = Table(title=title, title_justify="left", box=None, padding=(0, 1))
    for name in ("#", "mineral", "lists", "producer", "supplier", "imports", "CN", "NIR",
                 "GPR", "USGS", "MBI band", "risk"):
        view.add_column(name, justify="left" if name in ("mineral", "lists", "MBI band",
                                                          "imports") else "right", no_wrap=True)
    for r in table.to_dict("records"):
        stage = "refining" if _value(r["refining_hhi"]) >= _value(r["mining_hhi"]) else "mining"
        producer, supplier = r[f"{stage}_top1_country"], r["top_supplier"]
        view.add_row(
            "" if pd.isna(r["rank"]) else str(r["rank"]), r["mineral"], _lists(r["lists"]),
            "" if pd.isna(producer) else f"{producer} {_pct(r[f'{stage}_top1_share'])}",
            "" if pd.isna(supplier) else f"{supplier} {_pct(r['top_supplier_share'])}",
            import_label(r["import_basis"], r["import_year"]),
            _pct(r["china_share"]), _pct(r["import_reliance"]), _num(r["gpr_score"]),
            _num(r["usgs_supply_risk"]), "" if pd.isna(r["mbi"]) else str(r["band"]),
            _num(r["risk_score"]) if pd.notna(r["risk_score"]) else _unranked(r["rank_note"]))
    console.print(view)
    console.print("lists: K/KS Korea critical/strategic 2023, U US 2022 or 2025, E/ES EU CRMA "
                  "critical/strategic; producer: top producer of the more concentrated stage; "
                  "supplier: largest supplier of all forms bought, in contained tonnes; imports: "
                  "basis and year (BACI, CT-M/CT-X Comtrade declared by importer/exporters, "
                  "ITC, curated official figure; * principal forms missing); "
                  "CN: China's share of imports; NIR: import reliance; GPR: GeoPolRisk score; "
                  "USGS: USGS-style supply risk (ours); MBI: early-warning band", style="dim")
