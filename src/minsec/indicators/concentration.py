"""Market concentration of supply: shares, top-n shares and the Herfindahl-Hirschman index."""

from __future__ import annotations

import pandas as pd

AGGREGATES = ("WLD", "ROW", "EU27")


def shares(values: pd.Series, total: float | None = None) -> pd.Series:
    """Share of each country in the total: ``s_i = x_i / X``, 0..1.

    ``total`` is the published world total where there is one (USGS "World total (rounded)"),
    else the sum of ``values``. Indexed like ``values``.
    """
    denominator = total if total is not None and total > 0 else values.sum()
    return values / denominator if denominator else values * float("nan")


def hhi(shares_: pd.Series) -> float:
    """Herfindahl-Hirschman index ``HHI = sum_i (100 s_i)^2``, 0..10 000.

    Source: U.S. DOJ/FTC Horizontal Merger Guidelines (2023), §2.1; shares in percent.
    Aggregate rows (WLD, ROW, EU27) must be removed by the caller: an unattributed rest
    of the world counts as atomised, so the index is a lower bound when one is present.
    """
    return float(((100 * shares_.dropna()) ** 2).sum())


def top_share(shares_: pd.Series, n: int = 1) -> float:
    """Combined share of the ``n`` largest suppliers, 0..1."""
    return float(shares_.dropna().nlargest(n).sum())


# --- all minerals, stages, years and editions at once -----------------------------------------

STAGE_KEYS = ["edition", "mineral", "stage", "year"]
STAGE_COLUMNS = [*STAGE_KEYS, "hhi", "top1_country", "top1_share", "top3_share", "countries",
                 "world", "world_basis", "form", "note"]
_QUALIFIER = r"\s*\[[^\]]*\]\s*$"  # a country's qualifier the USGS adapter put in brackets
_WORLD = r"(?i)^world(?:\s+total)?\s+"  # "World total mine production: ..." on the WLD row
_ROUNDED = r"(?i)\s*\(rounded\)"


def measure(form: pd.Series) -> pd.Series:
    """The measure a row belongs to: its ``form`` without the decorations of one row.

    Drops a country qualifier in brackets (``Mine poduction, Kaolin [beneficiated]``), a
    leading ``World``/``World total`` and ``(rounded)`` of the world row (``World mine
    production: Platinum`` is the total of ``Mine production: Platinum``), a final full stop,
    and case. A missing form is the empty measure.
    """
    return (form.fillna("").astype(str).str.replace(_QUALIFIER, "", regex=True)
            .str.replace(_WORLD, "", regex=True).str.replace(_ROUNDED, "", regex=True)
            .str.strip().str.rstrip(".").str.split().str.join(" ").str.casefold())


def _measures(rows: pd.DataFrame) -> pd.DataFrame:
    """Per edition, mineral, stage, year and measure: world total, country sum and count."""
    keys = [*STAGE_KEYS, "measure", "unit"]
    country = ~rows["country"].isin(AGGREGATES)
    world = rows["value"].where(rows["country"].eq("WLD") & rows["value"].gt(0))
    frame = rows.assign(world=world, producing=country & rows["value"].gt(0),
                        listed=rows["value"].where(country))
    out = frame.groupby(keys).agg(world=("world", "max"), countries=("producing", "sum"),
                                  listed=("listed", "sum")).reset_index()
    forms = (rows[country].groupby([*keys, "form"]).size().rename("n").reset_index()
             .sort_values("n", ascending=False, kind="stable").drop_duplicates(keys))
    return out.merge(forms[[*keys, "form"]], on=keys, how="left")


def pick_measure(measures: pd.DataFrame) -> pd.DataFrame:
    """The one measure per edition, mineral, stage and year that the concentration uses.

    Rule: a measure with a published world total first, then the most producing countries
    (value > 0), then the larger listed quantity, then the measure's name, so the choice is
    deterministic (USGS iron ore: "usable ore" over "iron content", same countries, more
    tonnes). Measures without a producing country are never picked. ``alternatives`` counts
    the measures with producers the choice was made from.
    """
    ranked = measures[measures["countries"] > 0].assign(has_world=lambda m: m["world"].notna())
    ranked = ranked.sort_values([*STAGE_KEYS, "has_world", "countries", "listed", "measure"],
                                ascending=[True] * 4 + [False, False, False, True])
    alternatives = ranked.groupby(STAGE_KEYS)["measure"].transform("size")
    return ranked.assign(alternatives=alternatives).drop_duplicates(STAGE_KEYS).drop(
        columns="has_world")


