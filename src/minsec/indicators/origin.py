"""Where it was really mined: each supplier's exports traced back to the mine, as one linear system.

For a mineral and a year every country holds one **pool** per primary stage (``mining``,
``refining``, ``product`` of ``reference/data/forms.csv``). A pool's inputs, in contained
tonnes, are

* the country's own mine production (the mining pool; origin: the country),
* what its pool of the stage below keeps (the stage below's inputs less its exports),
* its imports of the stage's forms, each with the composition of the exporter's pool,
* scrap imports (into the refining pool), with the composition of the scrap exporter's
  highest pool (scrap comes out of what was used there; it is not taken from this year's
  throughput),
* and, where the pool exports more than all that, the excess as the named origin
  ``unexplained`` (possible transshipment, stock draw or an overstated content factor),
  recorded with the country where it arises, never spread over the other origins.

A pool's output is a proportional mix of its inputs (the ARTIS model's mass balance, Gephart
et al. 2024, and Kastner et al. 2011's re-export tracing). Writing ``T_p`` for pool ``p``'s
throughput, ``A_pq`` for the tonnes flowing from pool ``q`` into ``p`` and ``B_po`` for the
tonnes of origin ``o`` entering ``p`` from outside the trade (mine output, unexplained), the
shares ``X_po`` solve ``(diag(T) - A) X = B``: loops (re-exports, scrap) are solved at once,
not by recursion to a depth. A pool whose inputs reach no mine nor excess (a closed loop of
re-exports) is unexplained as a whole.

The importer's look-through supply is its imports of each form times the exporter's pool
composition: rows ``importer, mineral, year, processing_country`` (the first tier: who sold
it) ``, mine_country`` (``unexplained`` included) ``, contained_t, share``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order
from scipy.sparse.linalg import splu

UNEXPLAINED = "unexplained"
POOL_STAGES = ("mining", "refining", "product")  # in order: each feeds the next
SCRAP = "scrap"
DENSE = 3000  # pools up to which the system is solved dense (numpy), else sparse LU (SciPy)
LOOK_THROUGH = ["importer", "processing_country", "mine_country", "unexplained_at",
                "contained_t", "share", "first_tier_share"]
ASSUMPTIONS = (
    "a country's output of a stage is a proportional mix of its inputs (own mine production, "
    "what its stage below keeps, imports of the stage's forms by origin), contained tonnes",
    "flows of the year itself, one basis each (BACI HS92, else declared: trade_forms); mine "
    "production of the year (USGS MCS newest edition first, else World Mining Data)",
    "exports beyond a pool's inputs are the origin 'unexplained' (transshipment, stock draw or "
    "an overstated content factor), kept apart and located where they arise",
    "scrap carries the composition of the exporter's highest stage and enters the importer's "
    "refining pool; it does not draw on the exporter's throughput of the year",
    "forms not made from mined feed (synthetic graphite from petroleum coke) count as output "
    "of the stage: where they exceed a country's mined inputs the excess is unexplained",
)


@dataclass(frozen=True)
class Chain:
    """One mineral-year solved: pool compositions and the quantities that made them."""

    countries: tuple[str, ...]
    stages: tuple[str, ...]
    origins: tuple[str, ...]  # producing countries, then "unexplained:<country>"
    shares: np.ndarray  # (pools, origins), pool = stage index * n + country index
    throughput: np.ndarray  # (pools,) t
    excess: np.ndarray  # (pools,) t of unexplained input
    notes: tuple[str, ...] = field(default=())

    def pool(self, country: str, stage: str) -> int:
        """Row of ``country``'s pool of ``stage``."""
        return self.stages.index(stage) * len(self.countries) + self.countries.index(country)

    def composition(self, country: str, stage: str) -> pd.Series:
        """Shares of each origin in a pool's output (empty where the pool has no throughput)."""
        row = self.shares[self.pool(country, stage)]
        out = pd.Series(row, index=list(self.origins))
        return out[out > 0]


