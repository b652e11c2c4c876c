"""Chart builders: tidy table in, JSON-ready Plotly figure dict out."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from minsec import charts


def test_values_are_plain_python_with_none_for_missing() -> None:
    out = charts.values(pd.Series([np.float64(1.5), np.nan, None]).tolist() + [np.int64(3)])
    assert out == [1.5, None, None, 3]
    assert all(type(v) in {float, int, type(None)} for v in out)


def test_world_map_uses_iso3_and_natural_earth_with_the_local_topojson() -> None:
    frame = pd.DataFrame({"country": ["CHN", "AUS"], "share": [0.7, np.nan],
                          "label": ["CHN: 70%", "AUS"]})
    fig = charts.world_map(frame, "share", "production", text="label")
    trace = fig["data"][0]
    assert trace["type"] == "choropleth" and trace["locationmode"] == "ISO-3"
    assert trace["locations"] == ["CHN", "AUS"] and trace["z"] == [0.7, None]
    assert fig["layout"]["geo"]["projection"]["type"] == "natural earth"
    assert fig["layout"]["geo"]["resolution"] == 110  # world_110m, inlined by the page
    assert "http" not in json.dumps(fig, allow_nan=False)


def test_fan_draws_bands_between_the_quantiles_and_the_median() -> None:
    rows = [{"day": d, "quantile": q, "value": 100 - d * q} for d in range(3)
            for q in (0.05, 0.25, 0.5, 0.75, 0.95)]
    fig = charts.fan(pd.DataFrame(rows), "stock")
    names = [t.get("name") for t in fig["data"]]
    assert names == [None, "P5-P95", None, "P25-P75", "median"]
    assert fig["data"][1]["fill"] == "tonexty"
    assert fig["data"][0]["y"] == [100 - d * 0.05 for d in range(3)]
    assert fig["data"][-1]["y"] == [100 - d * 0.5 for d in range(3)]


def test_heatmap_pivots_and_leaves_missing_cells_blank() -> None:
    frame = pd.DataFrame({"kind": ["region", "region", "mineral"],
                          "key": ["Africa", "Europe", "gallium"], "score": [-0.2, 0.1, 0.3]})
    fig = charts.heatmap(frame, "kind", "key", "score", "gaps")
    trace = fig["data"][0]
    assert trace["x"] == ["mineral", "region"] and trace["y"] == ["Africa", "Europe", "gallium"]
    assert trace["z"] == [[None, -0.2], [None, 0.1], [0.3, None]]
    json.dumps(fig, allow_nan=False)


def test_bars_group_one_trace_per_colour_and_histogram_per_group() -> None:
    frame = pd.DataFrame({"scenario": ["a", "a", "b"], "policy": ["0 d", "54 d", "0 d"],
                          "loss": [3.0, 1.0, 2.0]})
    fig = charts.bars(frame, "scenario", "loss", "loss", color="policy", group=True)
    assert [t["name"] for t in fig["data"]] == ["0 d", "54 d"]
    assert fig["layout"]["barmode"] == "group"
    hist = charts.histogram(frame, "loss", "loss", color="scenario")
    assert [t["x"] for t in hist["data"]] == [[3.0, 1.0], [2.0]]


def test_risk_matrix_places_one_labelled_point_per_row() -> None:
    frame = pd.DataFrame({"name": ["Gallium", "Nickel"], "dep": [0.98, 0.5],
                          "hhi": [9700.0, 3000.0], "risk": [0.9, 0.5]})
    fig = charts.risk_matrix(frame, "dep", "hhi", "name", "m", "x", "y", color="risk")
    trace = fig["data"][0]
    assert trace["text"] == ["Gallium", "Nickel"] and trace["x"] == [0.98, 0.5]
    assert trace["marker"]["color"] == [0.9, 0.5]


def test_risk_matrix_labels_only_the_riskiest_when_asked() -> None:
    frame = pd.DataFrame({"name": ["Gallium", "Nickel", "Zinc"], "dep": [0.98, 0.5, 0.3],
                          "hhi": [9700.0, 3000.0, 1200.0], "risk": [0.9, 0.5, 0.7]})
    trace = charts.risk_matrix(frame, "dep", "hhi", "name", "m", "x", "y", color="risk",
                               label_top=2)["data"][0]
    assert trace["text"] == ["Gallium", "", "Zinc"]
    assert trace["customdata"] == ["Gallium", "Nickel", "Zinc"]  # every name on hover


def test_year_axes_are_ticked_at_the_data_years() -> None:
    # the IEA outlook's years: no tick at 2028 between 2023 and 2030
    outlook = pd.DataFrame({"year": [2023, 2030, 2035, 2040, 2045, 2050], "kt": range(6)})
    axis = charts.bars(outlook, "year", "kt", "demand")["layout"]["xaxis"]
    assert axis["tickvals"] == [2023, 2030, 2035, 2040, 2045, 2050]
    assert axis["ticktext"] == ["2023", "2030", "2035", "2040", "2045", "2050"]
    one = charts.lines(pd.DataFrame({"year": [2024], "share": [0.5]}), "year", "share", "t")
    assert one["layout"]["xaxis"]["tickvals"] == [2024]  # not 2,023.5 .. 2,024.5
    long = charts.lines(pd.DataFrame({"year": range(1995, 2025), "v": 1.0}), "year", "v", "t")
    assert long["layout"]["xaxis"] | {"title": None} == {"title": None, "tickformat": "d",
                                                         "dtick": 5}
    other = charts.bars(pd.DataFrame({"name": ["a"], "v": [1]}), "name", "v", "t")
    assert "tickvals" not in other["layout"]["xaxis"]
