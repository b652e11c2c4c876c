"""Import structure and import reliance of any importer: suppliers, concentration, dependence.

One call covers every importer (ISO3, plus the EU27 as a bloc) x mineral x stage x year. Shares
are shares of import **value** (kUSD, BACI FOB); quantities (t, gross weight) are kept beside.
Conventions, each tested:

- **China** counts Hong Kong and Macao (``GREATER_CHINA``), as USGS MCS does ("Imports from
  Hong Kong are included with China"); pass ``china=("CHN",)`` for mainland only. Supplier
  concentration (HHI, top supplier) uses the partners as BACI reports them, HKG apart.
- **EU27** is the current 27 members in every year (like Eurostat's EU27_2020); its imports and
  exports are extra-EU flows only.
- **Membership** (MSP partners incl. EU members, forum members) is today's, applied to every year.
- **No flow** in BACI means no recorded trade: 0. Quantities sum the flows that report one;
  ``quantity_coverage`` is the share of the value (imports or exports, the lower) they cover.
- Input: one row per flow and mineral (BACI's year, exporter, importer, hs6 are unique).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from minsec.countries import members

EU27 = members("eu27")  # the curated list, reference/data/country_group.csv
GREATER_CHINA = ("CHN", "HKG", "MAC")
KEYS = ["importer", "mineral", "stage", "year"]
COLUMNS = [*KEYS, "imports", "exports", "imports_t", "exports_t", "quantity_coverage",
           "import_hhi", "top_supplier", "top_supplier_share", "china_share", "msp_share",
           "forum_share", "suppliers", "source"]
CONFIDENCE_ORDER = {"high": 0, "medium": 1, "low": 2}

_STRUCTURE = """
-- Minerals and stages with the same set of codes ("sig") share one structure: each is computed
-- once, from each flow once (through one representative mineral and stage per code), and
-- joined back to its minerals at the end.
WITH codes AS (SELECT DISTINCT mineral, stage, hs6 FROM mt),
ms AS (SELECT mineral, stage, string_agg(hs6, ', ' ORDER BY hs6) AS codeset
       FROM codes GROUP BY ALL),
sig AS (SELECT codeset, row_number() OVER (ORDER BY codeset) AS sig,
               contains(codeset, ',') AS multi
        FROM (SELECT DISTINCT codeset FROM ms)),
sigcodes AS (SELECT DISTINCT sig, multi, hs6
             FROM ms JOIN sig USING (codeset) JOIN codes USING (mineral, stage)),
rep AS (SELECT DISTINCT ON (hs6) hs6, mineral, stage FROM codes ORDER BY hs6, mineral, stage),
sigmap AS (SELECT sig, multi, hs6, mineral, stage FROM sigcodes JOIN rep USING (hs6)),
f AS (SELECT sig, multi, year, importer, exporter, value, quantity,
             CASE WHEN quantity IS NULL THEN 0 ELSE value END AS vq,
             list_contains($eu, importer) AS ieu, list_contains($eu, exporter) AS xeu
      FROM mt JOIN sigmap USING (hs6, mineral, stage)),
-- one row per importer and supplier: a single-code flow already is one; several codes or the
-- EU bloc are summed per supplier
pairs AS (SELECT sig, year, importer, exporter, value AS v, quantity AS q, vq FROM f
          WHERE NOT multi
          UNION ALL SELECT sig, year, importer, exporter, sum(value), sum(quantity), sum(vq)
          FROM (SELECT sig, year, importer, exporter, value, quantity, vq FROM f WHERE multi
                UNION ALL SELECT sig, year, 'EU27', exporter, value, quantity, vq FROM f
                WHERE ieu AND NOT xeu)
          GROUP BY ALL),
