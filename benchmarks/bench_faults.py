"""SIGKILL an old -> new rebuild at random moments; count stores left old, new or mixed.

Run against any checkout's code (e.g. an older commit unpacked with ``git archive``) to compare:

    python benchmarks/bench_faults.py --src src --kills 20
    git archive b0a84be src | tar -x -C /tmp/base && python benchmarks/bench_faults.py \
        --src /tmp/base/src

The sources are a copy of six real loads from ``$MINSEC_SOURCES`` with three files changed (a
USGS world table, a USGS trends table, an EU CRM table); every store is compared with the old
and the new one by a content hash of every table (load times left out).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

KEYS = ["minsec_reference", "un_m49", "usgs_mcs2024_world", "usgs_mcs2024_salient",
        "usgs_mcs2024_trends", "eu_crm_2023"]
MCS = "usgs_mcs/mcs2024"
COPY = ["country_codes_m49", "eu_crm_2023", f"{MCS}/world", f"{MCS}/salient",
        f"{MCS}/industry_trends"]
EDITS = [(f"{MCS}/world/mcs2024-lithi_world.csv", b"74700", b"74800"),
         (f"{MCS}/industry_trends/MCS2024_Fig2_Net_Import_Reliance.csv", b"GALLIUM,100",
          b"GALLIUM,99"),
         ("eu_crm_2023/fact_GlobalSupplyShares_and_t.csv", b",0.4%,", b",0.5%,")]
BUILD = ("import sys, inspect; from pathlib import Path; from minsec.store import build; "
         "kw = {'accept_new': True} if 'accept_new' in inspect.signature(build).parameters "
         "else {}; build(Path(sys.argv[1]), Path(sys.argv[2]), only=sys.argv[3:], **kw)")


def content(store: Path) -> tuple[tuple[str, int, int], ...]:
    """Rows and an order-free hash per table, whatever the schema of the code that built it."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        cols: dict[str, list[str]] = {}
        sql = ("SELECT table_name, column_name FROM duckdb_columns() WHERE table_name IN "
               "(SELECT table_name FROM duckdb_tables()) ORDER BY table_name, column_index")
        for table, column in con.execute(sql).fetchall():
            if column != "loaded_at":
                cols.setdefault(table, []).append(f'"{column}"')
        out = []
        for table, names in cols.items():
            n, h = con.execute(f'SELECT count(*), coalesce(sum(hash({", ".join(names)})'
                               f'::HUGEINT), 0) FROM "{table}"').fetchone() or (0, 0)
            out.append((table, int(n), int(h)))
        return tuple(out)
    finally:
        con.close()


def rebuild(src: Path, store: Path, sources: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", BUILD, str(store), str(sources), *KEYS],
                            env={**os.environ, "PYTHONPATH": str(src)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=Path("src"), help="minsec code to run")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    shared = Path(os.environ.get("MINSEC_SOURCES", "../shared/data"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in COPY:
            shutil.copytree(shared / name, root / "old" / name)
        shutil.copytree(root / "old", root / "new")
        for rel, old, new in EDITS:
            path = root / "new" / rel
            path.write_bytes(path.read_bytes().replace(old, new, 1))
        first, store = root / "first.duckdb", root / "store.duckdb"
        assert rebuild(args.src, first, root / "old").wait() == 0
        shutil.copyfile(first, store)
        started = time.monotonic()
        assert rebuild(args.src, store, root / "new").wait() == 0
        seconds, before, after = time.monotonic() - started, content(first), content(store)
        rng, counts = random.Random(args.seed), {"old": 0, "new": 0, "mixed": 0}
        for _ in range(args.kills):
            shutil.copyfile(first, store)
            for stale in root.glob("store.duckdb.wal"):
                stale.unlink()
            proc = rebuild(args.src, store, root / "new")
            time.sleep(rng.uniform(0.3, 1.0) * seconds)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            got = content(store)
            counts["old" if got == before else "new" if got == after else "mixed"] += 1
        print(f"{args.src}: rebuild {seconds:.2f} s; {args.kills} kills at random moments of "
              f"30-100% of it: {counts}")


if __name__ == "__main__":
    main()
