"""The pages in a real browser (Debian's Chromium via Playwright) against a live server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from minsec.web import create_app

PAGES = ["/", "/minerals/gallium", "/scenarios", "/portfolio", "/outlook", "/targets",
         "/data"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(built: Path) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store=built), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pytest.importorskip("playwright")
    from minsec.browser import chromium

    with chromium() as b:
        yield b


class Watched:
    """A page whose console errors, page errors and off-server requests are recorded."""

    def __init__(self, browser: Any, base: str) -> None:
        self.page = browser.new_page()
        self.problems: list[str] = []
        self.base = base
        self.page.on("console", self.console)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on("request", self.request)

    def console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(message.text)

    def request(self, request: Any) -> None:
        if not request.url.startswith((self.base, "data:", "blob:")):
            self.problems.append(f"off-server request {request.url}")

    def charts_ready(self, timeout: float = 120_000) -> None:
        self.page.wait_for_selector("body[data-charts-ready]", state="attached",
                                    timeout=timeout)
        assert self.page.get_attribute("body", "data-charts-ready") == "1", self.problems

    def chart_data(self) -> str:
        return str(self.page.evaluate(
            "() => JSON.stringify([...document.querySelectorAll('div.chart')]"
            ".map(d => d.data))"))


@pytest.mark.parametrize("url", PAGES)
def test_page_loads_and_its_charts_render(browser: Any, base_url: str, url: str) -> None:
    w = Watched(browser, base_url)
    w.page.goto(base_url + url, timeout=180_000)
    w.charts_ready()
    charts = w.page.locator("div.chart")
    for i in range(charts.count()):
        assert charts.nth(i).locator(".main-svg").count() > 0, f"chart {i} of {url} empty"
    assert w.problems == []
    w.page.close()


def test_charts_exist_where_the_briefing_has_them(browser: Any, base_url: str) -> None:
    w = Watched(browser, base_url)
    w.page.goto(base_url + "/minerals/gallium", timeout=180_000)
    w.charts_ready()
    assert w.page.locator("div.chart .main-svg").count() >= 1
    assert w.page.locator("div.chart .geo, div.chart .geolayer").count() >= 1  # the map
    w.page.close()


def test_docs_work_offline(browser: Any, base_url: str) -> None:
    w = Watched(browser, base_url)
    w.page.goto(base_url + "/docs")
    w.page.wait_for_selector(".opblock", timeout=30_000)
    assert w.page.locator(".opblock").count() >= 20
    assert "scenarios/run" in w.page.inner_text("#swagger-ui")
    assert w.problems == []
    w.page.close()


def test_a_scenario_run_from_the_form_shows_results(browser: Any, base_url: str) -> None:
    w = Watched(browser, base_url)
    w.page.goto(base_url + "/scenarios", timeout=180_000)
    w.charts_ready()
    w.page.select_option("#scenario", "CN-2023-GaGe")
    w.page.fill("input[name=draws]", "500")
    w.page.fill("input[name=stock_days]", "100")
    w.page.click("#run-form button[type=submit]")
    w.page.wait_for_url("**/jobs/*", timeout=30_000)
    w.page.wait_for_selector("#job-done", timeout=120_000)
    w.charts_ready()
    assert w.page.locator("div.chart .main-svg").count() >= 2
    summary = w.page.locator("table[data-table=summary]")
    assert "gallium" in summary.inner_text() and "germanium" in summary.inner_text()
    assert "stock_days 100" in w.page.inner_text("main")
    assert w.problems == []
    w.page.close()


def test_the_importer_selector_changes_the_figures(browser: Any, base_url: str) -> None:
    w = Watched(browser, base_url)
    w.page.goto(base_url + "/", timeout=180_000)
    w.charts_ready()
    before, title = w.chart_data(), w.page.inner_text("h1")
    with w.page.expect_navigation(timeout=180_000):
        w.page.select_option("#importer", "JPN")
    w.charts_ready()
    assert "JPN" in w.page.inner_text("h1") and "KOR" in title
    after = w.chart_data()
    assert json.loads(after) and after != before
    assert w.problems == []
    w.page.close()
