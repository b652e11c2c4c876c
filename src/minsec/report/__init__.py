"""``minsec report``: the briefing as a self-contained HTML file, a PDF and an XLSX workbook.

:func:`write` renders the sections of :func:`minsec.briefing.briefing` into a directory;
the HTML works offline (Plotly.js and the world map inlined), the PDF is that HTML printed
by headless Chromium, and the workbook has one sheet per table plus a sheet of sources.

Called, ``minsec.report(importer, year, out)`` is :func:`minsec.api.report`. The package
imports its parts when first used, so that ``import minsec`` stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minsec.api import front_door

if TYPE_CHECKING:
    from minsec.report.files import Written, basename, write

__all__ = ["Written", "basename", "write"]
front_door(__name__)


def __getattr__(name: str) -> Any:
    if name in __all__:
        from minsec.report import files

        return getattr(files, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
