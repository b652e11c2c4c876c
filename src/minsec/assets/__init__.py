"""Front-end assets served locally and inlined into reports: Plotly.js and the world map."""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).parent
TOPOJSON = "world_110m"


def plotly_js() -> Path:
    """The ``plotly.min.js`` bundled with the ``plotly`` Python package (no CDN)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:  # pragma: no cover - plotly is a dependency
        raise RuntimeError("the plotly package is not installed")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


def world_topojson() -> Path:
    """Natural Earth 1:110m countries as Plotly's TopoJSON (see ``SOURCE.md``)."""
    return HERE / f"{TOPOJSON}.json"


def geo_assets_script() -> str:
    """JavaScript that hands Plotly the world map, so geo charts never fetch it."""
    topo = world_topojson().read_text(encoding="utf-8")
    return f"window.PlotlyGeoAssets={{topojson:{{{TOPOJSON}:{topo}}}}};"
