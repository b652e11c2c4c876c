"""The assessment: for an importer and a year, one row per mineral with every indicator.

Each figure keeps its data year (``*_year``) and its basis; nothing missing becomes a zero.
:func:`indicators` computes the indicator families of one importer for every mineral and
year; :func:`assess`, :func:`trend` and :func:`compare` are views of those tables.

Choices that are ours (documented here and in the columns):

* Production concentration in year Y: the latest figure at or before Y, preferring the newest
  USGS MCS edition in the store, then the older ones, then World Mining Data, then the IEA
  (refining shares of lithium, graphite; ``*_source`` names the edition;
  :func:`minsec.tables.editions`).
* Import structure: every form the importer buys, added in contained tonnes
  (:mod:`minsec.indicators.trade_forms`); the headline follows :func:`headline`'s rules: a
  current (at most three years old), material (USD 1 M or more) figure for the forms the
  importer buys, else an official curated figure, else "not measured" and why.
* Import reliance: for the USA, USGS's published net import reliance; for other importers,
  computed from contained tonnes and World Mining Data production, where a mineral WMD covers
  counts 0 production for an importer WMD does not list (WMD lists every producer).
* Governance (GeoPolRisk's PV, the USGS-style supply risk's six-dimension mean): for every
  country and year the newest WGI vintage in the store with a value, named in
  ``gpr_governance_vintage`` and ``usgs_governance_vintage``; :func:`with_governance_vintage`
  fixes one (``--governance-vintage``).
* ``risk_score`` (0..1, the ranking): the mean of a fixed set of normalised risks: production
  HHI/10 000 (the worse stage), top-supplier share, GeoPolRisk score, USGS-style supply risk
  and (100 - MBI)/100. A mineral with fewer than :data:`MIN_RISK_INPUTS` of them is listed as
  "insufficient data", unranked; a member of a traded group (a rare earth) is ranked with its
  group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import pandas as pd

from minsec import lookthrough, tables
from minsec.indicators import early_warning, geopolrisk, imports, supply_risk, trade_forms
from minsec.indicators.concentration import stage_concentration
from minsec.indicators.governance import only_vintage

PRODUCTION = ("mcs", "wmd")  # preference for production figures: tables.editions(frame, ...)
CONCENTRATION = (*PRODUCTION, "iea")  # IEA 2024 adds refining shares (Li, graphite)
MIN_RISK_INPUTS = 3  # of the five RISKS, the two CORE_RISKS among them
CORE_RISKS = ("production_hhi", "top_supplier_share")
LISTS = {"kr_critical_2023": "KR33", "kr_strategic_2023": "KR10", "us_2022": "US22",
         "us_2025": "US25", "eu_crma_critical": "EU34", "eu_crma_strategic": "EU17"}
METHODS = ("concentration", "imports", "geopolrisk", "eu_crm", "usgs", "early_warning",
           "origin")
RISKS = ("production_hhi", "top_supplier_share", "gpr_score", "usgs_supply_risk", "mbi_risk")


@dataclass(frozen=True)
class Inputs:
    """The store's tables the assessment reads, read once."""

    supply: pd.DataFrame
    mineral_trade: pd.DataFrame
    membership: pd.DataFrame
    eu27: list[str]
    lists: pd.DataFrame
    minerals: pd.DataFrame
    prices: pd.DataFrame
    eu_assessment: pd.DataFrame
    us_statistics: pd.DataFrame
    curated: pd.DataFrame
    gaps: pd.DataFrame
    geopolrisk: geopolrisk.Inputs
    governance: pd.DataFrame  # every WGI vintage (tables.governance)
    forms: pd.DataFrame  # the form concordance (reference/data/forms.csv)
    governance_vintage: str | None = None  # one fixed; None: the newest default with a value
    shared_ore: pd.DataFrame = field(default_factory=pd.DataFrame)  # tables.shared_ore_trade

    @cached_property
    def origin(self) -> lookthrough.Tables:
        """The origin model's tables; it keeps the chains it solves (minsec.lookthrough)."""
        return lookthrough.Tables(self.mineral_trade, self.supply, self.forms, self.shared_ore,
                                  self.geopolrisk.governance, self.eu27)

    @cached_property
    def held(self) -> set[tuple[str, str]]:
        """The (mineral or group, form) pairs some loaded source has flows for."""
        pairs = self.mineral_trade[["mineral", "form"]].drop_duplicates()
        return set(zip(pairs["mineral"], pairs["form"], strict=True))


