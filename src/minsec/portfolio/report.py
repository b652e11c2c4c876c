"""The portfolio's views from the registry and the store: the regional table and the gaps.

One convenience (I/O: it reads the store and the registry) shared by the command line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minsec import assessment, tables
from minsec.indicators.concentration import stage_concentration
from minsec.portfolio import gaps, registry

AS_OF = "2024-09-30"  # the Sept 2024 statement (New York, 2024-09-26): 32 projects


def gap_report(importer: str = "KOR", as_of: str = AS_OF,
               store: Path | None = None) -> dict[str, pd.DataFrame]:
    """The regional table (with Southeast Asia) and the ranked gaps for ``importer``."""
    stats = registry.portfolio_stats()
    projects = pd.DataFrame([{"country": p.country, "confidence": p.confidence}
                             for p in registry.load_projects()])
    regions = tables.query("SELECT * FROM region", store=store)
    table = gaps.region_table(stats, as_of, projects, regions)
    sea = table[table["region"].eq(gaps.SEA)].rename(columns={"region": "category"})
    counts = pd.concat([gaps.portfolio_counts(stats, as_of),
                        sea.assign(dimension="region")[["dimension", "category", "count"]]])
    inputs = assessment.load(store)
    risk = assessment.assess(inputs, importer, assessment.default_year(inputs))
    supply = inputs.supply
    scores = gaps.gap_scores(counts, gaps.world_distribution(supply, regions), risk,
                             stage_concentration(supply))
    return {"regions": table, "gaps": scores}
