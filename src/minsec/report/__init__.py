"""``minsec report``: the briefing as a self-contained HTML file, a PDF and an XLSX workbook.

:func:`write` renders the sections of :func:`minsec.briefing.briefing` into a directory;
the HTML works offline (Plotly.js and the world map inlined), the PDF is that HTML printed
by headless Chromium, and the workbook has one sheet per table plus a sheet of sources.
"""

from __future__ import annotations

from minsec.report.files import Written, basename, write

__all__ = ["Written", "basename", "write"]
