"""Shared fixtures: the real official files beside the checkout, when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MINSEC_SOURCES") or REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared() -> Path:
    """The sources directory with the real official files (../shared/data)."""
    if not (SHARED / "SOURCES.md").is_file():
        pytest.skip(f"real official files not found at {SHARED} (set MINSEC_SOURCES)")
    return SHARED


@pytest.fixture(scope="session")
def built(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once from all default sources of the real files."""
    from minsec.store import build

    path = tmp_path_factory.mktemp("store") / "minsec.duckdb"
    build(path, shared)
    return path
