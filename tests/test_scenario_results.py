"""Summaries of draws, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from minsec.scenarios.model import Baseline, Outcome
from minsec.scenarios.results import cvar, draws_table, summary


def baseline(m: int = 2) -> Baseline:
    zeros = np.zeros((m, 1))
    return Baseline("KOR", 2023, tuple(f"m{i}" for i in range(m)), ("CHN",), zeros + 10,
                    zeros + 100, zeros, zeros, np.full(m, 100.0), np.full(m, 1000.0),
                    np.full(m, 5.0), np.full(m, -0.3), np.full(m, 50.0), ("BACI",) * m)


def outcome(unmet: np.ndarray) -> Outcome:
    zeros = np.zeros_like(unmet)
    return Outcome(unmet, (unmet > 0) * 3.0, zeros + 7, zeros, zeros + 0.1, unmet * 50)


def test_cvar_is_the_mean_of_the_worst_tail() -> None:
    values = np.arange(1, 101, dtype=float).reshape(-1, 1)  # 1..100
    # the 95% quantile is 95.05, so the tail is 96..100 and its mean 98
    assert cvar(values, 0.95)[0] == pytest.approx(98.0)


def test_summary_by_hand() -> None:
    unmet = np.array([[0.0, 0.0], [10.0, 0.0], [30.0, 0.0], [0.0, 0.0]])
    table = summary(outcome(unmet), baseline()).set_index("mineral")
    assert table.loc["m0", "p_shortfall"] == 0.5
    assert table.loc["m0", "unmet_mean_t"] == 10.0
    assert table.loc["m0", "unmet_mean_pct"] == 10.0  # of 100 t annual demand
    assert table.loc["m0", "loss_mean_usd"] == 500.0
    assert table.loc["m1", "p_shortfall"] == 0.0 and table.loc["m1", "unmet_p95_t"] == 0.0


def test_draws_table_is_tidy() -> None:
    unmet = np.array([[1.0, 2.0], [3.0, 4.0]])
    table = draws_table(outcome(unmet), baseline())
    assert list(table["draw"]) == [0, 0, 1, 1]
    assert list(table["mineral"]) == ["m0", "m1", "m0", "m1"]
    assert list(table["unmet"]) == [1.0, 2.0, 3.0, 4.0]