def load(store: Path | None = None) -> Inputs:
    """Read every table the assessment needs (I/O)."""
    return Inputs(
        tables.supply(store), tables.mineral_trade(store), tables.membership(store),
        tables.region_members("eu27", store), tables.lists(store), tables.minerals(store),
        tables.prices(store), tables.eu_crm("eu_crm_assessment", store),
        tables.us_statistics(store), imports.load_curated(), tables.trade_gaps(store),
        geopolrisk.load_inputs(store), tables.governance(store), tables.trade_forms(store),
        shared_ore=tables.shared_ore_trade(store))


def with_governance_vintage(inputs: Inputs, vintage: str | None) -> Inputs:
    """The inputs with one WGI vintage fixed.

    ``None``: per country and year the newest default vintage with a value. An unknown name
    is a ``MinsecError`` listing the known ones.
    """
    return replace(inputs, governance_vintage=vintage,
                   geopolrisk=geopolrisk.with_vintage(inputs.geopolrisk, vintage))


def latest(frame: pd.DataFrame, keys: list[str], year: int,
           order: Iterable[str] = ()) -> pd.DataFrame:
    """Per ``keys``, the row of the latest year at or before ``year`` (ties: ``order``)."""
    rows = frame[frame["year"] <= year]
    rank = {edition: i for i, edition in enumerate(order)}
    if rank:
        rows = rows[rows["edition"].isin(rank)]
        rows = rows.assign(_rank=rows["edition"].map(rank)).sort_values(
            ["year", "_rank"], ascending=[False, True]).drop(columns="_rank")
    else:
        rows = rows.sort_values("year", ascending=False)
    return rows.drop_duplicates(keys)


