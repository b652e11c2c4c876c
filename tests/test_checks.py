"""The named consistency checks fail when they should, on a real in-memory DuckDB store."""

from __future__ import annotations

import duckdb
import pytest

from minsec import checks, schema


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for spec in schema.tables().values():
        con.execute(spec.ddl())
    return con


def add_supply(con: duckdb.DuckDBPyConnection, country: str, value: float,
               unit: str = "t") -> None:
    con.execute("INSERT INTO supply VALUES ('s', 'e', 'nickel', 'mining', 'production', ?, 2023,"
                " ?, ?, false, NULL, 'f', NULL, 'file.csv', 2)", [country, value, unit])


def test_clean_store_passes(con: duckdb.DuckDBPyConnection) -> None:
    add_supply(con, "IDN", 50)
    add_supply(con, "WLD", 100)
    con.execute("INSERT INTO country VALUES ('IDN', 'Indonesia', '360')")
    con.execute("INSERT INTO mineral VALUES "
                "('nickel', 'Nickel', NULL, 'Ni', 'battery', 'u', 'high')")
    con.execute("INSERT INTO load VALUES ('s', 'p', 'v', 'file.csv', 'h', 2, now(), "
                "'catalogue')")
    assert {name: check(con)[0] for name, check in checks.CHECKS.items()} == dict.fromkeys(
        checks.CHECKS, "ok") | {"loads": "warn"}  # the store lacks the real sources
    assert "missing sources: ['minsec_reference', 'un_m49'" in checks.check_loads(con)[1]


def test_a_load_with_fewer_rows_than_the_one_before_fails(
        con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO load_history VALUES ('s', 'v1', 3, 1000, now() - INTERVAL 1 DAY), "
                "('s', 'v1', 2, 500, now()), ('t', 'v', 1, 10, now())")
    status, detail, _ = checks.check_loads(con)
    assert status == "fail" and "s: 500 rows, 1,000 in the load before" in detail


def test_countries_above_the_world_total_warn(con: duckdb.DuckDBPyConnection) -> None:
    add_supply(con, "IDN", 150)
    add_supply(con, "WLD", 100)
    status, detail, fix = checks.check_supply_shares(con)
    assert status == "warn" and "150 > 100" in detail and fix


def test_duplicate_and_self_trade_fail(con: duckdb.DuckDBPyConnection) -> None:
    row = "('b', 2023, 'CHN', 'KOR', '250410', 'HS92', 1.0, 1.0, NULL)"
    con.execute(f"INSERT INTO trade VALUES {row}, {row}")
    # the importer's and the exporter's declarations of one flow are two records, not a dup
    con.execute("INSERT INTO trade VALUES ('c', 2023, 'CHN', 'KOR', '250410', 'HS22', 1, 1, 'M'),"
                " ('c', 2023, 'CHN', 'KOR', '250410', 'HS22', 1, 1, 'X')")
    con.execute("INSERT INTO trade VALUES ('b', 2023, 'KOR', 'KOR', '250410', 'HS92', 1, 1, NULL)")
    status, detail, _ = checks.check_trade_mirror(con)
    assert status == "fail" and "1 duplicated flows, 1 self-trade" in detail


def test_mixed_or_unconverted_units_fail(con: duckdb.DuckDBPyConnection) -> None:
    add_supply(con, "IDN", 1, unit="kt")
    assert checks.check_units(con)[0] == "fail"


def test_unknown_codes_and_minerals(con: duckdb.DuckDBPyConnection) -> None:
    add_supply(con, "XYZ", 1)
    status, detail, _ = checks.check_unknown_codes(con)
    assert status == "fail" and "XYZ" in detail and "nickel" in detail


def test_rows_without_a_load_fail(con: duckdb.DuckDBPyConnection) -> None:
    add_supply(con, "IDN", 1)
    assert checks.check_provenance(con)[0] == "fail"
