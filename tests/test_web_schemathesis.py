"""Schemathesis against the app's OpenAPI document: no generated input gets a 5xx.

The schema is loaded at import (schemathesis' ``from_fixture`` does not run under pytest 9);
the app is pointed at the session's built store before the first call. Bounded to run in
about a minute: the examples and fuzzing phases with 6 examples per operation; the coverage
phase (every boundary of every parameter) is off, since each valid year is a fresh assessment
of several seconds per page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from minsec.web import create_app

APP = create_app(store=None)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.phases.coverage.enabled = False


@pytest.fixture(autouse=True)
def _store(built: Path) -> None:
    """The built store, and KOR's default pages computed once before the first case (a cold
    page takes longer than a case's request timeout)."""
    from minsec.web import views

    if APP.state.store != built:
        APP.state.store = built
        views.warm(built, "KOR")


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error], timeout=120)
