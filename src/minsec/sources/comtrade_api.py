"""UN Comtrade API: the form concordance's codes, pulled with the user's own subscription key.

One call is ``GET {base}/data/v1/get/C/A/HS`` (commodities, annual, HS as reported) with
``period, cmdCode, flowCode`` (comma-separated lists), ``reporterCode`` (omitted: every
reporter), ``includeDesc=false`` and ``maxRecords``, and the header
``Ocp-Apim-Subscription-Key``; the answer is JSON ``{"elapsedTime", "count", "data":
[records], "error"}`` (https://comtradedeveloper.un.org, API "comtrade - v1", "Get data").
Records are written as the API gives them, one CSV per year with the API's own column names
(``un_comtrade_api/comtrade_api_<year>.csv``), which :mod:`minsec.sources.comtrade` loads.

Rules: the codes are the concordance's ``hs2022`` column from 2022, ``hs2017`` before (the
edition reporters used; before 2017 the closest). A call asks for at most
:data:`CODES_PER_CALL` codes; an answer of ``maxRecords`` records may be cut short, so it is
dropped and the call split (codes, then flows, then reporters) until every answer is whole.
HTTP 429 (rate limit) is retried :data:`RETRIES` times, waiting ``Retry-After`` seconds (else
1, 2, 4, ... s). A year's file is written to a temporary file and renamed when complete.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from minsec.errors import MinsecError
from minsec.reference import hs_codes

API = "https://comtradeapi.un.org"
PATH = "data/v1/get/C/A/HS"
HEADER = "Ocp-Apim-Subscription-Key"
CODES_PER_CALL = 20
MAX_RECORDS = 100_000  # the API's cap per call for a subscription key
RETRIES = 5
MAX_WAIT = 60.0  # seconds: a longer Retry-After is cut to this
FILE = "un_comtrade_api/comtrade_api_{year}.csv"


def codes(year: int) -> list[str]:
    """The concordance's codes in the edition reporters used in ``year``."""
    return hs_codes("hs2022" if year >= 2022 else "hs2017")


@dataclass(frozen=True)
class Query:
    """One call's filters; :meth:`halves` splits it when the answer may be cut short."""

    year: int
    codes: tuple[str, ...]
    flows: tuple[str, ...] = ("M", "X")
    reporters: tuple[int, ...] | None = None  # None: every reporter

    def params(self, max_records: int) -> dict[str, str]:
        """The query string of this call."""
        params = {"period": str(self.year), "cmdCode": ",".join(self.codes),
                  "flowCode": ",".join(self.flows), "includeDesc": "false",
                  "maxRecords": str(max_records)}
        if self.reporters is not None:
            params["reporterCode"] = ",".join(map(str, self.reporters))
        return params

    def halves(self) -> tuple[Query, Query] | None:
        """Two queries covering this one (codes split first, then flows, then reporters)."""
        for name in ("codes", "flows", "reporters"):
            items = getattr(self, name)
            if items is not None and len(items) > 1:
                mid = len(items) // 2
                return replace(self, **{name: items[:mid]}), replace(self, **{name: items[mid:]})
        return None


@dataclass(frozen=True)
class Api:
    """Where and how to call: base URL, the user's key, the cap, how to wait on HTTP 429."""

    key: str
    base: str = API
    max_records: int = MAX_RECORDS
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    @property
    def url(self) -> str:
        """The data endpoint."""
        return f"{self.base.rstrip('/')}/{PATH}"


