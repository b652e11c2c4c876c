"""Write the three files of the briefing, all or nothing."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from minsec import store
from minsec.briefing import Context, briefing
from minsec.errors import MinsecError
from minsec.report.html import render
from minsec.report.pdf import write_pdf
from minsec.report.xlsx import write_xlsx

MAX_DRAWS = 100_000


@dataclass(frozen=True)
class Written:
    """The files written."""

    html: Path
    pdf: Path
    xlsx: Path


def basename(importer: str, year: int) -> str:
    """``minsec-briefing-KOR-2024``: the files' name without suffix."""
    return f"minsec-briefing-{importer}-{year}"


def write(ctx: Context, out: Path, draws: int = 2000) -> Written:
    """Build the briefing and write HTML, PDF and XLSX into ``out``.

    Everything is written into a temporary directory first and moved into ``out`` only when
    all three files exist, so a failure leaves ``out`` untouched.
    """
    if not 1 <= draws <= MAX_DRAWS:
        raise MinsecError(f"--draws {draws}: give 1 to {MAX_DRAWS:,}")
    if out.exists() and not out.is_dir():
        raise MinsecError(f"--out {out}: exists and is not a directory")
    parts = briefing(ctx, draws=draws)
    provenance = store.status(ctx.store, files=True)
    provenance = provenance.assign(loaded_at=provenance["loaded_at"].astype(str))
    name = basename(ctx.importer, ctx.year)
    with tempfile.TemporaryDirectory(prefix="minsec-report-") as tmp:
        work = Path(tmp)
        html = work / f"{name}.html"
        html.write_text(render(ctx, parts, draws), encoding="utf-8")
        write_pdf(html, work / f"{name}.pdf")
        write_xlsx(parts, provenance, work / f"{name}.xlsx")
        out.mkdir(parents=True, exist_ok=True)
        for suffix in ("html", "pdf", "xlsx"):
            shutil.move(work / f"{name}.{suffix}", out / f"{name}.{suffix}")
    return Written(*(out / f"{name}.{s}" for s in ("html", "pdf", "xlsx")))
