"""The one exception a user sees: a readable message naming what went wrong and where."""

from __future__ import annotations

from pathlib import Path


class MinsecError(Exception):
    """A user-facing error: the CLI prints it on one line and exits non-zero."""


class SourceError(MinsecError):
    """A source file cannot be read as its publisher's format.

    The message names the file and, where known, the line (1-based, counting the header).
    """

    def __init__(self, file: str | Path, message: str, line: int | None = None) -> None:
        self.file, self.line = str(file), line
        where = f"{file}:{line}" if line is not None else str(file)
        super().__init__(f"{where}: {message}")


class Unavailable(MinsecError):
    """The store cannot be read just now (another process holds it): try again shortly."""
