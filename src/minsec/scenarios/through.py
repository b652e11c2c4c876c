"""A mine country's event through the chain: it reaches the importer via the refiners it feeds.

An event with ``passes_through`` (an ore ban: ``stage: mining``, or ``through: true``) cuts
each other supplier ``s`` of the importer by the event's cut times ``w_s``, the share of
``s``'s sales to the importer mined in the event's countries (the origin model,
:mod:`minsec.lookthrough`); the event's own exporters keep ``w = 1``. A refiner's event
(China's export controls) has ``w = 1`` at its own exporters and 0 elsewhere, as before.
Ours: the shares are of all measured forms of the mineral in the baseline's year (the latest
the origin model covers at or before it), whatever stage the baseline measures.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from minsec import lookthrough
from minsec.errors import MinsecError


def mined_share(rows: pd.DataFrame, countries: Iterable[str]) -> pd.Series:
    """Per first-tier supplier, the share of its sales to the importer from ``countries``' ore.

    Mined there, or exported from there beyond its inputs (``unexplained`` arising there: it
    left through those countries all the same, so their ban stops it too).
    """
    wanted = set(countries)
    sold = rows.groupby("processing_country")["contained_t"].sum()
    hit = rows["mine_country"].isin(wanted) | rows["unexplained_at"].isin(wanted)
    mined = rows[hit].groupby("processing_country")["contained_t"].sum()
    return (mined.reindex(sold.index).fillna(0.0) / sold).rename("share")


def weights(suppliers: Iterable[str], exporters: Iterable[str], share: pd.Series) -> np.ndarray:
    """``w_s``: 1 at the event's exporters, else their mined share of ``s``'s sales (0..1)."""
    own = set(exporters)
    return np.array([1.0 if s in own else float(share.get(s, 0.0)) for s in suppliers])


def shares_for(tables: lookthrough.Tables, importer: str, mineral: str, year: int,
               exporters: Iterable[str]) -> tuple[pd.Series, str]:
    """The mined share of each supplier's sales, and a line saying what it rests on."""
    covered = [y for y in lookthrough.years(tables, mineral) if y <= year]
    if not covered:
        return pd.Series(dtype=float), (f"not computed: the origin model has no year <= {year} "
                                        f"for {mineral}; the event cuts its exporters only")
    used = covered[-1]
    try:
        found = lookthrough.report(tables, importer, mineral, used)["origin"]
    except MinsecError as exc:
        return pd.Series(dtype=float), f"not computed: {exc}; the event cuts its exporters only"
    share = mined_share(found, exporters).drop(list(exporters), errors="ignore")
    share = share[share > 0].sort_values(ascending=False)
    passed = ", ".join(f"{s} {100 * v:.1f}%" for s, v in share.head(6).items())
    return share, (f"origin model {used}: share of each supplier's sales mined in (or "
                   f"exported beyond inputs from) {', '.join(exporters)}: {passed or 'none'}")
