"""Named consistency checks over the store. Each says what failed and how to fix it.

Each ``check_*`` takes a read-only connection and returns ``(status, detail, fix)``, with
status ``ok``, ``warn`` or ``fail`` (the PyPSA ``consistency.py`` habit).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from minsec.store import connect

Result = tuple[str, str, str]
TOLERANCE = 0.02  # published shares and totals are rounded


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def check_supply_shares(con: duckdb.DuckDBPyConnection) -> Result:
    """Country figures of a measure sum to at most the published world total."""
    bad = _rows(con, f"""
        SELECT edition, mineral, stage, variable, year, form,
               sum(value) FILTER (WHERE country <> 'WLD') AS parts,
               max(value) FILTER (WHERE country = 'WLD') AS world
        FROM supply GROUP BY ALL
        HAVING world > 0 AND parts > world * {1 + TOLERANCE} + 1 ORDER BY parts / world DESC""")
    detail = "; ".join(f"{e} {m} {s} {v} {y} {f!r}: {p:,.0f} > {w:,.0f}"
                       for e, m, s, v, y, f, p, w in bad[:5])
    return ("warn" if bad else "ok", f"{len(bad)} measures exceed their world total. {detail}",
            "check the adapter's country rows for double counting (a sub-total such as "
            "'EU' next to its members) or an edition's rounding; see the source line")


def check_eu_shares(con: duckdb.DuckDBPyConnection) -> Result:
    """EU CRM supply shares of a material, stage and scope sum to at most 100%."""
    bad = _rows(con, f"""
        SELECT material, stage, scope, sum(share) AS total FROM eu_crm_supply_share
        GROUP BY ALL HAVING total > {1 + TOLERANCE} ORDER BY total DESC""")
    detail = "; ".join(f"{m} {s} {c}: {t:.0%}" for m, s, c, t in bad[:5])
    return ("warn" if bad else "ok", f"{len(bad)} share sets above 100%. {detail}",
            "compare with the EC factsheet; a transcription error in the published table")


def check_trade_mirror(con: duckdb.DuckDBPyConnection) -> Result:
    """One record per flow and declarant, and no country trading with itself.

    A declarant is the importer (M), the exporter (X) or none (BACI, reconciled).
    """
    dup, self_trade = con.execute("""
        SELECT (SELECT count(*) FROM (SELECT 1 FROM trade GROUP BY source, year, exporter,
                importer, hs6, flow HAVING count(*) > 1)),
               (SELECT count(*) FROM trade WHERE exporter = importer AND exporter <> 'WLD')
        """).fetchone() or (0, 0)
    ok = not dup and not self_trade
    return ("ok" if ok else "fail", f"{dup} duplicated flows, {self_trade} self-trade flows",
            "rebuild the trade source; duplicates mean two releases were loaded under one key")


def check_units(con: duckdb.DuckDBPyConnection) -> Result:
    """Each measure has a single unit, and mass is in metric tons."""
    mixed = _rows(con, """SELECT edition, mineral, stage, variable, form FROM supply
                          GROUP BY ALL HAVING count(DISTINCT unit) > 1""")
    odd = _rows(con, "SELECT DISTINCT unit FROM supply WHERE unit IN ('kt', 'Mt', 'kg', 'lb')")
    status = "fail" if mixed or odd else "ok"
    return (status, f"{len(mixed)} measures with mixed units; unconverted units {odd}",
            "convert the unit in the adapter (sources/) where the header names it")


def check_unknown_codes(con: duckdb.DuckDBPyConnection) -> Result:
    """Every country code is a known ISO3 (or WLD/ROW/EU27), every mineral in the catalogue."""
    sql = """
        WITH codes AS (SELECT country AS code FROM supply UNION SELECT exporter FROM trade
                       UNION SELECT importer FROM trade UNION SELECT country FROM governance)
        SELECT code FROM codes WHERE code NOT IN (SELECT iso3 FROM country)
          AND code NOT IN ('WLD', 'ROW', 'EU27') ORDER BY code"""
    unknown = [c for (c,) in _rows(con, sql)]
    minerals = [m for (m,) in _rows(con, """SELECT DISTINCT mineral FROM supply
                WHERE mineral NOT IN (SELECT id FROM mineral)""")]
    status = "fail" if minerals else ("warn" if unknown else "ok")
    return (status, f"country codes outside UN M49: {unknown}; unknown minerals: {minerals}",
            "codes such as TWN or XKX are real but not in M49; add a mineral to "
            "reference/data/mineral.csv before loading it")


def check_provenance(con: duckdb.DuckDBPyConnection) -> Result:
    """Every source key with rows in a table has its load recorded."""
    sql = " UNION ".join(f"SELECT DISTINCT source FROM {t}" for t in
                         ("supply", "trade", "governance", "us_statistics", "price"))
    orphans = [s for (s,) in _rows(con, f"SELECT * FROM ({sql}) WHERE source NOT IN "
                                        "(SELECT source FROM load)")]
    return ("fail" if orphans else "ok", f"rows without a recorded load: {orphans}",
            "rebuild with `minsec data build` so that each load records its files")


ROWS_DROP = 0.1  # a load with over 10% fewer rows than the one before it: a damaged copy?


def check_loads(con: duckdb.DuckDBPyConnection) -> Result:
    """Each source has as many rows as its previous load (within 10%); none is missing."""
    from minsec.sources import registry

    drops = _rows(con, f"""
        WITH h AS (SELECT source, rows, row_number() OVER (PARTITION BY source
                   ORDER BY loaded_at DESC) AS n FROM load_history)
        SELECT now.source, before.rows, now.rows FROM h now JOIN h before
          ON now.source = before.source AND now.n = 1 AND before.n = 2
        WHERE now.rows < before.rows * {1 - ROWS_DROP} ORDER BY now.source""")
    loaded = {s for (s,) in _rows(con, "SELECT DISTINCT source FROM load")}
    missing = [k for k, s in registry().items() if s.default and k not in loaded]
    detail = "; ".join(f"{s}: {n:,} rows, {b:,} in the load before" for s, b, n in drops)
    status = "fail" if drops else ("warn" if missing else "ok")
    return (status, f"{len(drops)} sources lost rows since their previous load. {detail}"
                    f"{'; ' if drops else ''}missing sources: {missing}",
            "compare the files with `minsec data sync` (a cut copy loses rows); a missing "
            "source loads once its files are in the sources directory")


CHECKS: dict[str, Callable[[duckdb.DuckDBPyConnection], Result]] = {
    f.__name__.removeprefix("check_"): f for f in (
        check_supply_shares, check_eu_shares, check_trade_mirror, check_units,
        check_unknown_codes, check_provenance, check_loads)
}


def run_all(store: Path | None = None) -> pd.DataFrame:
    """Run every check: one row per check with status, detail and the fix."""
    con = connect(store, read_only=True)
    try:
        rows = [(name, *check(con)) for name, check in CHECKS.items()]
    finally:
        con.close()
    return pd.DataFrame(rows, columns=["check", "status", "detail", "fix"])
