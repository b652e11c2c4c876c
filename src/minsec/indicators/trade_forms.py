"""Trade as importers buy it: every traded form of a mineral, one basis per flow, contained t.

:func:`flows_by_form` turns the trade records of every source (BACI, UN Comtrade, ITC Trade
Map) into flows of minerals' forms through the form concordance
(``reference/data/forms.csv``). :func:`structure` gives, for every importer, mineral and
year, the suppliers' shares of each form and of the mineral as a whole. Rules, each tested:

- **Codes by nomenclature.** A record joins its form through the code of its own edition:
  ``hs92`` for HS92 records (BACI), ``hs2022`` for HS2022 ones (Comtrade's H6, BACI's HS22
  release), ``hs2017`` for the others (Comtrade H5 and earlier, BACI's HS96-HS17 releases,
  ITC's national HS of 2017-2021). Within one edition a code
  belongs to one form of a mineral (the principal one first).
- **One basis per importer, form and year, never two added.** BACI where BACI has the
  form that year (reconciled; an importer without a BACI flow imported none), from one load
  and revision per form-year: the HS92 subset where it has the form-year, else the newest
  revision among the release zips (``baci_release``); else the
  importer's own declared imports (Comtrade ``M``: what national statistics publish, e.g.
  Korea's customs figures that KITA quotes); else its partners' declared exports to it
  (Comtrade ``X``); else ITC Trade Map (imports declared, then exports). Two extracts of the
  same declaration count once (by load key: the user's own API pull ``comtrade_api``, then
  the all-reporter extract, the PNNL extract last).
- **Shared codes.** ``allocation`` ``full`` charges the flow to the mineral; ``split`` its
  ``split_share``; ``group`` reports it once under ``group_id`` (never to each member);
  ``excluded`` not at all.
- **Units.** ``gross_t`` is the traded form's weight; ``contained_t = gross_t x
  content_factor (x split_share)`` in the ``measure`` USGS uses for the mineral's production.
  A record without a quantity gets ``value x`` the t/kUSD of its source, code and year.
- **Years.** For a year Y each form takes its latest data year in ``[Y - max_age, Y]``; a
  later BACI year without the importer's flow means none imported. The mineral adds its forms
  (scrap apart) in contained tonnes; shares of a form are by value where every flow has one,
  else by tonnes; shares of the mineral are by contained tonnes.
- **China** counts Hong Kong and Macao (USGS MCS's convention); the **EU27** is its current
  members' extra-EU flows.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from minsec.indicators.imports import EU27, GREATER_CHINA, _engine

BASES = {1: "BACI HS92", 2: "UN Comtrade, declared by the importer",
         3: "UN Comtrade, declared by the exporters", 4: "ITC Trade Map, declared by the importer",
         5: "ITC Trade Map, declared by the exporters"}
MAX_AGE = 3  # years: an older figure is never the headline
MATERIAL_KUSD = 1_000.0  # USD 1 M: below it a mineral's imports are immaterial
SCRAP = "scrap"
TEXT = ("exporter", "importer", "mineral", "stage", "form", "form_name", "hs6", "source",
        "measure", "basis")

_FLOWS = """
WITH f AS (
    SELECT *, CASE WHEN allocation = 'group' THEN group_id ELSE mineral END AS item,
           CASE WHEN allocation = 'split' THEN split_share ELSE 1.0 END AS part
    FROM forms WHERE allocation IN ('full', 'split', 'group')),
fk AS (SELECT 'HS92' AS nom, hs92 AS code, * FROM f WHERE hs92 IS NOT NULL
       UNION ALL SELECT 'HS2017', hs2017, * FROM f WHERE hs2017 IS NOT NULL
       UNION ALL SELECT 'HS2022', hs2022, * FROM f WHERE hs2022 IS NOT NULL),
fk1 AS (SELECT DISTINCT ON (nom, code, item) * FROM fk
        ORDER BY nom, code, item, principal DESC, stage = 'scrap', mineral, form),