def _production_for_reliance(supply: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """The importer's production (t) per mineral, stage and year, as far as WMD tells.

    WMD lists every producing country: where it covers the mineral and stage, an importer it
    does not list produces 0; where it covers the mineral at another stage only, an importer
    with no WMD production of the mineral at all also produces 0 at this stage; else unknown.
    """
    wmd = supply[supply["edition"].eq("wmd2026") & supply["variable"].eq("production")
                 & ~supply["country"].isin(["WLD", "ROW"])]
    keys = ["country", "mineral", "stage", "year"]
    produced = wmd.groupby(keys, as_index=False)["value"].sum()
    anywhere = wmd.groupby(["country", "mineral", "year"])["value"].sum()
    rows = grid.rename(columns={"importer": "country"}).merge(produced, how="left")
    same_stage = rows.merge(wmd[["mineral", "stage", "year"]].drop_duplicates(), how="left",
                            indicator=True)["_merge"].eq("both").to_numpy()
    mineral_covered = rows[["mineral", "year"]].merge(
        wmd[["mineral", "year"]].drop_duplicates(), how="left", indicator=True)[
        "_merge"].eq("both").to_numpy()
    elsewhere = rows.set_index(["country", "mineral", "year"]).index.map(anywhere.to_dict())
    none_anywhere = mineral_covered & pd.isna(pd.Series(elsewhere)).to_numpy()
    rows["value"] = rows["value"].where(rows["value"].notna() | ~(same_stage | none_anywhere),
                                        0.0)
    return rows[keys + ["value"]]


def import_tables(inputs: Inputs, importer: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Import structure and reliance of ``importer`` per mineral, stage and year; its forms."""
    trade = inputs.mineral_trade
    if importer != "EU27":
        trade = trade[trade["importer"].eq(importer) | trade["exporter"].eq(importer)]
    structure, forms = imports.import_indicators(
        trade, inputs.membership, inputs.curated, inputs.gaps,
        years=sorted(inputs.mineral_trade["year"].unique()), eu27=inputs.eu27)
    structure = structure[structure["importer"].eq(importer)]
    forms = forms[forms["importer"].eq(importer)].reset_index(drop=True)
    grid = structure[["importer", "mineral", "stage", "year"]]
    if importer == "EU27":  # the bloc produces what its members produce (summed downstream)
        members = pd.DataFrame({"importer": inputs.eu27})
        grid = grid.drop(columns="importer").merge(members, how="cross")
    production = _production_for_reliance(inputs.supply, grid)
    out = imports.with_reliance(structure, production, inputs.eu27)
    if importer == "USA":
        nir = supply_risk.us_reliance(inputs.us_statistics)
        nir = nir.sort_values("edition").drop_duplicates(["mineral", "year"], keep="last")
        out = out.drop(columns="import_reliance").merge(
            nir[["mineral", "year", "reliance"]].rename(columns={"reliance": "import_reliance"}),
            on=["mineral", "year"], how="left")
        out["reliance_basis"] = "USGS MCS net import reliance"
    else:
        out["reliance_basis"] = "contained tonnes (trade by form), WMD production"
    return out.reset_index(drop=True), forms


def import_table(inputs: Inputs, importer: str) -> pd.DataFrame:
    """Import structure and reliance of ``importer`` for every mineral, stage and year."""
    return import_tables(inputs, importer)[0]


def indicators(inputs: Inputs, importer: str,
               methods: Iterable[str] = METHODS) -> dict[str, pd.DataFrame]:
    """The indicator families of ``importer`` for all minerals and years, as tidy tables."""
    methods = set(methods)
    out: dict[str, pd.DataFrame] = {}
    if "concentration" in methods:
        out["concentration"] = stage_concentration(inputs.supply)
    if methods & {"imports", "usgs"}:
        out["imports"], out["forms"] = import_tables(inputs, importer)
    if "geopolrisk" in methods:
        gpr = geopolrisk.compute(inputs.geopolrisk)
        out["geopolrisk"] = gpr[gpr["importer"].eq(importer)]
    if "eu_crm" in methods:
        published = inputs.eu_assessment.dropna(subset=["mineral", "supply_risk"])
        out["eu_crm"] = published.sort_values("supply_risk", ascending=False).drop_duplicates(
            ["mineral", "year"])[["mineral", "year", "material", "supply_risk",
                                  "economic_importance"]]
    if "usgs" in methods:
        staged = out["imports"][out["imports"]["stage"].ne("all")]
        reliance = staged.sort_values("imports_t", ascending=False).drop_duplicates(
            ["mineral", "year"])[["mineral", "year", "import_reliance"]]
        wgi = supply_risk.governance_risk(only_vintage(inputs.governance,
                                                       inputs.governance_vintage))
        importance = supply_risk.eu_importance(inputs.eu_assessment)
        reliance = reliance.rename(columns={"import_reliance": "reliance"})
        out["usgs"] = pd.concat([supply_risk.assess(
            inputs.supply[inputs.supply["edition"].eq(edition)], wgi, reliance, importance,
            importer).assign(edition=edition)
            for edition in tables.editions(inputs.supply, PRODUCTION)], ignore_index=True)
    if "early_warning" in methods:
        out["early_warning"] = early_warning.assemble(inputs.prices, inputs.supply,
                                                      inputs.mineral_trade, importer)
    return out


def _wide(frame: pd.DataFrame, stage: str, year: int) -> pd.DataFrame:
    rows = latest(frame[frame["stage"].eq(stage)], ["mineral"], year,
                  tables.editions(frame, CONCENTRATION))
    rows = rows[["mineral", "hhi", "top1_country", "top1_share", "top3_share", "year",
                 "edition"]].rename(columns={"edition": "source"})
    return rows.set_index("mineral").add_prefix(f"{stage}_")


def _lists(lists: pd.DataFrame) -> pd.Series:
    labels = lists[lists["list"].isin(LISTS)].assign(label=lambda f: f["list"].map(LISTS))
    order = {label: i for i, label in enumerate(LISTS.values())}
    return labels.sort_values("label", key=lambda c: c.map(order)).groupby("mineral")[
        "label"].agg(" ".join).rename("lists")


HEADLINE = ["import_stage", "import_year", "import_basis", "import_form", "imports",
            "imports_t", "top_supplier", "top_supplier_share", "china_share", "msp_share",
            "forum_share", "import_hhi", "import_reliance", "reliance_basis", "forms_measured",
            "forms_not_measured"]


def group_members(forms: pd.DataFrame) -> dict[str, str]:
    """Minerals traded only as part of a group (rare-earth elements): mineral -> group id."""
    rows = forms[forms["allocation"].eq("group") & forms["form"].eq("group")
                 & forms["mineral"].ne(forms["group_id"])]
    return dict(zip(rows["mineral"], rows["group_id"], strict=True))


def _year(value: object) -> int:
    return int(str(value).split(".")[0])


def _curated_headline(curated: pd.DataFrame, importer: str, year: int) -> pd.DataFrame:
    """Per mineral, the current official figure for all its forms (nearest year, confidence)."""
    rows = imports.curated_structure(curated)
    rows = rows[rows["importer"].eq(importer) & rows["scope"].eq("all")
                & rows["year"].between(year - trade_forms.MAX_AGE, year)]
    rows = rows.assign(_conf=rows["confidence"].map(imports.CONFIDENCE_ORDER))
    return rows.sort_values(["year", "_conf"], ascending=[False, True]).drop_duplicates(
        "mineral").set_index("mineral")


def headline(found: dict[str, pd.DataFrame], inputs: Inputs, importer: str,
             year: int, only: str | None = None) -> pd.DataFrame:
    """Per mineral, the import figures shown as the headline, with their basis.

    Rules (docs/methods.md): (1) the mineral's forms added in contained tonnes, each form's
    latest data at most three years before ``year``, when every principal form is measured
    and the imports are material (USD 1 M or more); (2) else a current official curated
    figure for all the importer's forms (MOTIE, KOMIR, KITA ..., with source and year); (3)
    else the measured figure marked ``partial`` with the principal forms it lacks; (4) else
    nothing, with ``not measured: <why>``. A member of a traded group shows the group's id.
    ``only``: one mineral (the trend's).
    """
    table, forms = found["imports"], found["forms"]
    if only is not None:
        table, forms = table[table["mineral"].eq(only)], forms[forms["mineral"].eq(only)]
    rows = table[table["stage"].eq("all") & table["year"].eq(year)].set_index("mineral")
    # reliance: the measured stage with the larger contained imports (the USA: USGS's figure)
    staged = table[table["stage"].ne("all") & table["year"].eq(year)
                   & table["import_reliance"].notna()]
    staged = staged.assign(_measured=~staged["basis"].str.startswith(("curated", "missing")))
    reliance = staged.sort_values(["_measured", "imports_t"], ascending=False).drop_duplicates(
        "mineral").set_index("mineral")["import_reliance"]
    concordance = inputs.forms if only is None else inputs.forms[
        inputs.forms["mineral"].eq(only)]
    status = trade_forms.form_status(concordance, forms[forms["year"].eq(year)],
                                     inputs.held).set_index("mineral")
    curated = _curated_headline(inputs.curated, importer, year)
    members = group_members(inputs.forms)
    out = []
    wanted = sorted(set(status.index) | set(curated.index))
    for mineral in [only] if only is not None else wanted:
        st = status.loc[mineral] if mineral in status.index else None
        row = rows.loc[mineral] if mineral in rows.index else None
        cur = curated.loc[mineral] if mineral in curated.index else None
        line: dict[str, object] = {"mineral": mineral}
        if st is not None:
            line |= {"forms_measured": st["forms_measured"],
                     "forms_not_measured": st["forms_not_measured"]}
        material = row is not None and row["imports_t"] > 0 and not (
            bool(row["valued"]) and row["imports"] < trade_forms.MATERIAL_KUSD)
        covered = st is not None and bool(st["principal_measured"])
        if mineral in members:
            line["import_basis"] = f"group: counted once for {members[mineral]}"
        elif row is not None and material and (covered or cur is None):
            partial = "" if covered else f" (partial: {st['principal_not_measured']})" if (
                st is not None and st["principal_not_measured"]) else ""
            line |= {c: row[c] for c in ("imports", "imports_t", "top_supplier",
                                          "top_supplier_share", "china_share", "msp_share",
                                          "forum_share", "import_hhi")}
            line |= {"import_stage": "all forms", "import_year": _year(row["last_year"]),
                     "import_basis": str(row["basis"]) + partial,
                     "import_form": "all forms measured, contained tonnes",
                     "import_reliance": reliance.get(mineral)}
        elif cur is not None:
            line |= {c: cur[c] for c in ("top_supplier", "top_supplier_share", "china_share")}
            line |= {"import_stage": cur["stage"], "import_year": _year(cur["year"]),
                     "import_basis": "curated: " + str(cur["source"]).removeprefix("curated: "),
                     "import_form": cur["note"] or "all forms (as published)",
                     "import_reliance": reliance.get(mineral)}
        elif row is not None and row["imports_t"] > 0:
            line["import_basis"] = (f"not measured: imports of USD {1000 * row['imports']:,.0f}"
                                    f" ({_year(row['last_year'])}) are immaterial (under USD 1 M)")
        else:
            why = (st["principal_not_measured"] or st["forms_not_measured"]) if st is not None \
                else "no form in the concordance"
            line["import_basis"] = f"not measured: {why or 'no imports recorded'}"
        if "import_reliance" not in line and mineral in reliance.index:
            line["import_reliance"] = reliance[mineral]
        out.append(line)
    frame = pd.DataFrame(out).set_index("mineral")
    return frame.reindex(columns=HEADLINE).assign(
        reliance_basis=found["imports"]["reliance_basis"].iloc[0] if len(table) else None)


def _group_lists(lists: pd.Series, members: dict[str, str]) -> pd.Series:
    """A traded group (rare_earths) is on the lists its members are on."""
    found = lists.dropna()
    for group in set(members.values()):
        labels = [x for m, g in members.items() if g == group and m in found.index
                  for x in str(found[m]).split()]
        own = str(lists.get(group)).split() if pd.notna(lists.get(group)) else []
        if labels and group in lists.index:
            lists[group] = " ".join(dict.fromkeys(own + sorted(set(labels) - set(own),
                                                              key=list(LISTS.values()).index)))
    return lists


def _risk_score(table: pd.DataFrame, members: dict[str, str],
                min_inputs: int = MIN_RISK_INPUTS) -> pd.DataFrame:
    hhi = table.reindex(columns=["mining_hhi", "refining_hhi"]).max(axis=1) / 10_000
    risks = pd.DataFrame({
        "production_hhi": hhi, "top_supplier_share": table.get("top_supplier_share"),
        "gpr_score": table.get("gpr_score"), "usgs_supply_risk": table.get("usgs_supply_risk"),
        "mbi_risk": (100 - table["mbi"]) / 100 if "mbi" in table else None},
        index=table.index)
    count = risks.notna().sum(axis=1)
    grouped = table["mineral"].map(members)
    ranked = (count >= min_inputs) & risks[list(CORE_RISKS)].notna().all(axis=1) & grouped.isna()
    out = table.assign(risk_score=risks.mean(axis=1).where(ranked), risk_inputs=count)
    out["rank_note"] = grouped.map(lambda g: f"ranked with its group {g}",
                                   na_action="ignore").astype(object)
    lacking = risks.isna().apply(lambda r: ", ".join(r.index[r]), axis=1)
    why = ("insufficient data (" + count.astype(str) + f" of {len(RISKS)} risk inputs; no "
           + lacking + ")")
    out["rank_note"] = out["rank_note"].fillna(why.where(~ranked))
    out["rank"] = out["risk_score"].rank(ascending=False, method="min").astype("Int64")
    return out.sort_values(["rank", "mineral"], na_position="last")


def assess(inputs: Inputs, importer: str, year: int, methods: Iterable[str] = METHODS,
           listed_only: bool = True) -> pd.DataFrame:
    """One row per mineral: lists, every indicator with its data year, and the ranking.

    ``listed_only``: only minerals on one of the KR, US or EU lists. ``risk_inputs`` says on
    how many of the risk indicators a mineral's ``risk_score`` rests.
    """
    methods = tuple(methods)
    found = indicators(inputs, importer, methods)
    catalogue = inputs.minerals.set_index("id")[["name"]].rename_axis("mineral")
    parts: list[pd.DataFrame | pd.Series] = [catalogue, _lists(inputs.lists)]
    if "concentration" in found:
        parts += [_wide(found["concentration"], s, year) for s in ("mining", "refining")]
    if "imports" in found:
        parts.append(headline(found, inputs, importer, year))
    if "geopolrisk" in found:
        rows = latest(found["geopolrisk"], ["mineral"], year).set_index("mineral")
        parts.append(rows[["score", "hhi", "import_risk", "year", "governance_vintage"]]
                     .add_prefix("gpr_"))
    if "eu_crm" in found:
        rows = latest(found["eu_crm"], ["mineral"], year).set_index("mineral")
        parts.append(rows[["supply_risk", "economic_importance", "year"]].add_prefix("eu_"))
    if "usgs" in found:
        rows = latest(found["usgs"], ["mineral"], year,
                      tables.editions(found["usgs"], PRODUCTION)).set_index("mineral")
        parts.append(rows[["supply_risk", "year", "governance_vintage"]].add_prefix("usgs_"))
    if "early_warning" in found:
        rows = latest(found["early_warning"], ["mineral"], year).set_index("mineral")
        parts.append(rows[["mbi", "band", "inputs", "year"]].rename(
            columns={"inputs": "mbi_inputs", "year": "mbi_year"}))
    table = pd.concat(parts, axis=1, join="outer")
    table["lists"] = _group_lists(table["lists"], group_members(inputs.forms))
    table = table[table.drop(columns=["name", "lists"]).notna().any(axis=1)]
    if "origin" in methods:  # first tier and look-through side by side
        table = table.join(lookthrough.columns(inputs.origin, importer, year, table.index,
                                               group_members(inputs.forms)))
    if listed_only:
        table = table[table["lists"].notna()]
    table = _risk_score(table.reset_index().rename(columns={"index": "mineral"}),
                        group_members(inputs.forms))
    return table.assign(importer=importer, year=year).reset_index(drop=True)


def default_year(inputs: Inputs) -> int:
    """The latest year of the trade data (BACI), the default of every view."""
    return int(inputs.mineral_trade["year"].max())


TREND_METHODS = ("concentration", "imports", "geopolrisk", "early_warning")


def trend(inputs: Inputs, mineral: str, importer: str,
          found: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One row per year: the indicators of one mineral for one importer over time.

    ``found``: ``indicators(inputs, importer, TREND_METHODS)`` when the caller has them (one
    computation for many minerals).
    """
    found = found or indicators(inputs, importer, TREND_METHODS)
    conc = found["concentration"]
    conc = conc[conc["mineral"].eq(mineral)]
    parts, order = [], tables.editions(conc, PRODUCTION)
    for stage in ("mining", "refining"):
        rows = conc[conc["stage"].eq(stage)].assign(
            _rank=lambda f: f["edition"].map({e: i for i, e in enumerate(order)}))
        rows = rows.dropna(subset=["_rank"]).sort_values("_rank").drop_duplicates("year")
        parts.append(rows.set_index("year")[["hhi", "top1_country", "top1_share", "edition"]]
                     .add_prefix(f"{stage}_"))
    years = sorted(set(found["imports"].loc[found["imports"]["mineral"].eq(mineral), "year"]))
    if years:
        heads = pd.concat([headline(found, inputs, importer, y, only=mineral).assign(year=y)
                           for y in years])
        heads = heads[heads["import_year"].notna()].set_index("year")
        parts.append(heads[["import_stage", "import_basis", "import_year", "imports",
                            "top_supplier", "top_supplier_share", "china_share", "msp_share",
                            "import_hhi", "import_reliance"]])
    gpr = found["geopolrisk"]
    parts.append(gpr[gpr["mineral"].eq(mineral)].set_index("year")[
        ["score", "import_risk"]].add_prefix("gpr_"))
    ew = found["early_warning"]
    parts.append(ew[ew["mineral"].eq(mineral)].set_index("year")[["mbi", "band"]])
    table = pd.concat(parts, axis=1).sort_index()
    table = table[table.notna().any(axis=1)].rename_axis("year").reset_index()
    return table.assign(mineral=mineral, importer=importer)


COMPARE = ["rank", "top_supplier", "top_supplier_share", "china_share", "msp_share",
           "import_hhi", "import_reliance", "gpr_score", "usgs_supply_risk", "mbi", "risk_score"]


def compare(inputs: Inputs, importers: Iterable[str], year: int,
            minerals: Iterable[str] | None = None) -> pd.DataFrame:
    """Importers side by side: one row per importer and mineral, the headline indicators."""
    wanted = set(minerals or [])
    frames = []
    for importer in importers:
        table = assess(inputs, importer, year)
        if wanted:
            table = table[table["mineral"].isin(wanted)]
        frames.append(table[["importer", "mineral", "lists", *COMPARE]])
    return pd.concat(frames, ignore_index=True).sort_values(["mineral", "importer"],
                                                            ignore_index=True)