imp AS (
    SELECT sig, importer, year, sum(v) AS imports, sum(q) AS imports_t, sum(vq) AS imports_vq,
           10000 * sum(v * v) / nullif(sum(v) * sum(v), 0) AS import_hhi,
           arg_max(exporter, v) AS top_supplier,
           max(v) / nullif(sum(v), 0) AS top_supplier_share,
           coalesce(sum(v) FILTER (WHERE r.china), 0) / nullif(sum(v), 0) AS china_share,
           coalesce(sum(v) FILTER (WHERE r.partner), 0) / nullif(sum(v), 0) AS msp_share,
           coalesce(sum(v) FILTER (WHERE r.forum), 0) / nullif(sum(v), 0) AS forum_share,
           count(*) FILTER (WHERE v > 0) AS suppliers
    FROM pairs LEFT JOIN roles r ON r.country = pairs.exporter GROUP BY ALL),
exp AS (
    SELECT sig, importer, year, sum(value) AS exports, sum(quantity) AS exports_t,
           sum(vq) AS exports_vq
    FROM (SELECT sig, year, exporter AS importer, value, quantity, vq FROM f
          UNION ALL SELECT sig, year, 'EU27', value, quantity, vq FROM f WHERE xeu AND NOT ieu)
    GROUP BY ALL),
src AS (
    SELECT mineral, stage, $label || ' ' || string_agg(hs6 || CASE WHEN n > 1 THEN
           ' (shared by ' || n || ' minerals, counted in full for each)' ELSE '' END,
           ', ' ORDER BY hs6) AS source
    FROM (SELECT *, count(*) OVER (PARTITION BY hs6) AS n FROM codes) GROUP BY ALL),
res AS (
    SELECT sig, importer, year, coalesce(imports, 0) AS imports, coalesce(exports, 0) AS exports,
           CASE WHEN imp.imports IS NULL THEN 0 ELSE imports_t END AS imports_t,
           CASE WHEN exp.exports IS NULL THEN 0 ELSE exports_t END AS exports_t,
           least(coalesce(imports_vq / nullif(imports, 0), 1),
                 coalesce(exports_vq / nullif(exports, 0), 1)) AS quantity_coverage,
           import_hhi, top_supplier, top_supplier_share, china_share, msp_share, forum_share,
           coalesce(suppliers, 0) AS suppliers
    FROM imp FULL JOIN exp USING (sig, importer, year))
SELECT importer, mineral, stage, year, imports, exports, imports_t, exports_t, quantity_coverage,
       import_hhi, top_supplier, top_supplier_share, china_share, msp_share, forum_share,
       suppliers, source
FROM res JOIN sig USING (sig) JOIN ms USING (codeset) JOIN src USING (mineral, stage)
ORDER BY importer, mineral, stage, year
"""


@cache
def _engine() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for the session (no file): a fresh instance per call costs more."""
    return duckdb.connect(":memory:")


def import_structure(mineral_trade: pd.DataFrame, membership: pd.DataFrame,
                     production: pd.DataFrame | None = None, *, eu27: Iterable[str] = EU27,
                     china: Iterable[str] = GREATER_CHINA, label: str = "BACI HS92",
                     ) -> pd.DataFrame:
    """Import structure of every importer, mineral, stage and year, from bilateral flows.

    Formulas over the suppliers ``j`` of importer ``i`` (codes of a stage summed first):
    ``s_j = m_ij / M_i`` (import value); ``import_hhi = 10 000 * sum_j s_j^2`` (0-10 000,
    U.S. DOJ/FTC Horizontal Merger Guidelines 2023 §2.1); ``top_supplier_share = max_j s_j``
    (0-1, Korea's "dependence on specific countries", target 50% by 2030: MOTIE 2023 strategy,
    facts.md §2.2); ``china_share``, ``msp_share``, ``forum_share`` = ``sum s_j`` over the group
    (0-1). ``suppliers`` counts partners with a positive value. Vectorised: one DuckDB query
    over the in-memory frame; minerals with the same codes are computed once.

    Parameters
    ----------
    mineral_trade
        ``year, exporter, importer, mineral, stage, hs6, value`` (kUSD) ``, quantity`` (t), as
        from :func:`minsec.tables.mineral_trade`. A code shared by several minerals counts in
        full for each of them; ``source`` says so.
    membership
        ``country, role`` with roles ``partner`` and ``forum`` (:func:`minsec.tables.membership`).
    production
        Optional ``country, mineral, stage, year, value`` (t), one row per key (see
        :func:`production_t`); adds ``production``, ``apparent_consumption``, ``import_reliance``.

    Returns
    -------
    ``COLUMNS`` (plus the production columns), sorted by ``KEYS``. A country that only exports
    has a row with ``imports`` 0 and NaN shares. BACI quantities are gross weight: reliance is
    meaningful only where production is in the same measure (e.g. natural graphite), not where
    production is metal content (lithium carbonate vs Li content).
    """
    china, eu27 = list(china), list(eu27)
    roles = pd.DataFrame({"country": sorted({*membership["country"], *china})})
    for role in ("partner", "forum"):
        roles[role] = roles["country"].isin(membership.loc[membership["role"] == role, "country"])
    roles["china"] = roles["country"].isin(china)
    con = _engine().cursor()
    try:
        con.register("mt", mineral_trade[["year", "exporter", "importer", "mineral", "stage",
                                          "hs6", "value", "quantity"]])
        con.register("roles", roles)
        out = con.execute(_STRUCTURE, {"eu": eu27, "label": label}).df()
    finally:
        con.close()
    out["suppliers"] = out["suppliers"].astype("int64")
    return out if production is None else with_reliance(out, production, eu27)


