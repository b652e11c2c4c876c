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

MAX_DRAWS = 20_000  # Monte Carlo draws per web run (the CLI has no cap)
MAX_UPLOAD = 1_000_000  # bytes: an optimiser candidates CSV
MAX_BODY = MAX_UPLOAD + 64_000  # a whole request: the file plus its form fields
MAX_QUERY = 2_048  # bytes of query string (each parameter has its own range too)
COOKIE = "minsec_token"
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


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine only."""
    if host.strip("[]").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, token: str | None) -> None:
    """Refuse a non-loopback host without a token (one readable line)."""
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


async def guard(request: Request, call_next: Next) -> Response:
    """Middleware: cap the body size, remember a ``?token=`` in a cookie, add the headers.

    Empty query parameters are dropped first, so the selector's blank year is the default.
    """
    if EMPTY.search(request.scope["query_string"]):
        request.scope["query_string"] = drop_empty(request.scope["query_string"])
    from fastapi.responses import JSONResponse

    length = request.headers.get("content-length")
    response: Response
    if len(request.scope["query_string"]) > MAX_QUERY:
        response = JSONResponse({"error": f"query string over {MAX_QUERY:,} bytes"}, 414)
    elif length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        response = JSONResponse(
            {"error": f"request body over {MAX_UPLOAD:,} bytes (the upload limit)"}, 413)
    else:
        response = await call_next(request)
    token = request.query_params.get("token")
    expected = request.app.state.token
    if token and expected and hmac.compare_digest(token.encode(), expected.encode()):
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
    for key, value in HEADERS.items():
        response.headers.setdefault(key, value)
    return response