t AS (SELECT *, CASE WHEN hs_version = 'HS92' THEN 'HS92' WHEN hs_version = 'HS2022'
                     THEN 'HS2022' ELSE 'HS2017' END AS nom,
             CASE WHEN source LIKE 'baci%' THEN 1
                  WHEN source LIKE 'comtrade%' AND flow = 'M' THEN 2
                  WHEN source LIKE 'comtrade%' THEN 3
                  WHEN flow = 'M' THEN 4 ELSE 5 END AS rank,
             source = 'comtrade_pnnl' AS secondary
      FROM trade WHERE exporter <> importer),
-- missing quantities: value x the source's t/kUSD for the code and year
t2 AS (SELECT *, coalesce(quantity, value * sum(quantity) OVER w
                  / nullif(sum(CASE WHEN quantity IS NOT NULL THEN value END) OVER w, 0))
                 AS gross
       FROM t WINDOW w AS (PARTITION BY source, hs6, year)),
j AS (SELECT t2.year, t2.exporter, t2.importer, fk1.item AS mineral, fk1.stage, fk1.form,
             fk1.form_name, t2.hs6, t2.hs_version, t2.source, t2.rank, t2.secondary,
             t2.value * fk1.part AS value, t2.gross * fk1.part AS gross_t,
             t2.gross * fk1.part * fk1.content_factor AS contained_t, fk1.measure,
             fk1.principal
      FROM t2 JOIN fk1 ON fk1.nom = t2.nom AND fk1.code = t2.hs6),
-- BACI: one load and revision per form-year, never two added: the HS92 subset, else the
-- newest revision of the release zips (the finest codes)
bpick AS (SELECT DISTINCT ON (mineral, form, year) mineral, form, year, source, hs_version
          FROM j WHERE rank = 1
          ORDER BY mineral, form, year, source <> 'baci_hs92',
                   CASE hs_version WHEN 'HS92' THEN 1992 WHEN 'HS96' THEN 1996
                        ELSE try_cast(substr(hs_version, 3) AS INTEGER) END DESC NULLS LAST,
                   source),
bj AS (SELECT j.* FROM j JOIN bpick USING (mineral, form, year, source, hs_version)
       WHERE j.rank = 1),
baci AS (SELECT mineral, form, year FROM bpick),
-- BACI rows stand; the declared ones only where BACI lacks the form-year, the best per importer
declared AS (SELECT * FROM j WHERE rank > 1
             AND NOT EXISTS (SELECT 1 FROM baci b WHERE b.mineral = j.mineral
                             AND b.form = j.form AND b.year = j.year)),
best AS (SELECT importer, mineral, form, year, min(rank) AS rank FROM declared GROUP BY ALL),
chosen AS (SELECT d.* FROM declared d JOIN best USING (importer, mineral, form, year, rank)
           QUALIFY row_number() OVER (PARTITION BY year, exporter, importer, mineral, form
                                      ORDER BY secondary, source) = 1)
SELECT year, exporter, importer, mineral, stage, form, form_name, hs6, source, rank, value,
       gross_t, contained_t, measure, principal FROM bj
UNION ALL
SELECT year, exporter, importer, mineral, stage, form, form_name, hs6, source, rank, value,
       gross_t, contained_t, measure, principal FROM chosen
