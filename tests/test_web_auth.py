"""Who may compute: loopback by default, a token on any other host and on computing endpoints."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from minsec.errors import MinsecError
from minsec.web import create_app
from minsec.web.security import COOKIE, _location, check_host, is_loopback

TOKEN = "s3cret-token-of-16-chars"
MINSEC = Path(sys.executable).parent / "minsec"


def serve(*args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MINSEC_TOKEN"}
    if token:
        env["MINSEC_TOKEN"] = token
    return subprocess.run([str(MINSEC), "serve", *args], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org"])
def test_non_loopback_host_without_token_refuses_to_start(host: str) -> None:
    done = serve("--host", host, "--port", "1")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "MINSEC_TOKEN" in lines[0] and host in lines[0]


def test_missing_store_is_one_line_before_binding(tmp_path: Path) -> None:
    done = serve("--store", str(tmp_path / "none.duckdb"), "--port", "1", token=TOKEN)
    assert done.returncode == 1 and "no store at" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("10.0.0.1", False),
    ("myhost", False)])
def test_loopback_is_recognised(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    if loopback:
        check_host(host, None)
    else:
        with pytest.raises(MinsecError, match="MINSEC_TOKEN"):
            check_host(host, None)
        check_host(host, TOKEN)


@pytest.fixture(scope="module")
def guarded(built: Path) -> Iterator[TestClient]:
    with TestClient(create_app(store=built, token=TOKEN)) as client:
        yield client


RUN = {"scenario": "CN-2023-GaGe", "draws": "50"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_computing_endpoints_need_the_token(guarded: TestClient,
                                            headers: dict[str, str]) -> None:
    guarded.cookies.clear()
    for r in (guarded.post("/scenarios/run", data=RUN, headers=headers),
              guarded.post("/portfolio/optimise", data={"budget": "1"}, headers=headers,
                           files={"candidates": ("c.csv", b"x", "text/csv")}),
              guarded.get("/jobs/0123456789abcdef.json", headers=headers),
              guarded.get("/jobs/0123456789abcdef.csv", headers=headers)):
        assert r.status_code == 401, r.text
        assert "token" in r.json()["error"] and r.headers["www-authenticate"] == "Bearer"


def test_the_token_opens_them(guarded: TestClient) -> None:
    guarded.cookies.clear()
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    r = guarded.post("/scenarios/run", data=RUN, headers=bearer)
    assert r.status_code == 202, r.text
    state = guarded.get(f"/jobs/{r.json()['id']}.json", headers=bearer)
    assert state.status_code == 200 and state.json()["id"] == r.json()["id"]


def test_a_browser_gets_a_cookie_from_the_query_token(guarded: TestClient) -> None:
    guarded.cookies.clear()
    page = guarded.get(f"/scenarios?importer=KOR&token={TOKEN}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/scenarios?importer=KOR"
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert guarded.get(page.headers["location"]).status_code == 200  # the cookie alone
    r = guarded.post("/scenarios/run", data=RUN)
    assert r.status_code == 202, r.text
    guarded.cookies.clear()
    assert guarded.get("/scenarios?token=wrong").headers.get("set-cookie") is None


def test_pages_need_it_too_but_assets_and_docs_do_not(guarded: TestClient) -> None:
    guarded.cookies.clear()
    for url in ("/", "/index.json", "/minerals/gallium.csv", "/data.xlsx"):
        assert guarded.get(url).status_code == 401, url
    assert guarded.get("/index.json", headers={"Authorization": f"Bearer {TOKEN}"}
                       ).status_code == 200
    for url in ("/openapi.json", "/docs", "/static/plotly.min.js", "/static/app.js"):
        assert guarded.get(url).status_code == 200, url


@pytest.mark.parametrize("token", ["x", " ", "fifteen-chars-x"])
def test_short_tokens_are_refused(token: str) -> None:
    with pytest.raises(MinsecError, match="at least 16"):
        create_app(token=token)
    done = serve("--port", "1", token=token)
    assert done.returncode == 1 and "at least 16" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_redirects_never_echo_the_host(guarded: TestClient) -> None:
    headers = {"Host": "evil.example", "Authorization": f"Bearer {TOKEN}"}
    for url, target in (("/scenarios/", "/scenarios"),
                        ("/minerals/gallium/?year=2023", "/minerals/gallium?year=2023")):
        r = guarded.get(url, headers=headers, follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == target, (url, r.headers)
    assert _location("//evil.example", b"") == "/evil.example"  # a path, never a host