def solve(flows: pd.DataFrame, mine: pd.Series) -> Chain:
    """Solve one mineral-year's chain: every pool's composition by origin.

    Parameters
    ----------
    flows
        ``exporter, importer, stage, contained_t`` (t, contained; stage one of
        :data:`POOL_STAGES` or ``scrap``); flows of a country to itself are dropped.
    mine
        Mine production by country (t, contained, the same measure as the flows).

    Returns
    -------
    A :class:`Chain`: ``shares`` rows sum to 1 for every pool with throughput.
    """
    exporter = flows["exporter"].to_numpy(dtype=object)
    importer = flows["importer"].to_numpy(dtype=object)
    tonnes = flows["contained_t"].to_numpy(float)
    keep = (exporter != importer) & (tonnes > 0)
    exporter, importer, tonnes = exporter[keep], importer[keep], tonnes[keep]
    stage_of = flows["stage"].to_numpy(dtype=object)[keep]
    mine = mine[mine > 0]
    present = set(pd.unique(stage_of))
    if SCRAP in present:
        present.add("refining")
    stages = tuple(s for s in POOL_STAGES if s == "mining" or s in present)
    m = len(tonnes)
    codes, uniques = pd.factorize(np.concatenate([exporter, importer,
                                                  mine.index.to_numpy(dtype=object)]), sort=True)
    countries = tuple(str(c) for c in uniques)
    n, k = len(countries), len(stages)
    seller, buyer, made = codes[:m], codes[m:2 * m], codes[2 * m:]
    own = np.zeros(n)
    np.add.at(own, made, mine.to_numpy(float))
    a = np.zeros((n * k, n * k))
    throughput, excess = np.zeros(n * k), np.zeros(n * k)
    scrap = stage_of == SCRAP
    kept = own
    for j, stage in enumerate(stages):
        here = stage_of == stage
        inflow = kept + np.bincount(buyer[here], tonnes[here], minlength=n)
        np.add.at(a, (j * n + buyer[here], j * n + seller[here]), tonnes[here])
        if stage == "refining" and scrap.any():
            inflow += np.bincount(buyer[scrap], tonnes[scrap], minlength=n)
            top = (k - 1) * n  # scrap carries the exporter's highest pool
            np.add.at(a, (j * n + buyer[scrap], top + seller[scrap]), tonnes[scrap])
        exports = np.bincount(seller[here], tonnes[here], minlength=n)
        over = np.maximum(exports - inflow, 0.0)
        total = inflow + over
        throughput[j * n:(j + 1) * n], excess[j * n:(j + 1) * n] = total, over
        if j > 0:
            a[j * n + np.arange(n), (j - 1) * n + np.arange(n)] = kept
        kept = total - exports
    return _solve(countries, stages, a, throughput, excess, own)


