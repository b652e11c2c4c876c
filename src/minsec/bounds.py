"""Values no official file can hold: infinite numbers anywhere, negative masses and money.

:func:`check` runs on every frame a source loads, after :func:`minsec.schema.conform`. A
``1e999`` (read as infinity) or a negative tonnage is damage, reported with the file and line
when the frame carries them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from minsec.errors import MinsecError, SourceError

# Columns that measure a quantity or a value, never negative in any source.
NON_NEGATIVE = {"supply": ("value",), "trade": ("value", "quantity"),
                "eu_crm_supply_share": ("share",)}


def _where(frame: pd.DataFrame, bad: pd.Series, name: str, column: str, what: str,
           files: list[str]) -> MinsecError:
    row = frame.loc[bad].iloc[0]
    if "file" in frame.columns and "line" in frame.columns:
        return SourceError(str(row["file"]), f"{what} in column {column!r} of {name}",
                           int(row["line"]))
    first = repr(row.to_dict())
    first = first if len(first) <= 200 else first[:200] + "…"
    names = ", ".join(Path(f).name for f in files[:5]) + (", …" if len(files) > 5 else "")
    return SourceError(names, f"{what} in column {column!r} of table {name} "
                              f"({int(bad.sum()):,} rows, the first {first})")


def check(name: str, frame: pd.DataFrame, files: list[str]) -> pd.DataFrame:
    """``frame`` unchanged, or an error at its first infinite or negative value.

    ``files``: the load's files, named in the error when the rows do not carry their file.
    """
    for column in frame.columns:
        values = frame[column]
        if values.dtype != np.float64:
            continue
        infinite = pd.Series(np.isinf(values.to_numpy()), index=frame.index)
        if infinite.any():
            raise _where(frame, infinite, name, column, "an infinite number (overflow?)",
                         files)
        if column in NON_NEGATIVE.get(name, ()) and (negative := values.lt(0)).any():
            raise _where(frame, negative, name, column,
                         f"a negative {column} ({values[negative].iloc[0]:g})", files)
    return frame
