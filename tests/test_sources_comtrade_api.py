"""`minsec data fetch comtrade` against a loopback server answering as the Comtrade API does."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from typer.testing import CliRunner

from minsec import tables
from minsec.cli import app
from minsec.errors import MinsecError, SourceError
from minsec.reference import hs_codes
from minsec.sources import comtrade, comtrade_api
from minsec.sources.comtrade_api import Api
from minsec.store import query

KEY = "test-key-0123"


def record(year: int, reporter: int, flow: str, partner: int, code: str, usd: float,
           kg: float | None, **breakdown: object) -> dict[str, Any]:
    """A record with the fields (and order) the API answers with ``includeDesc=false``."""
    return {"typeCode": "C", "freqCode": "A", "refPeriodId": int(f"{year}0101"),
            "refYear": year, "refMonth": 52, "period": str(year), "reporterCode": reporter,
            "flowCode": flow, "partnerCode": partner, "partner2Code": 0,
            "classificationCode": "H6" if year >= 2022 else "H5",
            "isOriginalClassification": True, "cmdCode": code, "aggrLevel": 6, "isLeaf": True,
            "customsCode": "C00", "mosCode": "0", "motCode": 0, "qtyUnitCode": 8, "qty": kg,
            "isQtyEstimated": False, "netWgt": kg, "isNetWgtEstimated": False,
            "grossWgt": None, "cifvalue": usd, "fobvalue": None, "primaryValue": usd,
            "legacyEstimationFlag": 0, "isReported": True, "isAggregate": False} | breakdown


RECORDS = [
    # Korea (410) imports of natural graphite (250410) from China, 2023, and its World total
    record(2023, 410, "M", 156, "250410", 100_828_925.0, 51_299_280.0),
    record(2023, 410, "M", 0, "250410", 103_836_000.0, 53_000_000.0),
    # Korea's lithium hydroxide (282520) from Chile: the total and one transport mode
    record(2023, 410, "M", 152, "282520", 3_000_000.0, 200_000.0),
    record(2023, 410, "M", 152, "282520", 1_000_000.0, 50_000.0, motCode=2100),
    # the US (842) declares exports of lithium carbonate (283691) to Korea, without a weight
    record(2023, 842, "X", 410, "283691", 500_000.0, None),
    # the EU (97) reports too: its members' own records count, not the bloc's
    record(2023, 97, "M", 152, "282520", 9_000_000.0, 600_000.0),
    record(2024, 410, "M", 156, "250410", 90_000_000.0, 45_000_000.0),
    record(2021, 410, "M", 156, "250410", 80_000_000.0, 40_000_000.0),
]


class Comtrade(ThreadingHTTPServer):
    """The API's data endpoint over a list of records; ``script`` answers first, in turn."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.records = list(RECORDS)
        self.script: list[tuple[int, dict[str, str], bytes]] = []
        self.calls: list[dict[str, Any]] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, params: dict[str, str]) -> list[dict[str, Any]]:
        wanted = {"period": "refYear", "cmdCode": "cmdCode", "flowCode": "flowCode",
                  "reporterCode": "reporterCode"}
        found = [r for r in self.records
                 if all(str(r[field]) in params[name].split(",")
                        for name, field in wanted.items() if name in params)]
        return found[:int(params.get("maxRecords", 500))]


class Handler(BaseHTTPRequestHandler):
    server: Comtrade

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.server.calls.append({"path": url.path, "params": params,
                                  "key": self.headers.get(comtrade_api.HEADER)})
        if self.server.script:
            self.send(*self.server.script.pop(0))
        elif self.headers.get(comtrade_api.HEADER) != KEY:
            self.send(401, {}, json.dumps({"statusCode": 401, "message": "Access denied due "
                                           "to invalid subscription key."}).encode())
        elif url.path != "/data/v1/get/C/A/HS":
            self.send(404, {}, b'{"statusCode": 404, "message": "Resource not found"}')
        else:
            data = self.server.answer(params)
            body = {"elapsedTime": "0.01 secs", "count": len(data), "data": data, "error": ""}
            self.send(200, {}, json.dumps(body).encode())

    def send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Comtrade]:
    httpd = Comtrade()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def api(server: Comtrade, **kw: Any) -> Api:
    return Api(key=KEY, base=server.base, **kw)


def asked(server: Comtrade, name: str) -> list[str]:
    return [code for call in server.calls for code in call["params"][name].split(",")]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


# --- the client -----------------------------------------------------------------------------

