"""Scenario spec and library: every file loads with its sources; bad specs fail on one line."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from minsec.errors import MinsecError
from minsec.reference import DATA
from minsec.scenarios import library
from minsec.scenarios.spec import Scenario, dump, load

GOOD = """\
id: test
name: Test
events:
  - id: e1
    exporters: [China]
    minerals: [gallium, Ge]
    stage: refining
    magnitude: {low: 0.3, high: 0.8}
    targets: all
    start_day: 0
    duration_days: [30, 90]
    probability: 1.0
    source: https://example.org/a
"""
IDS = library.ids()
CONTROLS = pd.read_csv(DATA / "export_control.csv", dtype=str, keep_default_na=False)
# Left out on purpose, as each file's header says why.
LEFT_OUT = {("CN-2025-Oct", "rare_earths")}  # No. 56 is equipment, not a flow of material


def with_lines(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


# --- the library --------------------------------------------------------------------------


def test_library_has_the_events_of_the_brief() -> None:
    assert set(IDS) == {
        "CN-2023-GaGe", "CN-2023-graphite", "CN-2024-Sb", "CN-2024-US", "CN-2025-WTeBiMoIn",
        "CN-2025-REE7", "CN-2025-Oct", "ID-2020-Ni", "CD-2025-Co-suspension",
        "CD-2025-Co-quota", "HYP-CN-REE-ban", "HYP-CL-Li-disruption"}


@pytest.mark.parametrize("scenario_id", IDS)
def test_every_library_file_loads_with_sources(scenario_id: str) -> None:
    scenario = library.get(scenario_id)
    assert scenario.id == scenario_id
    assert scenario.sources, "a library scenario names its sources"
    for event in scenario.events:
        assert event.source is not None, f"{event.id} has no source"
        assert event.id is not None
    text = (library.LIBRARY / f"{scenario_id}.yaml").read_text(encoding="utf-8")
    assert re.search(r"^# .*(ours|facts\.md|No ranges)", text, re.M | re.I), \
        "the header says where the ranges come from"


def test_ids_unique_across_the_library() -> None:
    scenarios = [library.get(i) for i in IDS]
    assert len({s.id for s in scenarios}) == len(scenarios)
    events = [e.id for s in scenarios for e in s.events]
    assert len(set(events)) == len(events)


@pytest.mark.parametrize("scenario_id", [i for i in IDS if not i.startswith("HYP-")])
def test_replays_follow_the_export_control_table(scenario_id: str) -> None:
    rows = CONTROLS[CONTROLS["id"] == scenario_id]
    assert not rows.empty, f"{scenario_id} is not in export_control.csv"
    scenario = library.get(scenario_id)
    assert {x for e in scenario.events for x in e.exporters} == set(rows["country"])
    missing = set(rows["mineral"]) - set(scenario.minerals)
    assert {(scenario_id, m) for m in missing} <= LEFT_OUT
    csv_urls = {u.strip() for urls in rows["source_url"] for u in urls.split("|")}
    assert set(scenario.sources) <= csv_urls
    assert all(e.probability == 1.0 for e in scenario.events)


def test_hypotheticals_carry_a_judged_probability() -> None:
    for scenario_id in (i for i in IDS if i.startswith("HYP-")):
        assert all(0 < e.probability < 1 for e in library.get(scenario_id).events)
    ban = library.get("HYP-CN-REE-ban").events[0]
    assert ban.magnitude is not None and ban.magnitude.low == ban.magnitude.high == 1.0
    assert ban.targets == "all" and ban.minerals == ("rare_earths",)  # the traded group


def test_replays_of_the_brief_details() -> None:
    us = library.get("CN-2024-US")
    assert all(e.targets == ("USA",) for e in us.events)
    assert {"gallium", "germanium", "antimony"} <= set(us.minerals)
    nickel = library.get("ID-2020-Ni").events[0]
    assert (nickel.exporters, nickel.stage) == (("IDN",), "mining")
    quota = library.get("CD-2025-Co-quota").events[0]
    assert quota.quota_t == 96_600 and quota.magnitude is None
    assert library.get("CD-2025-Co-suspension").events[0].duration_days.high == 235
    assert set(library.get("CN-2025-REE7").minerals) == {
        "samarium", "gadolinium", "terbium", "dysprosium", "lutetium", "scandium", "yttrium"}


def test_list_scenarios() -> None:
    table = library.list_scenarios()
    assert list(table.columns) == ["id", "name", "events", "minerals", "importer", "source"]
    assert len(table) == len(IDS)
    row = table.set_index("id").loc["CN-2023-GaGe"]
    assert row["minerals"] == "gallium, germanium" and row["importer"] == "KOR"
    assert row["source"].startswith("http")


def test_unknown_library_id_suggests_the_nearest() -> None:
    near = "unknown scenario 'CN-2023-Ga'; did you mean CN-2023-GaGe"
    with pytest.raises(MinsecError, match=near):
        library.get("CN-2023-Ga")
    assert library.get("cn-2023-gage").id == "CN-2023-GaGe"


# --- the spec -----------------------------------------------------------------------------


def test_defaults_are_koreas_and_documented() -> None:
    s = load(GOOD)
    assert s.importer == "KOR"
    assert s.stockpile.days_of_cover == 54 and s.stockpile.release_lag_days == 8
    assert s.stockpile.release_rate == 1.0
    assert s.elasticity is None and s.horizon_days == 365 and s.draws == 10_000
    assert s.events[0].exporters == ("CHN",) and s.minerals == ("gallium", "germanium")


def test_short_forms_and_per_mineral_values() -> None:
    s = load(with_lines("magnitude: {low: 0.3, high: 0.8}", "magnitude: 1.0")
             + "stockpile: {days_of_cover: {Ga: 100}}\nelasticity: {germanium: -0.1}\n")
    magnitude = s.events[0].magnitude
    assert magnitude is not None and magnitude.fixed and magnitude.low == 1.0
    assert s.stockpile.days_for("gallium") == 100 and s.stockpile.days_for("germanium") == 0
    assert s.elasticity_of("germanium") == -0.1 and s.elasticity_of("gallium") is None
    policy = s.stockpile.policy(s.minerals)
    np.testing.assert_array_equal(policy.days_of_cover, [100.0, 0.0])


def test_quota_alone_is_an_event() -> None:
    s = load(with_lines("magnitude: {low: 0.3, high: 0.8}", "quota_t: 96600"))
    assert s.events[0].quota_t == 96_600 and s.events[0].magnitude is None


BAD = {
    "negative start day": (("start_day: 0", "start_day: -3"),
                           "events[0].start_day.low: must be ≥ 0 (got -3)"),
    "zero duration": (("duration_days: [30, 90]", "duration_days: 0"),
                      "events[0].duration_days.low: must be ≥ 1 (got 0)"),
    "negative stock days": ((GOOD, GOOD + "stockpile: {days_of_cover: -5}\n"),
                            "stockpile.days_of_cover: must be ≥ 0 (got -5)"),
    "negative lag": ((GOOD, GOOD + "stockpile: {release_lag_days: -1}\n"),
                     "stockpile.release_lag_days: must be ≥ 0 (got -1)"),
    "fraction > 1": (("{low: 0.3, high: 0.8}", "{low: 0.3, high: 1.5}"),
                     "events[0].magnitude.high: must be ≤ 1 (got 1.5)"),
    "probability > 1": (("probability: 1.0", "probability: 1.2"),
                        "events[0].probability: must be ≤ 1 (got 1.2)"),
    "high below low": (("{low: 0.3, high: 0.8}", "{low: 0.8, high: 0.3}"),
                       "events[0].magnitude: high (0.3) must be ≥ low (0.8)"),
    "unknown country": (("[China]", "[China, Narnia]"),
                        "events[0].exporters[1]: unknown country 'Narnia'"),
    "unknown target": (("targets: all", "targets: [USA, Atlantis]"),
                       "events[0].targets[1]: unknown country 'Atlantis'"),
    "aggregate as exporter": (("[China]", "[World]"),
                              "events[0].exporters[0]: WLD is an aggregate"),
    "unknown mineral": (("[gallium, Ge]", "[gallium, unobtainium]"),
                        "events[0].minerals[1]: unknown mineral 'unobtainium'"),
    "both magnitude and quota": (("probability: 1.0", "probability: 1.0\n    quota_t: 100"),
                                 "events[0]: give either magnitude (a fraction) or quota_t"),
    "neither magnitude nor quota": (("    magnitude: {low: 0.3, high: 0.8}\n", ""),
                                    "events[0]: give either magnitude"),
    "extra key": ((GOOD, GOOD + "colour: blue\n"), "colour: unknown key; allowed: id, name"),
    "misspelt key": (("    stage:", "    stag:"),
                     "events[0].stag: unknown key; did you mean stage?"),
    "no events": ((GOOD, GOOD.split("events:")[0] + "events: []\n"),
                  "events: needs at least one item"),
    "not a URL": (("https://example.org/a", "example.org/a"), "events[0].source: must be a URL"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_spec_gives_one_line_naming_the_field(case: str) -> None:
    (old, new), expected = BAD[case]
    with pytest.raises(MinsecError) as info:
        load(with_lines(old, new))
    message = str(info.value)
    assert "\n" not in message
    assert f": {expected}" in message


def test_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(with_lines("{low: 0.3, high: 0.8}", "{low: 0.3, high: 1.5}"), "utf-8")
    with pytest.raises(MinsecError) as info:
        load(path)
    assert str(info.value) == f"{path}:8: events[0].magnitude.high: must be ≤ 1 (got 1.5)"
    with pytest.raises(MinsecError, match="no such scenario file"):
        load(tmp_path / "missing.yaml")


def test_yaml_tag_that_would_run_code_is_refused(capfd: pytest.CaptureFixture[str]) -> None:
    text = GOOD + 'description: !!python/object/apply:os.system ["echo hi"]\n'
    with pytest.raises(MinsecError) as info:
        load(text)
    assert str(info.value) == ("<text>:14: YAML tag !!python/object/apply:os.system is not "
                               "allowed: scenario files are plain data")
    assert "hi" not in capfd.readouterr().out


def test_with_policy_round_trip() -> None:
    s = load(GOOD)
    bigger = s.with_policy(days=100, lag=30)
    assert (bigger.stockpile.days_of_cover, bigger.stockpile.release_lag_days) == (100, 30)
    assert bigger.events == s.events and bigger.seed == s.seed
    assert s.stockpile.days_of_cover == 54, "the original is unchanged"
    assert bigger.with_policy(days=54, lag=8) == s
    assert s.with_policy(rate=0.5).stockpile.release_rate == 0.5
    with pytest.raises(MinsecError, match=r"stockpile.days_of_cover: must be ≥ 0 \(got -1\)"):
        s.with_policy(days=-1)
    with pytest.raises(ValidationError, match="frozen"):
        s.seed = 1


@pytest.mark.parametrize("scenario_id", IDS)
def test_yaml_dump_load_round_trip(scenario_id: str) -> None:
    scenario = library.get(scenario_id)
    assert load(dump(scenario)) == scenario


@settings(max_examples=30, deadline=None)
@given(low=st.floats(0, 1), width=st.floats(0, 1), days=st.floats(0, 1e4),
       lag=st.floats(0, 365), seed=st.integers(0, 2**32))
def test_round_trip_property(low: float, width: float, days: float, lag: float,
                             seed: int) -> None:
    s = load(GOOD).replace(seed=seed).with_policy(days={"gallium": days}, lag=lag)
    magnitude = {"low": low, "high": min(1.0, low + width)}
    event = {**s.events[0].model_dump(mode="json"), "magnitude": magnitude}
    s = s.replace(events=[event])
    assert load(dump(s)) == s
    assert isinstance(s, Scenario)
