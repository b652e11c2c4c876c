"""Published import-dependence figures, reproduced from the store.

``tests/data/published_import_shares.csv``: each row a published share of one supplier in an
importer's imports, with its source (Korea: MOTIE, KOMIR, KITA, KEXIM and KCCI figures from
the fact pack ``../shared/reference/facts/kr_import_dependence_china.csv``; the EU: the EC
2023 CRM study's EU sourcing shares, ``eu_crm_2023/fact_EUSupplyShares_and_t.csv``, which the
store holds). ``scope`` says what is compared: ``all`` (every form, contained tonnes), a
stage, ``form:<id>`` (one form) or ``group:<id>`` (a shared code reported once for its
group). Shares are compared on the published measure: of value (Korean customs figures, as
KITA and KOMIR quote them, are import values) where every flow has one, of contained tonnes
for a figure of volume. Targets: the same largest supplier for >= 85% of the figures
and the share within 10 points for >= 75%; ``low``-confidence figures are checks, not
targets. Agreement is reported over the figures the store measures; a figure it cannot
measure, and one that misses, says why in ``miss_reason``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from minsec import assessment, tables
from minsec.indicators import trade_forms

TABLE = Path(__file__).parent / "data" / "published_import_shares.csv"
EC_STAGE = {"mining": "mining", "refining": "refining"}


def published() -> pd.DataFrame:
    return pd.read_csv(TABLE, dtype={"year": "int64"}, keep_default_na=False)


def measured(flows: pd.DataFrame, row: pd.Series) -> tuple[float, str | None, str]:
    """The supplier's share, the largest supplier and what was compared, from the flows."""
    found = trade_forms.suppliers(flows, row["importer"], int(row["year"]))
    kind, _, name = str(row["scope"]).partition(":")
    if kind in ("form", "group"):
        mineral = name if kind == "group" else row["mineral"]
        rows = found[found["level"].eq("form") & found["mineral"].eq(mineral)]
        if kind == "form":
            rows = rows[rows["form"].eq(name)]
        share = rows["share_value"] if rows["share_value"].notna().all() else rows[
            "share_gross"]
    else:
        rows = found[found["level"].eq("mineral") & found["mineral"].eq(row["mineral"])
                     & found["scope"].eq(kind)]
        by_volume = row["measure"] == "volume" or rows["share_value"].isna().any()
        share = rows["share_contained"] if by_volume else rows["share_value"]
    if rows.empty:
        return float("nan"), None, "not measured"
    if int(rows["year"].max()) < int(row["year"]) - 1:  # like with like: the same year, +-1
        return float("nan"), None, f"not measured in {row['year']} (latest {rows['year'].max()})"
    shares = share.groupby(rows["supplier"].astype(str)).sum()
    bases = dict.fromkeys(b for text in rows["basis"].astype(str) for b in text.split("; "))
    what = f"{'; '.join(bases)} {int(rows['year'].max())}"
    return float(shares.get(row["supplier"], 0.0)), str(shares.idxmax()), what


@pytest.fixture(scope="module")
def results(built: Path) -> pd.DataFrame:
    flows = tables.mineral_trade(built)
    table = published()
    out = [measured(flows, row) for _, row in table.iterrows()]
    table["measured"] = [share for share, _, _ in out]
    table["largest"] = [largest for _, largest, _ in out]
    table["compared"] = [what for _, _, what in out]
    # the largest supplier is known where the published share is above one half (Korea's
    # figures give China's share) or the source names it (the EC's largest sources)
    known = table["share"].gt(0.5) | table["importer"].eq("EU27")
    table["same_largest"] = (table["largest"] == table["supplier"]).where(known)
    table["within_10"] = (table["measured"] - table["share"]).abs().le(0.10)
    # targets: the published import shares (Korea's); the EC's EU sourcing shares include the
    # EU's own production in the denominator (and average 2016-2020), so they are checks
    table["target"] = table["confidence"].ne("low") & table["importer"].ne("EU27")
    return table


