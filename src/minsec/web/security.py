"""Who may call what, and what a request may ask for: host, token, limits, headers, paths.

Policy (ours, documented in the OpenAPI description):

- The server binds to loopback by default; on any other host it refuses to start without
  ``MINSEC_TOKEN`` (:func:`check_host`).
- With a token, every endpoint that computes or writes requires it: scenario runs, the
  optimiser, jobs, and the pages with their twins and exports (a page computes assessments
  and scenario draws for parameters not yet cached). ``Authorization: Bearer <token>``, or in
  a browser ``?token=<token>`` once (which sets an HttpOnly, SameSite=Strict cookie
  ``minsec_token``). Static assets, ``/docs`` and ``/openapi.json`` stay open. Without the
  token: 401 JSON.
- Limits: draws, upload size and parameter ranges (:data:`MAX_DRAWS`, :data:`MAX_UPLOAD`).
- Every response carries a Content-Security-Policy (scripts from this server only, no inline
  scripts), ``nosniff``, ``frame-ancestors 'none'`` and a strict referrer policy.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import HTTPException, Request, Response

from minsec.errors import MinsecError
from minsec.web import views

MAX_DRAWS = 20_000  # Monte Carlo draws per web run (the CLI has no cap)
MAX_UPLOAD = 1_000_000  # bytes: an optimiser candidates CSV
MAX_BODY = MAX_UPLOAD + 64_000  # a whole request: the file plus its form fields
MAX_QUERY = 2_048  # bytes of query string (each parameter has its own range too)
COOKIE = "minsec_token"
MIN_TOKEN = 16  # characters
LOOPBACK_NAMES = {"localhost", "ip6-localhost"}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


_ERROR = {"application/json": {"schema": {"type": "object", "required": ["error"],
                                          "properties": {"error": {"type": "string"}}}}}
#: The error answers every computing endpoint may give (declared in the OpenAPI document).
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"description": what, "content": _ERROR} for code, what in (
        (400, "A bad value (unknown country, year outside the data, bad file)"),
        (401, "The token is missing or wrong"),
        (404, "Unknown mineral, job or table"),
        (413, "Request body too large"),
        (414, "Query string too long"),
        (422, "A parameter of the wrong type or range"),
        (429, "The job queue is full (Retry-After)"),
        (503, "The store is busy or being replaced (Retry-After)"))}


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine only."""
    if host.strip("[]").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_token(token: str | None) -> None:
    """Refuse a token anyone could guess: shorter than :data:`MIN_TOKEN` characters."""
    if token is not None and len(token.strip()) < MIN_TOKEN:
        raise MinsecError(f"MINSEC_TOKEN has {len(token.strip())} characters; use a secret of "
                          f"at least {MIN_TOKEN}, e.g. from `python -m secrets` or "
                          "`openssl rand -hex 16`")


def check_host(host: str, token: str | None) -> None:
    """Refuse a non-loopback host without a token, and any short token (one line each)."""
    check_token(token)
    if not is_loopback(host) and not token:
        raise MinsecError(f"--host {host} is reachable from other machines: set MINSEC_TOKEN "
                          "to a secret so that computing endpoints require it")


def given_token(request: Request) -> str | None:
    """The token a request carries: Bearer header, ``?token=`` or the cookie."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.query_params.get("token") or request.cookies.get(COOKIE)


def require_token(request: Request) -> None:
    """FastAPI dependency: 401 unless the app has no token or the request carries it."""
    expected: str | None = request.app.state.token
    if expected is None:
        return
    given = given_token(request)
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(401, "this endpoint computes: send the token as "
                                 "'Authorization: Bearer <token>' or ?token=<token>",
                            headers={"WWW-Authenticate": "Bearer"})


def inside(root: Path, name: str) -> Path:
    """``root / name`` if it stays inside ``root`` (no ``..``, no absolute paths, no links out)."""
    base = root.resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        raise HTTPException(404, f"no such file: {name}")
    return path


Next = Callable[[Request], Awaitable[Response]]
EMPTY = re.compile(rb"(^|&)[^=&]+=(&|$)")


def drop_empty(query: bytes) -> bytes:
    """The query string without empty parameters (an empty form field means the default)."""
    from urllib.parse import parse_qsl, urlencode

    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    return urlencode([(k, v) for k, v in pairs if v != ""]).encode("latin-1")


def _location(path: str, query: bytes) -> str:
    """A redirect target on this server: a path (never a host) and the query, if any."""
    target = "/" + path.lstrip("/")  # "//evil.example" would name another host
    return target + (f"?{query.decode('latin-1')}" if query else "")


def redirect(request: Request) -> Response | None:
    """A redirect for a GET that should not be served as asked, or None.

    A trailing slash goes (307, relative ``Location``: the ``Host`` header is never echoed);
    a valid ``?token=`` becomes a cookie and leaves the URL (303), so it stays out of the
    history, logs and ``Referer`` of what the page loads.
    """
    if request.method not in ("GET", "HEAD"):
        return None
    path, query = request.url.path, request.scope["query_string"]
    if path != "/" and path.endswith("/"):
        return Response(status_code=307, headers={"Location": _location(path.rstrip("/"),
                                                                        query)})
    token, expected = request.query_params.get("token"), request.app.state.token
    if token and expected and hmac.compare_digest(token.encode(), expected.encode()):
        from urllib.parse import parse_qsl, urlencode

        rest = [(k, v) for k, v in parse_qsl(query.decode("latin-1")) if k != "token"]
        response = Response(status_code=303, headers={
            "Location": _location(path, urlencode(rest).encode("latin-1"))})
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
        return response
    return None


def refresh(request: Request) -> None:
    """Drop the cached pages when the store file was replaced (a new inode) since last seen."""
    store: Path | None = request.app.state.store
    try:
        info = store.stat() if store is not None else None
    except OSError:
        return
    seen = (info.st_dev, info.st_ino, info.st_mtime_ns) if info else None
    if seen != request.app.state.store_seen:
        if request.app.state.store_seen is not None:
            views.forget()
        request.app.state.store_seen = seen


async def guard(request: Request, call_next: Next) -> Response:
    """Middleware: cap the query, redirect (slash, token), notice a new store, add headers.

    Empty query parameters are dropped first, so the selector's blank year is the default.
    The body is the :class:`~minsec.web.gate.Gate`'s business: it runs before this.
    """
    if EMPTY.search(request.scope["query_string"]):
        request.scope["query_string"] = drop_empty(request.scope["query_string"])
    from fastapi.responses import JSONResponse

    response: Response | None
    if len(request.scope["query_string"]) > MAX_QUERY:
        response = JSONResponse({"error": f"query string over {MAX_QUERY:,} bytes"}, 414)
    elif (response := redirect(request)) is None:
        refresh(request)
        response = await call_next(request)
    for key, value in HEADERS.items():
        response.headers.setdefault(key, value)
    return response
