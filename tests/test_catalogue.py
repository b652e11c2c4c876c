"""The download catalogue (``sources/catalogue.csv``): well formed, and true to the mirror."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[1] / "src" / "minsec" / "sources" / "catalogue.csv"
COLUMNS = ["path", "url", "landing", "sha256", "bytes", "publisher", "restricted", "note"]
RAW_TRADEMAP = "itc_trademap_battery_minerals_cheng2024/raw_trademap/"
RESTRICTED_DIRS = ("un_comtrade_extract_pnnl/", "un_comtrade_extract_cma/",
                   "itc_trademap_battery_minerals_cheng2024/")


def rows() -> list[dict[str, str]]:
    with CATALOGUE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def test_columns_are_exact() -> None:
    with CATALOGUE.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == COLUMNS


def test_parses_and_every_row_is_complete() -> None:
    table = rows()
    assert table
    for r in table:
        assert None not in r, f"{r['path']}: more fields than columns"
        assert all(r[c] is not None for c in COLUMNS), f"{r['path']}: missing fields"
        assert r["bytes"].isdigit(), r["path"]
        assert r["restricted"] in {"true", "false"}, r["path"]
        assert r["publisher"], r["path"]
        assert r["landing"].startswith("https://"), r["path"]
        assert not any("\n" in v or "\r" in v for v in r.values()), r["path"]


def test_sync_reads_it_the_same_way() -> None:
    """``minsec.sync.catalogue`` splits the text into lines: no field may span lines."""
    text = CATALOGUE.read_text(encoding="utf-8")
    assert len(list(csv.DictReader(text.splitlines()))) == len(rows())


def test_sha256_is_64_lowercase_hex() -> None:
    for r in rows():
        assert re.fullmatch(r"[0-9a-f]{64}", r["sha256"]), r["path"]


def test_url_is_https_or_empty() -> None:
    for r in rows():
        assert r["url"] == "" or r["url"].startswith("https://"), r["path"]
        assert " " not in r["url"], f"{r['path']}: URL not quoted"


def test_empty_url_is_explained() -> None:
    for r in rows():
        if not r["url"]:
            assert re.search(r"derived|re-written|unverified path", r["note"]), r["path"]


def test_paths_are_unique_relative_and_sorted() -> None:
    paths = [r["path"] for r in rows()]
    assert len(paths) == len(set(paths))
    assert paths == sorted(paths)
    for p in paths:
        assert p and not p.startswith("/") and "\\" not in p, p
        assert ".." not in p, p
        assert not p.startswith(RAW_TRADEMAP) and p != "SOURCES.md", p


def test_restricted_flag_follows_the_terms() -> None:
    for r in rows():
        assert (r["restricted"] == "true") == r["path"].startswith(RESTRICTED_DIRS), r["path"]


def test_every_entry_is_in_the_mirror_with_its_checksum(shared: Path) -> None:
    for r in rows():
        f = shared / r["path"]
        assert f.is_file(), f"{r['path']}: not in the mirror"
        assert f.stat().st_size == int(r["bytes"]), f"{r['path']}: size differs"
        assert digest(f) == r["sha256"], f"{r['path']}: SHA-256 differs"


def test_every_mirror_file_is_catalogued(shared: Path) -> None:
    listed = {r["path"] for r in rows()}
    on_disk = {
        p.relative_to(shared).as_posix()
        for p in shared.rglob("*")
        if p.is_file()
    }
    expected = {p for p in on_disk if p != "SOURCES.md" and not p.startswith(RAW_TRADEMAP)}
    assert expected - listed == set(), "mirror files missing from the catalogue"
    assert listed - expected == set(), "catalogue paths not in the mirror"


def test_a_shared_url_means_identical_files() -> None:
    """A URL shared by two rows must serve one content, so their checksums must agree."""
    by_url: dict[str, str] = {}
    for r in rows():
        if r["url"]:
            assert by_url.setdefault(r["url"], r["sha256"]) == r["sha256"], r["path"]
