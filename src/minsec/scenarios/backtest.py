"""Back-test: a scenario's simulated change of trade beside the change BACI observed.

:func:`simulated_change` is what the sampled cuts take from the cutting suppliers' sales over
the horizon (the cuts only: no replacement, no demand response; in the baseline's contained
tonnes), :func:`observed_change` the BACI change of the same flows from the year before the
event (BACI HS92 flows only, gross weight per code), and :func:`backtest` sets one
beside the other for a library scenario (e.g. ``CN-2023-GaGe``, ``CN-2023-graphite``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields

import numpy as np
import pandas as pd

from minsec.errors import MinsecError
from minsec.scenarios import engine, library, runner
from minsec.scenarios.baseline import BaselineInputs
from minsec.scenarios.model import Baseline, Shocks

BACI = "BACI HS92"  # the basis of the observed flows (minsec.indicators.trade_forms.BASES)
COLUMNS = ("scenario", "mineral", "basis", "hs6", "flow", "exporter", "importer", "year",
           "quantity_t", "value_kusd", "change_t", "simulated_change", "change_value", "note")

# Why a BACI HS92 code falls silent (HS 2007 deleted 8112.30 and merged germanium into
# 8112.92/8112.99 with Ga, Hf, In, Nb, Re, V: the flows drop in 2007 and end in 2016).
SILENT = {"811230": "HS 2007 merged germanium into 8112.92/8112.99 with Ga, Hf, In, Nb, Re, V"}


def _elsewhere(rows: pd.DataFrame) -> str:
    """The mineral's forms with flows from other sources only, named with codes and bases.

    E.g. ``product: artificial graphite (HS 380110: UN Comtrade, declared by the exporters)``.
    """
    if rows.empty:
        return ""
    found = rows.groupby(["stage", "form_name"], observed=True, as_index=False).agg(
        hs6=("hs6", lambda c: ", ".join(sorted(map(str, set(c))))),
        basis=("basis", lambda b: "; ".join(sorted(map(str, set(b))))))
    return "; ".join(f"{r.stage}: {r.form_name} (HS {r.hs6}: {r.basis})"
                     for r in found.itertuples(index=False))


def observed_change(mineral_trade: pd.DataFrame, exporter: str, importer: str,
                    minerals: Iterable[str], before: int = 2022,
                    after: Iterable[int] = (2023, 2024), *,
                    gaps: pd.DataFrame | None = None) -> pd.DataFrame:
    """The observed BACI change of three flows per mineral and code, for a back-test.

    Only the flows on the ``BACI HS92`` basis of ``mineral_trade``
    (:func:`minsec.tables.mineral_trade`): BACI is reconciled and complete for its codes,
    where the declared sources cover a few reporters and years. Flows: the exporter's exports
    to the world and to the importer, and the importer's imports from the world. Quantities
    are the code's **gross weight** (t, as BACI reports it; a flow without a quantity valued
    at the code-year's t/kUSD by ``mineral_trade``), values kUSD; no flow = 0. A code is one
    form, so its relative change is that of its contained tonnes, which the baseline
    (:mod:`minsec.scenarios.supply`) counts. ``change_t`` = ``quantity_t /
    quantity_t[before] - 1`` (NaN where ``before`` is 0); ``change_value`` likewise. ``note``
    says what BACI cannot show: a mineral without a BACI code (one row, no code), a code
    without flows in the years compared, the forms measured by other sources only, and the
    ``gaps`` (stages no source measures).
    """
    years = [before, *after]
    out = []
    for mineral in minerals:
        rows = mineral_trade[mineral_trade["mineral"].eq(mineral)]
        is_baci = rows["basis"].astype(str).eq(BACI)
        baci_forms = set(rows.loc[is_baci, "form"].astype(str))
        other = _elsewhere(rows[~rows["form"].astype(str).isin(baci_forms)])
        rows = rows[is_baci]
        mine = pd.DataFrame() if gaps is None else gaps[gaps["mineral"].eq(mineral)]
        gap = "; ".join([*(f"{stage}: {str(note).removeprefix('GAP: ')}"
                           for stage, note in zip(mine.get("stage", []), mine.get("note", []),
                                                  strict=True)), *([other] if other else [])])
        if rows.empty:
            out.append(pd.DataFrame({"mineral": [mineral], "note": [
                f"no BACI HS92 code for {mineral}" + (f" ({gap})" if gap else "")]}))
            continue
        for hs6, code in rows.groupby(rows["hs6"].astype(str)):
            last = int(code["year"].max())
            now = code[code["year"].isin(years)]
            picks = {"exports_to_world": now["exporter"].eq(exporter),
                     "exports_to_importer": now["exporter"].eq(exporter)
                     & now["importer"].eq(importer),
                     "imports_from_world": now["importer"].eq(importer)}
            note = (f"{hs6} has no flows after {last} in BACI HS92"
                    + (f" ({SILENT[hs6]})" if hs6 in SILENT else "")
                    if last < before else "")
            note = "; ".join(n for n in (note, f"not in BACI: {gap}" if gap else "") if n)
            for flow, pick in picks.items():
                sums = now[pick].groupby("year")[["gross_t", "value"]].sum().reindex(
                    years, fill_value=0.0)
                base = sums.loc[before]
                out.append(pd.DataFrame({
                    "mineral": mineral, "hs6": hs6, "flow": flow, "exporter": exporter,
                    "importer": importer, "year": years, "quantity_t": sums["gross_t"].values,
                    "value_kusd": sums["value"].values,
                    "change_t": (sums["gross_t"] / base["gross_t"] - 1).values
                    if base["gross_t"] > 0 else np.nan,
                    "change_value": (sums["value"] / base["value"] - 1).values
                    if base["value"] > 0 else np.nan,
                    "note": note}))
    table = pd.concat(out, ignore_index=True)
    return table.astype({"year": "Int64"})


def draws_of(events: engine.EventArrays, draws: int, seed: int) -> Shocks:
    """The runner's draws: block ``b`` sampled on ``SeedSequence(seed, spawn_key=(b,))``.

    The same streams as :func:`minsec.scenarios.engine.run_blocks`, so a back-test meets the
    cuts that ``minsec scenario run`` simulates.
    """
    parts = [engine.sample(np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(b,))),
                           min(engine.BLOCK, draws - b * engine.BLOCK), events)
             for b in range(-(-draws // engine.BLOCK))]
    return Shocks(**{f.name: np.concatenate([getattr(p, f.name) for p in parts])
                     for f in fields(Shocks)})


def simulated_change(baseline: Baseline, shocks: Shocks, horizon: int = 365) -> pd.DataFrame:
    """The relative change of the cutting suppliers' sales over the horizon, per mineral.

    With ``d_s`` the active days of supplier ``s``'s cut in ``[0, horizon)`` (as the engine
    counts them: ``ceil(start)`` to ``ceil(start + duration)``) and ``C`` the suppliers that
    cut in some draw, the mean over draws of

    * ``exports_to_importer`` (the importer's imports from ``C``):
      ``-sum_C cut to_importer I (d / horizon) / sum_C I``;
    * ``exports_to_world`` (``C``'s exports to the world):
      ``-sum_C cut (to_importer I + to_others (E - I)) (d / horizon) / sum_C E``.

    ``I``, ``E``: the baseline's imports and exports (t/yr). NaN where the sum is 0 (no
    flows, or no supplier cuts). Flow names as in :func:`observed_change`.
    """
    start = np.clip(np.ceil(shocks.start), 0, horizon)
    end = np.clip(np.ceil(shocks.start + shocks.duration), start, horizon)
    share = shocks.cut * (end - start) / horizon  # (N, M, S)
    cutters = (shocks.cut > 0).any(axis=0)  # (M, S)
    imports, exports = baseline.imports, baseline.exports
    lost = {"exports_to_importer": (share * shocks.to_importer * imports).sum(axis=-1),
            "exports_to_world": (share * (shocks.to_importer * imports + shocks.to_others
                                          * (exports - imports))).sum(axis=-1)}
    before = {"exports_to_importer": (imports * cutters).sum(axis=-1),
              "exports_to_world": (exports * cutters).sum(axis=-1)}
    rows = []
    for flow, lost_t in lost.items():
        change = -np.divide(lost_t.mean(axis=0), before[flow],
                            out=np.full(len(baseline.minerals), np.nan),
                            where=before[flow] > 0)
        rows.append(pd.DataFrame({"mineral": baseline.minerals, "flow": flow,
                                  "simulated_change": change}))
    return pd.concat(rows, ignore_index=True)


def _beside(observed: pd.DataFrame, simulated: pd.DataFrame, before: int) -> pd.DataFrame:
    """Simulated beside the observed rows after ``before``; no BACI code: the note kept.

    Rows of a mineral without a BACI code are its simulated flows, with its ``note``.
    """
    no_code = observed[observed["flow"].isna()].set_index("mineral")["note"]
    table = observed.dropna(subset=["flow"]).merge(simulated, on=["mineral", "flow"],
                                                   how="outer")
    table["note"] = table["note"].fillna(table["mineral"].map(no_code)).fillna("")
    table.loc[table["year"].eq(before), "simulated_change"] = np.nan
    return table


def backtest(scenario_id: str, inputs: BaselineInputs, year: int = 2022) -> pd.DataFrame:
    """A library scenario's simulated change beside BACI's, ``year`` + 1 and + 2 against ``year``.

    The scenario's baseline of ``year`` (the year before the event), its draws and seed
    (:func:`draws_of`) and horizon; observed: :func:`observed_change` of its one exporter and
    its importer. Columns: :data:`COLUMNS` (``basis``: the baseline's per mineral).
    ``simulated_change`` is NaN on the ``year`` rows and on ``imports_from_world`` (not
    simulated).
    """
    scenario = library.get(scenario_id)
    exporters = sorted({e for event in scenario.events for e in event.exporters})
    if len(exporters) != 1:
        raise MinsecError(f"a back-test compares one exporter's trade; {scenario.id} cuts "
                          f"{', '.join(exporters)}")
    baseline = runner.prepare(scenario, inputs, year)
    events = runner.resolve(scenario, baseline, set(inputs.partners))
    shocks = draws_of(events, scenario.draws, scenario.seed)
    observed = observed_change(inputs.mineral_trade, exporters[0], scenario.importer,
                               scenario.minerals, before=year, after=(year + 1, year + 2),
                               gaps=inputs.gaps)
    table = _beside(observed, simulated_change(baseline, shocks, scenario.horizon_days), year)
    basis = dict(zip(baseline.minerals, baseline.basis, strict=True))
    table = table.assign(scenario=scenario.id, basis=table["mineral"].map(basis),
                         exporter=exporters[0], importer=scenario.importer)
    order = {m: i for i, m in enumerate(scenario.minerals)}
    table = table.sort_values(["mineral", "hs6", "flow", "year"], key=lambda c: c.map(order)
                              if c.name == "mineral" else c, kind="stable")
    return table[list(COLUMNS)].reset_index(drop=True)
