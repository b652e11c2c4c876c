"""``minsec serve``: the web app on uvicorn (loopback unless a token guards it)."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
from collections.abc import Iterator
from typing import Annotated, Any

import typer

from minsec.cli.common import StoreOpt, err, handled

serve_app = typer.Typer()


@serve_app.command("serve")
@handled
def serve_cmd(
    host: Annotated[str, typer.Option(help="Interface to bind; any other than loopback needs "
                                      "MINSEC_TOKEN.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Job worker processes (scenario "
                                         "runs, the optimiser).")] = 2,
    warm: Annotated[str | None, typer.Option(help="Compute this importer's pages at start-up "
                                             "(empty: none).")] = "KOR",
    store_path: StoreOpt = None,
) -> None:
    """Dashboard and JSON API: pages with Plotly charts, JSON twins, exports, jobs."""
    from minsec import store
    from minsec.countries import resolve
    from minsec.web import create_app
    from minsec.web.security import check_host

    signal.signal(signal.SIGTERM, functools.partial(_exit, 0))  # until uvicorn takes over
    token = os.environ.get("MINSEC_TOKEN") or None
    check_host(host, token)
    path = store_path or store.default_path()
    store.status(path)  # a missing or unbuilt store is a one-line error now, not per request
    app = create_app(store=path, token=token, workers=workers,
                     warm=resolve(warm) if warm else None)
    err.print(f"minsec serve: http://{host}:{port}/ (store {path}"
              f"{', token required for computing endpoints' if token else ''})", highlight=False)
    code = 1
    try:
        _run(app, host, port)
        code = 0
    except SystemExit as exc:  # uvicorn's own exit, e.g. the port is taken (it said why)
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        _exit(code)


def _exit(code: int, *_: object) -> None:
    """Exit at once, with ``code``.

    Threads still computing a page or a job (inside DuckDB or NumPy) would otherwise abort the
    interpreter's shutdown ("terminate called after throwing ...").
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _run(app: Any, host: str, port: int) -> None:
    """Serve until SIGTERM or SIGINT, then return (uvicorn would re-raise the signal)."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            with super().capture_signals():
                yield
                self._captured_signals.clear()

    Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                          timeout_graceful_shutdown=5)).run()
