"""The project's own curated reference data, loaded into the store like any other source."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minsec.sources import Source

TABLES = ("mineral", "mineral_list", "hs_concordance", "msp_member", "export_control")


def read(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """Each curated CSV is one table; the booleans and dates are typed by the schema."""
    out = {}
    for name in TABLES:
        frame = pd.read_csv(root / f"{name}.csv", dtype=str, keep_default_na=False)
        frame = frame.replace("", None)
        if "in_baci" in frame:
            frame["in_baci"] = frame["in_baci"].str.lower().eq("true")
        out[name] = frame
    return out


SOURCES = [
    Source(
        key="minsec_reference",
        publisher="minsec (curated from public sources, see source_url per row)",
        vintage="curated",
        files=tuple(f"{name}.csv" for name in TABLES),
        read=read,
        packaged=True,
    )
]