"""


def flows_by_form(trade: pd.DataFrame, forms: pd.DataFrame) -> pd.DataFrame:
    """Trade records as flows of minerals' forms, one basis each (see the module's rules).

    Parameters
    ----------
    trade
        ``source, year, exporter, importer, hs6, hs_version, value`` (kUSD) ``, quantity``
        (t, gross) ``, flow`` (M, X or NULL), as in the store's ``trade`` table.
    forms
        The form concordance (the store's ``trade_form`` table).

    Returns
    -------
    ``year, exporter, importer, mineral, stage, form, form_name, hs6, source, basis, value,
    gross_t, contained_t, measure, principal``: ``mineral`` is the group id for a code reported
    as a group.
    """
    con = _engine().cursor()
    try:
        con.register("trade", trade[["source", "year", "exporter", "importer", "hs6",
                                     "hs_version", "value", "quantity", "flow"]])
        con.register("forms", forms)
        out = con.execute(_FLOWS).df()
    finally:
        con.close()
    out["basis"] = out.pop("rank").map(BASES)
    return _categorical(out)


def _categorical(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as categories: a few hundred labels over a million rows, grouped fast."""
    for column in TEXT:
        if column in frame and not isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype("category")
    return frame


_SELECT = """
CREATE TEMP TABLE sel AS
WITH base AS (SELECT * FROM flows WHERE exporter <> importer)
SELECT year, exporter, importer, mineral, stage, form, form_name, rank, value, gross_t,
       contained_t FROM base
UNION ALL SELECT year, exporter, 'EU27', mineral, stage, form, form_name, rank, value, gross_t,
       contained_t FROM base
WHERE list_contains($eu, importer) AND NOT list_contains($eu, exporter)
UNION ALL SELECT year, 'EU27', importer, mineral, stage, form, form_name, rank, value, gross_t,
       contained_t FROM base
WHERE list_contains($eu, exporter) AND NOT list_contains($eu, importer)
"""

# For each importer (for exports: exporter), form and target year: the data year, i.e. the
# latest year in the window with its flows, or a later BACI year (then it imported none).
_WINDOW = """
CREATE TEMP TABLE {name} AS
WITH targets AS (SELECT unnest($years) AS target),
bwin AS (SELECT mineral, form, target, max(year) AS latest
         FROM (SELECT DISTINCT mineral, form, year FROM sel WHERE rank = 1) JOIN targets
         ON year BETWEEN target - $age AND target GROUP BY ALL),
win AS (SELECT {side} AS country, mineral, form, target, max(year) AS y
        FROM (SELECT DISTINCT {side}, mineral, form, year FROM sel) JOIN targets
        ON year BETWEEN target - $age AND target GROUP BY ALL),
pick AS (SELECT country, mineral, form, target, greatest(y, coalesce(latest, y)) AS data_year
         FROM win LEFT JOIN bwin USING (mineral, form, target))
SELECT p.target, sel.* FROM pick p JOIN sel ON sel.{side} = p.country
       AND sel.mineral = p.mineral AND sel.form = p.form AND sel.year = p.data_year
WHERE sel.{other} <> 'EU27'  -- the bloc's rows count for the bloc only
"""

# Shares of the suppliers' x (value, or tonnes where a flow lacks a value) per group.
_SHARES = """
    10000 * sum(x * x) / nullif(sum(x) * sum(x), 0) AS import_hhi,
    arg_max(exporter, x) AS top_supplier, max(x) / nullif(sum(x), 0) AS top_supplier_share,
    coalesce(sum(x) FILTER (WHERE r.china), 0) / nullif(sum(x), 0) AS china_share,
    coalesce(sum(x) FILTER (WHERE r.partner), 0) / nullif(sum(x), 0) AS msp_share,
    coalesce(sum(x) FILTER (WHERE r.forum), 0) / nullif(sum(x), 0) AS forum_share,
    count(*) FILTER (WHERE x > 0) AS suppliers"""

_PER_SUPPLIER = """
CREATE TEMP TABLE pf AS
SELECT target, importer, mineral, stage, form, exporter, any_value(form_name) AS form_name,
       any_value(year) AS data_year, min(rank) AS rank, sum(value) AS value,
       count(value) = count(*) AS valued, sum(gross_t) AS gross_t,
       sum(contained_t) AS contained_t
FROM imp GROUP BY ALL
"""

_STRUCTURE = f"""
WITH fg AS (SELECT target, importer, mineral, form,
                   bool_and(valued) AND sum(value) > 0 AS by_value FROM pf GROUP BY ALL),
fx AS (SELECT * FROM pf JOIN fg USING (target, importer, mineral, form)),
ps AS (SELECT target, importer, mineral, scope, exporter, sum(value) AS value,
              bool_and(valued) AS valued, sum(contained_t) AS contained_t,
              min(data_year) AS first_year, max(data_year) AS last_year
       FROM (SELECT *, stage AS scope FROM pf
             UNION ALL SELECT *, 'all' FROM pf WHERE stage <> 'scrap') GROUP BY ALL)
SELECT 'form' AS level, target AS year, importer, mineral, stage AS scope, form,
       any_value(form_name) AS form_name, min(data_year) AS first_year,
       max(data_year) AS last_year, min(rank) AS rank, sum(value) AS imports,
       bool_and(valued) AS valued, sum(gross_t) AS imports_t, sum(contained_t) AS contained_t,
       CASE WHEN any_value(by_value) THEN 'value' ELSE 'tonnes' END AS measure, {_SHARES}
FROM (SELECT *, CASE WHEN by_value THEN value ELSE gross_t END AS x FROM fx) f
LEFT JOIN roles r ON r.country = f.exporter GROUP BY ALL
UNION ALL
SELECT 'mineral', target, importer, mineral, scope, '', NULL, min(first_year),
       max(last_year), NULL, sum(value), bool_and(valued), NULL, sum(contained_t),
       'contained tonnes', {_SHARES}
FROM (SELECT *, contained_t AS x FROM ps) p LEFT JOIN roles r ON r.country = p.exporter
GROUP BY ALL
UNION ALL
SELECT 'exports', target, exporter, mineral, scope, '', NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, sum(contained_t), 'contained tonnes', NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM (SELECT *, stage AS scope FROM exp UNION ALL SELECT *, 'all' FROM exp
      WHERE stage <> 'scrap') GROUP BY ALL
"""

STRUCTURE_KEYS = ["level", "year", "importer", "mineral", "scope", "form"]


def structure(flows: pd.DataFrame, membership: pd.DataFrame,
              years: Iterable[int] | None = None, *, max_age: int = MAX_AGE,
              eu27: Iterable[str] = EU27, china: Iterable[str] = GREATER_CHINA,
              ) -> pd.DataFrame:
    """Import structure of every importer, mineral and year, by form and for the mineral.

    Formulas over the suppliers ``j`` of importer ``i``: ``s_j = x_ij / X_i`` with ``x`` the
    value (a form whose flows all have one) or the tonnes (gross for a form, contained for the
    mineral); ``import_hhi = 10 000 sum_j s_j^2`` (0-10 000, U.S. DOJ/FTC Horizontal Merger
    Guidelines 2023 §2.1); ``top_supplier_share = max_j s_j`` (Korea's "dependence on
    specific countries": MOTIE 2023 strategy, facts.md §2.2); ``china_share``,
    ``msp_share``, ``forum_share`` sum ``s_j`` over the group. Vectorised: one DuckDB query.

    Parameters
    ----------
    flows
        :func:`flows_by_form`'s rows.
    membership
        ``country, role`` (roles ``partner``, ``forum``: :func:`minsec.tables.membership`).
    years
        The years to give figures for (default: every year of the flows); each form takes its
        latest data year within ``max_age`` years before.

    Returns
    -------
    One row per ``level`` (``form``, ``mineral`` or ``exports``), ``year``, ``importer``
    (for ``exports``: the exporter), ``mineral``, ``scope`` (the stage, or ``all``) and
    ``form``: ``first_year, last_year`` (the data years used), ``basis``, ``imports`` (kUSD,
    where known), ``valued`` (every flow has a value), ``imports_t`` (gross, forms only),
    ``contained_t``, ``measure`` (what the shares are of), and the share columns.
    """
    china = list(china)
    roles = pd.DataFrame({"country": sorted({*membership["country"], *china})})
    for role in ("partner", "forum"):
        roles[role] = roles["country"].isin(membership.loc[membership["role"] == role, "country"])
    roles["china"] = roles["country"].isin(china)
    wanted = sorted({int(y) for y in (years if years is not None else flows["year"].unique())})
    rank = _categorical(flows[["basis"]])["basis"].map({v: k for k, v in BASES.items()})
    flows = _categorical(flows[["year", "exporter", "importer", "mineral", "stage", "form",
                                "form_name", "value", "gross_t", "contained_t"]].assign(
        rank=rank.astype("int64")))
    con = _engine().cursor()
    try:
        con.register("flows", flows)
        con.register("roles", roles)
        params = {"years": wanted, "age": max_age}
        con.execute(_SELECT, {"eu": list(eu27)})
        con.execute(_WINDOW.format(name="imp", side="importer", other="exporter"), params)
        con.execute(_WINDOW.format(name="exp", side="exporter", other="importer"), params)
        con.execute(_PER_SUPPLIER)
        out = con.execute(_STRUCTURE).df()
    finally:
        con.close()
    out["basis"] = out.pop("rank").map(BASES)
    out["suppliers"] = out["suppliers"].astype("Int64")
    return out


def _codes(forms: pd.DataFrame) -> pd.Series:
    """Each form's codes in words, e.g. ``HS 282520`` or ``HS92 810510 / HS2017 810520``."""
    cols = ["hs92", "hs2017", "hs2022"]
    def label(row: pd.Series) -> str:
        found = {c: row[c] for c in cols if isinstance(row[c], str) and row[c]}
        if not found:
            return "no HS subheading"
        if len(set(found.values())) == 1:
            return "HS " + next(iter(found.values()))
        return " / ".join(f"{c.upper()} {v}" for c, v in found.items())
    return forms.apply(label, axis=1) if len(forms) else pd.Series(dtype=str)


def _reasons(forms: pd.DataFrame, held: set[tuple[str, str]]) -> pd.Series:
    """Why a form is not measured, from the concordance and the (item, form) pairs held."""
    codes = _codes(forms)
    item = forms["group_id"].where(forms["allocation"].eq("group"), forms["mineral"])
    named = forms["form_name"] + " (" + codes + ")"
    grouped = named + ": counted once for the group " + item.astype(str)
    excluded = named + ": not charged (" + forms["note"].fillna("shared code") + ")"
    missing = named + ": in no loaded trade source"
    is_held = pd.Series([(i, f) in held for i, f in zip(item, forms["form"], strict=True)],
                        index=forms.index)
    reason = missing.where(~is_held, named + ": no flows in the window")
    reason = reason.where(~forms["allocation"].eq("group"), grouped)
    return reason.where(~forms["allocation"].eq("excluded"), excluded)


def gaps(flows: pd.DataFrame, forms: pd.DataFrame) -> pd.DataFrame:
    """``mineral, stage, note`` where no form of the stage has any flow in ``flows``."""
    held = set(zip(flows["mineral"], flows["stage"], strict=True))
    item = forms["group_id"].where(forms["allocation"].eq("group"), forms["mineral"])
    charged = forms["allocation"].isin(["full", "split"])
    measured = {(m, s) for m, i, s, c in zip(forms["mineral"], item, forms["stage"], charged,
                                               strict=True) if c and (i, s) in held}
    rows = forms[[(m, s) not in measured for m, s in zip(forms["mineral"], forms["stage"],
                                                         strict=True)]]
    pairs = set(zip(flows["mineral"], flows["form"], strict=True))
    note = _reasons(rows, pairs)
    out = rows[["mineral", "stage"]].assign(note=note)
    notes = out.groupby(["mineral", "stage"], as_index=False)["note"].agg("; ".join)
    return pd.DataFrame(notes).sort_values(["mineral", "stage"], ignore_index=True)


def form_status(forms: pd.DataFrame, measured: pd.DataFrame,
                held: set[tuple[str, str]]) -> pd.DataFrame:
    """Per mineral: the forms measured, those not measured with why, principal coverage.

    ``measured``: :func:`structure`'s ``form`` rows of one importer and year; ``held``: the
    ``(mineral or group, form)`` pairs any loaded source has flows for. Returns ``mineral,
    forms_measured, forms_not_measured, principal_measured`` (every principal form charged
    to the mineral has figures), ``principal_not_measured`` (why not).
    """
    got = measured.set_index(["mineral", "form"])
    key = list(zip(forms["mineral"], forms["form"], strict=True))
    ok = pd.Series([k in got.index for k in key], index=forms.index) & forms[
        "allocation"].isin(["full", "split"])
    label = pd.Series([f"{n} ({got.loc[k, 'basis']} {got.loc[k, 'last_year']})"
                       if o else "" for n, k, o in zip(forms["form_name"], key, ok,
                                                       strict=True)], index=forms.index)
    table = forms.assign(_ok=ok, _label=label, _why=_reasons(forms, held).where(~ok, ""))
    def summary(rows: pd.DataFrame) -> pd.Series:
        # principal forms the data can measure: a code charged to the mineral
        main = rows[rows["principal"].astype(bool)]
        principal = main[main["allocation"].isin(["full", "split"])]
        return pd.Series({
            "forms_measured": "; ".join(rows.loc[rows["_ok"], "_label"]),
            "forms_not_measured": "; ".join(rows.loc[~rows["_ok"], "_why"]),
            "principal_not_measured": "; ".join(main.loc[~main["_ok"], "_why"]),
            "principal_measured": bool(len(principal)) and bool(principal["_ok"].all())})
    rows = [summary(group).rename(mineral) for mineral, group in table.groupby("mineral")]
    return pd.DataFrame(rows).rename_axis("mineral").reset_index()


def suppliers(flows: pd.DataFrame, importer: str, year: int, *, max_age: int = MAX_AGE,
              eu27: Iterable[str] = EU27) -> pd.DataFrame:
    """Each supplier's part of one importer's imports, per form and per mineral, in ``year``.

    The same rules as :func:`structure` (each form's latest data year in the window, a later
    BACI year without a flow meaning none), for one importer, with every supplier kept.
    Returns ``level`` (``form`` or ``mineral``), ``mineral, scope, form, form_name, year``
    (the data year), ``basis, supplier, value`` (kUSD) ``, gross_t, contained_t`` and the
    shares ``share_value`` (of the form's value, where every flow has one), ``share_gross``,
    ``share_contained`` (of the form, or of the mineral's scope; a value share only where
    every flow has a value).
    """
    eu = list(eu27)
    window = flows[flows["year"].between(year - max_age, year)]
    if importer == "EU27":
        mine = window[window["importer"].isin(eu) & ~window["exporter"].isin(eu)]
    else:
        mine = window[window["importer"].eq(importer)]
    keys = ["mineral", "form"]
    baci = window[window["basis"].eq(BASES[1])].groupby(keys, observed=True)["year"].max()
    latest = mine.groupby(keys, observed=True)["year"].max()
    data_year = pd.concat([latest, baci.reindex(latest.index)], axis=1).max(axis=1)
    wanted = pd.Series(mine.set_index(keys).index.map(dict(data_year.items())), index=mine.index)
    rows = mine[mine["year"].eq(wanted)]
    form_keys = ["mineral", "stage", "form", "form_name", "year", "basis"]
    per = rows.groupby([*form_keys, "exporter"], observed=True, as_index=False).agg(
        value=("value", lambda v: v.sum(min_count=len(v))), gross_t=("gross_t", "sum"),
        contained_t=("contained_t", "sum")).rename(columns={"exporter": "supplier"})
    by_form = per.groupby(["mineral", "form"], observed=True)
    per = per.assign(level="form", scope=per["stage"],
                     share_value=per["value"] / by_form["value"].transform(
                         lambda v: v.sum(min_count=len(v))),
                     share_gross=per["gross_t"] / by_form["gross_t"].transform("sum"),
                     share_contained=per["contained_t"] / by_form["contained_t"].transform("sum"))
    staged = per[per["stage"].ne(SCRAP)]
    scopes = pd.concat([per.assign(scope=per["stage"]), staged.assign(scope="all")])
    mineral = scopes.groupby(["mineral", "scope", "supplier"], observed=True, as_index=False).agg(
        year=("year", "max"), basis=("basis", lambda b: "; ".join(dict.fromkeys(map(str, b)))),
        value=("value", lambda v: v.sum(min_count=len(v))), contained_t=("contained_t", "sum"))
    by_scope = mineral.groupby(["mineral", "scope"], observed=True)
    mineral = mineral.assign(
        level="mineral",
        share_value=mineral["value"] / by_scope["value"].transform(
            lambda v: v.sum(min_count=len(v))),
        share_contained=mineral["contained_t"] / by_scope["contained_t"].transform("sum"))
    out = pd.concat([per.drop(columns="stage"), mineral], ignore_index=True)
    columns = ["level", "mineral", "scope", "form", "form_name", "year", "basis", "supplier",
               "value", "gross_t", "contained_t", "share_value", "share_gross",
               "share_contained"]
    return out.reindex(columns=columns).sort_values(
        ["level", "mineral", "scope", "form", "share_contained"],
        ascending=[True, True, True, True, False], ignore_index=True)
