"""``minsec report``: the briefing for one importer as HTML, PDF and XLSX."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from minsec.cli.common import (
    ImporterOpt,
    StoreOpt,
    VintageOpt,
    check_out_dir,
    handled,
    out,
    progress,
)

report = typer.Typer()


@report.command("report")
@handled
def report_cmd(
    importer: ImporterOpt = "KOR",
    year: Annotated[int | None, typer.Option(help="Assessment year (default: latest trade "
                    "year).")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for the three files.",
                                             callback=check_out_dir)]
    = Path("out"),
    draws: Annotated[int, typer.Option(help="Monte Carlo draws per scenario.")] = 2000,
    governance_vintage: VintageOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """The supply-security briefing: self-contained HTML, PDF (Chromium) and XLSX."""
    from minsec.briefing import context
    from minsec.report import write

    start = time.perf_counter()
    with progress() as bar:
        bar.add_task("building the briefing", total=None)
        written = write(context(importer, year, store_path, governance_vintage), out_dir, draws)
    for path in (written.html, written.pdf, written.xlsx):
        out.print(str(path), highlight=False, soft_wrap=True)
    out.print(f"{time.perf_counter() - start:.1f} s", highlight=False)
