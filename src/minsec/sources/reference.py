"""The project's own curated reference data, loaded into the store like any other source."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minsec.sources import Source

TABLES = {"mineral": "mineral.csv", "mineral_list": "mineral_list.csv",
          "trade_form": "forms.csv", "msp_member": "msp_member.csv",
          "export_control": "export_control.csv"}


def read(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """Each curated CSV is one table; the booleans and dates are typed by the schema."""
    out = {}
    for name, file in TABLES.items():
        frame = pd.read_csv(root / file, dtype=str, keep_default_na=False)
        frame = frame.replace("", None)
        if "principal" in frame:
            frame["principal"] = frame["principal"].str.lower().eq("true")
        out[name] = frame
    return out


SOURCES = [
    Source(
        key="minsec_reference",
        publisher="minsec (curated from public sources, see source_url per row)",
        vintage="curated",
        files=tuple(TABLES.values()),
        read=read,
        packaged=True,
    )
]
