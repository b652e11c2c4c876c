"""The briefing as one self-contained HTML file: inline CSS, Plotly.js and the world map.

Charts travel as ``<script type="application/json">`` blocks that a small inline renderer
draws; it sets ``window.minsecReady`` once every ``Plotly.newPlot`` has resolved (the PDF
printer waits for it). A meta content security policy forbids every fetch. Tables are shown
as :mod:`minsec.report.layout` says (labels, formats, rows), each with one "Source:" line;
the workbook keeps every row and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from minsec import __version__
from minsec.assets import geo_assets_script, plotly_js
from minsec.briefing import Context, Section
from minsec.report.layout import chart_size
from minsec.report.tables import shown_table
from minsec.report.xlsx import sheet_names

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data:")
# chart sizes in px at 96 dpi (A4 between the margins is 703 px wide)
SIZES = {"full": (680, 280), "tall": (680, 360), "half": (335, 250)}
URL = re.compile(r"https?://[^\s<>\"|]+[^\s<>\"|.,;:)]")
SHORT = 48  # a URL in running text longer than this shows as its host (the link is whole)
RENDERER = """
(function () {
  var sizes = SIZES, jobs = [];
  document.querySelectorAll('script[type="application/json"][data-chart]').forEach(
    function (block) {
      var fig = JSON.parse(block.textContent), size = sizes[block.dataset.size];
      var margin = Object.assign({}, fig.layout.margin, {t: 30});
      var layout = Object.assign({}, fig.layout, {width: size[0], height: size[1],
        title: {text: ""}, margin: margin,
        legend: {orientation: "h", x: 0, y: 1.02, xanchor: "left", yanchor: "bottom"}});
      jobs.push(Plotly.newPlot(document.getElementById(block.dataset.chart), fig.data, layout,
                               {displayModeBar: false, responsive: false}));
    });
  Promise.all(jobs).then(function () {
    window.minsecReady = true;
    document.body.setAttribute("data-ready", String(jobs.length));
  }, function (error) { window.minsecError = String(error); console.error(error); });
})();
""".replace("SIZES", json.dumps(SIZES))


def script(text: str) -> Markup:
    """Text safe inside ``<script>``: no ``</`` can close the element early."""
    return Markup(text.replace("</", "<\\/"))


def linked(text: str, short: bool = False) -> Markup:
    """Escaped text with its URLs as links; ``short``: a long URL shows as ``host/…``."""
    out, last = [], 0
    for found in URL.finditer(text):
        url = found.group(0)
        shown = url
        if short and len(url) > SHORT:
            shown = urlsplit(url).netloc + "/\u2026"
        out += [escape(text[last:found.start()]),
                Markup('<a class="url" href="{}">{}</a>').format(url, shown)]
        last = found.end()
    return Markup("").join([*out, escape(text[last:])])


def _charts(part: Section) -> list[dict[str, Any]]:
    return [{"id": f"chart-{part.key}-{name}", "spec": script(json.dumps(fig, allow_nan=False)),
             "size": chart_size(name),
             "title": fig.get("layout", {}).get("title", {}).get("text", name)}
            for name, fig in part.charts.items()]


def _part(part: Section, names: dict[tuple[str, str], str]) -> dict[str, Any]:
    """A section for the template; its sources less those already listed under its tables."""
    tables = [shown_table(f, t, names[(part.key, t)], part.sources)
              for t, f in part.tables.items()]
    under = {s for t in tables for s in t["sources"]}
    return {"key": part.key, "title": part.title, "charts": _charts(part), "tables": tables,
            "notes": [linked(n, short=True) for n in part.notes],
            "sources": [linked(s) for s in part.sources if s not in under]}


def render(ctx: Context, parts: Sequence[Section], draws: int) -> str:
    """The briefing as HTML text."""
    env = Environment(loader=PackageLoader("minsec.report", "templates"),
                      autoescape=select_autoescape(["html"]))
    names = sheet_names(parts)
    shown = [_part(p, names) for p in parts]
    return env.get_template("briefing.html").render(
        title=f"Critical-minerals supply security: {ctx.importer} briefing, {ctx.year}",
        importer=ctx.importer, year=ctx.year, draws=f"{draws:,}", version=__version__,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), csp=Markup(CSP), parts=shown,
        plotly_js=script(plotly_js().read_text(encoding="utf-8")),
        geo_js=script(geo_assets_script()), renderer=script(RENDERER), linked=linked)
