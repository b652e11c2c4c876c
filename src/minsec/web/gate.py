"""The ASGI gate in front of the app: the token before any body, bodies capped as they stream.

FastAPI reads (and spools to disk) a multipart body before it runs a route's dependencies, so a
token checked there comes too late: an unauthenticated chunked upload of any size would land
in ``/tmp`` first. :class:`Gate` therefore checks the token of every request that carries a
body before the app sees it, refuses a declared ``Content-Length`` over the cap, and cuts a
body that streams past the cap (chunked uploads declare no length) with a 413.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException
from starlette.requests import HTTPConnection

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
BODILESS = {"GET", "HEAD", "OPTIONS"}


def carried_token(scope: Scope) -> str | None:
    """The token a request carries, from its headers and query only (never its body)."""
    conn = HTTPConnection(scope)
    auth = conn.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return conn.query_params.get("token") or conn.cookies.get("minsec_token")


def valid(given: str | None, expected: str | None) -> bool:
    """Whether ``given`` is the app's token (always, when the app has none)."""
    if expected is None:
        return True
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


async def answer(send: Send, status: int, error: str, headers: dict[str, str]) -> None:
    """Send a JSON error without reading the request."""
    body = json.dumps({"error": error}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
           (b"connection", b"close"), *((k.lower().encode(), v.encode())
                                        for k, v in headers.items())]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class Gate:
    """ASGI middleware: token first for requests with a body, then a streaming size cap."""

    def __init__(self, app: ASGIApp, limit: int, token: str | None) -> None:
        self.app, self.limit, self.token = app, limit, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 401 or 413 before its body is read."""
        if scope["type"] != "http" or scope["method"] in BODILESS:
            await self.app(scope, receive, send)
            return
        if not valid(carried_token(scope), self.token):
            await answer(send, 401, "this endpoint computes: send the token as "
                         "'Authorization: Bearer <token>' or ?token=<token>",
                         {"WWW-Authenticate": "Bearer"})
            return
        length = HTTPConnection(scope).headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await answer(send, 413, f"request body over {self.limit:,} bytes", {})
            return
        await self.app(scope, self._capped(receive), send)

    def _capped(self, receive: Receive) -> Receive:
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:  # FastAPI lets an HTTPException out of its body reader
                raise HTTPException(413, f"request body over {self.limit:,} bytes")
            return message
        return capped
