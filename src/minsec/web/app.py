"""The web app: ``create_app`` wires pages, jobs, static files, docs, security and errors."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from minsec.assets import geo_assets_script, plotly_js, world_topojson
from minsec.errors import MinsecError, Unavailable
from minsec.web import compute, pages, security, views
from minsec.web.exports import DESCRIPTION as EXPORTS
from minsec.web.gate import Gate
from minsec.web.jobs import Busy, Jobs
from minsec.web.render import HERE, templates
from minsec.web.views import NotFound

log = logging.getLogger("minsec.web")
DESCRIPTION = f"""Critical-minerals supply security: every page has a JSON twin (the page's URL
+ `.json`; `/` has `/index.json`). {EXPORTS}

**Security.** Loopback by default. With `MINSEC_TOKEN` set, every endpoint that computes
(pages, twins, exports, scenario runs, the optimiser, jobs) requires it: `Authorization: Bearer
<token>`, or `?token=<token>` once in a browser (it then sets an HttpOnly cookie); static
assets, `/docs` and this document stay open. Limits: at most
{security.MAX_DRAWS:,} draws, uploads of at most {security.MAX_UPLOAD:,} bytes.

Tokens have at least 16 characters; the token is checked before a request body is read, and
a body is cut at the limit as it streams.

**Errors** are JSON: `{{"error": "..."}}` with 400 (a bad value), 401, 404 (unknown mineral,
job or table), 413, 414 (query string too long), 422 (a parameter of the wrong type or
range), 429 (job queue full), 503 with `Retry-After` (the store is busy)."""


def _docs_dir() -> Path:
    """Swagger UI's files as installed with ``fastapi_offline`` (no CDN)."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


@cache
def _geo_script() -> str:
    return geo_assets_script()


def _error(status: int, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _add_errors(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> JSONResponse:
        return JSONResponse({"error": "the store is being replaced or is busy; try again in "
                                      "a few seconds"}, 503, headers={"Retry-After": "5"})

    @app.exception_handler(MinsecError)
    async def user_error(request: Request, exc: MinsecError) -> JSONResponse:
        store = request.app.state.store
        message = str(exc).replace(str(store), "the store") if store else str(exc)
        return _error(400, message)

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, 429, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(500, "internal error (logged on the server)")


def _add_static(app: FastAPI) -> None:
    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly() -> FileResponse:
        return FileResponse(plotly_js(), media_type="text/javascript")

    @app.get("/static/world_110m.json", include_in_schema=False)
    def topojson() -> FileResponse:
        return FileResponse(world_topojson(), media_type="application/json")

    @app.get("/static/geo-assets.js", include_in_schema=False)
    def geo() -> Response:
        return Response(_geo_script(), media_type="text/javascript",
                        headers={"Cache-Control": "max-age=3600"})

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "docs.html", {})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(security.inside(_docs_dir(), "favicon.png"), media_type="image/png")

    app.mount("/static-docs", StaticFiles(directory=_docs_dir()), name="static-docs")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


JOB_NICENESS = 10  # jobs yield the CPU to requests: bench_load p95 93 -> 60 ms, p99 438 -> 187 ms


def create_app(store: Path | None = None, token: str | None = None, workers: int = 2,
               queue: int = 8, warm: str | None = None) -> FastAPI:
    """The minsec web app on a built ``store``; ``token`` guards the computing endpoints.

    ``warm``: an importer whose pages a background thread computes at start-up.
    """
    jobs = Jobs(workers=workers, queue=queue, niceness=JOB_NICENESS)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=views.warm, args=(store, warm), daemon=True,
                             name="minsec-warm").start()
        yield
        jobs.shutdown()

    security.check_token(token or None)
    app = FastAPI(title="minsec", version="0.1.0", description=DESCRIPTION, docs_url=None,
                  redoc_url=None, lifespan=lifespan, redirect_slashes=False)
    app.state.store, app.state.token, app.state.jobs = store, token or None, jobs
    app.state.store_seen = None
    # inside the guard: a 413 raised while the body streams must reach FastAPI's handler,
    # not the guard's task group (where it would become an error group and a 400)
    app.add_middleware(Gate, limit=security.MAX_BODY, token=token or None)
    app.middleware("http")(security.guard)
    _add_errors(app)
    app.include_router(compute.router())
    app.include_router(pages.router())
    _add_static(app)
    return app

