"""Values no official file can hold: infinite numbers anywhere, negative masses and money.

:func:`check` runs on every frame a source loads, after :func:`minsec.schema.conform`. A
``1e999`` (read as infinity) or a negative tonnage is damage, reported with the file and line
when the frame carries them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from minsec.errors import MinsecError, SourceError

# Columns that measure a quantity or a value, never negative in any source.
NON_NEGATIVE = {"supply": ("value",), "trade": ("value", "quantity")}


def _where(frame: pd.DataFrame, bad: pd.Series, name: str, column: str, what: str
           ) -> MinsecError:
    row = frame.loc[bad].iloc[0]
    if "file" in frame.columns and "line" in frame.columns:
        return SourceError(str(row["file"]), f"{what} in column {column!r} of {name}",
                           int(row["line"]))
    return MinsecError(f"table {name}: {what} in column {column!r} "
                       f"({int(bad.sum()):,} rows, the first {row.to_dict()})")


def check(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` unchanged, or an error at its first infinite or negative value."""
    for column in frame.columns:
        values = frame[column]
        if values.dtype != np.float64:
            continue
        infinite = pd.Series(np.isinf(values.to_numpy()), index=frame.index)
        if infinite.any():
            raise _where(frame, infinite, name, column, "an infinite number (overflow?)")
        if column in NON_NEGATIVE.get(name, ()) and (negative := values.lt(0)).any():
            raise _where(frame, negative, name, column, f"a negative {column} "
                                                        f"({values[negative].iloc[0]:g})")
    return frame
