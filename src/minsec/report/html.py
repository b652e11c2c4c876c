"""The briefing as one self-contained HTML file: inline CSS, Plotly.js and the world map.

Charts travel as ``<script type="application/json">`` blocks that a small inline renderer
draws; it sets ``window.minsecReady`` once every ``Plotly.newPlot`` has resolved (the PDF
printer waits for it). A meta content security policy forbids every fetch.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from minsec import __version__
from minsec.assets import geo_assets_script, plotly_js
from minsec.briefing import Context, Section
from minsec.report.xlsx import sheet_names

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data:")
ROWS, COLUMNS = 25, 12  # shown per table; the workbook has every row and column
WIDTH, HEIGHT = 680, 360  # px, fits an A4 page between the margins
PERCENT = {"share", "import_reliance", "p_shortfall", "top_supplier_share", "china_share"}
RENDERER = """
(function () {
  var jobs = [];
  document.querySelectorAll('script[type="application/json"][data-chart]').forEach(
    function (block) {
      var fig = JSON.parse(block.textContent);
      var layout = Object.assign({}, fig.layout, {width: WIDTH, height: HEIGHT});
      jobs.push(Plotly.newPlot(document.getElementById(block.dataset.chart), fig.data, layout,
                               {displayModeBar: false, responsive: false}));
    });
  Promise.all(jobs).then(function () {
    window.minsecReady = true;
    document.body.setAttribute("data-ready", String(jobs.length));
  }, function (error) { window.minsecError = String(error); console.error(error); });
})();
""".replace("WIDTH", str(WIDTH)).replace("HEIGHT", str(HEIGHT))


def script(text: str) -> Markup:
    """Text safe inside ``<script>``: no ``</`` can close the element early."""
    return Markup(text.replace("</", "<\\/"))


def cell(value: Any, column: str) -> dict[str, Any]:
    """A table cell as shown: shares in %, large numbers with separators, blanks for NaN."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return {"text": "", "num": False}
    if isinstance(value, bool):
        return {"text": str(value), "num": False}
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if column in PERCENT or column.endswith("_share"):
            return {"text": f"{100 * number:.1f}%", "num": True}
        if isinstance(value, int) or number.is_integer() and column.endswith("year"):
            return {"text": f"{int(number)}", "num": True}
        text = f"{number:,.0f}" if abs(number) >= 100 else f"{number:.3g}"
        return {"text": text, "num": True}
    return {"text": str(value), "num": False}


def shown_table(frame: pd.DataFrame, title: str, sheet: str) -> dict[str, Any]:
    """The first rows and columns of a table (the ``source`` column always), as cells."""
    frame = frame.dropna(axis=1, how="all")
    columns = [c for c in frame.columns if c != "source"][:COLUMNS - 1]
    columns += ["source"] if "source" in frame.columns else []
    head = frame[columns].head(ROWS).astype(object)
    rows = [[cell(v.item() if hasattr(v, "item") else v, c) for v, c in zip(r, columns,
                                                                          strict=True)]
            for r in head.itertuples(index=False)]
    return {"title": title, "columns": columns, "rows": rows, "total": len(frame),
            "more": len(frame) > ROWS or len(frame.columns) > len(columns), "sheet": sheet}


def _charts(part: Section) -> list[dict[str, Any]]:
    return [{"id": f"chart-{part.key}-{name}", "spec": script(json.dumps(fig, allow_nan=False)),
             "title": fig.get("layout", {}).get("title", {}).get("text", name)}
            for name, fig in part.charts.items()]


def render(ctx: Context, parts: Sequence[Section], draws: int) -> str:
    """The briefing as HTML text."""
    env = Environment(loader=PackageLoader("minsec.report", "templates"),
                      autoescape=select_autoescape(["html"]))
    names = sheet_names(parts)
    shown = [{"key": p.key, "title": p.title, "notes": p.notes, "sources": p.sources,
              "charts": _charts(p),
              "tables": [shown_table(f, t.replace("_", " "), names[(p.key, t)])
                         for t, f in p.tables.items()]} for p in parts]
    return env.get_template("briefing.html").render(
        title=f"Critical-minerals supply security: {ctx.importer} briefing, {ctx.year}",
        importer=ctx.importer, year=ctx.year, draws=f"{draws:,}", version=__version__,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), csp=Markup(CSP), parts=shown,
        plotly_js=script(plotly_js().read_text(encoding="utf-8")),
        geo_js=script(geo_assets_script()), renderer=script(RENDERER))