def wait(retry_after: str | None, attempt: int) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): ``Retry-After``, else 2^attempt."""
    try:
        seconds = float(retry_after) if retry_after is not None else 2.0 ** attempt
    except ValueError:  # an HTTP date: back off instead
        seconds = 2.0 ** attempt
    return min(max(seconds, 0.0), MAX_WAIT)


def _get(client: httpx.Client, api: Api, query: Query) -> httpx.Response:
    """GET one call, retrying HTTP 429; a network failure is one line."""
    for attempt in range(RETRIES + 1):
        try:
            response = client.get(api.url, params=query.params(api.max_records),
                                  headers={HEADER: api.key})
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise MinsecError(f"cannot reach the Comtrade API at {api.base} "
                              f"({type(exc).__name__}: {exc})") from None
        if response.status_code != 429:
            return response
        if attempt < RETRIES:
            api.sleep(wait(response.headers.get("Retry-After"), attempt))
    raise MinsecError(f"the Comtrade API still answers HTTP 429 (rate limit) after {RETRIES} "
                      "retries; try again later")


def _body(response: httpx.Response, api: Api) -> dict[str, Any]:
    """The answer's JSON, checked for the API's shape."""
    status = response.status_code
    if status in (401, 403):
        raise MinsecError(f"the Comtrade API refused the key (HTTP {status}); check --key or "
                          "COMTRADE_KEY (a subscription key from comtradedeveloper.un.org)")
    if status != 200:
        raise MinsecError(f"the Comtrade API answered HTTP {status}: {response.text[:120]!r}")
    try:
        body = response.json()
    except ValueError:
        raise MinsecError(f"{api.url} did not answer JSON (is --api right?): "
                          f"{response.text[:60]!r}") from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise MinsecError(f"{api.url} answered JSON without a 'data' list (is --api right?)")
    if body.get("error"):
        raise MinsecError(f"the Comtrade API answered an error: {body['error']}")
    return body


def pull(client: httpx.Client, api: Api, query: Query) -> Iterator[list[dict[str, Any]]]:
    """The records of ``query``, in whole answers; a full answer is split and asked again."""
    records = _body(_get(client, api, query), api)["data"]
    if len(records) < api.max_records:
        yield records
        return
    halves = query.halves()
    if halves is None:
        who = "every reporter" if query.reporters is None else f"reporter {query.reporters[0]}"
        raise MinsecError(f"{api.max_records:,} records or more for cmdCode {query.codes[0]}, "
                          f"flow {query.flows[0]}, {query.year} from {who}: name fewer "
                          "reporters with --reporters")
    for half in halves:
        yield from pull(client, api, half)


def write(path: Path, answers: Iterator[list[dict[str, Any]]]) -> int:
    """Write the records to ``path`` as CSV (the API's columns); return how many.

    The file appears only when complete (a temporary file renamed); with no record, none.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    count = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer: csv.DictWriter[str] | None = None
            for records in answers:
                for record in records:
                    if writer is None:
                        writer = csv.DictWriter(handle, list(record), restval="",
                                                extrasaction="ignore")
                        writer.writeheader()
                    writer.writerow(record)
                    count += 1
        if count:
            Path(tmp).replace(path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return count


def batches(year: int, reporters: list[int] | None = None) -> list[Query]:
    """One year's calls: the concordance's codes, :data:`CODES_PER_CALL` at a time."""
    wanted = codes(year)
    who = tuple(reporters) if reporters is not None else None
    return [Query(year, tuple(wanted[i:i + CODES_PER_CALL]), reporters=who)
            for i in range(0, len(wanted), CODES_PER_CALL)]


def answers(client: httpx.Client, api: Api, queries: list[Query],
            progress: Callable[[Query], None] | None = None) -> Iterator[list[dict[str, Any]]]:
    """Every query's records in turn; ``progress`` is told of each query as it starts."""
    for query in queries:
        if progress:
            progress(query)
        yield from pull(client, api, query)


def fetch(target: Path, years: list[int], api: Api, reporters: list[int] | None = None,
          progress: Callable[[Query], None] | None = None) -> dict[int, int]:
    """Pull every year's records into ``target`` (a sources directory); ``{year: records}``.

    ``reporters`` are Comtrade reporter codes (None: every reporter). A year without a
    record writes no file.
    """
    if not api.key:
        raise MinsecError("no Comtrade subscription key: pass --key KEY or set COMTRADE_KEY "
                          "(free from comtradedeveloper.un.org)")
    with httpx.Client(timeout=120) as client:
        return {year: write(target / FILE.format(year=year),
                            answers(client, api, batches(year, reporters), progress))
                for year in years}