def primary(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows (countries, WLD, ROW) of the measure :func:`pick_measure` chooses.

    Per edition, mineral, stage and year, for rows of one ``variable``; ``measure`` is added.
    """
    rows = rows.assign(measure=measure(rows["form"]))
    keys = [*STAGE_KEYS, "measure", "unit"]
    chosen = pick_measure(_measures(rows))[keys]
    return rows.merge(chosen, on=keys)


def _note(chosen: pd.DataFrame) -> pd.Series:
    """Why a row's figures need care: one form of several, or countries above the total."""
    partial = chosen["world"].isna() & chosen["alternatives"].gt(1)
    excess = chosen["listed"] / chosen["world"] - 1
    text = pd.Series(None, index=chosen.index, dtype="object")
    text = text.mask(excess.gt(0.01), "listed countries exceed the published world total by "
                     + (100 * excess).round(1).astype(str) + "%")
    return text.mask(partial, "one of " + chosen["alternatives"].astype(str)
                     + " forms with producers and no world total; the other forms are left out")


def stage_shares(supply: pd.DataFrame) -> pd.DataFrame:
    """Each country's share of production, for every edition, mineral, stage and year at once.

    ``s_i = x_i / X``, 0..1, with ``X`` the published world total (country ``WLD``) where
    there is one, else the sum of the listed countries (``world_basis`` says which). Only
    ``variable == "production"`` rows of countries with a value are returned (WLD, ROW, EU27
    and withheld figures are not). Where one mineral and stage has several measures (USGS gives
    iron ore as iron content and as usable ore, titanium as ilmenite and as rutile, boron as one
    form per country), one is chosen by :func:`pick_measure` after :func:`measure` has matched
    the world row to its countries; ``form`` reports the choice and ``note`` flags a figure
    that needs care: the chosen form is one of several with no world total (USGS boron,
    kyanite, iron oxide pigments report one form per country), or the listed countries add up
    to more than 1% above the published total (the shares then add up to more than 1).

    Returns ``edition, mineral, stage, year, country, value, share, world, world_basis, form,
    note``, sorted by key and descending share.
    """
    rows = supply.loc[supply["variable"].eq("production"),
                      [*STAGE_KEYS, "country", "value", "unit", "form"]]
    rows = rows.assign(measure=measure(rows["form"]))
    chosen = pick_measure(_measures(rows))
    chosen = chosen.assign(note=_note(chosen))
    keys = [*STAGE_KEYS, "measure", "unit"]
    data = rows.merge(chosen[[*keys, "world", "listed", "form", "note"]], on=keys,
                      suffixes=("_row", ""))
    data = data[~data["country"].isin(AGGREGATES) & data["value"].notna()]
    basis = data["world"].notna()
    total = data["world"].where(basis, data["listed"])
    data = data.assign(share=(data["value"] / total).where(total > 0),
                       world=total, world_basis=basis.map({True: "published", False: "sum"}))
    data = data.sort_values([*STAGE_KEYS, "share"], ascending=[True] * 4 + [False])
    return data[[*STAGE_KEYS, "country", "value", "share", "world", "world_basis", "form",
                 "note"]].reset_index(drop=True)


def stage_concentration(supply: pd.DataFrame) -> pd.DataFrame:
    """HHI and top-n shares of production for every edition, mineral, stage and year at once.

    ``HHI = sum_i (100 s_i)^2`` on 0..10 000 over countries only (WLD, ROW, EU27 excluded, so
    an unattributed rest of the world counts as atomised and the HHI is a lower bound);
    ``top1_share``, ``top3_share`` on 0..1; the shares ``s_i`` and the choice of one measure
    per mineral and stage are those of :func:`stage_shares` (shares against the published world
    total where there is one). Withheld figures are left out, so a withholding producer lowers
    the index. ``countries`` counts countries with a value above zero. A year without any
    producing country gives no row; a share with no positive denominator is NaN.

    Sources: U.S. DOJ/FTC Horizontal Merger Guidelines (2023) §2.1 (HHI); IEA Critical
    Minerals Data Explorer 2024 ("Top 3 share"). Columns: ``STAGE_COLUMNS``.
    """
    data = stage_shares(supply)
    by = [data[k] for k in STAGE_KEYS]
    groups = data.groupby(STAGE_KEYS, sort=False)
    out = groups.agg(world=("world", "first"), world_basis=("world_basis", "first"),
                     form=("form", "first"), note=("note", "first"),
                     top1_country=("country", "first"), top1_share=("share", "first"))
    out["hhi"] = (100 * data["share"]).pow(2).groupby(by).sum(min_count=1)
    out["top3_share"] = groups.head(3).groupby(STAGE_KEYS)["share"].sum(min_count=1)
    out["countries"] = data["value"].gt(0).groupby(by).sum()
    return out.reset_index()[STAGE_COLUMNS].sort_values(STAGE_KEYS, ignore_index=True)