def with_reliance(structure: pd.DataFrame, production: pd.DataFrame,
                  eu27: Iterable[str] = EU27) -> pd.DataFrame:
    """Add ``production`` (t), ``apparent_consumption`` (t) and ``import_reliance`` (0-1).

    EU27 production is the sum of its members' unless the table has an EU27 row. A country
    absent from ``production`` gets NaN (unknown), not 0: pass an explicit 0 where it is known.
    """
    prod = production[["country", "mineral", "stage", "year", "value"]]
    if prod.duplicated(["country", "mineral", "stage", "year"]).any():
        raise ValueError("production has several rows for one country, mineral, stage and year")
    members = prod[prod["country"].isin(list(eu27))]
    bloc = members.groupby(["mineral", "stage", "year"], as_index=False)["value"].sum(min_count=1)
    bloc = bloc.assign(country="EU27").merge(prod[["country", "mineral", "stage", "year"]],
                                             how="left", indicator=True)
    prod = pd.concat([prod, bloc.loc[bloc["_merge"] == "left_only", prod.columns]])
    out = structure.merge(prod.rename(columns={"country": "importer", "value": "production"}),
                          on=KEYS, how="left")
    out["apparent_consumption"] = apparent_consumption(out["production"], out["imports_t"],
                                                       out["exports_t"])
    out["import_reliance"] = import_reliance(out["production"], out["imports_t"],
                                             out["exports_t"])
    return out


def apparent_consumption(production: pd.Series, imports: pd.Series,
                         exports: pd.Series) -> pd.Series:
    """Apparent consumption ``C = P + I - E`` (t); NaN when any input is missing.

    Source: USGS Mineral Commodity Summaries, Appendix ("apparent consumption = production +
    imports - exports +/- stock changes"); stock changes are not available and are left out.
    """
    return (production + imports - exports).rename("apparent_consumption")


def import_reliance(production: pd.Series, imports: pd.Series, exports: pd.Series) -> pd.Series:
    """Net import reliance ``NIR = (I - E) / (P + I - E)``, bounded to 0-1.

    Scale 0-1 (1 = all of apparent consumption is net imports). Conventions: a net exporter
    (``I < E``) gets 0, as USGS prints "E" (net exporter) for it; NaN when the denominator
    (apparent consumption) is <= 0 or any input is missing. Source: USGS MCS net import
    reliance, "(imports - exports + adjustments for stock changes) / apparent consumption";
    methods.md §2.1 (Trade Exposure of Nassar et al. 2020). Stock changes are left out.
    """
    net = imports - exports
    consumption = apparent_consumption(production, imports, exports)
    return (net / consumption.where(consumption > 0)).clip(0, 1).rename("import_reliance")


