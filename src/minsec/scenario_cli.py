"""``minsec scenario ...``: list, show, run and compare disruption scenarios (a thin view)."""

from __future__ import annotations

from pathlib import Path

import typer

from minsec.errors import MinsecError

scenario = typer.Typer(help="Disruption scenarios: export controls and stockpiles, as Monte "
                       "Carlo.", no_args_is_help=True)
SUMMARY = ["mineral", "p_shortfall", "unmet_mean_t", "unmet_p95_pct", "unmet_cvar95_t",
           "days_short_mean", "min_stock_p5_t", "price_jump_p95", "loss_mean_usd"]


def _spec(id_or_file: str):  # type: ignore[no-untyped-def]
    from minsec.scenarios import library, spec

    path = Path(id_or_file)
    return spec.load(path) if path.suffix in {".yaml", ".yml"} or path.is_file() else (
        library.get(id_or_file))


def _numbers(text: str, what: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise MinsecError(f"--{what} {text!r}: give numbers separated by commas") from None