def test_the_table_is_big_enough_and_sourced() -> None:
    table = published()
    assert len(table) >= 25
    assert table["source_url"].str.startswith("http").all()
    assert not table.duplicated(["importer", "mineral", "scope", "year", "data_owner"]).any()


def test_ec_figures_are_the_stores(built: Path) -> None:
    shares = tables.eu_crm("eu_crm_supply_share", built)
    eu = shares[shares["scope"].eq("eu")]
    for row in published().itertuples():
        if row.importer != "EU27":
            continue
        hit = eu[eu["mineral"].eq(row.mineral) & eu["stage"].eq(EC_STAGE[row.scope])
                 & eu["country"].eq(row.supplier)]
        if row.mineral == "rare_earths":  # the EC gives 85% for each of Ce, La, Nd, Pr, Sm
            hit = eu[eu["mineral"].eq("neodymium") & eu["stage"].eq("refining")
                     & eu["country"].eq("CHN")]
        if row.mineral == "bauxite":
            hit = eu[eu["mineral"].isin(["bauxite", "aluminium"]) & eu["stage"].eq("mining")
                     & eu["country"].eq("GIN")]
        assert len(hit) and hit["share"].max() == pytest.approx(row.share, abs=0.005), row.id


def test_agreement_with_published_figures(results: pd.DataFrame) -> None:
    shown = results[["id", "supplier", "share", "measured", "largest", "compared",
                     "confidence", "miss_reason"]]
    print("\n" + shown.to_string(index=False))  # the closing note's table (pytest -s)
    targets = results[results["target"] & results["measured"].notna()]
    assert len(targets) >= 20
    same = targets["same_largest"].dropna().astype(bool)
    assert same.mean() >= 0.85, targets.loc[~targets["same_largest"].astype(bool), "id"]
    assert targets["within_10"].mean() >= 0.75, targets.loc[~targets["within_10"], "id"]
    checks = results[~results["target"] & results["measured"].notna()]
    assert checks["same_largest"].dropna().astype(bool).mean() >= 0.5  # checks, loosely


def test_every_miss_says_why(results: pd.DataFrame) -> None:
    """A figure not measured, or measured with another largest supplier or more than ten
    points off, carries its reason (what the mirror cannot measure, or why it differs)."""
    missed = results[results["measured"].isna() | ~results["within_10"]
                     | results["same_largest"].eq(False)]
    unexplained = missed.loc[missed["miss_reason"].eq(""), "id"].tolist()
    assert not unexplained, f"misses without a reason: {unexplained}"
    explained = results.loc[results["miss_reason"].ne(""), "id"]
    agreeing = set(explained) - set(missed["id"])
    assert not agreeing, f"a reason for a figure that now agrees: {sorted(agreeing)}"


def test_headlines_korea_cares_about(built: Path) -> None:
    """Nickel, the PGMs, antimony, tin, phosphate, uranium and germanium: current and
    material for the forms Korea buys, or "not measured" and why (issue 11)."""
    inputs = assessment.load(built)
    table = assessment.assess(inputs, "KOR", 2024, methods=("imports",), listed_only=False)
    table = table.set_index("mineral")
    for mineral in ("nickel", "platinum", "palladium", "rhodium", "iridium", "ruthenium",
                    "antimony", "tin", "phosphate_rock", "uranium", "germanium"):
        row = table.loc[mineral]
        basis = str(row["import_basis"])
        if pd.notna(row["top_supplier_share"]):
            assert row["import_year"] >= 2021, (mineral, row["import_year"])
            assert not basis.startswith(("not measured", "missing")), mineral
        else:
            assert basis.startswith(("not measured", "group")), (mineral, basis)
    # 261690 (gold concentrate) is never PGM supply
    assert "261690" not in str(table.loc["platinum", "forms_measured"])