def test_fetch_writes_the_apis_records(server: Comtrade, tmp_path: Path) -> None:
    found = comtrade_api.fetch(tmp_path, [2023, 2024], api(server), reporters=[410, 842])
    assert found == {2023: 5, 2024: 1}
    frame = pd.read_csv(tmp_path / "un_comtrade_api" / "comtrade_api_2023.csv", dtype=str)
    assert list(frame.columns) == list(RECORDS[0])  # the API's own names, in its order
    assert frame["cmdCode"].tolist() == ["250410", "250410", "282520", "282520", "283691"]
    assert leftovers(tmp_path) == ["comtrade_api_2023.csv", "comtrade_api_2024.csv"]


def test_calls_carry_the_key_and_the_concordances_codes(server: Comtrade,
                                                        tmp_path: Path) -> None:
    comtrade_api.fetch(tmp_path, [2023], api(server), reporters=[410, 842])
    codes = hs_codes("hs2022")
    assert len(server.calls) == -(-len(codes) // comtrade_api.CODES_PER_CALL)
    for call in server.calls:
        assert call["path"] == "/data/v1/get/C/A/HS"
        assert call["key"] == KEY
        params = call["params"]
        assert (params["period"], params["flowCode"], params["reporterCode"],
                params["includeDesc"]) == ("2023", "M,X", "410,842", "false")
        assert len(params["cmdCode"].split(",")) <= comtrade_api.CODES_PER_CALL
        assert int(params["maxRecords"]) <= 100_000
    assert asked(server, "cmdCode") == codes


def test_years_before_2022_ask_the_hs2017_codes(server: Comtrade, tmp_path: Path) -> None:
    comtrade_api.fetch(tmp_path, [2021], api(server))
    assert asked(server, "cmdCode") == hs_codes("hs2017")
    assert all("reporterCode" not in c["params"] for c in server.calls)  # every reporter


def test_a_full_answer_is_split_until_whole(server: Comtrade, tmp_path: Path) -> None:
    # three records of the first call's codes (250410 twice: declared by each side)
    server.records = [record(2023, 410, "M", 156, "250410", 1.0, 1.0),
                      record(2023, 156, "X", 410, "250410", 1.0, 1.0),
                      record(2023, 410, "M", 156, "250490", 1.0, 1.0)]
    found = comtrade_api.fetch(tmp_path, [2023], api(server, max_records=2))
    assert found == {2023: 3}
    batches = len(comtrade_api.batches(2023))
    assert len(server.calls) > batches  # the full answers were asked again in halves
    narrow = [(c["params"]["cmdCode"], c["params"]["flowCode"]) for c in server.calls]
    assert ("250410", "M,X") in narrow and ("250410", "X") in narrow  # codes, then flows
    frame = pd.read_csv(tmp_path / comtrade_api.FILE.format(year=2023), dtype=str)
    assert sorted(zip(frame["cmdCode"], frame["flowCode"], strict=True)) == [
        ("250410", "M"), ("250410", "X"), ("250490", "M")]


def test_too_many_records_for_one_code_asks_for_reporters(server: Comtrade,
                                                          tmp_path: Path) -> None:
    # Korea's 250410 imports from China and from World: two records of one code and flow
    with pytest.raises(MinsecError, match="250410, flow M, 2023 from every reporter: name "
                                          "fewer reporters"):
        comtrade_api.fetch(tmp_path, [2023], api(server, max_records=2))
    assert leftovers(tmp_path) == []


def test_rate_limit_then_success(server: Comtrade, tmp_path: Path) -> None:
    server.script = [(429, {"Retry-After": "3"}, b'{"statusCode": 429, "message": "Rate '
                      b'limit is exceeded. Try again in 3 seconds."}')]
    waits: list[float] = []
    found = comtrade_api.fetch(tmp_path, [2023], api(server, sleep=waits.append), [410])
    assert waits == [3.0]
    assert found == {2023: 4}
    assert len(server.calls) == len(comtrade_api.batches(2023)) + 1


def test_rate_limit_gives_up_after_bounded_retries(server: Comtrade, tmp_path: Path) -> None:
    server.script = [(429, {}, b"{}")] * (comtrade_api.RETRIES + 1)
    waits: list[float] = []
    with pytest.raises(MinsecError, match="HTTP 429"):
        comtrade_api.fetch(tmp_path, [2023], api(server, sleep=waits.append))
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0]  # no Retry-After: backing off
    assert leftovers(tmp_path) == []


def test_key_refused(server: Comtrade, tmp_path: Path) -> None:
    with pytest.raises(MinsecError, match=r"refused the key \(HTTP 401\)"):
        comtrade_api.fetch(tmp_path, [2023], Api(key="wrong", base=server.base))
    assert leftovers(tmp_path) == []


