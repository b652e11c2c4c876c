"""``minsec report``: HTML, PDF and XLSX for KOR and for JPN, checked against the library."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from minsec import assessment, briefing, store
from minsec.browser import chromium
from minsec.cli import app
from minsec.report import basename

DRAWS = 300


def _report(built: Path, out: Path, importer: str) -> dict[str, Path]:
    result = CliRunner().invoke(app, ["report", "--importer", importer, "--out", str(out),
                                      "--draws", str(DRAWS), "--store", str(built)])
    assert result.exit_code == 0, result.output
    year = assessment.default_year(briefing.context(importer, store=built).inputs)
    paths = {s: out / f"{basename(importer, year)}.{s}" for s in ("html", "pdf", "xlsx")}
    for path in paths.values():
        assert str(path) in result.output
    assert re.search(r"\d+\.\d s", result.output)
    return paths


@pytest.fixture(scope="module")
def kor(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _report(built, tmp_path_factory.mktemp("kor"), "KOR")


@pytest.fixture(scope="module")
def jpn(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _report(built, tmp_path_factory.mktemp("jpn"), "JPN")


def _expected_sections(built: Path, importer: str) -> list[str]:
    ctx = briefing.context(importer, store=built)
    names = ctx.inputs.minerals.set_index("id")["name"]
    titles = ["Headline risks", "Risk matrix"]
    titles += [f"{names[m]}: supply profile" for m, _ in briefing.profiled(ctx)]
    titles += ["Export-control scenarios and the stockpile",
               "MSP portfolio: gaps and next projects"]
    titles += ["Targets"] if importer in briefing.target_importers() else []
    return [*titles, "Methods and sources"]


def test_html_is_offline_and_carries_the_computed_figures(kor: dict[str, Path],
                                                          built: Path) -> None:
    html = kor["html"].read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?https?:", html)
    assert "window.PlotlyGeoAssets" in html
    ctx = briefing.context("KOR", store=built)
    top = ctx.assessment.dropna(subset=["risk_score"]).iloc[0]
    assert f"{top['name']} ({top['risk_score']:.2f})" in html
    trend = assessment.trend(ctx.inputs, "graphite", "KOR").set_index("year")
    for year in (2023, ctx.year):  # BACI: China's share of Korea's graphite imports
        assert f"{100 * trend.loc[year, 'china_share']:.1f}% in {year}" in html
    # the published anchor, cited: MOTIE/KOMIR put China's share at 97% in 2024
    assert "MOTIE/KOMIR put CHN&#39;s share of KOR&#39;s Graphite imports at 97% in 2024" \
        in html
    assert trend.loc[2023, "china_share"] == pytest.approx(0.97, abs=0.01)  # within a point


def test_html_renders_every_chart_under_its_csp_without_console_errors(
        kor: dict[str, Path]) -> None:
    html = kor["html"].read_text(encoding="utf-8")
    charts = html.count('type="application/json" data-chart=')
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: errors.append(r.url) if r.url.startswith("http") else None)
        page.goto(kor["html"].as_uri())
        page.wait_for_function("window.minsecReady === true", timeout=60_000)
        drawn = page.evaluate("document.querySelectorAll('.chart .main-svg').length")
        geo = page.evaluate("document.querySelectorAll('.chart .geo path.choroplethlocation')"
                            ".length")
    assert errors == []
    assert charts > 10 and drawn >= charts
    # countries of the world maps drawn from the inlined topojson (MCS 2025 names fewer
    # producers than MCS 2024: manganese 9 countries, not 16)
    assert geo > 60


def test_xlsx_has_a_sheet_per_table_and_the_sources(kor: dict[str, Path], built: Path) -> None:
    book = openpyxl.load_workbook(kor["xlsx"], read_only=True)
    assert book.sheetnames[0] == "Contents"
    assert all(len(name) <= 31 for name in book.sheetnames)
    rows = list(book["Contents"].iter_rows(values_only=True))
    header = rows[0]
    assert header == ("Sheet", "Section", "Table", "Rows", "Source")
    sheets = {(r[1], r[2]): r[0] for r in rows[1:]}
    assert set(sheets.values()) == set(book.sheetnames) - {"Contents"}
    provenance = list(book[sheets[("Methods and sources", "provenance")]].iter_rows(
        values_only=True))
    hashes = {r[provenance[0].index("SHA-256")] for r in provenance[1:]}
    assert set(store.status(built, files=True)["sha256"]) == hashes
    top = list(book[sheets[("Headline risks", "top_risks")]].iter_rows(values_only=True))
    ctx = briefing.context("KOR", store=built)
    expected = ctx.assessment.dropna(subset=["risk_score"])["mineral"].head(10).tolist()
    assert [r[top[0].index("Mineral")] for r in top[1:]] == expected
    assert "Source" in top[0]
    # the layout of the HTML and PDF is not applied: every row and column of the trend
    trend = list(book[sheets[("Graphite: supply profile", "trend")]].iter_rows(
        values_only=True))
    assert book.sheetnames.index("Graphite - Trend") > 0
    expected_trend = assessment.trend(ctx.inputs, "graphite", "KOR")
    assert len(trend) - 1 == len(expected_trend)
    assert {"Source", "Import basis", "Refining HHI"} <= set(trend[0])


def test_xlsx_is_laid_out_for_an_excel_user(kor: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(kor["xlsx"])  # not read-only: styles, links, filters
    contents = book["Contents"]
    links = [c.hyperlink.location for c in contents["A"][1:]]
    assert links == [f"'{name}'!A1" for name in book.sheetnames[1:]]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref, sheet.title
        assert all(c.font.bold for c in sheet[1]), sheet.title
        assert "." not in sheet.title and "_" not in sheet.title
        for row in sheet.iter_rows(min_row=2):
            for cell in row:  # no stray apostrophe, no number left in General
                assert not (isinstance(cell.value, str) and cell.value.startswith("'")), cell
                if isinstance(cell.value, float):
                    assert cell.number_format != "General", (sheet.title, cell.coordinate)
    levers = book["Levers"]
    changes = [r[0].value for r in levers.iter_rows(min_row=2, min_col=4, max_col=4)]
    assert "+10 points" in changes  # as written, text: not '+10 points, not a formula
    scenarios = book["Scenario results by mineral"]
    head = [c.value for c in scenarios[1]]
    loss = head.index("Loss mean (USD m)") + 1
    assert scenarios.cell(2, loss).number_format == "#,##0.0,,"  # USD shown in millions
    assert scenarios.cell(2, head.index("P shortfall (%)") + 1).number_format == "0.0%"
    assert scenarios.column_dimensions["A"].width >= 8


def test_html_tables_are_laid_out_for_reading(kor: dict[str, Path], built: Path) -> None:
    html = kor["html"].read_text(encoding="utf-8")
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    assert headers and not [h for h in headers if "_" in h]  # no snake_case column names
    assert "Top supplier share" not in headers and "Its share of imports" in headers
    tables = html.count("</table>")
    assert tables == len(re.findall(r'</table>\s*<p class="tablenote">Source: \S', html))
    graphite = html[html.index('id="profile-graphite"'):html.index('id="profile-rare_earths"')]
    trend = graphite[graphite.index("<h2>Imports and concentration over time</h2>"):]
    body = trend[trend.index("<tbody>"):trend.index("</tbody>")]
    years = re.findall(r"<tr><td class=\"num\">(\d{4})</td>", body)
    ctx = briefing.context("KOR", store=built)
    assert years == [str(y) for y in range(ctx.year, ctx.year - 10, -1)]
    assert "The last 10 years, newest first. 10 of " in trend


@pytest.mark.parametrize("importer", ["KOR", "JPN"])
def test_pdf_outline_lists_the_sections_each_on_a_new_page(
        importer: str, kor: dict[str, Path], jpn: dict[str, Path], built: Path) -> None:
    reader = PdfReader({"KOR": kor, "JPN": jpn}[importer]["pdf"])
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in top] == _expected_sections(built, importer)
    pages = [reader.get_destination_page_number(item) for item in top]
    assert pages[0] == 0 and all(b > a for a, b in zip(pages, pages[1:], strict=False))
    assert len(reader.pages) > pages[-1]
    # the layout keeps each section to about two pages (before it, KOR's ran to 55 pages); the
    # profiles of minerals bought in many forms (rare earths, lithium) run a few lines over
    assert len(reader.pages) <= 2 * len(top) + 3


def test_jpn_report_says_why_targets_are_omitted(jpn: dict[str, Path]) -> None:
    html = jpn["html"].read_text(encoding="utf-8")
    assert "Omitted: targets: no curated national targets for JPN" in html
    assert ">Targets</h1>" not in html


@pytest.mark.parametrize("args", [["--importer", "Atlantis"], ["--year", "1990"],
                                  ["--draws", "0"]])
def test_bad_input_is_one_line_and_writes_nothing(args: list[str], built: Path,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", *args, "--out", str(out), "--store",
                                      str(built)])
    assert result.exit_code == 1
    assert "error:" in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists()
