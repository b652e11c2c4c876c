"""The schema is declared once; DDL and docs derive from it."""

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from minsec import schema
from minsec.errors import MinsecError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def test_docs_are_generated_from_the_declaration() -> None:
    assert DOCS.read_text(encoding="utf-8") == schema.markdown(), (
        "docs/schema.md is stale: run `minsec data schema > docs/schema.md`")


def test_every_table_creates_in_duckdb() -> None:
    con = duckdb.connect()
    for spec in schema.tables().values():
        con.execute(spec.ddl())
        cols = con.execute(f'DESCRIBE "{spec.name}"').df()["column_name"].tolist()
        assert cols == spec.names


def test_conform_orders_columns_and_rejects_nulls() -> None:
    frame = pd.DataFrame({"iso3": ["KOR"], "m49": ["410"], "name": ["Korea"]})
    assert schema.conform("country", frame).columns.tolist() == ["iso3", "name", "m49"]
    with pytest.raises(MinsecError, match="NULL in required column 'name'"):
        schema.conform("country", frame.assign(name=None))
    with pytest.raises(MinsecError, match=r"unexpected columns \['extra'\]"):
        schema.conform("country", frame.assign(extra=1))