def production_t(supply: pd.DataFrame, editions: Iterable[str] | None = None) -> pd.DataFrame:
    """One production figure (t) per ``country, mineral, stage, year`` from the supply table.

    Takes the first of ``editions`` that has the key; by default the USGS MCS editions newest
    first, then WMD (newest first). World and rest-of-world rows are dropped.
    """
    rows = supply[(supply["variable"] == "production") & (supply["unit"] == "t")
                  & ~supply["country"].isin(["WLD", "ROW"]) & supply["value"].notna()]
    if editions is None:
        present = sorted(set(rows["edition"]), reverse=True)
        editions = [e for p in ("mcs", "wmd") for e in present if e.startswith(p)]
    rank = {edition: i for i, edition in enumerate(editions)}
    rows = rows[rows["edition"].isin(list(rank))]
    rows = rows.assign(rank=rows["edition"].map(rank)).sort_values("rank")
    return (rows.drop_duplicates(["country", "mineral", "stage", "year"])
            [["country", "mineral", "stage", "year", "value", "edition"]]
            .reset_index(drop=True))


def curated_structure(curated: pd.DataFrame) -> pd.DataFrame:
    """Published supplier shares (``reference/data/import_structure.csv``) as structure rows.

    ``china_share`` = the share where the supplier is CHN (the publisher's own scope of
    "China"); ``top_supplier`` and ``top_supplier_share`` only where the share is above 0.5
    (then the supplier must be the largest). Values, HHI and the other shares are not
    derivable and stay NaN. ``source`` is ``curated: <url>``. Scale 0-1.
    """
    share = pd.to_numeric(curated["share"])
    top = share > 0.5
    out = pd.DataFrame({
        "importer": curated["importer"], "mineral": curated["mineral"],
        "stage": curated["stage"], "year": pd.to_numeric(curated["year"]).astype("int64"),
    })
    for column in COLUMNS[4:]:
        out[column] = float("nan")
    out["top_supplier"] = curated["supplier"].where(top)
    out["top_supplier_share"] = share.where(top)
    out["china_share"] = share.where(curated["supplier"] == "CHN")
    out["suppliers"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["source"] = "curated: " + curated["source_url"]
    out["confidence"] = curated["confidence"]
    # what the figure covers: all the importer's forms, a stage, or one form ("form:<id>")
    out["scope"] = curated.get("scope", "all")
    extra = curated.reindex(columns=["item", "data_owner", "note"]).fillna("").astype(str)
    out["note"] = (extra.agg("; ".join, axis=1).str.replace(r"(; )+", "; ", regex=True)
                   .str.strip("; "))
    return out.reset_index(drop=True)


def _joined(labels: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of ``keys``: its distinct ``basis`` and every ``label``, "; "-joined in order.

    The groups are cut from one stable sort (a Python join per group, not a pandas one).
    """
    grouped = labels.groupby(keys, sort=True)
    index = grouped.size().index
    codes = grouped.ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    order = order[codes[order] >= 0]  # rows with a missing key belong to no group
    cuts = np.flatnonzero(np.diff(codes[order])) + 1
    parts = [np.split(labels[c].to_numpy(object)[order], cuts) if len(index) else []
             for c in ("basis", "label")]
    return pd.DataFrame({"basis": ["; ".join(dict.fromkeys(b)) for b in parts[0]],
                         "source": ["; ".join(x) for x in parts[1]]}, index=index)


def import_indicators(flows: pd.DataFrame, membership: pd.DataFrame, curated: pd.DataFrame,
                      gaps: pd.DataFrame, *, years: Iterable[int] | None = None,
                      eu27: Iterable[str] = EU27, china: Iterable[str] = GREATER_CHINA,
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Import structure of every importer, mineral, stage and year, with its ``basis``.

    ``flows``: :func:`minsec.indicators.trade_forms.flows_by_form`. The first table has one
    row per mineral and ``stage`` (each stage, and ``all``: the mineral's forms added in
    contained tonnes, scrap apart): ``imports`` kUSD where every flow has a value,
    ``imports_t`` and ``exports_t`` contained tonnes, shares by contained tonnes, ``basis``
    the bases of its forms, ``source`` the forms with their basis and data year. Where no form
    of a stage has flows (``gaps``: :func:`minsec.indicators.trade_forms.gaps`), a published
    share fills in (``basis`` ``curated``, highest confidence first), else ``missing: <why>``
    with NaN values, so that a mineral without data is never dropped and never zero. The
    second table is :func:`~minsec.indicators.trade_forms.structure`'s ``form`` rows.
    """
    from minsec.indicators import trade_forms

    found = trade_forms.structure(flows, membership, years, eu27=eu27, china=china)
    found = found.astype({c: "object" for c in found.columns
                          if isinstance(found[c].dtype, pd.CategoricalDtype)})
    forms = found[found["level"].eq("form")].drop(columns="level").reset_index(drop=True)
    labels = forms.assign(label=forms["form_name"] + " (" + forms["basis"] + " "
                          + forms["last_year"].astype(str) + ")")
    keys = ["importer", "mineral", "scope", "year"]
    scoped = labels[labels["scope"].ne("scrap")].assign(scope="all")
    text = pd.concat([_joined(labels, keys), _joined(scoped, keys)]).reset_index()
    minerals = found[found["level"].eq("mineral")].drop(columns=["level", "form", "form_name",
                                                                 "basis", "imports_t"])
    exports = found.loc[found["level"].eq("exports"), [*keys, "contained_t"]].rename(
        columns={"contained_t": "exports_t"})
    measured = (minerals.rename(columns={"contained_t": "imports_t"})
                .merge(exports, on=keys, how="outer").merge(text, on=keys, how="left"))
    measured["imports_t"] = measured["imports_t"].fillna(0.0)
    measured["exports_t"] = measured["exports_t"].fillna(0.0)
    measured["basis"] = measured["basis"].fillna("exports only")
    measured = measured.rename(columns={"scope": "stage"})
    covered = measured.loc[measured["stage"].ne("all"), ["mineral", "stage"]].drop_duplicates()
    gaps = gaps.merge(covered, how="left", indicator=True)
    gaps = gaps.loc[gaps["_merge"] == "left_only", ["mineral", "stage", "note"]]
    skeleton = measured[["importer", "year"]].drop_duplicates().merge(gaps, how="cross")
    skeleton["basis"] = "missing: " + skeleton["note"]
    filled = curated_structure(curated).merge(gaps[["mineral", "stage"]])
    filled = (filled.assign(rank=filled["confidence"].map(CONFIDENCE_ORDER))
              .sort_values("rank", kind="stable").drop_duplicates(KEYS)
              .drop(columns="rank").assign(basis="curated"))
    missing = skeleton.merge(filled[KEYS], how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    missing = missing.rename(columns={"note": "source"})
    out = pd.concat([measured, filled, missing], ignore_index=True)
    out["suppliers"] = out["suppliers"].astype("Int64")
    return out.sort_values(KEYS, ignore_index=True), forms


def us_net_import_reliance(us_statistics: pd.DataFrame, edition: str | None = None,
                           ) -> pd.DataFrame:
    """USGS published net import reliance of the United States, passed through unchanged.

    ``nir`` in percent as published (0-100); ``flag``: E = net exporter (value NULL), '>' or
    '<' a bound, W withheld, NA not available. One row per figure: the front-matter (Fig. 2)
    and salient-statistics copies of the same figure are kept once (the Fig. 2 copy first).
    Source: USGS Mineral Commodity Summaries (the ``us_statistics`` table).
    """
    rows = us_statistics[us_statistics["variable"] == "net_import_reliance"]
    if edition is not None:
        rows = rows[rows["edition"] == edition]
    rows = rows.assign(salient=~rows["source"].str.endswith("_trends")).sort_values(
        ["edition", "mineral", "year", "salient"], kind="stable")
    rows = rows.rename(columns={"value": "nir"}).drop_duplicates(
        ["edition", "mineral", "year", "nir", "flag"])
    return rows[["mineral", "year", "nir", "flag", "edition", "form", "source"]].reset_index(
        drop=True)


def load_curated(path: Path | None = None) -> pd.DataFrame:
    """Read the curated import shares (I/O: not a pure function)."""
    from minsec.reference import DATA

    return pd.read_csv(path or DATA / "import_structure.csv", dtype={"year": "int64"},
                       keep_default_na=False)