def _solve(countries: tuple[str, ...], stages: tuple[str, ...], a: np.ndarray,
           throughput: np.ndarray, excess: np.ndarray, own: np.ndarray) -> Chain:
    """``(diag(T) - A) X = B`` with sourceless pools made unexplained (see the module)."""
    n, size = len(countries), len(throughput)
    where = np.tile(np.arange(n), size // n)
    sourced = np.concatenate([own, np.zeros(size - n)]) + excess > 0
    reach = _reachable(sp.csr_matrix(a), sourced)
    closed = (throughput > 0) & ~reach
    excess = np.where(closed, throughput, excess)
    a[closed] = 0.0
    producers = np.flatnonzero(own > 0)
    used = np.flatnonzero(np.bincount(where, weights=excess, minlength=n) > 0)
    b = np.zeros((size, len(producers) + len(used)))
    b[producers, np.arange(len(producers))] = own[producers]
    rows = np.flatnonzero(excess > 0)
    b[rows, len(producers) + np.searchsorted(used, where[rows])] = excess[rows]
    # only pools with throughput enter the system (the others take nothing, give nothing)
    live = np.flatnonzero(throughput > 0)
    x = np.zeros(b.shape)
    if len(live) and b.shape[1]:
        system = np.diag(throughput[live]) - a[np.ix_(live, live)]
        x[live] = (np.linalg.solve(system, b[live]) if len(live) <= DENSE
                   else splu(sp.csc_matrix(system)).solve(b[live]))
    x[np.abs(x) < 1e-12] = 0.0
    origins = (*(countries[int(c)] for c in producers),
               *(f"{UNEXPLAINED}:{countries[int(c)]}" for c in used))
    notes = tuple(f"closed loop without a source at {countries[p % n]} ({stages[p // n]})"
                  for p in np.flatnonzero(closed))
    return Chain(countries, stages, origins, x, throughput, excess, notes)


def _reachable(a: sp.csr_matrix, sourced: np.ndarray) -> np.ndarray:
    """Pools whose inputs lead back (through ``a``) to a pool with a source."""
    size = a.shape[0]
    # edge q -> p where p takes from q; a super-source (index size) feeds every sourced pool
    coo = sp.coo_matrix(a)
    heads = np.flatnonzero(sourced)
    edges = sp.csr_matrix((np.ones(coo.nnz + len(heads)),
                           (np.concatenate([coo.col, np.full(len(heads), size)]),
                            np.concatenate([coo.row, heads]))), shape=(size + 1, size + 1))
    order = breadth_first_order(edges, size, directed=True, return_predecessors=False)
    out = np.zeros(size + 1, dtype=bool)
    out[order] = True
    return out[:size]


def purchases(chain: Chain, flows: pd.DataFrame,
              blocs: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """The flows importers buy at the chain's stages (scrap apart), blocs' from outside added."""
    wanted = flows[flows["stage"].isin(chain.stages) & flows["exporter"].ne(flows["importer"])
                   & flows["contained_t"].gt(0)]
    parts = [wanted]
    for bloc, members in (blocs or {}).items():
        inside = set(members)
        parts.append(wanted[wanted["importer"].isin(inside) & ~wanted["exporter"].isin(inside)]
                     .assign(importer=bloc))
    return pd.concat(parts)


def look_through(chain: Chain, flows: pd.DataFrame,
                 blocs: Mapping[str, Iterable[str]] | None = None,
                 importers: Iterable[str] | None = None) -> pd.DataFrame:
    """Each importer's imports by first-tier supplier and mine origin (contained t, shares).

    ``flows``: the chain's ``exporter, importer, stage, contained_t``; scrap is left out of the
    importer's supply (as the first-tier ``all`` scope). ``blocs`` (``{"EU27": members}``)
    adds each bloc as an importer of its members' imports from outside it. Returns
    ``importer, processing_country, mine_country, unexplained_at, contained_t, share,
    first_tier_share``; ``mine_country`` is ``unexplained`` for the excess, with the country
    where it arose in ``unexplained_at``.
    """
    pairs = purchases(chain, flows, blocs)
    if importers is not None:
        pairs = pairs[pairs["importer"].isin(list(importers))]
    if pairs.empty:
        return pd.DataFrame(columns=LOOK_THROUGH)
    n = len(chain.countries)
    index = {c: i for i, c in enumerate(chain.countries)}
    pool = (pairs["stage"].map({s: i for i, s in enumerate(chain.stages)}).to_numpy(np.int64) * n
            + pairs["exporter"].map(index).to_numpy(np.int64))
    buyer = pairs["importer"].to_numpy(str)
    seller = pairs["exporter"].to_numpy(str)
    key, first = np.unique(np.char.add(np.char.add(buyer, "|"), seller), return_index=True)
    row = np.searchsorted(key, np.char.add(np.char.add(buyer, "|"), seller))
    take = sp.csr_matrix((pairs["contained_t"].to_numpy(float), (row, pool)),
                         shape=(len(key), chain.shares.shape[0]))
    coo = sp.coo_matrix(np.asarray(take @ chain.shares))
    names = np.array([o.split(":", 1)[0] for o in chain.origins], dtype=object)
    where = np.array([o.split(":", 1)[1] if ":" in o else None for o in chain.origins],
                     dtype=object)
    rows = pd.DataFrame({"importer": buyer[first][coo.row],
                         "processing_country": seller[first][coo.row],
                         "mine_country": names[coo.col], "unexplained_at": where[coo.col],
                         "contained_t": coo.data})
    rows = rows[rows["contained_t"] > 0]
    total = rows.groupby("importer")["contained_t"].transform("sum")
    rows["share"] = rows["contained_t"] / total
    rows["first_tier_share"] = rows.groupby(["importer", "processing_country"])[
        "share"].transform("sum")
    return rows[LOOK_THROUGH].reset_index(drop=True)


def by_importer(chain: Chain, flows: pd.DataFrame,
                blocs: Mapping[str, Iterable[str]] | None = None,
                ) -> tuple[list[str], sp.csr_matrix, sp.csr_matrix]:
    """Every importer at once: ``(importers, first_tier, mined)`` sparse matrices of t.

    ``first_tier[i, c]``: contained t importer ``i`` buys from country ``c`` (of
    ``chain.countries``); ``mined[i, o]``: of it, mined in origin ``o`` (``chain.origins``).
    The same flows and rules as :func:`look_through`, without the tidy rows (for indicators
    over all importers).
    """
    pairs = purchases(chain, flows, blocs)
    who, names = pd.factorize(pairs["importer"].to_numpy(dtype=object), sort=True)
    buyers = [str(b) for b in names]
    n = len(chain.countries)
    seller = pd.Index(chain.countries).get_indexer(pd.Index(pairs["exporter"]))
    stage = pd.Index(chain.stages).get_indexer(pd.Index(pairs["stage"]))
    tonnes = pairs["contained_t"].to_numpy(float)
    first = sp.csr_matrix((tonnes, (who, seller)), shape=(len(buyers), n))
    take = sp.csr_matrix((tonnes, (who, stage * n + seller)),
                         shape=(len(buyers), chain.shares.shape[0]))
    return buyers, first, sp.csr_matrix(np.asarray(take @ chain.shares))
