"""Endpoints that compute: a scenario run and the optimiser, as jobs; the jobs' status.

Both take HTML form fields (the pages' forms post them), validate them at once (4xx JSON),
queue the work for the worker processes (:mod:`minsec.web.tasks`) and answer 202 with the
job's URLs (a browser that asked for HTML is redirected to the job's page, which follows the
progress). All need the token when the app has one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, RedirectResponse

from minsec import briefing
from minsec.errors import MinsecError
from minsec.web import exports, tasks, views
from minsec.web.jobs import Job, Jobs
from minsec.web.render import html
from minsec.web.security import ERRORS, MAX_DRAWS, MAX_UPLOAD, require_token

Draws = Annotated[int, Form(ge=1, le=MAX_DRAWS, description=f"Monte Carlo draws (at most "
                            f"{MAX_DRAWS:,}).")]
Days = Annotated[float, Form(ge=0, le=3650, allow_inf_nan=False)]
ImporterF = Annotated[str, Form(min_length=1, max_length=60, description="ISO3, a name or "
                                "EU27.")]
YearF = Annotated[int | None, Form(ge=1995, le=2100)]
JobId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$", description="A job id.")]
GUARD = [Depends(require_token)]


def _accepted(request: Request, job: Job) -> Response:
    if "text/html" in request.headers.get("accept", ""):
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)
    return JSONResponse({**job.state(), "url": f"/jobs/{job.id}.json",
                         "page": f"/jobs/{job.id}"}, status_code=202,
                        headers={"Location": f"/jobs/{job.id}.json"})


def _jobs(request: Request) -> Jobs:
    jobs: Jobs = request.app.state.jobs
    return jobs


def _stamp(request: Request) -> tasks.Stamp:
    """The store and its identity as this request saw it (a worker compares its own)."""
    return request.app.state.store, request.app.state.store_seen


def run_scenario(request: Request, scenario: Annotated[str, Form(min_length=1, max_length=80)],
                 importer: ImporterF = "KOR", year: YearF = None, draws: Draws = 2000,
                 stock_days: Days = 54.0, lag_days: Days = 8.0,
                 seed: Annotated[int | None, Form(ge=0, le=2**32 - 1)] = None) -> Response:
    """Run one library scenario for the importer under a stockpile policy (a job).

    Defaults: Korea's 54 days of cover released after 8 days; the scenario's own seed.
    """
    from minsec.countries import resolve
    from minsec.scenarios import library

    spec = library.get(scenario)
    ctx = views.context(request.app.state.store, resolve(importer), year)
    params = {"scenario": spec.id, "importer": ctx.importer, "year": ctx.year, "draws": draws,
              "stock_days": stock_days, "lag_days": lag_days,
              "seed": spec.seed if seed is None else seed}

    job = _jobs(request).submit("scenario run", params, tasks.scenario_run,
                                request.app.state.store, ctx.importer, ctx.year, spec.id,
                                draws, stock_days, lag_days, seed, stamp=_stamp(request))
    return _accepted(request, job)


def optimise(request: Request,
             candidates: Annotated[UploadFile, File(description=f"Candidate projects, CSV "
                                   f"(at most {MAX_UPLOAD:,} bytes).")],
             budget: Annotated[float, Form(ge=0, le=1e13, allow_inf_nan=False)],
             importer: ImporterF = "KOR", draws: Draws = 1000,
             require: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Choose the candidates that cut the importer's expected loss most (a job)."""
    from minsec.countries import resolve
    from minsec.portfolio.opportunities import read_candidates
    from minsec.portfolio.report import check_quotas
    from minsec.portfolio.report import quotas as parse_quotas

    data = candidates.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return JSONResponse({"error": f"candidates file over {MAX_UPLOAD:,} bytes"}, 413)
    code = resolve(importer)
    quotas = parse_quotas(require.split(","))
    with tempfile.TemporaryDirectory(prefix="minsec-upload-") as tmp:
        path = Path(tmp) / "candidates.csv"
        path.write_bytes(data)
        try:
            found = read_candidates(path)
        except MinsecError as exc:
            raise MinsecError(str(exc).replace(str(path), "candidates")) from None
    store = request.app.state.store
    check_quotas(found, quotas, budget, store)  # at once, not after the draws
    params = {"importer": code, "budget": budget, "draws": draws, "candidates": len(found),
              "require": require}

    job = _jobs(request).submit("optimiser", params, tasks.optimise, found, budget, code,
                                draws, quotas, store, stamp=_stamp(request))
    return _accepted(request, job)


def job_state(request: Request, job_id: JobId) -> Response:
    """The job's status and progress; once done, its result (tables as records)."""
    job = _jobs(request).get(job_id)
    body: dict[str, Any] = job.state()
    if job.status == "done" and isinstance(job.result, briefing.Section):
        body["sections"] = [views.section_document(job.result)]
    return JSONResponse(body)


def _done(request: Request, job_id: str) -> Job:
    job = _jobs(request).get(job_id)
    if job.status != "done" or not isinstance(job.result, briefing.Section):
        raise views.NotFound(f"job {job_id} is {job.status}: no tables yet")
    return job


def job_csv(request: Request, job_id: JobId,
            table: exports.Table = None) -> Response:
    """The job's tables as CSV (escaped)."""
    job = _done(request, job_id)
    return exports.csv_response(job.result.tables, f"job-{job.id}", table)


def job_xlsx(request: Request, job_id: JobId,
             table: exports.Table = None) -> Response:
    """The job's tables as XLSX, with a sources sheet."""
    job = _done(request, job_id)
    return exports.xlsx_response(job.result.tables, f"job-{job.id}", table,
                                 request.app.state.store)


def job_page(request: Request, job_id: JobId) -> Response:
    """The job as a page: progress while it runs, then its charts and tables."""
    job = _jobs(request).get(job_id)

    def export(fmt: str, table: str | None = None) -> str:
        return f"/jobs/{job.id}.{fmt}" + (f"?table={table}" if table else "")

    return html(request, "job.html", job=job, export=export,
                importer=job.params.get("importer"), year=job.params.get("year"))


def router() -> APIRouter:
    """The computing endpoints, each behind the token (when there is one)."""
    r = APIRouter(dependencies=GUARD, tags=["jobs"], responses=ERRORS)
    r.add_api_route("/scenarios/run", run_scenario, methods=["POST"], status_code=202,
                    response_class=Response, summary="Run a scenario (job)")
    r.add_api_route("/portfolio/optimise", optimise, methods=["POST"], status_code=202,
                    response_class=Response, summary="Optimise the portfolio (job)")
    r.add_api_route("/jobs/{job_id}.json", job_state, methods=["GET"],
                    response_class=Response, summary="A job's status and result")
    r.add_api_route("/jobs/{job_id}.csv", job_csv, methods=["GET"], response_class=Response,
                    summary="A job's tables as CSV")
    r.add_api_route("/jobs/{job_id}.xlsx", job_xlsx, methods=["GET"],
                    response_class=Response, summary="A job's tables as XLSX")
    r.add_api_route("/jobs/{job_id}", job_page, methods=["GET"], response_class=Response,
                    include_in_schema=False)
    return r
