"""`minsec data sync` against a real HTTP server on loopback serving the official files."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minsec.cli import app
from minsec.errors import SourceError
from minsec.store import sha256
from minsec.sync import catalogue, sync

ONLY = ["eu_crm_2023/*"]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass


def serve(directory: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture
def mirror(shared: Path, tmp_path: Path) -> Path:
    """A served copy of part of the mirror, which tests may damage."""
    root = tmp_path / "served"
    shutil.copytree(shared / "eu_crm_2023", root / "eu_crm_2023")
    return root


@pytest.fixture
def url(mirror: Path) -> Iterator[str]:
    yield from serve(mirror)


def test_sync_over_http_verifies_and_records_checksums(url: str, tmp_path: Path) -> None:
    target = tmp_path / "sources"
    done = sync(target, url, ONLY)
    expected = [e for e in catalogue() if e.path.startswith("eu_crm_2023/")]
    assert set(done) == {e.path for e in expected}
    assert set(done.values()) == {"fetched"}
    for entry in expected:
        assert sha256(target / entry.path) == entry.sha256
    sums = (target / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == len(expected)
    assert sync(target, url, ONLY) == dict.fromkeys(done, "present")  # idempotent


def test_damaged_download_is_refused_and_leaves_the_good_file(
    url: str, mirror: Path, tmp_path: Path
) -> None:
    target = tmp_path / "sources"
    sync(target, url, ONLY)
    victim = "eu_crm_2023/dimension_CRMsOverTime.csv"
    good = (target / victim).read_bytes()
    (target / victim).write_bytes(good[:100])  # local copy damaged: must be fetched again
    (mirror / victim).write_bytes(good[:-10])  # ... but the server sends a truncated file
    with pytest.raises(SourceError, match=r"dimension_CRMsOverTime\.csv: SHA-256 mismatch"):
        sync(target, url, [victim])
    assert (target / victim).read_bytes() == good[:100]
    assert not list((target / "eu_crm_2023").glob(".sync-*"))


def test_sync_from_a_mirror_directory(shared: Path, tmp_path: Path) -> None:
    done = sync(tmp_path / "s", str(shared), ["country_codes_m49/*"])
    assert len(done) == 2


def test_cli_error_is_one_line_and_nonzero(url: str, mirror: Path, tmp_path: Path) -> None:
    victim = "eu_crm_2023/fact_MaterialUseShares.csv"
    (mirror / victim).write_bytes(b"damaged")
    result = CliRunner().invoke(app, ["data", "sync", "--to", str(tmp_path / "s"),
                                      "--from", url, "--only", victim])
    assert result.exit_code == 1
    assert "fact_MaterialUseShares.csv: SHA-256 mismatch" in result.output
    assert "Traceback" not in result.output


def test_unknown_glob_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["data", "sync", "--to", str(tmp_path), "--only", "nope/*"])
    assert result.exit_code == 1
    assert "matches no file in the catalogue" in result.output