def test_not_json_midway_leaves_no_partial_file(server: Comtrade, tmp_path: Path) -> None:
    ok = json.dumps({"elapsedTime": "0", "count": 1, "data": RECORDS[:1], "error": ""})
    server.script = [(200, {}, ok.encode()),
                     (200, {"Content-Type": "text/html"}, b"<html>Service Unavailable</html>")]
    with pytest.raises(MinsecError, match="did not answer JSON"):
        comtrade_api.fetch(tmp_path, [2023], api(server))
    assert leftovers(tmp_path) == []


def test_network_failure(tmp_path: Path) -> None:
    closed = Comtrade()  # bound, then closed: nothing listens on its port
    base = closed.base
    closed.server_close()
    with pytest.raises(MinsecError, match="cannot reach the Comtrade API"):
        comtrade_api.fetch(tmp_path, [2023], Api(key=KEY, base=base))


def test_missing_key(tmp_path: Path) -> None:
    with pytest.raises(MinsecError, match="no Comtrade subscription key"):
        comtrade_api.fetch(tmp_path, [2023], Api(key=""))


@pytest.mark.parametrize(("iso3", "code"), [("KOR", 410), ("USA", 842), ("TWN", 490),
                                            ("CHN", 156)])
def test_reporter_codes(iso3: str, code: int) -> None:
    assert comtrade.reporter_code(iso3) == code


def test_every_reporter_loads_without_the_eus_own_records(server: Comtrade,
                                                          tmp_path: Path) -> None:
    assert comtrade_api.fetch(tmp_path, [2023], api(server)) == {2023: 6}
    trade = comtrade.read_api(tmp_path, ["un_comtrade_api/comtrade_api_2023.csv"])["trade"]
    assert sorted(zip(trade["exporter"], trade["importer"], trade["flow"], strict=True)) == [
        ("CHL", "KOR", "M"), ("CHN", "KOR", "M"), ("USA", "KOR", "X")]


def test_damaged_fetched_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / comtrade_api.FILE.format(year=2023)
    path.parent.mkdir()
    rows = pd.DataFrame(RECORDS[:2]).to_csv(index=False)
    path.write_text(rows + "2023,410\n", encoding="utf-8")  # a row cut short
    with pytest.raises(SourceError, match="truncated") as info:
        comtrade.read_api(tmp_path, ["un_comtrade_api/comtrade_api_2023.csv"])
    assert info.value.line == 4


# --- the command line, then the build ------------------------------------------------------

def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_data_fetch_then_build(server: Comtrade, tmp_path: Path) -> None:
    sources, store = tmp_path / "sources", tmp_path / "store.duckdb"
    code, output = run("data", "fetch", "comtrade", "--years", "2023,2024", "--reporters",
                       "KOR,United States", "--key", KEY, "--to", str(sources),
                       "--api", server.base)
    assert code == 0, output
    assert "2023: 5 records" in output and "comtrade_api_2023.csv" in output
    assert {c["params"]["reporterCode"] for c in server.calls} == {"410,842"}
    code, output = run("data", "build", "--sources", str(sources), "--only", "minsec_reference",
                       "--only", "comtrade_api", "--store", str(store))
    assert code == 0, output
    trade = query("SELECT * FROM trade WHERE source = 'comtrade_api' ORDER BY year, hs6",
                  store=store)
    assert len(trade) == 4  # World totals and the transport-mode breakdown are not flows
    graphite = trade[(trade["hs6"] == "250410") & (trade["year"] == 2023)].iloc[0]
    assert (graphite["exporter"], graphite["importer"], graphite["flow"]) == ("CHN", "KOR", "M")
    assert graphite["value"] == pytest.approx(100_828.925)  # kUSD
    assert graphite["quantity"] == pytest.approx(51_299.28)  # t
    assert graphite["hs_version"] == "HS2022"
    flows = tables.mineral_trade(store)
    hydroxide = flows[(flows["form"] == "hydroxide") & (flows["mineral"] == "lithium")]
    assert hydroxide[["exporter", "importer", "value", "basis"]].values.tolist() == [
        ["CHL", "KOR", 3_000.0, "UN Comtrade, declared by the importer"]]


def test_data_fetch_errors_are_one_line(server: Comtrade, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMTRADE_KEY", raising=False)
    base = ["data", "fetch", "comtrade", "--to", str(tmp_path), "--api", server.base]
    for args, message in [([], "no Comtrade subscription key"),
                          (["--key", "wrong"], "refused the key (HTTP 401)"),
                          (["--key", KEY, "--reporters", "Atlantis"], "unknown country"),
                          (["--key", KEY, "--years", "23"], "--years '23'")]:
        code, output = run(*base, "--years", "2023", *args)
        assert code == 1, output
        assert message in output and "Traceback" not in output
        assert len(output.strip().splitlines()) == 1
    monkeypatch.setenv("COMTRADE_KEY", KEY)
    code, output = run(*base, "--years", "2024")
    assert code == 0 and "2024: 1 records" in output
