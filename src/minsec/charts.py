"""Plotly figures from tidy tables, as plain JSON-ready dicts ``{"data": [...], "layout": {...}}``.

Pure functions: a table in, a figure dict out; no analytics. Numbers become Python floats
(NaN becomes ``None``), so :func:`json.dumps` takes every figure. Maps are choropleths on ISO3
codes over Natural Earth 1:110m (``world_110m``), which the page hands to Plotly itself
(:func:`minsec.assets.geo_assets_script`): no map is fetched from a CDN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

Figure = dict[str, Any]
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "size": 12}
QUANTILE_BANDS = ((0.05, 0.95), (0.25, 0.75))


def values(series: Iterable[Any]) -> list[Any]:
    """JSON-ready values: NumPy scalars as Python numbers, NaN and NA as ``None``."""
    out: list[Any] = []
    for value in series:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            out.append(None)
        elif hasattr(value, "item"):
            item = value.item()
            out.append(None if isinstance(item, float) and math.isnan(item) else item)
        else:
            out.append(value)
    return out


def layout(title: str, **extra: Any) -> dict[str, Any]:
    """The shared layout: title, font, margins, white background."""
    return {"title": {"text": title, "x": 0.01, "xanchor": "left"}, "font": FONT,
            "margin": {"l": 60, "r": 20, "t": 50, "b": 50}, "paper_bgcolor": "white",
            "plot_bgcolor": "white", **extra}


#: plotly.js scales that run from dark to light; reversed, so that more is darker or redder
DARK_FIRST = {"Blues", "Greens", "Greys", "YlOrRd", "YlGnBu"}


def dark_first(colorscale: str) -> bool:
    """Whether plotly.js draws ``colorscale`` dark-to-light (so it needs ``reversescale``)."""
    return colorscale in DARK_FIRST


def world_map(frame: pd.DataFrame, value: str, title: str, location: str = "country",
              text: str | None = None, colorscale: str = "Reds",
              colorbar: str = "") -> Figure:
    """A world choropleth of ``value`` by ISO3 ``location`` (natural-earth projection)."""
    trace: dict[str, Any] = {
        "type": "choropleth", "locationmode": "ISO-3", "locations": values(frame[location]),
        "z": values(frame[value]), "colorscale": colorscale,
        "reversescale": dark_first(colorscale),
        "marker": {"line": {"color": "#999", "width": 0.3}},
        "colorbar": {"title": {"text": colorbar}, "thickness": 12}}
    if text is not None:
        trace |= {"text": values(frame[text]), "hovertemplate": "%{text}<extra></extra>"}
    # the whole world, Greenwich in the middle (Plotly would otherwise centre on the data)
    geo = {"projection": {"type": "natural earth", "rotation": {"lon": 0, "lat": 0}},
           "center": {"lon": 0, "lat": 0}, "lonaxis": {"range": [-180, 180]},
           "lataxis": {"range": [-56, 84]}, "showframe": False, "showcoastlines": False,
           "showcountries": True, "countrycolor": "#bbb", "resolution": 110,
           "landcolor": "#f2f2f2", "showland": True}
    return {"data": [trace], "layout": layout(title, geo=geo, margin={"l": 0, "r": 0, "t": 40,
                                                                         "b": 0})}


def risk_matrix(frame: pd.DataFrame, x: str, y: str, label: str, title: str,
                x_title: str, y_title: str, size: str | None = None,
                color: str | None = None, label_top: int | None = None) -> Figure:
    """A labelled scatter: one point per row (e.g. mineral), quadrants at the axes' middle.

    ``label_top``: write only the labels of the rows with the largest ``color`` values (the
    others show theirs on hover), so that clusters stay legible.
    """
    marker: dict[str, Any] = {"size": 11, "line": {"width": 0.5, "color": "#333"}}
    if size is not None:
        scale = max(float(frame[size].max() or 1.0), 1e-12)
        marker["size"] = [8 + 22 * (v or 0) / scale for v in values(frame[size])]
    if color is not None:
        marker |= {"color": values(frame[color]), "colorscale": "YlOrRd",
                   "reversescale": dark_first("YlOrRd"), "showscale": True,
                   "colorbar": {"title": {"text": color}, "thickness": 12}}
    names = frame[label].astype(str)
    shown = names
    if label_top is not None and color is not None:
        keep = frame[color].rank(ascending=False, method="first").le(label_top)
        shown = names.where(keep, "")
    trace = {"type": "scatter", "mode": "markers+text", "x": values(frame[x]),
             "y": values(frame[y]), "text": values(shown), "customdata": values(names),
             "textposition": "top center", "marker": marker,
             "hovertemplate": "%{customdata}<br>x %{x:.2f}<br>y %{y:.2f}<extra></extra>"}
    return {"data": [trace], "layout": layout(
        title, xaxis={"title": {"text": x_title}, "zeroline": False, "gridcolor": "#eee"},
        yaxis={"title": {"text": y_title}, "zeroline": False, "gridcolor": "#eee"})}


YEAR_TICKS = 12  # up to this many years, a tick on each; beyond, every fifth year


def year_axis(years: Iterable[Any]) -> dict[str, Any]:
    """An axis of years ticked at the data's own years: 2023, 2030, 2035 ..., never 2028.

    Nor 2,023.5 for a one-year series; a long yearly series is ticked every fifth year.
    """
    found = sorted({int(y) for y in values(years) if y is not None})
    if len(found) > YEAR_TICKS:
        return {"tickformat": "d", "dtick": 5}
    return {"tickmode": "array", "tickvals": found, "ticktext": [str(y) for y in found]}


def bars(frame: pd.DataFrame, x: str, y: str, title: str, color: str | None = None,
         horizontal: bool = False, x_title: str = "", y_title: str = "",
         percent: bool = False, group: bool = False) -> Figure:
    """Bars of ``y`` by ``x``, one trace per ``color`` group (stacked, or side by side)."""
    groups = [("", frame)] if color is None else list(frame.groupby(color, sort=False))
    data = []
    for name, rows in groups:
        a, b = values(rows[x]), values(rows[y])
        data.append({"type": "bar", "name": str(name), "x": b if horizontal else a,
                     "y": a if horizontal else b, "orientation": "h" if horizontal else "v"})
    axis = {"tickformat": ".0%"} if percent else {}
    value_axis, category_axis = ({"title": {"text": y_title}, **axis},
                                 {"title": {"text": x_title}, "automargin": True})
    if x == "year":
        category_axis |= year_axis(frame[x])
    if horizontal:
        category_axis |= {"autorange": "reversed"}
    return {"data": data, "layout": layout(
        title, barmode="group" if group else "stack", showlegend=color is not None,
        xaxis=value_axis if horizontal else category_axis,
        yaxis=category_axis if horizontal else value_axis)}


def lines(frame: pd.DataFrame, x: str, y: str, title: str, color: str | None = None,
          x_title: str = "", y_title: str = "", percent: bool = False) -> Figure:
    """Lines of ``y`` over ``x``, one per ``color`` group."""
    groups = [(y, frame)] if color is None else list(frame.groupby(color, sort=False))
    data = [{"type": "scatter", "mode": "lines+markers", "name": str(name),
             "x": values(rows[x]), "y": values(rows[y])} for name, rows in groups]
    axis = {"tickformat": ".0%"} if percent else {}
    x_axis = {"title": {"text": x_title}, **(year_axis(frame[x]) if x == "year" else {})}
    return {"data": data, "layout": layout(
        title, xaxis=x_axis, yaxis={"title": {"text": y_title}, **axis},
        showlegend=len(data) > 1)}


def histogram(frame: pd.DataFrame, x: str, title: str, color: str | None = None,
              x_title: str = "", bins: int = 40) -> Figure:
    """A histogram of ``x`` (e.g. loss per draw), overlaid per ``color`` group."""
    groups = [(x, frame)] if color is None else list(frame.groupby(color, sort=False))
    data = [{"type": "histogram", "name": str(name), "x": values(rows[x]), "nbinsx": bins,
             "opacity": 0.7} for name, rows in groups]
    return {"data": data, "layout": layout(
        title, barmode="overlay", xaxis={"title": {"text": x_title}},
        yaxis={"title": {"text": "draws"}}, showlegend=len(data) > 1)}


def fan(frame: pd.DataFrame, title: str, x: str = "day", quantile: str = "quantile",
        value: str = "value", y_title: str = "",
        bands: Sequence[tuple[float, float]] = QUANTILE_BANDS) -> Figure:
    """Quantile bands over ``x`` (P5-P95, P25-P75) and the median line, from a tidy table.

    ``frame`` has one row per ``x`` and ``quantile`` (e.g. 0.05, 0.25, 0.5, 0.75, 0.95).
    """
    wide = frame.pivot_table(index=x, columns=quantile, values=value).sort_index()
    xs = values(wide.index)
    data: list[dict[str, Any]] = []
    for (low, high), alpha in zip(bands, (0.2, 0.35), strict=False):
        if low not in wide or high not in wide:
            continue
        label = f"P{100 * low:g}-P{100 * high:g}"
        data.append({"type": "scatter", "x": xs, "y": values(wide[low]), "mode": "lines",
                     "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip"})
        data.append({"type": "scatter", "x": xs, "y": values(wide[high]), "mode": "lines",
                     "line": {"width": 0}, "fill": "tonexty", "name": label,
                     "fillcolor": f"rgba(31,119,180,{alpha})"})
    if 0.5 in wide:
        data.append({"type": "scatter", "x": xs, "y": values(wide[0.5]), "mode": "lines",
                     "name": "median", "line": {"color": "rgb(31,119,180)", "width": 2}})
    return {"data": data, "layout": layout(title, xaxis={"title": {"text": x}},
                                           yaxis={"title": {"text": y_title},
                                                  "rangemode": "tozero"})}


def heatmap(frame: pd.DataFrame, x: str, y: str, z: str, title: str,
            colorscale: str = "RdBu", zmid: float | None = 0.0) -> Figure:
    """A heatmap of ``z`` over the categories ``x`` and ``y`` (missing cells blank).

    With plotly.js's ``RdBu`` (blue low, red high) and ``zmid=0``, positive cells are red.
    """
    wide = frame.pivot_table(index=y, columns=x, values=z, aggfunc="first")
    trace: dict[str, Any] = {
        "type": "heatmap", "x": values(wide.columns), "y": values(wide.index),
        "z": [values(row) for row in wide.to_numpy()], "colorscale": colorscale,
        "hoverongaps": False,
        "colorbar": {"title": {"text": z}, "thickness": 12}}
    if zmid is not None:
        trace["zmid"] = zmid
    every = {"automargin": True, "type": "category", "dtick": 1}  # a label on every row
    return {"data": [trace], "layout": layout(title, xaxis=every, yaxis=every)}


def sankey(frame: pd.DataFrame, title: str, source: str = "mine_country",
           middle: str = "processing_country", target: str = "importer",
           value: str = "contained_t", top: int = 8, unexplained: str = "unexplained",
           unit: str = "t") -> Figure:
    """A three-column Sankey: ``source`` -> ``middle`` -> ``target``, widths by ``value``.

    Beyond the ``top`` largest of each column the rest is one node ``other``; ``unexplained``
    (the origin model's excess) is its own band, drawn grey. Left and middle nodes carry a
    suffix so that a country both mines and processes (China) shows in both columns.
    """
    rows = frame[frame[value] > 0]
    def keep(column: str) -> pd.Series:
        sums = rows.groupby(column)[value].sum().sort_values(ascending=False)
        named = set(sums.index[:top]) | ({unexplained} & set(sums.index))
        return rows[column].where(rows[column].isin(named), "other")
    left = keep(source).astype(str) + " (mined)"
    mid = keep(middle).astype(str) + " (via)"
    right = rows[target].astype(str)
    labels = list(dict.fromkeys([*left, *mid, *right]))
    index = {label: i for i, label in enumerate(labels)}
    first = rows.assign(_s=left, _t=mid).groupby(["_s", "_t"], sort=False)[value].sum()
    second = rows.assign(_s=mid, _t=right).groupby(["_s", "_t"], sort=False)[value].sum()
    links = pd.concat([first, second])
    grey, blue = "rgba(150,150,150,0.55)", "rgba(31,119,180,0.35)"
    colour = [grey if s.startswith(unexplained) else blue for s, _ in links.index]
    node = ["#999" if label.startswith(unexplained) else "#1f77b4" for label in labels]
    trace = {"type": "sankey", "arrangement": "snap", "valueformat": ",.0f",
             "valuesuffix": f" {unit}",
             "node": {"label": labels, "color": node, "pad": 12, "thickness": 14},
             "link": {"source": [index[s] for s, _ in links.index],
                      "target": [index[t] for _, t in links.index],
                      "value": values(links.to_numpy()), "color": colour}}
    return {"data": [trace], "layout": layout(title, margin={"l": 10, "r": 10, "t": 50,
                                                              "b": 10})}
