"""Server-side HTML: Jinja2 templates, tables and charts as data for ``static/app.js``.

Charts travel as ``<script type="application/json" class="chart">`` blocks (data, not code,
so the Content-Security-Policy can forbid inline scripts); ``app.js`` draws them with
Plotly. Everything the page loads comes from this server.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
NAV = [("/", "Overview"), ("/scenarios", "Scenarios"), ("/portfolio", "Portfolio"),
       ("/outlook", "Outlook"), ("/targets", "Targets"), ("/data", "Data and methods")]
ROWS = 200  # rows shown per table on a page; the downloads carry all of them


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def _finite(value: Any) -> Any:
    """NaN and infinities as ``null`` (JSON has neither)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def chart_json(figure: dict[str, Any]) -> Markup:
    """A figure as JSON safe inside ``<script>``: ``<``, ``>`` and ``&`` as escapes."""
    text = json.dumps(_finite(json.loads(json.dumps(figure, default=_plain))))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e")
                  .replace("&", "\\u0026"))


def cell(value: Any) -> str:
    """A table cell for people: numbers rounded, missing values blank."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float | np.floating):
        number = float(value)
        if number != 0 and abs(number) < 1:
            return f"{number:.3g}"
        return f"{number:,.0f}" if abs(number) >= 100 else f"{number:,.2f}"
    return str(value)


def table_rows(frame: pd.DataFrame) -> list[list[str]]:
    """The first :data:`ROWS` rows as display strings."""
    return [[cell(v) for v in row] for row in frame.head(ROWS).itertuples(index=False)]


def is_url(text: str) -> bool:
    """Whether a source is a web address (shown as a link)."""
    return text.startswith(("https://", "http://"))


templates.env.globals.update(chart_json=chart_json, table_rows=table_rows, nav=NAV, ROWS=ROWS,
                             is_url=is_url)


def html(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the request, the navigation and the importer selector."""
    from minsec.web import views

    store = request.app.state.store
    context.setdefault("importers", views.importers(store))
    return templates.TemplateResponse(request, template, context, status_code=status)
